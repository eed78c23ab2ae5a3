import { describe, expect, it } from 'vitest';
import { peakLiveFlows, type ShardSummary } from '../../src/parallel/capture-merge.js';

/** Shards with only their flow logs (+n: a flow made at packet n; -n: one finished while packet n was read). */
function shards(...logs: number[][]): ShardSummary[] {
  return logs.map((flowLog) => ({ stats: {} as ShardSummary['stats'], diagnostics: [], flowLog, firstEvents: [], peakConnections: 0 }));
}

// One replay, at packet n: the owning shard finishes a reused pair's flow, then makes the new flow (the peak is
// read there); expiries and sweeps (any shard) come after. peakLiveFlows must order the shards' logs so.
describe('the peak of live flows merged from the shards', () => {
  it('counts a flow finished and made at the same packet by one shard as a reuse, not as two live flows', () => {
    // packet 3: a reused pair, its old flow finishes, the new one starts: never 3 live
    expect(peakLiveFlows(shards([1, 2, -3, 3]))).toBe(2);
    // two flows end at packet 3, then one is made there: 2, then 0, then 1
    expect(peakLiveFlows(shards([1, 2, -3, -3, 3]))).toBe(2);
  });

  it('puts one shard’s new flow before another shard’s expiries at the same packet', () => {
    // packet 2 makes a flow in shard 1; shard 0's flow expires while packet 2 is read, after it
    expect(peakLiveFlows(shards([1, -2], [2]))).toBe(2);
    // the expiry at packet 2 in shard 0 comes after shard 0's own new flow there too
    expect(peakLiveFlows(shards([1, 2, 3, -3]))).toBe(3);
  });

  it('reads a long run of flows finishing at one packet once: every live flow ends at the capture’s last packet', () => {
    const live = 50_000;
    const last = live + 1;
    const first: number[] = [];
    for (let n = 1; n <= live; n++) first.push(n);
    for (let k = 0; k < live; k++) first.push(-last);
    // the other shard makes a flow at the last packet: it counts before the end-of-capture finishes
    expect(peakLiveFlows(shards(first, [last, -last]))).toBe(live + 1);
    // a shard that makes a flow at the end of that run: the run's finishes come first (phase 0), then it
    expect(peakLiveFlows(shards([...first, last]))).toBe(live);
  });
});
