/** `--jobs N`: the work items commands hand to worker threads, and the run of a batch of them. */
import { runPool, WorkItemFailed, defaultJobs, type WorkerReply } from '../parallel/pool.js';
import { InputProblems } from './io.js';
import type { CompareCell, CompareOptions } from './compare.js';
import type { ProbeFlags } from './probe.js';
import type { ShardItem } from './capture-shards.js';
import type { ScenarioRunItem } from './replay-runs.js';

/** One work item; each is done by a stateless worker (src/cli/worker.ts) and answered with plain data. */
export type JobItem =
  | { readonly kind: 'compare-cell'; readonly inputs: readonly string[]; readonly opts: CompareOptions; readonly cell: CompareCell }
  | { readonly kind: 'lint'; readonly file: string }
  | { readonly kind: 'probe-cell'; readonly opts: ProbeFlags; readonly cell: number }
  | ShardItem
  | ScenarioRunItem;

/** `--jobs`: a whole number of at least 1; default the core count. */
export function jobsOption(value: number | string | undefined): number {
  if (value === undefined) return defaultJobs();
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isSafeInteger(n) || n < 1)
    throw new InputProblems([{ severity: 'error', message: `--jobs '${String(value)}': expected a whole number of worker threads of at least 1`, suggestion: `e.g. --jobs ${defaultJobs()}` }]);
  return n;
}

/** The worker's entry module (dist/cli/worker.js beside this file). */
export const WORKER_URL = new URL('./worker.js', import.meta.url);

/** An item's answer as a worker gives it: the value, or the located problems (InputProblems), or a broken invariant. */
export function replyOf(index: number, run: () => unknown): WorkerReply<unknown> {
  try {
    return { index, ok: true, value: run() };
  } catch (e) {
    return e instanceof InputProblems
      ? { index, ok: false, problems: e.diagnostics, message: e.message }
      : { index, ok: false, message: e instanceof Error ? e.message : String(e), ...(e instanceof Error && e.stack ? { stack: e.stack } : {}) };
  }
}

/**
 * Runs `items` on `jobs` jobs: worker threads, and the main thread too when `local` answers
 * an item here (from inputs it has already loaded). The results in input order; a failed
 * item is rethrown as the main thread would have thrown it: its located problems as InputProblems.
 */
export async function runJobs<R, P = never>(
  items: readonly JobItem[],
  jobs: number,
  bar?: { tick(): void },
  onPartial?: (index: number, partial: P) => boolean | void,
  local?: (item: JobItem, index: number) => R,
): Promise<R[]> {
  try {
    return await runPool<JobItem, R, P>(items, {
      jobs,
      workerUrl: WORKER_URL,
      ...(bar ? { onDone: () => bar.tick() } : {}),
      ...(onPartial ? { onPartial } : {}),
      ...(local ? { local: (item: unknown, index: number) => replyOf(index, () => local(item as JobItem, index)) } : {}),
    });
  } catch (e) {
    if (e instanceof WorkItemFailed) {
      if (e.problems !== undefined) throw new InputProblems(e.problems);
      const err = new Error(e.message);
      if (e.workerStack !== undefined) err.stack = e.workerStack;
      throw err;
    }
    throw e;
  }
}
