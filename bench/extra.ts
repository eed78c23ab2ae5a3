/**
 * Bench sections beyond the replay rates: the floods of issue 14 (time and peak RSS
 * of the CLI on each generated capture, and the SYN flood at two sizes for
 * linearity), the CLI's report of the bench capture (streamed), cold start
 * (`ftpwall --help` and `check` against `node -e 0`), and the bytes a finished
 * flow's summary keeps while it is held.
 */
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { writeControlFlood, writePinholeFlood, writePortFlood, writeSynFlood, type FloodCapture } from './floods.js';
import { BENCH_TOPOLOGY } from './phases.js';
import { createStatefulFirewall } from '../src/engine/stateful/firewall.js';
import { parseConfig } from '../src/dialects/load.js';
import { replayCapture, type CaptureFlow } from '../src/replay/index.js';
import { openCapture } from '../src/wire/index.js';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';

/** One timed run of a command. */
export interface Timed {
  readonly ms: number;
  readonly maxRssKb: number;
  readonly status: number;
  readonly stderr: string;
}

/** Runs `node args…` under /usr/bin/time (peak RSS), stdout discarded. */
export function timeNode(args: readonly string[]): Timed {
  const timed = spawnSync('/usr/bin/time', ['-V']).error === undefined;
  const t0 = performance.now();
  const r = timed
    ? spawnSync('/usr/bin/time', ['-f', 'maxrss=%M', process.execPath, ...args], { encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 64 << 20 })
    : spawnSync(process.execPath, args, { encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 64 << 20 });
  const ms = performance.now() - t0;
  const rss = /maxrss=(\d+)/.exec(r.stderr ?? '');
  return { ms, maxRssKb: rss ? Number(rss[1]) : Number.NaN, status: r.status ?? -1, stderr: r.stderr ?? '' };
}

function fmt(n: number, digits = 0): string {
  return Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : 'n/a';
}

const PLACE = ['--inside', '192.168.10.1/32@GigabitEthernet2/1/10', '--inside', '2001:db8:10::1/128@GigabitEthernet2/1/10', '--outside-interface', 'GigabitEthernet2/1/1'];

interface FloodCase {
  readonly name: string;
  readonly write: (file: string) => FloodCapture;
  readonly args: readonly string[];
  readonly target: string;
}

/**
 * A scenario of one 1 GiB RETR (passive), simulated and replayed through rules/stateful.cfg by the
 * CLI with --summary: the simulator keeps no per-packet objects unless a report asks for packets
 * (target < 300 MB).
 */
export function bigRetrSection(dir: string, cli: string, root: string): string[] {
  const file = join(dir, 'retr-1g.yaml');
  writeFileSync(
    file,
    [
      'name: retr-1g',
      'seed: 1',
      'hosts:',
      '  client: { address: 10.0.0.2, interface: GigabitEthernet2/1/1 }',
      '  server: { address: 192.168.10.1, interface: GigabitEthernet2/1/10 }',
      'sessions:',
      '  - name: download',
      '    client: { host: client, mode: passive, controlPort: 50000 }',
      '    server: { host: server, passivePorts: 50020-50040 }',
      '    steps:',
      '      - login',
      `      - retr: { file: big.bin, bytes: ${1 << 30} }`,
      '      - quit',
      '',
    ].join('\n'),
  );
  process.stderr.write('bench: 1 GiB RETR scenario…\n');
  const t = timeNode([cli, 'replay', file, '--config', resolve(root, 'rules/stateful.cfg'), '--summary', '--format', 'json', '--no-progress', '-o', '/dev/null']);
  if (t.status !== 0) return ['', `1 GiB RETR scenario: exit ${t.status}: ${t.stderr.trim().split('\n').slice(-2).join(' ')}`];
  return ['', `1 GiB RETR scenario (simulated, then reported with --summary): ${fmt(t.ms / 1000, 1)} s, peak RSS ${fmt(t.maxRssKb / 1024, 1)} MiB (target < 300 MB)`];
}

