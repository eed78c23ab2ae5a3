/**
 * Merging the shards of a capture replay (src/cli/capture-shards.ts) into the report
 * one replay would have made: flows renumbered in order of first packet across the
 * shards, counters summed (event kinds in order of first occurrence), the peak of live
 * flows from the shards' logs of flows made and finished, and the verdict sentence
 * recomputed. Where a shard cannot know what one replay would have done (a global
 * conntrack limit reached, an announcement naming a third host, a verdict naming a
 * conntrack entry id), `exactness` says why and the caller replays in one job instead.
 */
import type { Diagnostic } from '../diag/diagnostic.js';
import type { CaptureStats, Flow } from '../model/index.js';
import { summarise, type FlowTotals } from '../replay/report.js';

/** What one shard sends back beside its flows. */
export interface ShardSummary {
  readonly stats: CaptureStats;
  readonly diagnostics: readonly Diagnostic[];
  /**
   * Flows made and finished, in the order the shard saw them: +n when a flow was made at
   * packet n (the k-th such entry is the shard's flow k), -n when one finished while packet n was read.
   */
  readonly flowLog: readonly number[];
  /** every event kind counted: its first packet, and its place among that packet's events */
  readonly firstEvents: readonly (readonly [kind: string, n: number, place: number])[];
  /** most conntrack entries the shard held at once */
  readonly peakConnections: number;
  /** the first announcement naming neither end of its control connection, as text */
  readonly crossPair?: string;
}

/** Why a sharded replay would not be exact, or undefined when it is. */
export function shardsInexact(shards: readonly ShardSummary[], flows: readonly (readonly Flow[])[], maxConnections: number): string | undefined {
  for (const s of shards) if (s.crossPair !== undefined) return `${s.crossPair}: its data connection may run between another pair of hosts, in another shard`;
  let sum = 0;
  for (const s of shards) sum += s.peakConnections;
  if (sum >= maxConnections) return tableLimitWhy(shards.map((s) => s.peakConnections), maxConnections);
  for (const fs of flows)
    for (const f of fs) if (f.firstBlocked && 'connection' in f.firstBlocked.provenance) return `flow ${f.client} → ${f.server} was denied naming a conntrack entry, whose number depends on every shard`;
  return undefined;
}

/** Why shards holding up to `peaks` conntrack entries cannot stand for one table. */
export function tableLimitWhy(peaks: readonly number[], maxConnections: number): string {
  let sum = 0;
  for (const p of peaks) sum += p;
  return `the shards held up to ${sum} conntrack entries together, so the table limit of ${maxConnections} (global in the kernel: --conntrack-max) may have been reached`;
}

/** Per shard, shard flow id (index k-1) → flow id of the whole replay (1-based, in order of first packet). */
export function globalFlowIds(shards: readonly ShardSummary[]): Int32Array[] {
  const firsts = shards.map((s) => {
    const out: number[] = [];
    for (const v of s.flowLog) if (v > 0) out.push(v);
    return out;
  });
  const maps = firsts.map((f) => new Int32Array(f.length));
  const at = firsts.map(() => 0);
  let next = 1;
  for (;;) {
    let best = -1;
    for (let k = 0; k < firsts.length; k++) {
      const i = at[k]!;
      if (i < firsts[k]!.length && (best < 0 || firsts[k]![i]! < firsts[best]![at[best]!]!)) best = k;
    }
    if (best < 0) return maps;
    maps[best]![at[best]!] = next++;
    at[best]!++;
  }
}

/**
 * Most flows live at once in one replay. Within packet n the shard that owns it finishes
 * a reused connection, then makes the new flow (where the peak is taken); expiries and
 * sweeps of every shard come after. So at packet n the owner's entries up to its new flow
 * go first, everything else after.
 */
