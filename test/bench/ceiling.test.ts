/**
 * The bench's ceiling (bench/ceiling.ts) is a yardstick only while it does the stateful work the replay does:
 * on generated bench captures it must open the same connections, link the same data connections to their
 * announcements, deny the same packets and hold the same number live at the peak as ftpwall's stateful replay.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ceilingRun } from '../../bench/ceiling.js';
import { generateCapture } from '../../bench/generate.js';
import { BENCH_TOPOLOGY } from '../../bench/phases.js';
import { parseConfig } from '../../src/dialects/load.js';
import { createStatefulFirewall } from '../../src/engine/stateful/firewall.js';
import { replayCapture } from '../../src/replay/index.js';
import { openCapture } from '../../src/wire/index.js';

const dir = mkdtempSync(join(tmpdir(), 'ftpwall-ceiling-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function replayStats(file: string) {
  const cfg = resolve(__dirname, '../../bench/dual-stack.cfg');
  const policy = parseConfig(readFileSync(cfg, 'utf8'), cfg).value;
  const firewall = createStatefulFirewall(policy, { maxConnections: 262144 });
  return replayCapture(openCapture(file), { topology: BENCH_TOPOLOGY, firewall, maxFlowRows: 10 }).replay.stats;
}

describe.each(['reduced', 'ftpwall'] as const)('the bench ceiling, with the %s TCP tracker', (tracker) => {
  for (const [sessions, transferBytes] of [
    [256, 4_000],
    [12_800, 500],
    [64, 200_000],
  ] as const) {
    it(`does the replay's stateful work on ${sessions} sessions of a ${transferBytes}-byte RETR`, () => {
      const file = join(dir, `bench-${tracker}-${sessions}.pcap`);
      const gen = generateCapture(file, { sessions, transferBytes });
      const c = ceilingRun(file, tracker);
      const s = replayStats(file);
      expect(c.packets).toBe(gen.packets);
      expect(c.packets).toBe(s.records);
      // every session: a control connection and a data connection, the data one admitted by its announcement
      expect(c.connections).toBe(s.flows.control + s.flows.data + s.flows.other);
      expect(c.connections).toBe(2 * gen.sessions);
      expect(gen.sessions).toBe(sessions);
      expect(c.linked).toBe(s.linkedDataFlows);
      expect(c.linked).toBe(gen.sessions);
      expect(c.denied).toBe(s.denied);
      expect(c.denied).toBe(0);
      expect(c.peakLive).toBe(s.peakLiveFlows);
    });
  }

  it('admits no data connection whose announcement it did not read', () => {
    // the same capture with every announcement's first digit changed: the helper must not match, so every data SYN is denied
    const file = join(dir, `bench-${tracker}-broken.pcap`);
    const gen = generateCapture(file, { sessions: 64, transferBytes: 4_000 });
    const bytes = readFileSync(file);
    let changed = 0;
    for (const verb of ['227 ', '229 ', 'PORT ', 'EPRT ']) {
      const needle = Buffer.from(verb);
      for (let at = bytes.indexOf(needle); at >= 0; at = bytes.indexOf(needle, at + 1)) {
        bytes[at] = 0x58; // 'X'
        changed++;
      }
    }
    expect(changed).toBeGreaterThanOrEqual(gen.sessions);
    const broken = join(dir, `bench-${tracker}-broken-2.pcap`);
    writeFileSync(broken, bytes);
    const c = ceilingRun(broken, tracker);
    const s = replayStats(broken);
    expect(c.linked).toBe(0);
    expect(s.linkedDataFlows).toBe(0);
    expect(c.connections).toBe(gen.sessions);
    // each data connection's packets are denied (the SYN, and what the recording shows after it)
    expect(c.denied).toBe(s.denied);
    expect(c.denied).toBeGreaterThan(0);
  });
});