/** The floods section: each flood generated at full size, replayed by the CLI (JSON to /dev/null); lines to print. */
export function floodsSection(dir: string, cli: string, root: string, scale = 1): string[] {
  const n = (x: number): number => Math.max(1, Math.round(x * scale));
  const cases: FloodCase[] = [
    { name: `${fmt(n(250_000))} SYNs, --conntrack-max 1000`, write: (f) => writeSynFlood(f, n(250_000)), args: ['--conntrack-max', '1000'], target: '' },
    { name: `${fmt(n(1_000_000))} SYNs, --conntrack-max 1000`, write: (f) => writeSynFlood(f, n(1_000_000)), args: ['--conntrack-max', '1000'], target: '< 30 s, < 300 MB' },
    { name: `${fmt(n(100_000))} PORTs on one connection`, write: (f) => writePortFlood(f, n(100_000)), args: [], target: 'linear, bounded' },
    { name: `${fmt(n(100_000))} control connections, default table`, write: (f) => writeControlFlood(f, n(100_000)), args: [], target: 'linear, bounded' },
    { name: `pinholes from ${fmt(n(20_000))} masters × 5`, write: (f) => writePinholeFlood(f, n(20_000), 5), args: [], target: 'linear, bounded' },
  ];
  const rows = [['flood', 'packets', 'seconds', 'packets/s', 'peak RSS MiB', 'target']];
  const rates: number[] = [];
  const run = (c: FloodCase, file: string): { ms: number; maxRssKb: number } => {
    const t = timeNode([cli, 'replay', file, '--config', resolve(root, 'rules/stateful.cfg'), ...PLACE, ...c.args, '--format', 'json', '--no-progress']);
    if (t.status !== 0) throw new Error(`flood ${c.name} failed (${t.status}): ${t.stderr}`);
    return { ms: t.ms, maxRssKb: t.maxRssKb };
  };
  // the two SYN floods give the linearity ratio: both generated first, then run in turn twice (250,000,
  // 1,000,000, 250,000, 1,000,000) and the faster run of each kept, so the host's speed drifting between
  // them does not read as (non-)linearity
  const synCases = cases.slice(0, 2);
  const synFiles = synCases.map((c, k) => {
    const file = join(dir, `flood-syn-${k}.pcap`);
    process.stderr.write(`bench: flood ${c.name} (generating)…\n`);
    return { file, records: c.write(file).records };
  });
  const best = synCases.map(() => ({ ms: Number.POSITIVE_INFINITY, maxRssKb: 0 }));
  for (let round = 0; round < SYN_FLOOD_ROUNDS; round++) {
    synCases.forEach((c, k) => {
      process.stderr.write(`bench: flood ${c.name} (round ${round + 1} of ${SYN_FLOOD_ROUNDS})…\n`);
      const t = run(c, synFiles[k]!.file);
      best[k] = { ms: Math.min(best[k]!.ms, t.ms), maxRssKb: Math.max(best[k]!.maxRssKb, t.maxRssKb) };
    });
  }
  synCases.forEach((c, k) => {
    const records = synFiles[k]!.records;
    rates.push(records / best[k]!.ms);
    rows.push([c.name, fmt(records), fmt(best[k]!.ms / 1000, 1), fmt((records / best[k]!.ms) * 1000), fmt(best[k]!.maxRssKb / 1024, 1), c.target]);
    rmSync(synFiles[k]!.file, { force: true });
  });
  for (const c of cases.slice(2)) {
    const file = join(dir, 'flood.pcap');
    process.stderr.write(`bench: flood ${c.name}…\n`);
    const g = c.write(file);
    const t = run(c, file);
    rows.push([c.name, fmt(g.records), fmt(t.ms / 1000, 1), fmt((g.records / t.ms) * 1000), fmt(t.maxRssKb / 1024, 1), c.target]);
  }
  const out = ['', `floods (ftpwall replay --format json of each generated capture, whole process; the SYN floods: the faster of ${SYN_FLOOD_ROUNDS} interleaved runs):`, ...table(rows)];
  out.push(`  linearity: packets/s at 1,000,000 SYNs ÷ at 250,000 = ${fmt(rates[1]! / rates[0]!, 2)} (1.00 = linear)`);
  return out;
}

/** Runs of each SYN flood for the linearity ratio. */
const SYN_FLOOD_ROUNDS = 2;

