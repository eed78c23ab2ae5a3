/**
 * How far V8 lets the old generation grow past what a major collection left alive. Its default
 * (up to 4× on a machine with memory) suits programs whose live data keeps growing; a replay
 * streams: what stays alive is bounded by the live connections, and everything a finished flow
 * held dies in the old generation. With the default, the bench capture's replay (27 MB alive)
 * waited for about 100 MB before collecting, and peaked at 180 MiB of RSS; at 1.5× it peaks at
 * about 147 MiB, the major collections (of a small live set) coming more often.
 *
 * V8 reads `--heap-growing-percent` at each collection, so it can be set once the command knows it
 * will stream. A user's own setting (in NODE_OPTIONS or on node's command line) is kept.
 */
import { setFlagsFromString } from 'node:v8';

/** The old generation may grow to 1.5× what the last major collection kept. */
export const STREAM_HEAP_GROWING_PERCENT = 50;

/** True when the user set the heap growth themselves. */
function userSet(): boolean {
  const given = [...process.execArgv, process.env['NODE_OPTIONS'] ?? ''].join(' ');
  return /--heap[-_]growing[-_]percent/.test(given);
}

let bounded = false;

/** Bounds the old generation's growth for a streaming command (replays and compares); idempotent. */
export function boundHeapGrowth(): void {
  if (bounded || userSet()) return;
  bounded = true;
  setFlagsFromString(`--heap-growing-percent=${STREAM_HEAP_GROWING_PERCENT}`);
}
