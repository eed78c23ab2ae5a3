#!/usr/bin/env node
/**
 * `npm run fuzz -- --target h3c|iptables|nft|scenario|topology|pcap|cli --inputs N --seed S`:
 * mutates the seed corpus (bundled rules and scenarios, test fixtures, exported rulesets, the public
 * captures), runs every input through the target's pipeline in worker threads, and
 * checks the invariants: no exception escapes (only located diagnostics), every
 * diagnostic's span inside its line, under 2 s per input; a watchdog ends a worker
 * stuck on one input (a hang) and goes on after it. Input K of seed S is always the
 * same: `--index K` reruns it and prints it. Prints a summary; exit 1 on any finding.
 *
 * Options: --jobs J (workers, default 1), --start K (first index), --timeout-ms T
 * (a hang, default 30000), --slow-ms T (default 2000), --save DIR (write the
 * inputs of findings), --json (the summary as JSON), --quiet.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { formatDiagnostic } from '../src/diag/diagnostic.js';
import { inputFor, runOne, targetByName, type OneResult } from './harness.js';
import { repoRoot } from './targets.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = repoRoot(HERE);

interface Job {
  readonly target: string;
  readonly seed: number;
  readonly start: number;
  readonly end: number;
  readonly slowMs: number;
  /** [index being run, inputs finished] */
  readonly progress: SharedArrayBuffer;
}

/** A finding worth printing: a crash, a bad span, a slow input. */
interface Finding {
  readonly index: number;
  readonly kind: 'crash' | 'bad-span' | 'slow' | 'hang';
  readonly detail: string;
}

interface Batch {
  readonly done: number;
  readonly findings: Finding[];
  readonly worstMs: number;
  readonly worstMsIndex: number;
  readonly worstMsPerMb: number;
  readonly worstMsPerMbIndex: number;
  readonly bytes: number;
}

function findingsOf(r: OneResult, slowMs: number): Finding[] {
  const out: Finding[] = [];
  if (r.crash) out.push({ index: r.index, kind: 'crash', detail: r.crash });
  for (const b of r.badSpans) out.push({ index: r.index, kind: 'bad-span', detail: b });
  if (r.ms > slowMs) out.push({ index: r.index, kind: 'slow', detail: `${r.ms.toFixed(0)} ms for ${r.bytes} bytes` });
  return out;
}

/** Worker: runs [start, end) and reports in batches. */
async function workerMain(job: Job): Promise<void> {
  const progress = new Int32Array(job.progress);
  const target = targetByName(job.target);
  let batch: Batch = emptyBatch();
  let last = performance.now();
  for (let i = job.start; i < job.end; i++) {
    Atomics.store(progress, 0, i);
    const r = await runOne(target, ROOT, job.seed, i);
    Atomics.add(progress, 1, 1);
    batch = addTo(batch, r, job.slowMs);
    const now = performance.now();
    if (now - last > 250 || batch.findings.length > 20) {
      parentPort!.postMessage(batch);
      batch = emptyBatch();
      last = now;
    }
  }
  parentPort!.postMessage(batch);
}

function emptyBatch(): Batch {
  return { done: 0, findings: [], worstMs: 0, worstMsIndex: -1, worstMsPerMb: 0, worstMsPerMbIndex: -1, bytes: 0 };
}

/** Time per MB counts inputs of at least 4 KiB as 4 KiB, so start-up costs of tiny inputs do not dominate. */
const MIN_MB = 4096 / 1e6;

