/**
 * A capture replay sharded by host pair (`--jobs` > 1): every worker reads the capture,
 * steps the packets whose pair of addresses hashes to its shard and lets the others
 * move its clock only (src/replay/replay.ts ReplayShard), so each shard is exactly one
 * replay restricted to its pairs. The main thread merges the shards into the report one
 * replay makes (src/parallel/capture-merge.ts), or, when a shard could not know what one
 * replay would have done, replays the capture in one job after all.
 */
import type { Diagnostic } from '../diag/diagnostic.js';
import type { Firewall, TraceEvent } from '../engine/verdict.js';
import type { CaptureStats, Flow } from '../model/index.js';
import { formatIp, ipEquals as sameIp } from '../net/address.js';
import { hostPairShard } from '../parallel/host-pair.js';
import { mergeStats, mergedVerdict, renumberFlows, shardsInexact, tableLimitWhy, type ShardSummary } from '../parallel/capture-merge.js';
import { replayCapture, type CaptureScan, type Topology } from '../replay/index.js';
import { openCapture } from '../wire/index.js';
import { engineOptions, loadConfigs, makeFirewall, type EngineFlags } from './inputs.js';
import { InputProblems } from './io.js';
import { runJobs } from './jobs.js';
import { PoolStopped } from '../parallel/pool.js';

/** One shard's work item. */
export interface ShardItem {
  readonly kind: 'capture-shard';
  readonly file: string;
  readonly config: string;
  readonly platform?: string;
  readonly dialect?: string;
  readonly flags: EngineFlags;
  readonly engine: 'static' | 'stateful';
  readonly topology: Topology;
  readonly controlPorts: readonly number[];
  readonly wallClockStartMs: number;
  /** 0-based */
  readonly shard: number;
  readonly shards: number;
}

/** What a shard streams while it runs. */
export type ShardPartial =
  | { readonly flows: readonly Flow[] }
  | { readonly progress: readonly [records: number, flows: number, byteOffset: number]; readonly peakConnections: number };

/** Most flows a sharded replay merges; a capture with more is replayed in one job, whose report streams. */
export const MAX_MERGED_FLOWS = 250_000;

/**
 * Why a capture should go to one job before any shard starts, from the scan of its start (replay/guess.ts): the
 * TCP connections it opens, counted in the whole capture or, past the scan, extrapolated by size. A capture with
 * more than `limit` would have the shards run until their flows pass it, then be replayed in one job after all (on
 * a 1 GB capture: 22 s and 352 MiB instead of 14 s and 140 MiB). Undefined when sharding may go ahead (flows that
 * are not TCP connections are not counted: the merge's own limit still applies while the shards run).
 */
export function tooManyFlowsToShard(scan: CaptureScan, fileBytes: number, limit = MAX_MERGED_FLOWS): string | undefined {
  const whole = scan.complete || scan.bytesScanned <= 0 || fileBytes <= scan.bytesScanned;
  const estimate = whole ? scan.connectionStarts : Math.round(scan.connectionStarts * (fileBytes / scan.bytesScanned));
  if (estimate <= limit) return undefined;
  const counted = whole
    ? `${estimate.toLocaleString('en-US')} TCP connections open in it`
    : `about ${estimate.toLocaleString('en-US')} TCP connections open in it (${scan.connectionStarts.toLocaleString('en-US')} in its first ${scan.bytesScanned.toLocaleString('en-US')} bytes, of ${fileBytes.toLocaleString('en-US')})`;
  return `${counted}, more than the ${limit.toLocaleString('en-US')} flows the merge of the shards would hold in memory until they end`;
}

/** Flows sent to the main thread at a time. */
const FLOW_BATCH = 1024;

/**
 * The watcher-, step- and clock-observing wrapper a shard needs around its firewall. The packet at which each
 * kind of event first came (firstEvents) is read from the engine's first-seen kinds when it has them: the replay
 * can then run the engine as one job does, with recording off (no event text built) and its own event counts.
 */
function observed(inner: Firewall, currentPacket: () => number, firstEvents: Map<string, readonly [string, number, number]>, live: { now: number; peak: number }): Firewall {
  const kindsOf = inner.eventKindsSeen?.bind(inner);
  let known = 0;
  /** after a step or a clock move: the kinds first seen in it, each at the packet being read and its place in that step */
  const note = kindsOf
    ? (): void => {
        const kinds = kindsOf();
        for (; known < kinds.length; known++) {
          const [kind, place] = kinds[known]!;
          firstEvents.set(kind, [kind, currentPacket(), place]);
        }
      }
    : (events: readonly TraceEvent[]): void => {
        // an engine without them: the events themselves (recording on), each at its index
        for (let i = 0; i < events.length; i++) {
          const kind = events[i]!.kind;
          if (!firstEvents.has(kind)) firstEvents.set(kind, [kind, currentPacket(), i]);
        }
      };
  const fw: Firewall = {
    engine: inner.engine,
    step(p, ctx) {
      const r = inner.step(p, ctx);
      note(r.events);
      return r;
    },
    advanceTo(nowMs) {
      const events = inner.advanceTo(nowMs);
      note(events);
      return events;
    },
  };
  if (kindsOf) {
    // what the replay sets and reads of an engine, passed through: a shard runs the engine as one job does
    fw.eventKindsSeen = kindsOf;
    if (inner.setRecording) fw.setRecording = inner.setRecording.bind(inner);
    if (inner.setVerdictDetail) fw.setVerdictDetail = inner.setVerdictDetail.bind(inner);
    if (inner.eventCounts) fw.eventCounts = inner.eventCounts.bind(inner);
  }
  if (inner.addresses) (fw as { addresses?: Firewall['addresses'] }).addresses = inner.addresses;
  if (inner.watchConnections) {
    const watch = inner.watchConnections.bind(inner);
    fw.watchConnections = (w) =>
      watch((id, end) => {
        if (end === undefined) {
          if (++live.now > live.peak) live.peak = live.now;
        } else live.now--;
        w(id, end);
      });
  }
  return fw;
}

