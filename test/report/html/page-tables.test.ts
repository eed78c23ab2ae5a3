// The step-through page's conntrack and expectation tables, decoded as the page decodes them, are the
// engine's own tables after each step's packet: on a capture with hundreds of entries coming and going,
// whether the page read the recorder's changes or a plain list of whole tables.
import { describe, expect, it } from 'vitest';
import { BENCH_TOPOLOGY } from '../../../bench/phases.js';
import type { SnapshotSeries } from '../../../src/engine/recorder.js';
import type { TablesView } from '../../../src/engine/stateful/firewall.js';
import { pageRun, SNAPSHOT_KEYFRAME, type PageRun } from '../../../src/report/html/page-data.js';
import { buildCaptureRun } from '../../../src/replay/capture-run.js';
import { withRecordedCapture } from '../../helpers/recorded-capture.js';

/** The tables at snapshot `s` as the page's script rebuilds them (assets.ts tablesAt), as text. */
function pageTables(run: PageRun, s: number): string {
  if (s < 0) return 'none';
  let k = s;
  while (run.snaps[k]!.length !== 2) k--;
  const conns = new Map<number, number>();
  const exps = new Map<number, number>();
  for (const i of run.snaps[k]![0]) conns.set(run.conns[i]![0], i);
  for (const i of run.snaps[k]![1]) exps.set(run.exps[i]![0], i);
  for (let j = k + 1; j <= s; j++) {
    const d = run.snaps[j] as readonly [readonly number[], readonly number[], readonly number[], readonly number[], 0];
    for (const i of d[0]) conns.set(run.conns[i]![0], i);
    for (const id of d[1]) conns.delete(id);
    for (const i of d[2]) exps.set(run.exps[i]![0], i);
    for (const id of d[3]) exps.delete(id);
  }
  const byId = (m: Map<number, number>): number[] => [...m.keys()].sort((a, b) => a - b).map((id) => m.get(id)!);
  return JSON.stringify([byId(conns).map((i) => run.conns[i]), byId(exps).map((i) => run.exps[i])]);
}

/** The same tables from the engine's views, in the page's row shape. */
function engineTables(t: TablesView | undefined): string {
  if (t === undefined) return 'none';
  return JSON.stringify([
    t.connections.map((x) => [x.id, x.tuple, x.state, x.assured, x.expiresMs, x.helper ?? '', x.related]),
    t.expectations.map((x) => [x.id, x.tuple, x.trigger, x.openedByPacket, x.master, x.expiresMs]),
  ]);
}

describe('the page tables of a capture', () => {
  it('are the engine tables after every step, from the recorder changes or from whole tables, and whole snapshots cost no more than the changes', () => {
    withRecordedCapture(96, engineTables, ({ file, replay, log, expected }) => {
      const report = buildCaptureRun({ name: 'many.pcap', source: file, config: 'bench/dual-stack.cfg', engine: 'stateful' }, replay, BENCH_TOPOLOGY);
      expect(log.changesBetween).toBeDefined();
      const fromChanges = pageRun({ report, snapshots: log }, 0);
      // a plain list of whole tables, as lessons give: the page compares them itself
      const whole: SnapshotSeries = { length: log.length, at: (i) => log.at(i) };
      const fromWhole = pageRun({ report, snapshots: whole }, 0);

      let most = 0;
      let checked = 0;
      for (const page of [fromChanges, fromWhole]) {
        const wrong: number[] = [];
        for (const s of page.steps) {
          if (s.n === 0) continue; // a timer's step shows the tables of the step before
          const after = (s.last ?? s.n) - 1;
          if (pageTables(page, s.snap) !== (expected[after] ?? 'none')) wrong.push(s.n);
          if (s.snap >= 0) most = Math.max(most, JSON.parse(pageTables(page, s.snap))[0].length);
          checked++;
        }
        expect(wrong).toEqual([]);
      }
      expect(checked).toBeGreaterThan(2000);
      expect(most).toBeGreaterThan(100);

      // whole snapshots: never more entries than the changes before them (linear), and not every step either
      let wholeEntries = 0;
      let changeEntries = 0;
      let wholes = 0;
      fromChanges.snaps.forEach((snap, i) => {
        if (snap.length === 2) {
          if (i > 0) wholeEntries += snap[0].length;
          wholes++;
        } else changeEntries += snap[0].length + snap[1].length;
      });
      expect(wholes).toBeGreaterThan(1);
      expect(wholes).toBeLessThan(fromChanges.snaps.length / SNAPSHOT_KEYFRAME + 1);
      expect(wholeEntries).toBeLessThanOrEqual(changeEntries);
    });
  });
});