function addTo(b: Batch, r: OneResult, slowMs: number): Batch {
  const perMb = r.ms / Math.max(MIN_MB, r.bytes / 1e6);
  const findings = b.findings;
  for (const f of findingsOf(r, slowMs)) findings.push(f);
  return {
    done: b.done + 1,
    findings,
    worstMs: Math.max(b.worstMs, r.ms),
    worstMsIndex: r.ms > b.worstMs ? r.index : b.worstMsIndex,
    worstMsPerMb: Math.max(b.worstMsPerMb, perMb),
    worstMsPerMbIndex: perMb > b.worstMsPerMb ? r.index : b.worstMsPerMbIndex,
    bytes: b.bytes + r.bytes,
  };
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function num(name: string, dflt: number): number {
  const v = arg(name);
  if (v === undefined) return dflt;
  const n = Number(v.replace(/_/g, ''));
  if (!Number.isFinite(n) || n < 0) {
    process.stderr.write(`fuzz: ${name} '${v}' is not a number\n`);
    process.exit(2);
  }
  return n;
}

/** `--index K`: the input, then what the target made of it. */
async function showOne(targetName: string, seed: number, index: number): Promise<void> {
  const target = targetByName(targetName);
  const input = inputFor(target, ROOT, seed, index);
  process.stdout.write(`# fuzz ${targetName} seed ${seed} index ${index} (from ${input.seedName})\n`);
  if (typeof input.data === 'string') process.stdout.write(`${input.data}\n# end of input\n`);
  else if (Array.isArray(input.data)) process.stdout.write(`${JSON.stringify(input.data)}\n`);
  else process.stdout.write(`${Buffer.from(input.data as Uint8Array).toString('base64')}\n# end of input (base64, ${(input.data as Uint8Array).length} bytes)\n`);
  const save = arg('--save');
  if (save) {
    mkdirSync(save, { recursive: true });
    const file = join(save, `${targetName}-${seed}-${index}${target.kind === 'bytes' ? '.pcap' : target.kind === 'argv' ? '.json' : '.txt'}`);
    writeFileSync(file, typeof input.data === 'string' ? input.data : Array.isArray(input.data) ? JSON.stringify(input.data) : (input.data as Uint8Array));
    process.stdout.write(`# saved as ${file}\n`);
  }
  const r = await runOne(target, ROOT, seed, index, true);
  for (const d of r.diagnostics ?? []) process.stdout.write(`${formatDiagnostic(d)}\n`);
  process.stdout.write(`# ${r.ms.toFixed(1)} ms; crash: ${r.crash ?? 'none'}; bad spans: ${r.badSpans.length === 0 ? 'none' : r.badSpans.join('; ')}\n`);
}

async function mainThread(): Promise<void> {
  const targetName = arg('--target') ?? '';
  try {
    targetByName(targetName);
  } catch (e) {
    process.stderr.write(`fuzz: ${(e as Error).message}\n`);
    process.exit(2);
  }
  const seed = num('--seed', 1);
  if (arg('--index') !== undefined) {
    await showOne(targetName, seed, num('--index', 0));
    return;
  }
  const inputs = num('--inputs', 1000);
  const start = num('--start', 0);
  const jobs = Math.max(1, num('--jobs', 1));
  const timeoutMs = num('--timeout-ms', 30_000);
  const slowMs = num('--slow-ms', 2000);
  const quiet = process.argv.includes('--quiet') || process.argv.includes('--json');
  const t0 = performance.now();
  let total = emptyBatch();
  const findings: Finding[] = [];
  const end = start + inputs;
  const per = Math.ceil(inputs / jobs);
  let lastReport = t0;

  const runRange = (from: number, to: number): Promise<void> =>
    new Promise((resolveRange) => {
      if (from >= to) return resolveRange();
      const progress = new SharedArrayBuffer(8);
      const view = new Int32Array(progress);
      Atomics.store(view, 0, from);
      const worker = new Worker(fileURLToPath(import.meta.url), {
        workerData: { target: targetName, seed, start: from, end: to, slowMs, progress } satisfies Job,
        resourceLimits: { maxOldGenerationSizeMb: 3072 },
        stdout: true,
        stderr: true,
      });
      worker.stdout.resume();
      worker.stderr.resume();
      let seenIndex = from;
      let seenAt = performance.now();
      let finished = false;
      const watchdog = setInterval(() => {
        const now = performance.now();
        const at = Atomics.load(view, 0);
        if (at !== seenIndex) {
          seenIndex = at;
          seenAt = now;
        } else if (now - seenAt > timeoutMs && !finished) {
          finished = true;
          clearInterval(watchdog);
          findings.push({ index: at, kind: 'hang', detail: `no end after ${timeoutMs} ms` });
          total = { ...total, done: total.done + 1 };
          void worker.terminate().then(() => runRange(at + 1, to).then(resolveRange));
        }
      }, Math.min(1000, Math.max(50, timeoutMs / 4)));
      worker.on('message', (b: Batch) => {
        total = {
          done: total.done + b.done,
          findings: [],
          worstMs: Math.max(total.worstMs, b.worstMs),
          worstMsIndex: b.worstMs > total.worstMs ? b.worstMsIndex : total.worstMsIndex,
          worstMsPerMb: Math.max(total.worstMsPerMb, b.worstMsPerMb),
          worstMsPerMbIndex: b.worstMsPerMb > total.worstMsPerMb ? b.worstMsPerMbIndex : total.worstMsPerMbIndex,
          bytes: total.bytes + b.bytes,
        };
        for (const f of b.findings) {
          findings.push(f);
          if (!quiet && findings.length <= 50) process.stderr.write(`fuzz: ${targetName} #${f.index}: ${f.kind}: ${f.detail.split('\n')[0]}\n`);
        }
        const now = performance.now();
        if (!quiet && now - lastReport > 10_000) {
          lastReport = now;
          // the worst figures so far: a run stopped part way (to be resumed with --start) keeps them in its log
          process.stderr.write(
            `fuzz: ${targetName}: ${total.done} of ${inputs} inputs (from ${start}), ${(total.done / ((now - t0) / 1000)).toFixed(0)}/s, ${findings.length} findings; ` +
              `worst ${Math.round(total.worstMs)} ms (#${total.worstMsIndex}), ${Math.round(total.worstMsPerMb)} ms/MB (#${total.worstMsPerMbIndex})\n`,
          );
        }
      });
      const done = (): void => {
        if (finished) return;
        finished = true;
        clearInterval(watchdog);
        resolveRange();
      };
      worker.on('error', (e) => {
        // a worker that died (out of memory): that input is a crash; go on after it
        if (finished) return;
        finished = true;
        clearInterval(watchdog);
        const at = Atomics.load(view, 0);
        findings.push({ index: at, kind: 'crash', detail: `worker died: ${e.message}` });
        total = { ...total, done: total.done + 1 };
        void runRange(at + 1, to).then(resolveRange);
      });
      worker.on('exit', done);
    });

  const ranges: Promise<void>[] = [];
  for (let j = 0; j < jobs; j++) ranges.push(runRange(start + j * per, Math.min(end, start + (j + 1) * per)));
  await Promise.all(ranges);
  const seconds = (performance.now() - t0) / 1000;
  const count = (k: Finding['kind']) => findings.filter((f) => f.kind === k).length;
  const summary = {
    target: targetName,
    seed,
    start,
    inputs: total.done,
    crashes: count('crash'),
    hangs: count('hang'),
    badSpans: count('bad-span'),
    slow: count('slow'),
    worstMs: Math.round(total.worstMs),
    worstMsIndex: total.worstMsIndex,
    worstMsPerMb: Math.round(total.worstMsPerMb),
    worstMsPerMbIndex: total.worstMsPerMbIndex,
    megabytes: Number((total.bytes / 1e6).toFixed(1)),
    seconds: Number(seconds.toFixed(1)),
    perSecond: Math.round(total.done / seconds),
    findings: findings.slice(0, 30),
  };
  if (process.argv.includes('--json')) process.stdout.write(`${JSON.stringify(summary)}\n`);
  else {
    process.stdout.write(
      `fuzz ${targetName} seed ${seed}: ${summary.inputs} inputs (from ${start}), ${summary.crashes} crashes, ${summary.hangs} hangs, ` +
        `${summary.badSpans} bad spans, ${summary.slow} slow (> ${slowMs} ms); worst ${summary.worstMs} ms (#${summary.worstMsIndex}), ` +
        `worst ${summary.worstMsPerMb} ms/MB (#${summary.worstMsPerMbIndex}); ${summary.megabytes} MB in ${summary.seconds} s (${summary.perSecond}/s)\n`,
    );
    for (const f of findings.slice(0, 30)) process.stdout.write(`  #${f.index} ${f.kind}: ${f.detail.split('\n').slice(0, 3).join(' | ')}\n`);
    if (findings.length > 0) process.stdout.write(`rerun one with: npm run fuzz -- --target ${targetName} --seed ${seed} --index K\n`);
  }
  process.exitCode = findings.length > 0 ? 1 : 0;
}

if (isMainThread) void mainThread();
else void workerMain(workerData as Job);
