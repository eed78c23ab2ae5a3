/**
 * `--jobs`: the CLI with one worker thread and with two on the same work, timed side by
 * side (wall and CPU of the whole process, load average before each run): compare over
 * the bundled scenarios × configs, lint over many generated configs, probe of a generated device of
 * 20 servers behind 20 VLAN interfaces, and a replay of the bench capture (sharded by host pair). The output of both is checked to be the same bytes.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { lintConfigText } from './lint.js';

/** One timed CLI run. */
interface JobsRun {
  readonly wallMs: number;
  readonly cpuMs: number;
  readonly maxRssKb: number;
  readonly load: number;
  readonly out: string;
}

function fmt(n: number, digits = 0): string {
  return Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : 'n/a';
}

/** Runs `ftpwall args --jobs N -o FILE` under /usr/bin/time: wall, user + system CPU, peak RSS. */
function run(cli: string, root: string, args: readonly string[], jobs: number, out: string): JobsRun {
  const load = loadavg()[0]!;
  const t0 = performance.now();
  const r = spawnSync('/usr/bin/time', ['-f', 'cpu=%U+%S rss=%M', process.execPath, cli, ...args, '--jobs', String(jobs), '--no-progress', '-o', out], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 64 << 20 });
  const wallMs = performance.now() - t0;
  if (r.status !== 0) throw new Error(`ftpwall ${args.slice(0, 2).join(' ')} --jobs ${jobs} failed (${r.status}): ${r.stderr}`);
  const m = /cpu=([\d.]+)\+([\d.]+) rss=(\d+)/.exec(r.stderr);
  return { wallMs, cpuMs: m ? (Number(m[1]) + Number(m[2])) * 1000 : Number.NaN, maxRssKb: m ? Number(m[3]) : Number.NaN, load, out: readFileSync(out, 'utf8') };
}

function table(rows: readonly (readonly string[])[]): string[] {
  const widths = rows[0]!.map((_, i) => rows.reduce((w, r) => Math.max(w, r[i]!.length), 0));
  return rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  '));
}

/**
 * A device of `servers` FTP servers (one ACL rule each, port 21) behind `vlans` VLAN interfaces that all bind the ACL
 * inbound: probe runs servers × (vlans - 1) client sides × every profile pair × mode.
 */
function probeDeviceText(servers: number, vlans: number): string {
  const lines = ['sysname probe-bench', '#', 'acl advanced 3000'];
  for (let s = 0; s < servers; s++) lines.push(` rule ${5 * s} permit tcp destination 10.200.${s}.10 0 destination-port eq ftp`);
  lines.push(` rule ${5 * servers} permit tcp destination-port gt 1023`, ` rule ${5 * servers + 5} permit tcp source-port eq ftp`, '#');
  for (let v = 0; v < vlans; v++) lines.push(`interface Vlan-interface${v + 10}`, ` ip address 10.${v + 10}.0.1 255.255.255.0`, ' packet-filter 3000 inbound', '#');
  return `${lines.join('\n')}\n`;
}

/** The section: each workload with --jobs 1, then 2, then 1 and 2 again (interleaved; the faster of each pair is shown). */
export function jobsSection(cli: string, root: string, dir: string, capture: string | undefined, place: readonly string[]): string[] {
  const scenarios = readdirSync(join(root, 'scenarios')).filter((f) => f.endsWith('.yaml')).map((f) => join(root, 'scenarios', f));
  const configs = readdirSync(join(root, 'rules')).filter((f) => f.endsWith('.cfg') && f !== 'broken.cfg').map((f) => join(root, 'rules', f));
  const lintDir = join(dir, 'lint-configs');
  mkdirSync(lintDir, { recursive: true });
  const lintFiles: string[] = [];
  for (let i = 0; i < 24; i++) {
    const f = join(lintDir, `generated-${i}.cfg`);
    writeFileSync(f, lintConfigText(2_000, 7 + i));
    lintFiles.push(f);
  }
  const probeDevice = join(dir, 'probe-device.cfg');
  writeFileSync(probeDevice, probeDeviceText(20, 20));
  const work: { name: string; args: string[] }[] = [
    { name: `compare: ${scenarios.length} scenarios × ${configs.length} configs`, args: ['compare', ...scenarios, ...configs.flatMap((c) => ['--config', c])] },
    { name: `lint: 24 configs of 2,000 rules`, args: ['lint', ...lintFiles] },
    { name: 'probe: 20 servers × 19 client sides (30,400 cells)', args: ['probe', '--config', probeDevice, '--format', 'json'] },
  ];
  if (capture) work.push({ name: 'replay of the bench capture (table)', args: ['replay', capture, '--config', resolve(root, 'bench/dual-stack.cfg'), ...place, '--conntrack-max', '262144'] });
  const rows = [['work', 'jobs', 'wall s', 'CPU s', 'speed-up', 'peak RSS MiB', 'load avg']];
  for (const w of work) {
    process.stderr.write(`bench: --jobs ${w.name}…\n`);
    const best: JobsRun[] = [];
    for (let round = 0; round < 2; round++)
      for (const jobs of [1, 2]) {
        const r = run(cli, root, w.args, jobs, join(dir, `jobs-${jobs}.out`));
        const k = jobs - 1;
        if (best[k] === undefined || r.wallMs < best[k]!.wallMs) best[k] = r;
      }
    if (best[0]!.out !== best[1]!.out) throw new Error(`--jobs 2 wrote other bytes than --jobs 1 for ${w.name}`);
    for (const [k, r] of best.entries())
      rows.push([k === 0 ? w.name : '', String(k + 1), fmt(r.wallMs / 1000, 2), fmt(r.cpuMs / 1000, 2), k === 0 ? '' : `${fmt(best[0]!.wallMs / r.wallMs, 2)}×`, fmt(r.maxRssKb / 1024, 1), fmt(r.load, 1)]);
  }
  return ['', `--jobs (${availableParallelism()} cores; the faster of two interleaved rounds each; the same bytes from 1 and 2 jobs; load average before each run):`, ...table(rows)];
}
