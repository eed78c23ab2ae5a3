/**
 * parseConfigLoading (the parser of the config's own dialect loaded on demand, for `check`) gives
 * exactly what parseConfig gives: the same policy and the same diagnostics, for every bundled and
 * fixture config of each dialect, told or detected, and for a binary file.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectDialect } from '../../src/dialects/config-text.js';
import { parseConfig } from '../../src/dialects/load.js';
import { parseConfigLoading } from '../../src/dialects/load-one.js';

const ROOT = resolve(__dirname, '../..');

function configs(dir: string): string[] {
  return readdirSync(resolve(ROOT, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? configs(join(dir, e.name)) : /\.(cfg|rules|nft|iptables)$/.test(e.name) ? [join(dir, e.name)] : [],
  );
}

const FILES = [...configs('rules'), ...configs('test/fixtures/h3c'), ...configs('test/fixtures/iptables'), ...configs('test/fixtures/nft')].sort();

describe('parseConfigLoading = parseConfig', () => {
  it('covers configs of all three dialects', () => {
    const dialects = new Set(FILES.map((f) => detectDialect(readFileSync(resolve(ROOT, f), 'utf8'))));
    expect([...dialects].sort()).toEqual(['h3c', 'iptables', 'nft']);
  });

  it.each(FILES)('%s: detected, the same policy and diagnostics', async (file) => {
    const text = readFileSync(resolve(ROOT, file), 'utf8');
    expect(await parseConfigLoading(text, file)).toEqual(parseConfig(text, file));
  });

  it('a told dialect and platform are passed on (an H3C config read as nft is an nft error)', async () => {
    const file = 'rules/stateful.cfg';
    const text = readFileSync(resolve(ROOT, file), 'utf8');
    const asNft = await parseConfigLoading(text, file, 'nft');
    expect(asNft).toEqual(parseConfig(text, file, 'nft'));
    expect(asNft.diagnostics.some((d) => d.severity === 'error')).toBe(true);
    expect(await parseConfigLoading(text, file, 'h3c', { platform: 'switch' })).toEqual(parseConfig(text, file, 'h3c', { platform: 'switch' }));
  });

  it('a binary file: the one located error, before any parser', async () => {
    const text = 'acl advanced 3000\n\0\x01';
    const r = await parseConfigLoading(text, 'x.pcap');
    expect(r).toEqual(parseConfig(text, 'x.pcap'));
    expect(r.diagnostics).toEqual([expect.objectContaining({ severity: 'error', bytes: { file: 'x.pcap', byteOffset: 18 } })]);
  });
});
