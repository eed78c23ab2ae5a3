/**
 * What the stateful replay allocates and how long the collector runs: bytes allocated per
 * packet, from V8's sampling heap profiler with collected objects included (an estimate: one
 * sample per 32 KiB allocated), measured in its own process over the replay alone; and the
 * share of the replay's time spent in GC pauses, summed from the `--trace-gc` lines of the
 * stateful phase.
 */
import { Session } from 'node:inspector/promises';
import { readFileSync } from 'node:fs';
import { parseConfig } from '../src/dialects/load.js';
import { createStatefulFirewall } from '../src/engine/stateful/firewall.js';
import { replayCapture } from '../src/replay/index.js';
import { openCapture } from '../src/wire/index.js';
import { BENCH_TOPOLOGY, type PhaseResult } from './phases.js';

interface SampleNode {
  readonly selfSize: number;
  readonly children?: readonly SampleNode[];
}

function totalBytes(n: SampleNode): number {
  let sum = n.selfSize;
  for (const c of n.children ?? []) sum += totalBytes(c);
  return sum;
}

/** Child phase: the stateful replay under the sampling heap profiler; detail.bytesPerPacket. */
export async function allocPhase(file: string, config: string): Promise<PhaseResult> {
  const r = parseConfig(readFileSync(config, 'utf8'), config);
  const session = new Session();
  session.connect();
  await session.post('HeapProfiler.enable');
  const firewall = createStatefulFirewall(r.value, { maxConnections: 262144 });
  const reader = openCapture(file);
  await session.post('HeapProfiler.startSampling', { samplingInterval: 32768, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
  const t0 = performance.now();
  const { replay } = replayCapture(reader, { topology: BENCH_TOPOLOGY, firewall, maxFlowRows: 1000 });
  const ms = performance.now() - t0;
  const { profile } = (await session.post('HeapProfiler.stopSampling')) as { profile: { head: SampleNode } };
  session.disconnect();
  const bytes = totalBytes(profile.head);
  return { phase: 'alloc', packets: replay.stats.records, ms, maxRssKb: process.resourceUsage().maxRSS, detail: { bytesPerPacket: bytes / replay.stats.records } };
}

/**
 * Milliseconds the main thread spent in GC, from `--trace-gc` output: each collection's pause
 * (`MB, 38.48 / 0.00 ms`) plus, for a full collection, its incremental marking steps
 * (`+ 251.2 ms in 69 steps`). With a window [fromMs, toMs] (the process's performance.now()),
 * only collections that started in it count: those of the measured work, not of start-up and
 * config parsing (trace-gc's `  789 ms:` is time since the isolate began, within a few ms of it).
 */
export function gcPauseMs(traceGc: string, fromMs = Number.NEGATIVE_INFINITY, toMs = Number.POSITIVE_INFINITY): { ms: number; collections: number } {
  let ms = 0;
  let collections = 0;
  for (const line of traceGc.split('\n')) {
    const pause = /MB, ([\d.]+) \/ [\d.]+ ms/.exec(line);
    if (!pause) continue;
    const at = /\s([\d.]+) ms: /.exec(line);
    if (at && (Number(at[1]) < fromMs || Number(at[1]) > toMs)) continue;
    collections++;
    ms += Number(pause[1]);
    const steps = /\(\+ ([\d.]+) ms in \d+ steps/.exec(line);
    if (steps) ms += Number(steps[1]);
  }
  return { ms, collections };
}