/** Worker side: replays one shard, its flows posted in batches as they finish. */
export function runCaptureShard(item: ShardItem, post: (p: ShardPartial) => void): ShardSummary {
  const [cfg] = loadConfigs([item.config], () => undefined, item.platform, item.dialect);
  const eo = engineOptions(item.flags);
  const reader = openCapture(item.file);
  if (reader.fatal) throw new InputProblems(reader.diagnostics);
  let n = 0;
  const flowLog: number[] = [];
  const firstEvents = new Map<string, readonly [string, number, number]>();
  const live = { now: 0, peak: 0 };
  const firewall = observed(makeFirewall(item.engine, cfg!.policy, eo, item.wallClockStartMs), () => n, firstEvents, live);
  let crossPair: string | undefined;
  let batch: Flow[] = [];
  const outcome = replayCapture(reader, {
    topology: item.topology,
    firewall,
    controlPorts: item.controlPorts,
    onFlow(f) {
      flowLog.push(-n);
      batch.push(f);
      if (batch.length >= FLOW_BATCH) {
        post({ flows: batch });
        batch = [];
      }
    },
    progress(records, flows, byteOffset) {
      post({ progress: [records, flows, byteOffset], peakConnections: live.peak });
    },
    shard: {
      owns(p) {
        n = reader.cursor.n;
        return hostPairShard(p.src, p.dst, item.shards) === item.shard;
      },
      ownsUndecoded: item.shard === 0,
      onNewFlow() {
        flowLog.push(n);
      },
      onAnnouncement(client, server, addr) {
        if (crossPair === undefined && !sameIp(addr, client) && !sameIp(addr, server))
          crossPair = `packet ${n}: the control connection ${formatIp(client)} → ${formatIp(server)} announced ${formatIp(addr)}`;
      },
    },
  });
  if (batch.length > 0) post({ flows: batch });
  return {
    stats: outcome.replay.stats,
    diagnostics: outcome.diagnostics,
    flowLog,
    firstEvents: [...firstEvents.values()],
    peakConnections: live.peak,
    ...(crossPair !== undefined ? { crossPair } : {}),
  };
}

/** The merged replay of a capture, or why one job must replay it instead. */
export type ShardedReplay =
  | { readonly exact: true; readonly stats: CaptureStats; readonly flows: readonly Flow[]; readonly works: boolean; readonly summary: string; readonly diagnostics: readonly Diagnostic[] }
  | { readonly exact: false; readonly why: string };

/** Main side: replays `item`'s capture on `shards` workers and merges them. */
export async function replaySharded(item: Omit<ShardItem, 'shard' | 'shards' | 'kind'>, shards: number, maxConnections: number, progress?: (records: number, flows: number, byteOffset: number) => void): Promise<ShardedReplay> {
  const flows: Flow[][] = [];
  const seen: (readonly [number, number, number])[] = [];
  for (let k = 0; k < shards; k++) {
    flows.push([]);
    seen.push([0, 0, 0]);
  }
  const items = flows.map((_, shard) => ({ ...item, kind: 'capture-shard' as const, shard, shards }));
  const peaks = flows.map(() => 0);
  let held = 0;
  let summaries: ShardSummary[];
  try {
    summaries = await runJobs<ShardSummary, ShardPartial>(items, shards, undefined, (k, part) => {
      if ('flows' in part) {
        const into = flows[k]!;
        for (const f of part.flows) into.push(f);
        held += part.flows.length;
        // the merge holds every flow until the shards end; past this, one job streams them instead
        if (held > MAX_MERGED_FLOWS) return true;
        return false;
      }
      seen[k] = part.progress;
      peaks[k] = part.peakConnections;
      let peakSum = 0;
      for (const p of peaks) peakSum += p;
      // the shards may have filled the one table together: stop now, one job replays it
      if (peakSum >= maxConnections) return true;
      if (progress) {
        // every shard reads the whole file: the slowest one's offset is how far the run is
        let records = 0;
        let flowCount = 0;
        let offset = Number.POSITIVE_INFINITY;
        for (const [r, f, o] of seen) {
          records += r;
          flowCount += f;
          offset = Math.min(offset, o);
        }
        progress(records, flowCount, offset);
      }
      return false;
    });
  } catch (e) {
    if (e instanceof PoolStopped)
      return { exact: false, why: held > MAX_MERGED_FLOWS ? `more than ${MAX_MERGED_FLOWS.toLocaleString('en-US')} flows, which the merge of the shards would hold in memory until they end` : tableLimitWhy(peaks, maxConnections) };
    throw e;
  }
  const why = shardsInexact(summaries, flows, maxConnections);
  if (why !== undefined) return { exact: false, why };
  const stats = mergeStats(summaries);
  const merged = renumberFlows(summaries, flows);
  const { works, summary } = mergedVerdict(stats, merged);
  // undecodable records are shard 0's, and so are the reader's own problems
  return { exact: true, stats, flows: merged, works, summary, diagnostics: summaries[0]!.diagnostics };
}
