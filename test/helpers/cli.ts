/** Runs the built `ftpwall` binary as a user would, capturing output and exit status. */
import { execFileSync, spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');
let built = false;

/** Builds dist/ once per test file as `npm run build` does (tsc -p tsconfig.build.json, then the dist/cli bundles), so the tests run what ships. */
export function buildOnce(): void {
  if (built) return;
  execFileSync(process.execPath, [resolve(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'pipe' });
  execFileSync(process.execPath, [resolve(ROOT, 'scripts/bundle.mjs')], { cwd: ROOT, stdio: 'pipe' });
  built = true;
}

/** The result of one CLI run. */
export interface CliResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `ftpwall ARGS…` from the repo root, without colours. */
export function ftpwall(args: readonly string[], env: Record<string, string> = {}): CliResult {
  buildOnce();
  const r = spawnSync(process.execPath, [resolve(ROOT, 'dist/cli/main.js'), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', ...env },
    timeout: 120_000,
  });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** A text report with its wrapped verdict lines joined again (a continuation line is indented four spaces). */
export function unwrapVerdicts(text: string): string {
  return text.replace(/\n {4}(?=\S)/g, ' ');
}

/** A pattern for `text` that also matches it wrapped: every run of spaces may be any whitespace, newlines included. */
export function wrappedText(text: string): RegExp {
  return new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/ +/g, '\\s+'));
}
