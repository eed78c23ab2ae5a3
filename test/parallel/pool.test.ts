import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { PoolStopped, WorkItemFailed, runPool } from '../../src/parallel/pool.js';

const dir = mkdtempSync(join(tmpdir(), 'ftpwall-pool-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// a worker that answers item x with x * x after a delay that makes early items finish last,
// streams one partial per item, fails on negative items, and dies on 'exit'
const worker = join(dir, 'square.mjs');
writeFileSync(
  worker,
  `import { parentPort } from 'node:worker_threads';
parentPort.on('message', ({ index, item }) => {
  if (item === 'exit') process.exit(3);
  parentPort.postMessage({ index, partial: { seen: item } });
  setTimeout(() => {
    if (item < 0) parentPort.postMessage({ index, ok: false, message: 'negative ' + item, problems: [{ severity: 'error', message: 'bad item ' + item }] });
    else parentPort.postMessage({ index, ok: true, value: item * item });
  }, Math.max(0, 40 - item * 5));
});
`,
);
const url = pathToFileURL(worker);

describe('runPool', () => {
  it('returns the results in input order although later items finish first, with each item\'s partials and one onDone per item', async () => {
    const items = [0, 1, 2, 3, 4, 5, 6, 7];
    const done: number[] = [];
    const partials: [number, unknown][] = [];
    const r = await runPool<number, number, { seen: number }>(items, { jobs: 3, workerUrl: url, onDone: (i) => done.push(i), onPartial: (i, p) => void partials.push([i, p.seen]) });
    expect(r).toEqual([0, 1, 4, 9, 16, 25, 36, 49]);
    expect([...done].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(partials.sort((a, b) => a[0] - b[0])).toEqual(items.map((x, i) => [i, x]));
  });

  it('gives the same results with one worker', async () => {
    expect(await runPool<number, number>([3, 1, 2], { jobs: 1, workerUrl: url })).toEqual([9, 1, 4]);
  });

  it('with the main thread as a job (local), items are shared between it and the workers; the results are the same and in order', async () => {
    const here: number[] = [];
    const items = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
    const r = await runPool<number, number>(items, {
      jobs: 2,
      workerUrl: url,
      local: (item, index) => {
        here.push(index);
        return { index, ok: true, value: (item as number) * (item as number) };
      },
    });
    expect(r).toEqual(items.map((x) => x * x));
    expect(here.length).toBeGreaterThan(0);
    expect(here.length).toBeLessThan(items.length);
    // one job in all: the main thread alone, no worker started
    const alone = await runPool<number, number>([2, 3], { jobs: 1, workerUrl: new URL('file:///nonexistent-worker.mjs'), local: (item, index) => ({ index, ok: true, value: (item as number) + 1 }) });
    expect(alone).toEqual([3, 4]);
  });

  it('throws the failure of the earliest failing item, as one job would, with its located problems', async () => {
    const e = await runPool<number, number>([1, 2, -3, 4, -5, 6], { jobs: 2, workerUrl: url }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(WorkItemFailed);
    expect((e as WorkItemFailed).index).toBe(2);
    expect((e as WorkItemFailed).problems).toEqual([{ severity: 'error', message: 'bad item -3' }]);
  });

  it('a worker that dies mid-item is an error, not a hang', async () => {
    await expect(runPool<number | string, number>([1, 'exit', 2], { jobs: 2, workerUrl: url })).rejects.toThrow(/item 2 stopped \(exit code 3\)/);
  });

  it('onPartial returning true stops every worker and throws PoolStopped', async () => {
    const e = await runPool<number, number, unknown>([1, 2, 3, 4, 5, 6], { jobs: 2, workerUrl: url, onPartial: (i) => i === 1 }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(PoolStopped);
  });
});
