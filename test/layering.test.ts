import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Modules import downward only (DESIGN.md). Each top-level folder of src/ has a
 * layer; an import must reach a strictly lower layer or stay in its own folder.
 */
const LAYERS: Record<string, number> = {
  diag: 0,
  collections: 0,
  net: 1,
  output: 1,
  wire: 2,
  policy: 3,
  dialects: 4,
  engine: 5,
  analysis: 6,
  ftp: 6,
  scenario: 6,
  export: 6,
  model: 6.5,
  sim: 7,
  replay: 7,
  report: 8,
  verify: 9,
  lesson: 9,
  probe: 9,
  fix: 10,
  parallel: 10.5,
  cli: 11,
};

const SRC = resolve(__dirname, '../src');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

function topFolder(file: string): string {
  return relative(SRC, file).split('/')[0]!;
}

describe('layering', () => {
  it('every src folder has a layer', () => {
    const folders = new Set(files(SRC).map(topFolder));
    for (const f of folders) expect(LAYERS, `folder src/${f} needs a layer in test/layering.test.ts`).toHaveProperty(f);
  });

  it('no module imports from a higher or sibling layer, and nothing imports cli/', () => {
    const violations: string[] = [];
    for (const file of files(SRC)) {
      const from = topFolder(file);
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/^\s*(?:import|export)[^'"]*from\s+['"](\.[^'"]+)['"]/gm)) {
        const target = resolve(dirname(file), m[1]!);
        const to = topFolder(target);
        if (to === from) continue;
        if ((LAYERS[to] ?? 99) >= (LAYERS[from] ?? -1)) violations.push(`${relative(SRC, file)} imports ${m[1]} (${from} → ${to})`);
      }
    }
    expect(violations).toEqual([]);
  });

  it('only net/address.ts imports ip-num', () => {
    const importers = files(SRC)
      .filter((f) => /from\s+['"]ip-num(\/[^'"]*)?['"]/.test(readFileSync(f, 'utf8')))
      .map((f) => relative(SRC, f));
    expect(importers).toEqual(['net/address.ts']);
  });

  it('nothing in src/ outside cli/ reads the wall clock or unseeded randomness (the benchmark lives in bench/)', () => {
    const offenders = files(SRC)
      .filter((f) => topFolder(f) !== 'cli')
      .filter((f) => /Date\.now\(|new Date\(\)|Math\.random\(|performance\.now\(/.test(readFileSync(f, 'utf8')))
      .map((f) => relative(SRC, f));
    expect(offenders).toEqual([]);
  });
});
