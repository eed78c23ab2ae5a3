/** `--format ladder|md|mermaid` from the command line: replay, compare cells and a capture. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ftpwall } from '../helpers/cli.js';
import { parseMermaid } from '../report/mermaid-parse.js';

const ROOT = resolve(__dirname, '../..');
const golden = (name: string): string => readFileSync(resolve(ROOT, 'test/golden', name), 'utf8');

describe('text formats on the command line', () => {
  it('replay --format ladder prints the golden ladder of the run', () => {
    const r = ftpwall(['replay', 'scenarios/passive-download.yaml', '--config', 'rules/seed-active.cfg', '--format', 'ladder']);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(golden('passive-download/seed-active.static.ladder.txt'));
  });

  it('replay --format md and --format mermaid print the golden Markdown and Mermaid', () => {
    const md = ftpwall(['replay', 'scenarios/active-download.yaml', '--config', 'rules/stateful.cfg', '--format', 'md']);
    expect(md.stdout).toBe(golden('active-download/stateful.stateful.md'));
    const mm = ftpwall(['replay', 'scenarios/active-download.yaml', '--config', 'rules/stateful.cfg', '--format', 'mermaid']);
    expect(mm.stdout).toBe(golden('active-download/stateful.stateful.mmd'));
  });

  it('compare --format ladder draws every cell of the matrix, config by config', () => {
    const r = ftpwall(['compare', 'scenarios/active-download.yaml', 'scenarios/passive-download.yaml', '--config', 'rules/seed-active.cfg', '--config', 'rules/stateful.cfg', '--format', 'ladder']);
    expect(r.status).toBe(0);
    const titles = r.stdout.split('\n').filter((l) => l.startsWith('ladder: '));
    expect(titles).toEqual([
      'ladder: active-download × rules/seed-active.cfg [static]: FTP works',
      'ladder: passive-download × rules/seed-active.cfg [static]: FTP fails',
      'ladder: active-download × rules/stateful.cfg [stateful]: FTP works',
      'ladder: passive-download × rules/stateful.cfg [stateful]: FTP works',
    ]);
  });

  it('compare --format mermaid writes one mermaid block per cell, each of which parses', async () => {
    const r = ftpwall(['compare', 'scenarios/active-download.yaml', '--config', 'rules/seed-active.cfg', '--config', 'rules/seed-passive.cfg', '--format', 'mermaid']);
    const blocks = [...r.stdout.matchAll(/```mermaid\n([\s\S]*?)```/g)].map((m) => m[1]!);
    expect(blocks.length).toBe(2);
    for (const b of blocks) expect(await parseMermaid(b)).toBe('sequence');
  });

  it('a capture replayed with --packets draws its ladder; its Markdown carries the "in reality" note', () => {
    const pcap = resolve(ROOT, '../shared/corpus/pcap/suricata-ftp-download-passive.pcap');
    const args = ['replay', pcap, '--config', 'rules/seed-active.cfg', '--inside', '172.23.0.2/32@GigabitEthernet2/1/10'];
    const ladder = ftpwall([...args, '--packets', '--format', 'ladder']);
    expect(ladder.stdout).toMatch(/\n {4}#4 │ +│ +✗◀─+┼─+│ {2}PA 21 → 41790 "220 FTP Sandbox Ready\." ✗ denied by\n/);
    const md = ftpwall([...args, '--format', 'md']);
    expect(md.stdout).toContain('In reality the data connection would not have opened; its 6 later packets could not have happened; the 226 in packet 25 could not have happened.');
  });
});
