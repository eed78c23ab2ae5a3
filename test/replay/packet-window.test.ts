/**
 * A capture replay that keeps a window of packets (the HTML step-through of a long capture, --steps):
 * the rows, events and recorded tables of the window are exactly those a replay keeping every packet
 * has for those packets, and nothing of the rest; flows and totals are the whole capture's either way.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCapture } from '../../bench/generate.js';
import { BENCH_TOPOLOGY } from '../../bench/phases.js';
import { parseConfig } from '../../src/dialects/load.js';
import { recordSnapshots, type SnapshotSeries } from '../../src/engine/recorder.js';
import { createStatefulFirewall, type TablesView } from '../../src/engine/stateful/firewall.js';
import type { Firewall } from '../../src/engine/verdict.js';
import type { CaptureReplay } from '../../src/replay/flow-types.js';
import { replayCapture, type PacketWindow } from '../../src/replay/index.js';
import { openCapture } from '../../src/wire/index.js';

const dir = mkdtempSync(join(tmpdir(), 'ftpwall-window-'));
const file = join(dir, 'sessions.pcap');
const policy = parseConfig(readFileSync('bench/dual-stack.cfg', 'utf8'), 'bench/dual-stack.cfg').value;

interface Recorded {
  readonly replay: CaptureReplay;
  readonly log: SnapshotSeries;
  /** how often the engine was told to stop its change bookkeeping */
  readonly ended: number;
}

/** Replays the capture through a recorded stateful engine (short closing timeouts: entries go as well as come). */
function replay(window: PacketWindow | undefined): Recorded {
  const engine = createStatefulFirewall(policy, { timeouts: { finWait: 1, closeWait: 1, lastAck: 1, timeWait: 1, close: 1 } });
  let ended = 0;
  const endTableChanges = engine.endTableChanges.bind(engine);
  engine.endTableChanges = () => {
    ended++;
    endTableChanges();
  };
  const rec = recordSnapshots(engine);
  const firewall: Firewall = rec.firewall;
  const outcome = replayCapture(openCapture(file), { topology: BENCH_TOPOLOGY, firewall, keepPackets: true, ...(window ? { packetWindow: window } : {}) });
  return { replay: outcome.replay, log: rec.snapshots(), ended };
}

/** Tables as comparable text (ids, tuples, states, timers). */
const text = (t: TablesView | undefined): string => JSON.stringify(t);

// 192 sessions (the generator's groups of 64): 6,144 packets, control and data connections opening and closing all the way through
const TOTAL = generateCapture(file, { sessions: 160, transferBytes: 3000 }).packets;
let all: Recorded;
beforeAll(() => {
  all = replay(undefined);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a replay that keeps a window of packets', () => {
  for (const window of [
    { first: 1, last: 700 },
    { first: 2001, last: 2600 },
    { first: TOTAL - 200, last: 1_000_000 },
  ]) {
    it(`packets ${window.first}-${window.last}: the same rows, events and tables as a replay of every packet has for them, none of the rest`, () => {
      const w = replay(window);
      const inWindow = (n: number): boolean => n >= window.first && n <= window.last;
      expect(all.replay.stats.records).toBe(TOTAL);
      // rows: exactly the window's, as the whole replay made them (verdict detail included)
      expect(w.replay.packets.length).toBeGreaterThan(0);
      expect(w.replay.packets).toEqual(all.replay.packets.filter((p) => inWindow(p.n)));
      // events of the window's packets; expiries only while the window was recorded
      const packetEvents = (r: CaptureReplay) => r.events.filter((e) => e.packet !== undefined);
      expect(packetEvents(w.replay)).toEqual(packetEvents(all.replay).filter((e) => inWindow(e.packet!)));
      expect(packetEvents(w.replay).length).toBeGreaterThan(0);
      // flows and totals: the whole capture's (a flow lists only its packets in the window)
      expect(w.replay.stats).toEqual(all.replay.stats);
      expect(w.replay.flows.map(({ packetNumbers: _, ...f }) => f)).toEqual(all.replay.flows.map(({ packetNumbers: _, ...f }) => f));
      expect(w.replay.flows.map((f) => f.packetNumbers)).toEqual(all.replay.flows.map((f) => f.packetNumbers.filter(inWindow)));
      // tables: recorded for the window's packets only, each as the whole recording has it
      let recorded = 0;
      for (let i = 0; i < all.log.length; i++) {
        const n = i + 1;
        expect(w.log.recorded!(i), `packet ${n}`).toBe(inWindow(n) && all.log.recorded!(i));
        if (!w.log.recorded!(i)) {
          expect(w.log.at(i)).toBeUndefined();
          continue;
        }
        recorded++;
        expect(text(w.log.at(i)), `packet ${n}`).toBe(text(all.log.at(i)));
      }
      expect(recorded).toBeGreaterThan(0);
      // what the page reads: the changes from before the window to each packet compose to its tables
      const firstRecorded = w.replay.packets[0]!.n - 1;
      const composed = w.log.changesBetween!(-1, firstRecorded)!;
      expect(text({ connections: composed.changed, expectations: composed.expectations })).toBe(text(all.log.at(firstRecorded)));
      // the engine stops its change list when the window closes before the capture ends, and only then
      expect(w.ended).toBe(window.last < TOTAL ? 1 : 0);
    });
  }

  it('keeps nothing when no packet falls in the window, and still reports every flow', () => {
    const w = replay({ first: TOTAL + 1, last: TOTAL + 1000 });
    expect(w.replay.packets).toEqual([]);
    expect(w.replay.events).toEqual([]);
    expect(w.log.length).toBe(0);
    expect(w.replay.stats).toEqual(all.replay.stats);
    expect(w.replay.flows.length).toBe(all.replay.flows.length);
  });

  it('without a window keeps every packet, as before', () => {
    expect(TOTAL).toBe(6144);
    expect(all.replay.packets.map((p) => p.n)).toEqual(Array.from({ length: TOTAL }, (_, i) => i + 1));
    expect(all.ended).toBe(0);
  });
});
