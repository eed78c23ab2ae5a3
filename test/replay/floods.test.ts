/**
 * Issue 14's floods, with captures generated into a temporary directory (sizes
 * reduced for CI; `npm run bench` runs the full ones and prints time and peak RSS).
 * Each must finish with the right counts, memory bounded by the conntrack table
 * (peak live flows), and the report saying what was dropped and why.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeControlFlood, writePinholeFlood, writePortFlood, writeSynFlood } from '../../bench/floods.js';
import { createStatefulFirewall } from '../../src/engine/stateful/firewall.js';
import { parsePrefix } from '../../src/net/address.js';
import { makeTopology, replayCapture, type CaptureFlow } from '../../src/replay/index.js';
import { captureLines } from '../../src/report/capture.js';
import { buildCaptureRun } from '../../src/replay/index.js';
import { openCapture } from '../../src/wire/index.js';
import { bundledPolicy } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'ftpwall-floods-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const topology = makeTopology([{ prefix: parsePrefix('192.168.10.1/32')!, iface: 'GigabitEthernet2/1/10', origin: 'test' }], 'GigabitEthernet2/1/1');

/** The line that starts with `start`, its wrapped continuation lines (indented two more) joined again. */
function unwrapped(lines: readonly string[], start: string): string | undefined {
  const i = lines.findIndex((l) => l.startsWith(start));
  if (i < 0) return undefined;
  let line = lines[i]!;
  for (let k = i + 1; k < lines.length && lines[k]!.startsWith('    ') && !lines[k]!.startsWith('     '); k++) line += ` ${lines[k]!.trim()}`;
  return line;
}

function replay(file: string, maxConnections?: number) {
  const firewall = createStatefulFirewall(bundledPolicy('stateful.cfg'), maxConnections !== undefined ? { maxConnections } : {});
  let flows = 0;
  let blocked = 0;
  const ids = new Set<number>();
  const onFlow = (f: CaptureFlow): void => {
    flows++;
    if (f.outcome === 'blocked') blocked++;
    ids.add(f.id);
  };
  const { replay: r } = replayCapture(openCapture(file), { topology, firewall, onFlow });
  const lines = captureLines(buildCaptureRun({ name: 'flood', source: file, config: 'rules/stateful.cfg', engine: 'stateful' }, r, topology));
  return { stats: r.stats, flows, blocked, distinctIds: ids.size, r, conntrackLine: unwrapped(lines, '  conntrack: ') };
}

describe('floods', () => {
  it('200,000 SYNs from distinct ports through a 1,000-entry table: each SYN makes an entry by evicting unassured ones, flows leave with their entries', () => {
    const n = 200_000;
    const file = join(dir, 'syn.pcap');
    writeSynFlood(file, n);
    const { stats, flows, distinctIds, conntrackLine } = replay(file, 1000);
    expect(stats.packets).toBe(n);
    expect(flows).toBe(n);
    expect(distinctIds).toBe(n);
    const full = stats.events['conntrack-table-full'] ?? 0;
    const made = stats.events['conntrack-new']!;
    expect(made).toBe(n - full);
    // nothing times out within the 0.2 s capture: every destroy is an early drop, and at most 1,000 entries are left
    expect(stats.events['conntrack-destroy']).toBe(stats.earlyDrops);
    expect(made - stats.earlyDrops).toBeGreaterThan(0);
    expect(made - stats.earlyDrops).toBeLessThanOrEqual(1000);
    expect(stats.earlyDrops).toBeGreaterThanOrEqual(n - 1000 - full);
    // the replay's live flows follow the table, not the capture
    expect(stats.peakLiveFlows).toBeLessThanOrEqual(1000 + full + 1);
    expect(conntrackLine).toBe(
      `  conntrack: ${stats.earlyDrops} unassured entries evicted to make room (early_drop)` +
        (full > 0 ? `; ${full} packets dropped because the table was full (conntrack-table-full)` : ''),
    );
  });

  it('20,000 PORT commands on one connection: one pinhole at a time, each replacing the last (max_expected = 1), one flow', () => {
    const n = 20_000;
    const file = join(dir, 'port.pcap');
    writePortFlood(file, n);
    const { stats, flows, r, conntrackLine } = replay(file);
    expect(flows).toBe(1);
    expect(stats.peakLiveFlows).toBe(1);
    expect(stats.announcements).toBe(n);
    expect(stats.events['expectation-open']).toBe(n);
    expect(stats.events['expectation-replaced']).toBe(n - 1);
    expect(stats.denied).toBe(0);
    expect(r.works).toBe(true);
    expect(conntrackLine).toBe(`  conntrack: ${n - 1} expectations replaced by a newer one on the same control connection (expectation-replaced)`);
  });

  it('70,000 concurrent control connections at the default table size (65,536): the first 65,536 pass, every packet of the rest is dropped as table full, none evicted (all assured)', () => {
    const n = 70_000;
    const max = 65_536;
    const file = join(dir, 'control.pcap');
    writeControlFlood(file, n);
    const { stats, flows, blocked } = replay(file);
    expect(flows).toBe(n);
    expect(stats.flows.control).toBe(n);
    expect(stats.earlyDrops).toBe(0);
    expect(stats.events['conntrack-new']).toBe(max);
    expect(stats.events['conntrack-table-full']).toBe(3 * (n - max));
    expect(blocked).toBe(n - max);
    expect(stats.blockedFlows.control).toBe(n - max);
  });

  it('a pinhole flood from 2,000 masters: the expectation table (nf_ct_expect_max 1,024) fills, the rest of the PORTs are dropped by the helper, later ones replace their master\'s own', () => {
    const masters = 2000;
    const rounds = 3;
    const file = join(dir, 'pinholes.pcap');
    writePinholeFlood(file, masters, rounds);
    const { stats, flows, conntrackLine } = replay(file);
    expect(flows).toBe(masters);
    const opened = stats.events['expectation-open']!;
    const refused = stats.events['helper-drop']!;
    expect(opened + refused).toBe(masters * rounds);
    expect(opened).toBe(1024 * rounds);
    expect(stats.events['expectation-replaced']).toBe(1024 * (rounds - 1));
    expect(stats.denied).toBe(refused);
    // the RSTs at the end kill every connection at once (no reply after them): all flows leave with their entries
    expect(conntrackLine).toContain(`${1024 * (rounds - 1)} expectations replaced`);
    expect(conntrackLine).toContain(`${refused} packets dropped by the FTP helper (helper-drop)`);
  });
});
