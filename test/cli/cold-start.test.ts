/**
 * Cold start (issue 13): `ftpwall --help` and `ftpwall check` load only what they need. Checked twice,
 * without timing anything: the static import graph of the sources (what a command's module pulls in
 * before it runs), and the files Node really loads from the built, bundled dist/cli.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOnce } from '../helpers/cli.js';

const ROOT = resolve(__dirname, '../..');

/**
 * Modules reached from `entry` by static imports and re-exports (not `import type`, not `import()`):
 * repo-relative paths for our own modules, package names for dependencies.
 */
function staticGraph(entry: string): Set<string> {
  const seen = new Set<string>();
  const walk = (file: string): void => {
    const key = relative(ROOT, file);
    if (seen.has(key)) return;
    seen.add(key);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/^\s*(import|export)\s+(type\s)?[^'";]*?from\s+['"]([^'"]+)['"]/gm)) {
      if (m[2]) continue; // a type-only import is gone at run time
      const spec = m[3]!;
      if (spec.startsWith('.')) walk(resolve(dirname(file), spec.replace(/\.js$/, '.ts')));
      else seen.add(spec.startsWith('node:') ? spec : spec.split('/').slice(0, spec.startsWith('@') ? 2 : 1).join('/'));
    }
    for (const m of text.matchAll(/^\s*import\s+['"](\.[^'"]+)['"]/gm)) walk(resolve(dirname(file), m[1]!.replace(/\.js$/, '.ts')));
  };
  walk(resolve(ROOT, entry));
  return seen;
}

const matching = (graph: Set<string>, pattern: RegExp): string[] => [...graph].filter((m) => pattern.test(m)).sort();

describe('cold start: static imports of the sources', () => {
  it('the walk sees what it should (a command module reaches its own imports)', () => {
    const check = staticGraph('src/cli/check.ts');
    expect(check).toContain('src/cli/io.ts');
    expect(check).toContain('src/analysis/aspf-reach.ts');
    expect(check).toContain('src/dialects/load-one.ts');
    expect(staticGraph('src/cli/inputs.ts')).toContain('yaml');
    expect(staticGraph('src/dialects/load.ts')).toContain('src/dialects/nft/parse.ts');
  });

  it('--help (cli/main.ts) loads no command: no parser, engine, scenario reader, address library or YAML', () => {
    const main = staticGraph('src/cli/main.ts');
    expect(matching(main, /^(yaml|ip-num|immer|cli-progress)$|^src\/(dialects|engine|policy|analysis|net|sim|replay|scenario\/load)/)).toEqual([]);
  });

  it('check (cli/check.ts) loads no dialect parser up front, no stateful engine, scenario reader, simulator or YAML', () => {
    const check = staticGraph('src/cli/check.ts');
    expect(matching(check, /^(yaml|cli-progress)$|^src\/(dialects\/(h3c|iptables|nft)\/|engine\/stateful\/|scenario\/|sim\/|replay\/|report\/render)|^src\/dialects\/load\.ts$/)).toEqual([]);
  });
});

describe('cold start: the files Node loads from the built dist/cli', () => {
  let dir: string;
  beforeAll(() => {
    buildOnce();
    dir = mkdtempSync(join(tmpdir(), 'ftpw-cold-'));
    // a module hook that names every file Node loads, on stderr
    writeFileSync(join(dir, 'hook.mjs'), "export async function load(url, context, next) {\n  if (url.startsWith('file:')) process.stderr.write(`LOADED ${url}\\n`);\n  return next(url, context);\n}\n");
    writeFileSync(join(dir, 'register.mjs'), `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(join(dir, 'hook.mjs')).href)});\n`);
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** The files `ftpwall ARGS` loads (repo-relative), and its exit status. */
  function loaded(args: readonly string[]): { files: string[]; status: number | null } {
    const r = spawnSync(process.execPath, ['--import', pathToFileURL(join(dir, 'register.mjs')).href, 'dist/cli/main.js', ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    const files = [...r.stderr.matchAll(/^LOADED (\S+)$/gm)].map((m) => relative(ROOT, fileURLToPath(m[1]!)));
    return { files, status: r.status };
  }

  /** The source modules bundled into the loaded files (esbuild names each one in a `// path` line). */
  function bundledModules(files: readonly string[]): string[] {
    const modules = new Set<string>();
    for (const f of files) for (const m of readFileSync(resolve(ROOT, f), 'utf8').matchAll(/^\/\/ ((?:src|node_modules)\/\S+)$/gm)) modules.add(m[1]!);
    return [...modules].sort();
  }

  it('--help loads the bundle only: commander and the command line, no parser, engine, address library or YAML', () => {
    const { files, status } = loaded(['--help']);
    expect(status).toBe(0);
    expect(files[0]).toBe('dist/cli/main.js');
    for (const f of files) expect(f).toMatch(/^dist\/cli\/(main|chunk-[A-Z0-9]+)\.js$/);
    const modules = bundledModules(files);
    expect(modules).toContain('src/cli/main.ts');
    expect(modules.some((m) => m.startsWith('node_modules/commander/'))).toBe(true);
    expect(modules.filter((m) => /^node_modules\/(yaml|ip-num|immer|cli-progress)\/|^src\/(dialects|engine|policy|analysis|sim|replay|scenario\/load)/.test(m))).toEqual([]);
  });

  it('check of an H3C config loads the H3C parser and none of the others, no stateful engine, scenario reader or YAML', () => {
    const { files, status } = loaded(['check', 'rules/stateful.cfg']);
    expect(status).toBe(0);
    for (const f of files) expect(f).toMatch(/^dist\/cli\/(main|chunk-[A-Z0-9]+)\.js$/);
    const modules = bundledModules(files);
    expect(modules).toContain('src/dialects/h3c/parser.ts');
    expect(modules.some((m) => m.startsWith('node_modules/ip-num/'))).toBe(true);
    expect(modules.filter((m) => /^node_modules\/(yaml|cli-progress)\/|^src\/(dialects\/(iptables|nft)\/|engine\/stateful\/|scenario\/load|sim\/|replay\/)/.test(m))).toEqual([]);
  });

  it('check of an nft ruleset loads the nft parser and not the H3C one', () => {
    const { files, status } = loaded(['check', 'rules/linux-masquerade.nft']);
    expect(status).toBe(0);
    const modules = bundledModules(files);
    expect(modules).toContain('src/dialects/nft/parse.ts');
    // (the nft rule reader shares iptables/values.ts, the word and value helpers, not the parser)
    expect(modules.filter((m) => /^src\/dialects\/(h3c\/|iptables\/(parse|rule)\.ts)/.test(m))).toEqual([]);
  });
});
