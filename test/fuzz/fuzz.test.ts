/**
 * The fuzz run CI makes: 20,000 mutated inputs per target (h3c configs, iptables-save and nft
 * rulesets, scenario and topology YAML, captures, command lines) through `npm run fuzz`'s harness, two targets
 * at a time in their own processes. Every invariant must hold: no exception escapes
 * (only located diagnostics), every span inside its line, no input over 2 s of CPU,
 * no hang. A failure prints the indices to rerun with `npm run fuzz -- --index K`.
 * FTPWALL_FUZZ_INPUTS, FTPWALL_FUZZ_SEED and FTPWALL_FUZZ_TARGETS (a comma list) change the run.
 */
import { execFileSync, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '../..');
const INPUTS = Number(process.env['FTPWALL_FUZZ_INPUTS'] ?? 20_000);
const SEED = Number(process.env['FTPWALL_FUZZ_SEED'] ?? 2026);
const ALL = ['pcap', 'h3c', 'iptables', 'nft', 'scenario', 'cli', 'topology'] as const;
/** `FTPWALL_FUZZ_TARGETS=iptables,nft` runs only those (default: all) */
const ONLY = process.env['FTPWALL_FUZZ_TARGETS']?.split(',').map((t) => t.trim());
const TARGETS = ALL.filter((t) => !ONLY || ONLY.includes(t));

interface Summary {
  readonly target: string;
  readonly inputs: number;
  readonly crashes: number;
  readonly hangs: number;
  readonly badSpans: number;
  readonly slow: number;
  readonly worstMs: number;
  readonly worstMsPerMb: number;
  readonly findings: readonly { index: number; kind: string; detail: string }[];
}

function fuzz(target: string): Promise<Summary> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [resolve(ROOT, 'dist-fuzz/fuzz/main.js'), '--target', target, '--inputs', String(INPUTS), '--seed', String(SEED), '--json'], { cwd: ROOT });
    let out = '';
    let err = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    child.on('error', fail);
    child.on('close', () => {
      const line = out.trim().split('\n').pop() ?? '';
      try {
        done(JSON.parse(line) as Summary);
      } catch {
        fail(new Error(`fuzz ${target} printed no summary: ${out}\n${err}`));
      }
    });
  });
}

const results = new Map<string, Promise<Summary>>();

beforeAll(() => {
  execFileSync(process.execPath, [resolve(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.fuzz.json'], { cwd: ROOT, stdio: 'pipe' });
  // two lanes (two cores), balanced by the targets' cost per input; each test awaits its own target
  // (iptables and nft: about 2.5 ms of CPU per input, 50 s per 20,000)
  for (const lane of [['pcap', 'cli', 'topology', 'iptables'], ['h3c', 'scenario', 'nft']]) {
    let previous: Promise<unknown> = Promise.resolve();
    for (const t of lane.filter((x) => (TARGETS as readonly string[]).includes(x))) {
      const p = previous.then(() => fuzz(t));
      results.set(t, p);
      previous = p.catch(() => undefined);
    }
  }
}, 120_000);

describe(`fuzzing, ${INPUTS} inputs per target (seed ${SEED})`, () => {
  for (const target of TARGETS) {
    it(`${target}: no crash, no hang, no span outside its line, no input over 2 s`, async () => {
      const s = await results.get(target)!;
      const shown = s.findings.map((f) => `#${f.index} ${f.kind}: ${f.detail.split('\n')[0]}`).join('\n');
      expect(s.inputs, shown).toBe(INPUTS);
      expect({ crashes: s.crashes, hangs: s.hangs, badSpans: s.badSpans, slow: s.slow }, shown).toEqual({ crashes: 0, hangs: 0, badSpans: 0, slow: 0 });
      console.log(`fuzz ${target}: ${s.inputs} inputs, worst ${s.worstMs} ms, worst ${s.worstMsPerMb} ms/MB`);
    }, 1_800_000);
  }
});
