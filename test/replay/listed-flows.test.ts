/**
 * listFlows: a page or diagram of a long capture keeps the flows it draws (every flow with a packet in the
 * packet window, and the control flow that announced each data flow among them) and a bounded number of the others, the first blocked and passed ones to finish; the totals
 * still count every flow. Expected lists are worked out from a replay that hands over every flow as it finishes.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateCapture } from '../../bench/generate.js';
import { BENCH_TOPOLOGY } from '../../bench/phases.js';
import { parseConfig } from '../../src/dialects/load.js';
import { createStaticFirewall } from '../../src/engine/static.js';
import { createStatefulFirewall } from '../../src/engine/stateful/firewall.js';
import type { CaptureFlow } from '../../src/replay/flow-types.js';
import { replayCapture, type ListedFlows, type PacketWindow } from '../../src/replay/index.js';
import { openCapture } from '../../src/wire/index.js';

const dir = mkdtempSync(join(tmpdir(), 'ftpwall-listed-'));
const file = join(dir, 'sessions.pcap');
afterAll(() => rmSync(dir, { recursive: true, force: true }));
// 160 sessions: passive, active, EPSV and EPRT over IPv4 and IPv6 (320 flows)
const TOTAL = generateCapture(file, { sessions: 160, transferBytes: 3000 }).packets;

// seed-passive opens the passive data ports only: the active-mode data flows (PORT, EPRT) are blocked
const engines = {
  static: () => createStaticFirewall(parseConfig(readFileSync('rules/seed-passive.cfg', 'utf8'), 'rules/seed-passive.cfg').value),
  stateful: () => createStatefulFirewall(parseConfig(readFileSync('bench/dual-stack.cfg', 'utf8'), 'bench/dual-stack.cfg').value, { timeouts: { timeWait: 1, close: 1 } }),
};

/**
 * Every flow in the order it finished, the ids of those with a packet in `window`, and of the control flows that
 * announced one of those (listed with it).
 */
function finishOrder(engine: keyof typeof engines, window: PacketWindow | undefined): { order: CaptureFlow[]; inWindow: Set<number>; announcers: Set<number> } {
  const order: CaptureFlow[] = [];
  const r = replayCapture(openCapture(file), { topology: BENCH_TOPOLOGY, firewall: engines[engine](), keepPackets: window !== undefined, ...(window ? { packetWindow: window } : {}), onFlow: (f) => order.push(f) });
  const inWindow = new Set(r.replay.packets.map((p) => p.flow));
  const announcers = new Set(order.filter((f) => inWindow.has(f.id) && f.announcedBy !== undefined).map((f) => f.announcedBy!.controlFlow));
  return { order, inWindow, announcers };
}

/** control flows listed only because a data flow they announced was drawn, over every case below */
let onlyAnnouncers = 0;

describe('a replay that lists a bounded number of flows', () => {
  for (const engine of ['static', 'stateful'] as const) {
    // the last window: two packets of a data connection (its SYN-ACK and ACK), whose control connection says nothing then
    for (const window of [undefined, { first: 1, last: 300 }, { first: 4001, last: 4400 }, { first: 4208, last: 4209 }]) {
      for (const list of [
        { blocked: 2, passed: 3 },
        { blocked: 0, passed: 0 },
        { blocked: 1_000, passed: 1_000 },
      ] satisfies ListedFlows[]) {
        it(`${engine}, window ${window ? `${window.first}-${window.last}` : 'none'}, ${list.blocked} blocked and ${list.passed} passed: the window's flows and the first others to finish, in id order; totals of all`, () => {
          const { order, inWindow, announcers } = finishOrder(engine, window);
          let blocked = 0;
          let passed = 0;
          const expected = order
            .filter((f) => inWindow.has(f.id) || announcers.has(f.id) || (f.outcome === 'blocked' ? blocked++ < list.blocked : passed++ < list.passed))
            .sort((a, b) => a.id - b.id);
          for (const id of announcers) if (!inWindow.has(id)) onlyAnnouncers++;
          const r = replayCapture(openCapture(file), { topology: BENCH_TOPOLOGY, firewall: engines[engine](), keepPackets: window !== undefined, ...(window ? { packetWindow: window } : {}), listFlows: list });
          expect(r.replay.stats.records).toBe(TOTAL);
          expect(r.replay.flows.map((f) => f.id)).toEqual(expected.map((f) => f.id));
          expect(r.replay.flows.map(({ packetNumbers: _, ...f }) => f)).toEqual(expected.map(({ packetNumbers: _, ...f }) => f));
          // the totals count every flow, listed or not
          const s = r.replay.stats;
          expect(s.flows.control + s.flows.data + s.flows.other).toBe(order.length);
          expect(s.blockedFlows.control + s.blockedFlows.data + s.blockedFlows.other).toBe(order.filter((f) => f.outcome === 'blocked').length);
          expect(r.replay.flowsTruncated).toBe(expected.length < order.length);
          if (window) expect(r.replay.flows.filter((f) => inWindow.has(f.id)).length).toBe(inWindow.size);
        });
      }
    }
  }

  it('the capture has both kinds through the static policy, and flows that finish out of id order', () => {
    // some window drew a data flow whose control connection had no packet in it
    expect(onlyAnnouncers).toBeGreaterThan(0);
    const { order } = finishOrder('static', undefined);
    expect(order.filter((f) => f.outcome === 'blocked').length).toBeGreaterThan(10);
    expect(order.filter((f) => f.outcome === 'passed').length).toBeGreaterThan(10);
    const stateful = finishOrder('stateful', undefined).order.map((f) => f.id);
    expect(stateful).not.toEqual([...stateful].sort((a, b) => a - b));
  });
});