/** The CLI's table and JSON report of the bench capture (streamed past 10,000 flows). */
/**
 * The CLI's reports of the capture, each a whole process: `reports` are a format and its options (`['json',
 * '--packets']`: every packet's row and events, spilled and read back; `['html']`: the step-through of its
 * first 50,000 packets).
 */
export function reportSection(file: string, cli: string, root: string, packets: number, reports: readonly (readonly string[])[]): string[] {
  const rows = [['report of the bench capture', 'seconds', 'packets/s', 'peak RSS MiB']];
  for (const [format, ...extra] of reports) {
    const what = [`--format ${format}`, ...extra].join(' ');
    process.stderr.write(`bench: ${what} report…\n`);
    const t = timeNode([cli, 'replay', file, '--config', resolve(root, 'bench/dual-stack.cfg'), ...PLACE, '--conntrack-max', '262144', '--format', format!, ...extra, '--no-progress']);
    if (t.status !== 0) throw new Error(`${what} report failed (${t.status}): ${t.stderr}`);
    rows.push([`ftpwall replay ${what}`, fmt(t.ms / 1000, 1), fmt((packets / t.ms) * 1000), fmt(t.maxRssKb / 1024, 1)]);
  }
  return ['', ...table(rows)];
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Cold start: wall-time medians of `node -e 0`, `ftpwall --help` and `ftpwall check` of the built dist/cli, run in interleaved rounds; each must exit 0. */
export function coldStartSection(root: string, rounds = 9): string[] {
  process.stderr.write('bench: cold start…\n');
  // the CLI as it ships: dist/cli as `npm run build` bundles it (the bench script builds it first)
  const cli = resolve(root, 'dist/cli/main.js');
  const runs: { readonly name: string; readonly args: readonly string[]; readonly ms: number[] }[] = [
    { name: 'node -e 0', args: ['-e', '0'], ms: [] },
    { name: 'ftpwall --help', args: [cli, '--help'], ms: [] },
    { name: 'ftpwall check rules/stateful.cfg', args: [cli, 'check', resolve(root, 'rules/stateful.cfg')], ms: [] },
  ];
  const load = loadavg()[0]!;
  // interleaved rounds, so a change in the machine's load falls on all three alike
  for (let i = 0; i < rounds; i++)
    for (const r of runs) {
      const t0 = performance.now();
      const child = spawnSync(process.execPath, r.args, { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
      r.ms.push(performance.now() - t0);
      if (child.status !== 0) throw new Error(`cold start: ${r.name} exited with ${String(child.status)}: ${child.stderr.trim()} (run npm run build first)`);
    }
  const [base, help, check] = runs.map((r) => median(r.ms)) as [number, number, number];
  return [
    '',
    `cold start (wall, median of ${rounds} interleaved rounds, load average ${fmt(load, 1)} before): node -e 0 ${fmt(base)} ms; ` +
      `ftpwall --help ${fmt(help)} ms (${fmt(help / base, 2)}×, target ≤ 2×); ftpwall check rules/stateful.cfg ${fmt(check)} ms (${fmt(check / base, 2)}×, target ≤ 2×)`,
  ];
}

/**
 * Child phase (run with --expose-gc): heap bytes per finished flow's summary while held, over the
 * first `limit` flows of the file: the heap with the summaries held, less the heap once they are
 * let go, in the same process after the same replay (so nothing else differs between the two).
 */
export function retainedPhase(file: string, config: string, limit = 50_000): { flows: number; bytesPerFlow: number } {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('retained phase needs --expose-gc');
  const r = parseConfig(readFileSync(config, 'utf8'), config);
  const kept: CaptureFlow[] = [];
  replayCapture(openCapture(file), {
    topology: BENCH_TOPOLOGY,
    firewall: createStatefulFirewall(r.value, { maxConnections: 262144 }),
    onFlow: (f) => {
      if (kept.length < limit) kept.push(f);
    },
  });
  if (kept.length === 0) throw new Error('no flows');
  const flows = kept.length;
  const settled = (): number => {
    gc();
    gc();
    return process.memoryUsage().heapUsed;
  };
  const held = settled();
  kept.length = 0;
  const released = settled();
  return { flows, bytesPerFlow: (held - released) / flows };
}

function table(rows: string[][]): string[] {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return rows.map((r) => `  ${r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')}`);
}
