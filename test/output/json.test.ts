import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { writeJson, type JsonReplacer } from '../../src/output/json.js';
import { reportDocument, reportJson, reportJsonReplacer } from '../../src/report/run.js';
import { ROOT, run } from '../helpers/run.js';

/** Serialises through writeJson, keeping every chunk. */
function chunked(value: unknown, replacer?: JsonReplacer, indent: number | string = 2): { text: string; chunks: string[] } {
  const chunks: string[] = [];
  writeJson({ write: (c) => chunks.push(c) }, value, replacer, indent);
  return { text: chunks.join(''), chunks };
}

const GOLDEN = resolve(ROOT, 'test/golden');

describe('streamed JSON', () => {
  it('writes every golden report byte for byte as JSON.stringify(value, null, 2) does', () => {
    const files = readdirSync(GOLDEN).flatMap((d) => readdirSync(join(GOLDEN, d)).filter((f) => f.endsWith('.json')).map((f) => join(GOLDEN, d, f)));
    expect(files.length).toBeGreaterThanOrEqual(30);
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      expect(`${chunked(JSON.parse(text)).text}\n`, file).toBe(text);
    }
  });

  it('writes a run report as reportJson does, packet numbers left out by the replacer', () => {
    for (const [scenario, config, engine] of [
      ['scenarios/active-download.yaml', 'rules/seed-active.cfg', 'static'],
      ['scenarios/list-and-two-retr.yaml', 'rules/stateful.cfg', 'stateful'],
    ] as const) {
      const { report } = run(scenario, config, engine);
      const text = `${chunked(reportDocument([report]), reportJsonReplacer).text}\n`;
      expect(text).toBe(reportJson([report]));
      expect(text).not.toContain('packetNumbers');
    }
  });

  it('follows JSON.stringify for undefined, functions, symbols, non-finite numbers, toJSON, wrappers and empty containers', () => {
    const value = {
      a: undefined,
      b: () => 1,
      c: Symbol('x'),
      d: [undefined, () => 1, Symbol('y'), NaN, -Infinity, -0, 1e21, 5e-7],
      e: new Date(0),
      f: { toJSON: (key: string) => `key=${key}` },
      g: [new Number(3), new String('s'), new Boolean(false)],
      h: {},
      i: [],
      j: [[], {}, [[]]],
      k: 'quote " backslash \\ newline \n tab \t nul \u0000 lone \ud800 emoji 😀',
      [Symbol('hidden')]: 1,
    };
    for (const indent of [2, 0, 4, '\t', ''])
      expect(chunked(value, undefined, indent).text).toBe(JSON.stringify(value, null, indent));
  });

  it('calls the replacer with the holder as this, the key and the value, as JSON.stringify does', () => {
    const seenOurs: string[] = [];
    const seenTheirs: string[] = [];
    const make =
      (seen: string[]): JsonReplacer =>
      function (this: unknown, key, value) {
        seen.push(`${key}:${Array.isArray(this) ? 'array' : typeof this}`);
        return typeof value === 'number' ? value * 2 : key === 'drop' ? undefined : value;
      };
    const value = { x: 1, drop: 'gone', list: [1, 2, { y: 3 }] };
    expect(chunked(value, make(seenOurs)).text).toBe(JSON.stringify(value, make(seenTheirs), 2));
    expect(seenOurs).toEqual(seenTheirs);
  });

  it('agrees with JSON.stringify on arbitrary JSON values', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.constantFrom(0, 1, 2, '--'), (v, indent) => {
        expect(chunked(v, undefined, indent).text).toBe(JSON.stringify(v, null, indent));
      }),
      { numRuns: 500, seed: 14 },
    );
  });

  it('writes nothing and says so for undefined, as JSON.stringify returns undefined', () => {
    const chunks: string[] = [];
    expect(writeJson({ write: (c) => chunks.push(c) }, undefined)).toBe(false);
    expect(chunks).toEqual([]);
  });

  it('refuses a circular value as JSON.stringify does', () => {
    const a: Record<string, unknown> = {};
    a['self'] = a;
    expect(() => chunked(a)).toThrow(TypeError);
  });

  it('hands a large value over in pieces of about 64 K units, never as one string', () => {
    const value = { items: Array.from({ length: 100_000 }, (_, i) => ({ n: i, text: `item ${i}` })) };
    const { text, chunks } = chunked(value);
    expect(text).toBe(JSON.stringify(value, null, 2));
    expect(chunks.length).toBeGreaterThan(50);
    let longest = 0;
    for (const c of chunks) longest = Math.max(longest, c.length);
    expect(longest).toBeLessThan(65_536 + 100);
  });
});
