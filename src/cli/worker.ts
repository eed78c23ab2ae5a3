/**
 * The worker thread of `--jobs`: answers one work item at a time with plain data
 * (src/parallel/pool.ts). It keeps no state that could change an answer; parsed
 * inputs are cached by their names only to save reading them again.
 */
import { parentPort } from 'node:worker_threads';
import type { Diagnostic } from '../diag/diagnostic.js';
import type { WorkerMessage } from '../parallel/pool.js';
import type { CompareInputs } from './compare.js';
import { InputProblems } from './io.js';
import type { JobItem } from './jobs.js';
import type { PreparedProbe } from './probe.js';
// each kind's modules load when its first item comes, so a lint worker starts as fast as lint

const cache = new Map<string, unknown>();

function cached<T>(key: string, make: () => T): T {
  if (!cache.has(key)) {
    cache.clear(); // one batch at a time: only the latest inputs are worth keeping
    cache.set(key, make());
  }
  return cache.get(key) as T;
}

const quiet = (_d: readonly Diagnostic[]): void => undefined;

async function handle(item: JobItem, post: (partial: unknown) => void): Promise<unknown> {
  switch (item.kind) {
    case 'replay-run': {
      const { runScenarioItem } = await import('./replay-runs.js');
      return runScenarioItem(item);
    }
    case 'capture-shard': {
      const { runCaptureShard } = await import('./capture-shards.js');
      return runCaptureShard(item, post);
    }
    case 'compare-cell': {
      const { loadCompareInputs, runCompareCell } = await import('./compare.js');
      const c = cached<CompareInputs>(JSON.stringify(['compare', item.inputs, item.opts]), () => loadCompareInputs(item.inputs, item.opts, quiet));
      return runCompareCell(c, item.cell, item.opts.format, new Map());
    }
    case 'lint': {
      const { lintOne } = await import('./lint.js');
      return lintOne(item.file);
    }
    case 'probe-cell': {
      const { prepareProbe, probeCellAt } = await import('./probe.js');
      const p = cached<PreparedProbe>(JSON.stringify(['probe', item.opts]), () => prepareProbe(item.opts, quiet));
      return probeCellAt(p, item.cell);
    }
  }
}

const port = parentPort;
if (port) {
  port.on('message', async (m: { index: number; item: JobItem }) => {
    let reply: WorkerMessage<unknown, unknown>;
    try {
      reply = { index: m.index, ok: true, value: await handle(m.item, (partial) => port.postMessage({ index: m.index, partial })) };
    } catch (e) {
      reply =
        e instanceof InputProblems
          ? { index: m.index, ok: false, problems: e.diagnostics, message: e.message }
          : { index: m.index, ok: false, message: e instanceof Error ? e.message : String(e), ...(e instanceof Error && e.stack ? { stack: e.stack } : {}) };
    }
    port.postMessage(reply);
  });
}