export function peakLiveFlows(shards: readonly ShardSummary[]): number {
  // key = 2n + phase, per shard nondecreasing: a k-way merge
  const keyed = shards.map((s) => {
    const log = s.flowLog;
    const keys = new Array<number>(log.length);
    const deltas = new Array<number>(log.length);
    // phase 0: this shard makes a flow at n here or later in the log; read from the end of each run of one n
    // backwards, so a run of many entries (every flow still live finishes at the capture's last packet) is read once
    let runN = -1;
    let madeLater = false;
    for (let i = log.length - 1; i >= 0; i--) {
      const v = log[i]!;
      const n = Math.abs(v);
      if (n !== runN) {
        runN = n;
        madeLater = false;
      }
      if (v > 0) madeLater = true;
      keys[i] = 2 * n + (madeLater ? 0 : 1);
      deltas[i] = v > 0 ? 1 : -1;
    }
    return { keys, deltas };
  });
  const at = keyed.map(() => 0);
  let live = 0;
  let peak = 0;
  for (;;) {
    let best = -1;
    for (let k = 0; k < keyed.length; k++) {
      const i = at[k]!;
      if (i < keyed[k]!.keys.length && (best < 0 || keyed[k]!.keys[i]! < keyed[best]!.keys[at[best]!]!)) best = k;
    }
    if (best < 0) return peak;
    const d = keyed[best]!.deltas[at[best]!]!;
    at[best]!++;
    live += d;
    if (d > 0 && live > peak) peak = live;
  }
}

function sumInto(into: Record<string, number>, from: Readonly<Record<string, number>>): void {
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v;
}

/** The counters of one replay from its shards' (shard 0 owns the records that do not decode). */
export function mergeStats(shards: readonly ShardSummary[]): CaptureStats {
  const first = shards[0]!.stats;
  const events: Record<string, number> = {};
  const order = shards.flatMap((s, shard) => s.firstEvents.map(([kind, n, place]) => ({ kind, n, place, shard })));
  order.sort((a, b) => a.n - b.n || a.place - b.place || a.shard - b.shard);
  for (const e of order) if (!(e.kind in events)) events[e.kind] = 0;
  const skipped: Record<string, number> = {};
  const flows = { ...first.flows };
  const blockedFlows = { ...first.blockedFlows };
  for (const k of Object.keys(flows) as (keyof typeof flows)[]) flows[k] = 0;
  for (const k of Object.keys(blockedFlows) as (keyof typeof blockedFlows)[]) blockedFlows[k] = 0;
  const out = { ...first, skipped, flows, blockedFlows, events };
  const counters = ['records', 'packets', 'crossing', 'notCrossing', 'permitted', 'denied', 'malformed', 'linkedDataFlows', 'announcements', 'earlyDrops'] as const;
  for (const c of counters) out[c] = 0;
  for (const s of shards) {
    for (const c of counters) out[c] += s.stats[c];
    sumInto(skipped, s.stats.skipped);
    sumInto(flows, s.stats.flows);
    sumInto(blockedFlows, s.stats.blockedFlows);
    sumInto(events, s.stats.events);
  }
  out.peakLiveFlows = peakLiveFlows(shards);
  return out;
}

/** The shards' flows under the whole replay's ids (control-flow references too), in id order. */
export function renumberFlows(shards: readonly ShardSummary[], flows: readonly (readonly Flow[])[]): Flow[] {
  const maps = globalFlowIds(shards);
  const out: Flow[] = [];
  flows.forEach((fs, k) => {
    const map = maps[k]!;
    for (const f of fs) {
      const id = map[f.id - 1]!;
      const a = f.announcedBy;
      out.push(a ? { ...f, id, announcedBy: { ...a, controlFlow: map[a.controlFlow - 1]! } } : { ...f, id });
    }
  });
  return out.sort((a, b) => a.id - b.id);
}

/** What the verdict sentence needs, from all the flows. */
export function flowTotals(flows: readonly Flow[]): FlowTotals {
  let crossingControl = 0;
  let notCrossing = 0;
  let firstBlock: Pick<Flow, 'role' | 'firstBlocked'> | undefined;
  for (const f of flows) {
    if (f.crossesFirewall === false) notCrossing++;
    else if (f.role === 'control') crossingControl++;
    if (f.firstBlocked && (firstBlock === undefined || f.firstBlocked.n < firstBlock.firstBlocked!.n)) firstBlock = { role: f.role, firstBlocked: f.firstBlocked };
  }
  return { flowCount: flows.length, crossingControl, notCrossing, firstBlock };
}

/** The verdict of the merged replay. */
export function mergedVerdict(stats: CaptureStats, flows: readonly Flow[]): { works: boolean; summary: string } {
  return summarise(stats, flowTotals(flows));
}
