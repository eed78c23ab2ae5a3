/** One fuzz input: made from (seed, index), run through a target, checked against the invariants. */
import type { Diagnostic } from '../src/diag/diagnostic.js';
import { cliTarget } from './cli-target.js';
import { mutateBytes, mutateText } from './mutate.js';
import { createRng, mixSeed } from './rng.js';
import { iptablesTarget, nftTarget } from './ruleset-targets.js';
import { spanProblems } from './spans.js';
import { TARGETS, type Seed, type Target } from './targets.js';

/** Every target by name. */
export const ALL_TARGETS: Record<string, Target> = { ...TARGETS, iptables: iptablesTarget, nft: nftTarget, cli: cliTarget };

/** The target called `name`; throws with the list when there is none. */
export function targetByName(name: string): Target {
  const t = ALL_TARGETS[name];
  if (!t) throw new Error(`--target '${name}': expected one of ${Object.keys(ALL_TARGETS).join(', ')}`);
  return t;
}

const seedCache = new Map<string, Seed[]>();

function seedsOf(target: Target, root: string): Seed[] {
  let s = seedCache.get(target.name);
  if (!s) {
    s = target.seeds(root);
    if (s.length === 0) throw new Error(`fuzz target ${target.name} has no seed inputs under ${root}`);
    seedCache.set(target.name, s);
  }
  return s;
}

/** Input `index` of `seed`: which corpus file it grew from, and its data. */
export function inputFor(target: Target, root: string, seed: number, index: number): { seedName: string; data: string | Uint8Array | readonly string[] } {
  const seeds = seedsOf(target, root);
  const rng = createRng(mixSeed(seed, index));
  const base = rng.pick(seeds);
  if (target.kind === 'argv') return { seedName: base.name, data: target.generate!(rng, root) };
  // one input in 50 is a seed as it is, so the whole pipeline runs on valid inputs too
  const keep = rng.chance(0.02);
  if (target.kind === 'bytes') {
    const data = keep ? (base.data as Uint8Array) : mutateBytes(base.data as Uint8Array, rng, seeds.map((s) => s.data as Uint8Array));
    return { seedName: base.name, data };
  }
  let data = keep ? (base.data as string) : mutateText(base.data as string, rng, seeds.map((s) => s.data as string), target.words);
  // only targets with a mutation of their own draw for it: the other targets' inputs stay as they were
  if (target.mutate && !keep && rng.chance(0.3)) data = target.mutate(data, rng);
  return { seedName: base.name, data };
}

/** What one input did. */
export interface OneResult {
  readonly index: number;
  /** CPU milliseconds of the fuzzing process while the input ran (with --jobs > 1, other workers' too: an upper bound) */
  readonly ms: number;
  readonly bytes: number;
  /** the exception that escaped, with its stack's first lines */
  readonly crash?: string;
  readonly badSpans: string[];
  readonly diagnostics?: readonly Diagnostic[];
}

function describeCrash(e: unknown): string {
  if (e instanceof Error) return `${e.name}: ${e.message}\n${(e.stack ?? '').split('\n').slice(1, 6).join('\n')}`;
  return String(e);
}

/** Runs input `index`; never throws. */
export async function runOne(target: Target, root: string, seed: number, index: number, keepDiagnostics = false): Promise<OneResult> {
  const input = inputFor(target, root, seed, index);
  const bytes = typeof input.data === 'string' ? Buffer.byteLength(input.data) : Array.isArray(input.data) ? input.data.join(' ').length : (input.data as Uint8Array).length;
  // CPU time of this process, not wall time: the verdict "slow" must not depend on what else the machine runs
  const c0 = process.cpuUsage();
  const cpuMs = (): number => {
    const c = process.cpuUsage(c0);
    return (c.user + c.system) / 1000;
  };
  try {
    const r = await target.run(input.data as string & Uint8Array & readonly string[], root);
    const ms = cpuMs();
    const badSpans: string[] = [];
    const cache = new Map<string, string[]>();
    for (const d of r.diagnostics) {
      const p = spanProblems(d, r.files, cache, r.breakRule);
      if (p.length > 0) badSpans.push(`${d.span?.file ?? d.bytes?.file}:${d.span?.line ?? d.bytes?.byteOffset}:${d.span?.column ?? ''} '${d.message}': ${p.join(', ')}`);
    }
    return { index, ms, bytes, badSpans, ...(keepDiagnostics ? { diagnostics: r.diagnostics } : {}) };
  } catch (e) {
    return { index, ms: cpuMs(), bytes, crash: describeCrash(e), badSpans: [] };
  }
}
