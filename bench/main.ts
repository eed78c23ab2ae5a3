#!/usr/bin/env node
/**
 * `npm run bench`: generates a capture of thousands of FTP sessions, then
 * measures in one run, each phase in its own process: the bare record walk
 * (the floor), static replay, stateful replay, and tshark -q -z conv,tcp on the
 * same file; prints packets/s, ratios and peak RSS; then the ACL-size check.
 * Then `ftpwall lint` on generated 10,000- and 100,000-rule ACLs (bench/lint.ts), config parsing (bench/parse.ts),
 * the CLI report of that capture (table, JSON), the heap a held flow summary costs, cold start, and the
 * floods of issue 14 (time and peak RSS each).
 * Options: --sessions N, --transfer BYTES, --big (a ~1 GB capture), --jobs-only (the --jobs section), --keep (keep the file), --rounds N (rounds of the static, stateful and tshark phases; default 3),
 * --parse-only (only the config parsing benchmark), --lint-only (only the lint section), --cold-start-only (only cold start), --linear-only (only the once-quadratic paths),
 * --no-floods, --flood-scale X (flood sizes × X).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateCapture } from './generate.js';
import { lintBench, type LintBenchResult } from './lint.js';
import { bigRetrSection, coldStartSection, floodsSection, reportSection, retainedPhase } from './extra.js';
import { aclPhase, ceilingPhase, replayPhase, streamWalkPhase, walkPhase, type PhaseResult } from './phases.js';
import { checkBench, parsePhase } from './parse.js';
import { cpuTicks, stealPercent } from './steal.js';
import { allocPhase, gcPauseMs } from './alloc.js';
import { jobsSection } from './jobs.js';
import { linearSection } from './linear.js';

/** Where the bench capture's hosts sit (the server inside, the clients outside). */
const BENCH_PLACE = ['--inside', '192.168.10.1/32@GigabitEthernet2/1/10', '--inside', '2001:db8:10::1/128@GigabitEthernet2/1/10', '--outside-interface', 'GigabitEthernet2/1/1'];
/** The stateful policy of the bench: rules/stateful.cfg and rules/stateful-v6.cfg in one config. */
const STATEFUL_CFG = 'bench/dual-stack.cfg';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '../..');

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** Child mode: run one phase and print its result as JSON. */
function child(phase: string, file: string): void {
  if (phase === 'alloc') {
    void allocPhase(file, resolve(ROOT, STATEFUL_CFG)).then((r) => process.stdout.write(`${JSON.stringify(r)}\n`));
    return;
  }
  if (phase.startsWith('lint')) {
    process.stdout.write(`${JSON.stringify(lintBench(Number(phase.slice(4))))}\n`);
    return;
  }
  let r: PhaseResult;
  if (phase === 'walk') r = walkPhase(file);
  else if (phase === 'stream-walk') r = streamWalkPhase(file);
  else if (phase === 'static') r = replayPhase(file, resolve(ROOT, 'rules/seed-passive.cfg'), 'static');
  else if (phase === 'stateful') r = replayPhase(file, resolve(ROOT, STATEFUL_CFG), 'stateful');
  else if (phase === 'ceiling') r = ceilingPhase(file, 'reduced');
  else if (phase === 'ceiling-tcp') r = ceilingPhase(file, 'ftpwall');
  else if (phase.startsWith('parse:')) r = parsePhase(phase.slice('parse:'.length));
  else if (phase === 'retained') {
    const x = retainedPhase(file, resolve(ROOT, STATEFUL_CFG));
    r = { phase, packets: 0, ms: 0, maxRssKb: process.resourceUsage().maxRSS, detail: { flows: x.flows, bytesPerFlow: x.bytesPerFlow } };
  }
  else r = aclPhase(file, 10, 10_000);
  process.stdout.write(`${JSON.stringify(r)}\n`);
}

