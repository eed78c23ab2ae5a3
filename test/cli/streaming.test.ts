import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeSynFlood } from '../../bench/floods.js';
import { ftpwall, wrappedText } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'ftpwall-stream-'));
const file = join(dir, 'syn.pcap');
const n = 130_000;
beforeAll(() => {
  writeSynFlood(file, n);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const PLACE = ['--inside', '192.168.10.1/32@GigabitEthernet2/1/10', '--outside-interface', 'GigabitEthernet2/1/1'];

describe('a capture with more flows than a call stack holds', () => {
  it('130,000 flows (issue 14: exit 70 past about 125,000): the table report streams every row (no "Maximum call stack size exceeded"), then the verdict and what conntrack dropped', () => {
    const out = join(dir, 'report.txt');
    const r = ftpwall(['replay', file, '--config', 'rules/stateful.cfg', ...PLACE, '--conntrack-max', '1000', '-o', out]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const text = readFileSync(out, 'utf8');
    const lines = text.split('\n');
    expect(text).toMatch(wrappedText('\n  more than 10000 flows: each is listed in order of first packet once it and the flows before it have finished, the verdict follows\n'));
    // streamed rows, notes and totals fit 100 columns, as the whole-run table
    expect(lines.filter((l) => [...l].length > 100)).toEqual([]);
    const rows = lines.filter((l) => /^ {2}\d+ +control +10\./.test(l));
    expect(rows).toHaveLength(n);
    expect(new Set(rows.map((l) => l.trim().split(/\s+/)[0])).size).toBe(n);
    expect(text).toMatch(/\n {2}capture: 130000 records, 130000 IP packets: 130000 crossing the firewall/);
    expect(text).toMatch(/\n {2}conntrack: \d+ unassured entries evicted to make room \(early_drop\)/);
  }, 240_000);

  it('--summary lists only blocked flows: none here, and the JSON stays one small document with the totals', () => {
    const r = ftpwall(['replay', file, '--config', 'rules/stateful.cfg', ...PLACE, '--conntrack-max', '1000', '--summary', '--format', 'json']);
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout) as { runs: { flows: { outcome: string }[]; capture: { stats: { flows: { control: number }; earlyDrops: number } } }[] };
    const run = doc.runs[0]!;
    expect(run.flows.every((f) => f.outcome === 'blocked')).toBe(true);
    expect(run.capture.stats.flows.control).toBe(n);
    expect(run.capture.stats.earlyDrops).toBeGreaterThan(n - 2000);
  }, 240_000);
});
