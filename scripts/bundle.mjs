#!/usr/bin/env node
/**
 * Cold start (README, Dependencies: esbuild): after `tsc` has built dist/, this writes the two
 * entry modules dist/cli/main.js and dist/cli/worker.js again as esbuild bundles of src/cli/main.ts
 * and src/cli/worker.ts, with the modules and dependencies they load inlined. Each `await import()`
 * (one per command, one per dialect parser) stays a chunk of its own (dist/cli/chunk-*.js), so
 * `ftpwall --help` and `ftpwall check` still load only their own code, now from a few files instead
 * of about sixty: Node's ES module loader resolves, stats and reads every file on its own, and that
 * was most of their start-up time.
 *
 * The chunks sit in dist/cli beside the entries, so every path the code finds from import.meta.url
 * (../../lessons, ../../profiles, ./worker.js, ../verify/ftp-client.mjs) means what it meant in
 * tsc's dist/cli. The rest of dist/ stays as tsc wrote it.
 */
import { existsSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CLI = join(ROOT, 'dist', 'cli');

const result = await build({
  entryPoints: [join(ROOT, 'src', 'cli', 'main.ts'), join(ROOT, 'src', 'cli', 'worker.ts')],
  tsconfig: join(ROOT, 'tsconfig.build.json'),
  outdir: CLI,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  chunkNames: 'chunk-[hash]',
  sourcemap: 'linked',
  // CommonJS dependencies (commander, ip-num, cli-progress) call require() for Node's own modules;
  // an ES module has no `require`, so each output file makes one
  banner: { js: "import { createRequire as __ftpwallCreateRequire } from 'node:module';\nconst require = __ftpwallCreateRequire(import.meta.url);" },
  logLevel: 'warning',
  write: false,
});

// Each file written whole (a temporary file renamed over it) and only when it changed: test files
// build in parallel while others run dist/cli/main.js, and none may read a half-written module.
const written = new Set();
for (const out of result.outputFiles) {
  written.add(out.path);
  if (existsSync(out.path) && readFileSync(out.path).equals(out.contents)) continue;
  const tmp = `${out.path}.${process.pid}.tmp`;
  writeFileSync(tmp, out.contents);
  renameSync(tmp, out.path);
}
// chunks of an earlier build (their names carry a content hash)
for (const name of readdirSync(CLI)) if (/^chunk-[A-Z0-9]+\.js(\.map)?$/.test(name) && !written.has(join(CLI, name))) rmSync(join(CLI, name));