/** The lint section: each size in its own process; parse and lint times, findings by kind, peak RSS. */
function lintSection(): void {
  const rows = [['ACL rules', 'parse s', 'lint s', 'lint CPU s', 'target s', 'peak RSS MiB', 'findings']];
  for (const [rules, target] of [
    [10_000, 2],
    [100_000, 60],
  ] as const) {
    process.stderr.write(`bench: lint ${rules} rules…\n`);
    const r = runChild(`lint${rules}`, '') as unknown as LintBenchResult;
    const kinds = Object.entries(r.findings)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
    rows.push([fmt(r.rules), fmt(r.parseMs / 1000, 2), fmt(r.lintMs / 1000, 2), fmt(r.lintCpuMs / 1000, 2), `< ${target}`, fmt(r.maxRssKb / 1024, 1), kinds]);
  }
  const load = loadavg()[0]!;
  process.stdout.write(`\nlint (load average ${fmt(load, 1)} on ${cpus().length} CPUs; generated realistic ACLs; 100,000 rules exceed Comware's rule ids, so that one is parsed in chunks and linted as one ACL of the model):\n${table(rows).join('\n')}\n`);
}

/** Steal from which the bench warns that its figures are not the code's. */
const STEAL_WARN_PERCENT = 5;

/** A phase's CPU steal for the table: `12.3 %`, or `n/a` off Linux. */
function stealText(pct: number | undefined): string {
  return pct === undefined ? 'n/a' : `${fmt(pct, 1)} %`;
}

function runChild(phase: string, file: string): PhaseResult {
  // the stateful phase runs with --trace-gc: its GC pauses are summed from those lines
  const flags = phase === 'retained' ? ['--expose-gc'] : phase === 'stateful' ? ['--trace-gc'] : [];
  const r = spawnSync(process.execPath, ['--max-old-space-size=4096', ...flags, fileURLToPath(import.meta.url), '--phase', phase, '--file', file], {
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  if (r.status !== 0) throw new Error(`bench phase ${phase} failed: ${r.stderr}`);
  // the result is the last JSON line: --trace-gc may print a collection after it
  const line = r.stdout.trim().split('\n').filter((l) => l.startsWith('{')).pop();
  if (line === undefined) throw new Error(`bench phase ${phase} printed no result: ${r.stdout.slice(-500)}`);
  const result = JSON.parse(line) as PhaseResult;
  if (phase !== 'stateful') return result;
  // the replay's own collections: the phase says when it started and ended
  const gc = gcPauseMs(r.stdout, Number(result.detail?.['fromMs'] ?? Number.NEGATIVE_INFINITY), Number(result.detail?.['toMs'] ?? Number.POSITIVE_INFINITY));
  return { ...result, detail: { ...result.detail, gcMs: Math.round(gc.ms), gcCollections: gc.collections } };
}

/**
 * The other shape users meet: a few long transfers (64 sessions of 4 MiB each, the same six
 * templates) instead of many short sessions: packets/s against tshark, allocation per packet,
 * GC share and peak RSS of the stateful replay.
 */
function longShapeSection(dir: string): string[] {
  const file = join(dir, 'bench-long.pcap');
  process.stderr.write('bench: long transfers…\n');
  const gen = generateCapture(file, { sessions: 64, transferBytes: 4 << 20 });
  const stateful = runChild('stateful', file);
  const alloc = runChild('alloc', file);
  const t = runTshark(file);
  rmSync(file, { force: true });
  const pps = (r: PhaseResult): number => (r.packets / r.ms) * 1000;
  const gcMs = Number(stateful.detail!['gcMs']);
  return [
    '',
    `long transfers: ${fmt(gen.sessions)} sessions of a 4 MiB RETR, ${fmt(gen.packets)} packets, ${fmt(gen.bytes / 1048576, 0)} MiB: ` +
      `stateful replay ${fmt(pps(stateful))} packets/s (${t ? `${fmt(pps(stateful) / pps(t), 2)}× tshark's ${fmt(pps(t))}` : 'tshark not installed'}), ` +
      `${fmt(Number(alloc.detail!['bytesPerPacket']), 1)} bytes allocated per packet, GC ${fmt((gcMs / stateful.ms) * 100, 1)} % of the time, peak RSS ${fmt(stateful.maxRssKb / 1024, 1)} MiB`,
  ];
}

/** tshark -r FILE -q -z conv,tcp under /usr/bin/time for its peak RSS; undefined when tshark is missing. */
function runTshark(file: string): PhaseResult | undefined {
  if (spawnSync('tshark', ['-v']).status !== 0) return undefined;
  const timed = spawnSync('/usr/bin/time', ['-V']).error === undefined;
  const cmd = timed ? '/usr/bin/time' : 'tshark';
  const args = [...(timed ? ['-f', 'maxrss=%M', 'tshark'] : []), '-r', file, '-q', '-z', 'conv,tcp'];
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 256 << 20 });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`tshark failed: ${r.stderr}`);
  const rss = /maxrss=(\d+)/.exec(r.stderr);
  const frames = spawnSync('capinfos', ['-c', '-M', file], { encoding: 'utf8' });
  const count = /Number of packets:\s+(\d+)/.exec(frames.stdout ?? '');
  return { phase: 'tshark', packets: count ? Number(count[1]) : Number.NaN, ms, maxRssKb: rss ? Number(rss[1]) : Number.NaN };
}

