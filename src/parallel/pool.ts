/**
 * Work items across worker threads: each worker is stateless (a work item in, a
 * serialisable result out), results come back in input order whatever order the
 * workers finish in, so `--jobs N` writes the same bytes as `--jobs 1`.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Diagnostic } from '../diag/diagnostic.js';

/** What a worker sends back for one item. */
export type WorkerReply<R> =
  | { readonly index: number; readonly ok: true; readonly value: R }
  | { readonly index: number; readonly ok: false; readonly problems?: readonly Diagnostic[]; readonly message: string; readonly stack?: string };

/** A message from a worker: a final reply, or a partial one (a streamed piece of item `index`). */
export type WorkerMessage<R, P> = WorkerReply<R> | { readonly index: number; readonly partial: P };

/** The default of `--jobs`: the cores Node may use. */
export function defaultJobs(): number {
  return availableParallelism();
}

/** A failed item: located input problems (exit 2), or a broken invariant. */
export class WorkItemFailed extends Error {
  constructor(
    readonly index: number,
    message: string,
    readonly problems: readonly Diagnostic[] | undefined,
    readonly workerStack: string | undefined,
  ) {
    super(message);
  }
}

/** Thrown by runPool when onPartial stopped the batch. */
export class PoolStopped extends Error {
  constructor() {
    super('stopped early');
  }
}

/** How to run a batch. */
export interface PoolOptions<P> {
  /** worker threads at most (fewer when there are fewer items) */
  readonly jobs: number;
  /** the worker's entry module */
  readonly workerUrl: URL;
  /** after each finished item (progress bars) */
  readonly onDone?: (index: number) => void;
  /** a streamed piece of an item, in the order its worker sent them; returning true stops the batch (runPool throws PoolStopped) */
  readonly onPartial?: (index: number, partial: P) => boolean | void;
  /**
   * The main thread as one of the jobs: it answers items itself between the workers'
   * messages (one worker fewer to start, and no copy of its results). For short items only:
   * the workers' messages wait while it runs one.
   */
  readonly local?: (item: unknown, index: number) => WorkerReply<unknown>;
}

/**
 * Runs `items` on up to `jobs` workers, each item to the next free worker; resolves with
 * the results in input order. When items fail, the one earliest in the input is thrown
 * (as when run one by one), after every worker has stopped.
 */
export async function runPool<T, R, P = never>(items: readonly T[], o: PoolOptions<P>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let firstFailure: WorkItemFailed | undefined;
  let next = 0;
  // with the main thread as a job, one worker fewer (none for a single item)
  const count = o.local ? Math.max(0, Math.min(o.jobs - 1, items.length - 1)) : Math.max(1, Math.min(o.jobs, items.length));
  const started: Worker[] = [];
  let stopped = false;
  const one = (): Promise<void> =>
    new Promise<void>((resolveWorker, rejectWorker) => {
      const w = new Worker(o.workerUrl);
      started.push(w);
      let busy = false;
      let current = -1;
      const feed = (): void => {
        // once an item has failed, items after it cannot change what is thrown
        if (stopped || next >= items.length || (firstFailure !== undefined && next > firstFailure.index)) {
          void w.terminate().then(() => resolveWorker());
          return;
        }
        current = next++;
        busy = true;
        w.postMessage({ index: current, item: items[current] });
      };
      w.on('message', (m: WorkerMessage<R, P>) => {
        if ('partial' in m) {
          if (!stopped && o.onPartial?.(m.index, m.partial) === true) {
            stopped = true;
            void Promise.all(started.map((x) => x.terminate()));
          }
          return;
        }
        busy = false;
        record(m);
        feed();
      });
      w.on('error', (e) => rejectWorker(e));
      w.on('exit', (code) => {
        if (stopped) resolveWorker();
        else if (busy) rejectWorker(new Error(`the worker for item ${current + 1} stopped (exit code ${code}) before answering`));
      });
      feed();
    });
  const record = (m: WorkerReply<R>): void => {
    if (m.ok) results[m.index] = m.value;
    else if (firstFailure === undefined || m.index < firstFailure.index) firstFailure = new WorkItemFailed(m.index, m.message, m.problems, m.stack);
    o.onDone?.(m.index);
  };
  const local = o.local;
  const inThread = async (): Promise<void> => {
    if (!local) return;
    // let the workers start first, then take items as they do, yielding between items so their answers are heard
    await new Promise((r) => setImmediate(r));
    while (!stopped && next < items.length && (firstFailure === undefined || next <= firstFailure.index)) {
      const index = next++;
      record(local(items[index], index) as WorkerReply<R>);
      await new Promise((r) => setImmediate(r));
    }
  };
  const running: Promise<void>[] = [inThread()];
  for (let i = 0; i < count; i++) running.push(one());
  try {
    await Promise.all(running);
  } catch (e) {
    await Promise.all(started.map((w) => w.terminate()));
    throw e;
  }
  if (stopped) throw new PoolStopped();
  if (firstFailure !== undefined) throw firstFailure;
  return results;
}