function fmt(n: number, digits = 0): string {
  return Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : 'n/a';
}

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  '));
}

/** Config parsing: a 100,000-line dump with 10,000 rules, 32,000 / 50,000 named ACLs, rulesets of 30,000 chains (target < 2 s each). */
function parseBench(): void {
  const rows = [['config', 'lines', 'ACLs/chains', 'rules', 'parse ms (wall)', 'CPU ms', 'peak RSS MiB']];
  for (const kind of ['dump', 'named-32000', 'named-50000', 'iptables-30000', 'nft-30000']) {
    process.stderr.write(`bench: parse ${kind}…\n`);
    const r = runChild(`parse:${kind}`, '');
    const d = r.detail!;
    rows.push([kind, fmt(Number(d['lines'])), fmt(Number(d['acls'])), fmt(Number(d['rules'])), fmt(r.ms, 0), fmt(Number(d['cpuMs']), 0), fmt(r.maxRssKb / 1024, 1)]);
  }
  const load = readFileSync('/proc/loadavg', 'utf8').split(' ')[0];
  process.stdout.write(`config parsing (target < 2,000 ms each; load average ${load} on ${availableParallelism()} cores):\n${table(rows).join('\n')}\n`);
  process.stderr.write('bench: check of 100,000 rules…\n');
  const dir = mkdtempSync(join(tmpdir(), 'ftpwall-bench-check-'));
  try {
    // the CLI as it ships: dist/cli as `npm run build` bundles it (the bench script builds it first)
    const c = checkBench(resolve(ROOT, 'dist/cli/main.js'), dir);
    process.stdout.write(
      `ftpwall check of ${fmt(c.rules)} rules (${fmt(c.lines)} lines, 10 ACLs, whole process, best of 3; load average ${fmt(c.load, 1)} before): ` +
        `${fmt(c.cpuMs / 1000, 2)} s CPU (user + sys), ${fmt(c.wallMs / 1000, 2)} s wall, peak RSS ${fmt(c.maxRssKb / 1024, 1)} MiB (target < 2 s)\n`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `--jobs-only`: the --jobs section on a capture of --sessions sessions (default 40,000). */
function jobsOnly(): void {
  const dir = mkdtempSync(join(tmpdir(), 'ftpwall-bench-'));
  try {
    const file = join(dir, 'bench.pcap');
    const gen = generateCapture(file, { sessions: Number(arg('--sessions') ?? 40_000), transferBytes: Number(arg('--transfer') ?? 4_000) });
    process.stdout.write(`capture: ${fmt(gen.sessions)} FTP sessions, ${fmt(gen.packets)} packets, ${fmt(gen.bytes / 1048576, 1)} MiB\n`);
    for (const line of jobsSection(resolve(ROOT, 'dist/cli/main.js'), ROOT, dir, file, BENCH_PLACE)) process.stdout.write(`${line}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function main(): void {
  const phase = arg('--phase');
  if (phase !== undefined) return child(phase, arg('--file') ?? '');
  if (process.argv.includes('--parse-only')) return parseBench();
  if (process.argv.includes('--lint-only')) return lintSection();
  if (process.argv.includes('--jobs-only')) return jobsOnly();
  if (process.argv.includes('--linear-only')) {
    for (const line of linearSection()) process.stdout.write(`${line}\n`);
    return;
  }
  if (process.argv.includes('--cold-start-only')) {
    for (const line of coldStartSection(ROOT)) process.stdout.write(`${line}\n`);
    return;
  }
  const big = process.argv.includes('--big');
  const sessions = Number(arg('--sessions') ?? 40_000);
  const transfer = Number(arg('--transfer') ?? (big ? 60_000 : 4_000));
  const dir = mkdtempSync(join(tmpdir(), 'ftpwall-bench-'));
  const file = join(dir, big ? 'bench-1g.pcap' : 'bench.pcap');
  try {
    const g0 = performance.now();
    const gen = generateCapture(file, big ? { sessions: 0, targetBytes: 1 << 30, transferBytes: transfer } : { sessions, transferBytes: transfer });
    const genMs = performance.now() - g0;
    process.stdout.write(
      `capture: ${fmt(gen.sessions)} FTP sessions (IPv4 passive, active, EPSV, EPRT and IPv6 EPSV, EPRT, one in six each; ${fmt(transfer)}-byte RETR each), ${fmt(gen.packets)} packets, ${fmt(gen.bytes / 1048576, 1)} MiB, generated in ${fmt(genMs / 1000, 1)} s\n` +
        `  (6 sessions simulated once, then replicated with distinct client addresses and start times, 64 live at a time)\n\n`,
    );
    const results: PhaseResult[] = [];
    const names: Record<string, string> = {
      walk: 'bare record walk (in memory)',
      'stream-walk': 'bare record walk (file streamed)',
      static: 'static replay (seed-passive.cfg)',
      stateful: 'stateful replay (dual-stack.cfg)',
      ceiling: 'ceiling: least stateful work',
      'ceiling-tcp': "ceiling, ftpwall's TCP tracker",
      tshark: 'tshark -q -z conv,tcp',
    };
    const steal = new Map<string, number | undefined>();
    // each phase several times, the rounds interleaved (static, stateful, tshark, static, …) so that a
    // slow stretch of the host falls on every phase alike; the table gives each phase's best round and
    // the median, and the ratios between best rounds
    const rounds = Math.max(1, Number(arg('--rounds') ?? 3));
    const phases = big ? ['walk', 'stream-walk', 'stateful', 'ceiling', 'ceiling-tcp'] : ['walk', 'stream-walk', 'static', 'stateful', 'ceiling', 'ceiling-tcp', 'tshark'];
    const runs = new Map<string, { r: PhaseResult; steal: number | undefined }[]>();
    const tsharkThere = !big && spawnSync('tshark', ['-v']).status === 0;
    for (let round = 0; round < rounds; round++) {
      for (const p of phases) {
        // the walks are best-of-5 inside their process: once is enough
        if (round > 0 && p.endsWith('walk')) continue;
        if (p === 'tshark' && !tsharkThere) continue;
        process.stderr.write(`bench: ${names[p]} (round ${round + 1} of ${rounds})…\n`);
        const before = cpuTicks();
        const r = p === 'tshark' ? runTshark(file)! : runChild(p, file);
        const list = runs.get(p) ?? [];
        list.push({ r, steal: stealPercent(before, cpuTicks()) });
        runs.set(p, list);
      }
    }
    /** a phase's best round (shortest), whose figures the table and targets use */
    const best = (p: string): PhaseResult | undefined => runs.get(p)?.reduce((a, b) => (b.r.ms < a.r.ms ? b : a)).r;
    const medianMs = (p: string): number => {
      const ms = (runs.get(p) ?? []).map((x) => x.r.ms).sort((a, b) => a - b);
      return ms.length === 0 ? Number.NaN : ms[(ms.length - 1) >> 1]!;
    };
    for (const p of phases) {
      const list = runs.get(p);
      if (!list) continue;
      results.push(best(p)!);
      steal.set(p, list.reduce<number | undefined>((m, x) => (x.steal === undefined ? m : Math.max(m ?? 0, x.steal)), undefined));
    }
    const t = results.find((r) => r.phase === 'tshark');
    const replays = results.filter((r) => r.phase !== 'tshark');
    const pps = (r: PhaseResult): number => (r.packets / r.ms) * 1000;
    const walk = results[0]!;
    const rows = [['phase', 'packets', 'packets/s (best)', 'median', '× bare walk', '× tshark', 'peak RSS MiB', 'CPU steal (max)']];
    for (const r of [...replays, ...(t ? [t] : [])]) {
      const n = runs.get(r.phase)!.length;
      rows.push([
        names[r.phase] ?? r.phase,
        fmt(r.packets),
        fmt(pps(r)),
        n > 1 ? fmt((r.packets / medianMs(r.phase)) * 1000) : '',
        `${fmt((pps(r) / pps(walk)) * 100, 2)} %`,
        t ? fmt(pps(r) / pps(t), 2) : 'n/a',
        fmt(Math.max(...runs.get(r.phase)!.map((x) => x.r.maxRssKb)) / 1024, 1),
        stealText(steal.get(r.phase)),
      ]);
    }
    if (!t && !big) rows.push(['tshark -q -z conv,tcp', 'not installed', '', '', '', '', '', '']);
    process.stdout.write(`(static, stateful, the ceilings and tshark: ${rounds} rounds each, interleaved; the walks: best of 5 in one process)\n${table(rows).join('\n')}\n`);
    const stolen = [...steal.values()].filter((x): x is number => x !== undefined && x >= STEAL_WARN_PERCENT);
    if (stolen.length > 0)
      process.stdout.write(`  warning: the VM's host took up to ${fmt(stolen.reduce((a, b) => Math.max(a, b), 0), 1)} % of the CPU during these phases: every figure of this run is slower than the code is; compare runs only at similar steal\n`);
    for (const r of results)
      if (r.detail)
        process.stdout.write(
          `  ${r.phase}: ${Object.entries(r.detail)
            .filter(([k]) => k !== 'fromMs' && k !== 'toMs')
            .map(([k, v]) => `${k} ${v}`)
            .join(', ')}\n`,
        );
    const stateful = results.find((r) => r.phase === 'stateful')!;
    const streamed = results.find((r) => r.phase === 'stream-walk')!;
    const medianRatio = t && runs.get('tshark')!.length > 1 ? ` (medians: ${fmt(medianMs('tshark') / medianMs('stateful'), 2)}x)` : '';
    process.stdout.write(
      `\ntargets: stateful ≥ 25 % of the bare walk: ${fmt((pps(stateful) / pps(walk)) * 100, 2)} % of the walk in memory, ${fmt((pps(stateful) / pps(streamed)) * 100, 2)} % of the walk with the file streamed; ≥ 10x tshark: ${t ? `${fmt(pps(stateful) / pps(t), 2)}x${medianRatio}` : 'n/a'}; ` +
        `peak RSS of the stateful replay: ${fmt(stateful.maxRssKb / 1024, 1)} MiB (${fmt((stateful.maxRssKb * 1024) / 1e6, 1)} MB) for a ${fmt(gen.bytes / 1048576, 0)} MiB capture (target ≤ 150 MB here, < 300 MB for 1 GB)\n`,
    );
    for (const phase of ['ceiling', 'ceiling-tcp']) {
      const ceiling = results.find((r) => r.phase === phase);
      if (!ceiling) continue;
      // a yardstick only while it does the replay's stateful work: the same connections, links, denials and peak
      for (const k of ['flows', 'linked', 'denied', 'peakLiveFlows'])
        if (String(ceiling.detail![k]) !== String(stateful.detail![k])) throw new Error(`bench: the ${phase} counted ${k} ${ceiling.detail![k]}, the stateful replay ${stateful.detail![k]}`);
      process.stdout.write(
        `${phase === 'ceiling' ? 'ceiling (bench/ceiling.ts, the least stateful work the target implies' : "ceiling with ftpwall's own TCP tracker (the engine's tcpNew/tcpPacket over its rows"}, one run in a fresh process; same connections, links, denials and peak as the replay): ` +
          `${fmt(pps(ceiling))} packets/s = ${t ? `${fmt(pps(ceiling) / pps(t), 2)}x tshark` : 'tshark n/a'}, ${fmt((pps(ceiling) / pps(walk)) * 100, 2)} % of the walk in memory, ` +
          `${fmt((pps(ceiling) / pps(streamed)) * 100, 2)} % of the walk streamed; the stateful replay does ${fmt(pps(ceiling) / pps(stateful), 2)}x its time\n`,
      );
    }
    {
      process.stderr.write('bench: allocation…\n');
      const alloc = runChild('alloc', file);
      const bytes = Number(alloc.detail!['bytesPerPacket']);
      const gcMs = Number(stateful.detail!['gcMs']);
      process.stdout.write(
        `allocation: ${fmt(bytes, 1)} bytes per packet (sampling heap profiler over the stateful replay; target ≤ 50); ` +
          `GC: ${fmt((gcMs / stateful.ms) * 100, 1)} % of the stateful replay's time (${fmt(gcMs)} ms in ${fmt(Number(stateful.detail!['gcCollections']))} collections, --trace-gc; target ≤ 5 %)\n`,
      );
    }
    if (!big) for (const line of longShapeSection(dir)) process.stdout.write(`${line}\n`);
    if (!big) {
      process.stderr.write('bench: ACL size…\n');
      const acl = runChild('acl', file);
      const d = acl.detail!;
      const ratio = Number(d['largeNs']) / Number(d['smallNs']);
      process.stdout.write(
        `ACL size: ${d['smallRules']} rules ${fmt(Number(d['smallNs']), 0)} ns/packet, ${fmt(Number(d['largeRules']))} rules ${fmt(Number(d['largeNs']), 0)} ns/packet over the same ${fmt(acl.packets)} packets: ratio ${fmt(ratio, 2)} (target ≤ 1.5)\n`,
      );
    }
    const cli = resolve(HERE, '../src/cli/main.js');
    if (!big) for (const line of bigRetrSection(dir, cli, ROOT)) process.stdout.write(`${line}\n`);
    const reports = big ? [['table'], ['table', '--packets']] : [['table'], ['json'], ['table', '--packets'], ['json', '--packets'], ['html'], ['ladder', '--packets']];
    for (const line of reportSection(file, cli, ROOT, gen.packets, reports)) process.stdout.write(`${line}\n`);
    if (!big) {
      process.stderr.write('bench: retained flow summaries…\n');
      const kept = runChild('retained', file).detail!;
      process.stdout.write(`\nfinished flow held for the report: ${fmt(Number(kept['bytesPerFlow']), 0)} bytes of heap each (over ${fmt(Number(kept['flows']))} flows; target ≤ 256); past ${fmt(10_000)} flows the report streams and keeps none\n`);
      for (const line of coldStartSection(ROOT)) process.stdout.write(`${line}\n`);
      // the CLI as it ships (dist/cli, built by the bench script): probe reads the profiles beside it
      for (const line of jobsSection(resolve(ROOT, 'dist/cli/main.js'), ROOT, dir, file, BENCH_PLACE)) process.stdout.write(`${line}\n`);
      for (const line of linearSection()) process.stdout.write(`${line}\n`);
      if (!process.argv.includes('--no-floods')) for (const line of floodsSection(dir, cli, ROOT, Number(arg('--flood-scale') ?? 1))) process.stdout.write(`${line}\n`);
    }
    parseBench();
    lintSection();
  } finally {
    if (!process.argv.includes('--keep')) rmSync(dir, { recursive: true, force: true });
    else process.stdout.write(`capture kept: ${file}\n`);
  }
}

main();
