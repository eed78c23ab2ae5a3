/** `ftpwall probe`: does FTP work through a config, for its servers and every client side, in every mode, over whole port ranges. */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { closest, type Diagnostic } from '../diag/diagnostic.js';
import { parseIp } from '../net/address.js';
import type { Firewall } from '../engine/verdict.js';
import type { Policy } from '../policy/model.js';
import { PLAIN_STYLE } from '../report/style.js';
import { discoverServers, serverInterface, type ProbeClient, type ProbeServer } from '../probe/discover.js';
import { formatProbe, probeJson } from '../probe/format.js';
import { assembleProbe, planProbe, runPlannedCell, type ProbeCell, type ProbePlan, type ProbeRequest, type ProbeResult } from '../probe/probe.js';
import { jobsOption, runJobs, type JobItem } from './jobs.js';
import { startCountProgress } from './progress.js';
import { PROBE_MODES, readClientProfiles, readServerProfiles, type ClientProfile, type PortRange, type ProbeMode, type ServerProfile } from '../probe/profiles.js';
import { probeHtml, probeLadders } from './probe-html.js';
import { engineOptions, loadConfigs, makeFirewall, resolveEngine, type EngineChoice, type EngineFlags, type EngineOptions } from './inputs.js';
import { EXIT_EXPECTATION_FAILED, EXIT_OK, InputProblems, printDiagnostics, readText, styleFor, writeOutput } from './io.js';
import { parseCount } from './limits.js';

/** Options shared by `probe` and `fix`, as commander parses them. */
export interface ProbeFlags extends EngineFlags {
  readonly config: string;
  readonly server: string[];
  readonly client: string[];
  readonly passivePorts?: string;
  readonly clientProfile: string[];
  readonly serverProfile: string[];
  readonly mode: string[];
  readonly engine: string;
  /** `--max-cells`: refuse a probe that would run more cells (commander gives the text) */
  readonly maxCells?: string;
}

/** Cells a probe runs unless `--max-cells` says otherwise: about 40 s and 1 GB (5 KB and 0.2 ms a cell, measured). */
export const DEFAULT_MAX_CELLS = 200_000;

/**
 * The probe's plan, refused as bad input when it holds more cells than `--max-cells` allows, with what multiplies
 * up to them and how to narrow it (a device of 80 servers and 80 VLANs is half a million cells: minutes and
 * gigabytes, or an out-of-memory crash, without the bound).
 */
export function boundedPlan(p: PreparedProbe, opts: ProbeFlags): ProbePlan {
  const max = opts.maxCells === undefined ? DEFAULT_MAX_CELLS : parseCount(opts.maxCells);
  if (max === undefined)
    throw new InputProblems([{ severity: 'error', message: `--max-cells '${opts.maxCells}': expected a whole number of cells of at least 1`, suggestion: `e.g. --max-cells ${DEFAULT_MAX_CELLS * 2}` }]);
  const plan = planProbe(p.request);
  if (plan.cells.length <= max) return plan;
  const n = (x: number): string => x.toLocaleString('en-US');
  const r = p.request;
  const modes = r.modes?.length ?? 4;
  const s = (x: number, word: string): string => `${n(x)} ${word}${x === 1 ? '' : 's'}`;
  throw new InputProblems([
    {
      severity: 'error',
      message: `the probe would run ${n(plan.cells.length)} cells (${s(r.servers.length, 'server')} with ${s(plan.clients.length, 'client side')} in all, × ${s(r.serverProfiles.length, 'server profile')} × ${s(r.clientProfiles.length, 'client profile')} × ${s(modes, 'mode')}), more than --max-cells ${n(max)} (each cell takes about 0.2 ms and 5 KB of memory)`,
      suggestion: `narrow it with --server, --client, --server-profile, --client-profile or --mode, or raise the bound: --max-cells ${plan.cells.length}`,
    },
  ]);
}

/** Options of `probe`. */
export interface ProbeOptions extends ProbeFlags {
  readonly format: 'table' | 'json' | 'ladder' | 'html';
  readonly expect?: 'works';
  readonly output?: string;
  /** `--jobs`: worker threads (default: the core count) */
  readonly jobs?: number;
  /** a progress bar on a terminal's stderr (--no-progress sets false) */
  readonly progress?: boolean;
}

/** The bundled profiles directory (profiles/ at the package root, from src/cli or dist/cli). */
export function profilesDir(): string {
  return join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'profiles');
}

/** Reads both profile files; problems are bad input. */
export function loadProfiles(dir: string = profilesDir()): { clients: ClientProfile[]; servers: ServerProfile[] } {
  const problems: Diagnostic[] = [];
  const read = (name: string): unknown => {
    const file = join(dir, name);
    const text = readText(file, problems);
    if (text === undefined) return undefined;
    try {
      return JSON.parse(text);
    } catch (e) {
      problems.push({ severity: 'error', message: `${file}: not JSON: ${e instanceof Error ? e.message : String(e)}` });
      return undefined;
    }
  };
  const c = readClientProfiles(read('clients.json'), join(dir, 'clients.json'));
  const s = readServerProfiles(read('servers.json'), join(dir, 'servers.json'));
  for (const d of [...c.problems, ...s.problems]) problems.push(d);
  if (problems.length > 0) throw new InputProblems(problems);
  return { clients: c.profiles, servers: s.profiles };
}

function pick<T extends { name: string }>(all: readonly T[], wanted: readonly string[], option: string, problems: Diagnostic[]): T[] {
  if (wanted.length === 0) return [...all];
  const out: T[] = [];
  for (const w of wanted.flatMap((x) => x.split(',')).map((x) => x.trim()).filter((x) => x !== '')) {
    const p = all.find((a) => a.name === w);
    if (p) out.push(p);
    else {
      const near = closest(w, all.map((a) => a.name));
      problems.push({ severity: 'error', message: `${option} '${w}': no such profile (known: ${all.map((a) => a.name).join(', ')})`, ...(near ? { suggestion: `did you mean '${near}'?` } : {}) });
    }
  }
  return out;
}

/** Parses `LO-HI` (or one port). */
export function parsePortRange(text: string, option: string, problems: Diagnostic[]): PortRange | undefined {
  const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(text.trim());
  const lo = m ? Number(m[1]) : NaN;
  const hi = m ? Number(m[2] ?? m[1]) : NaN;
  if (!m || lo < 1 || hi > 65535 || lo > hi) {
    problems.push({ severity: 'error', message: `${option} '${text}': expected LO-HI with 1 <= LO <= HI <= 65535`, suggestion: "e.g. '--passive-ports 50000-50100'" });
    return undefined;
  }
  return [lo, hi];
}

function endpointArg(text: string, option: string, policy: Policy, problems: Diagnostic[]): { address: NonNullable<ReturnType<typeof parseIp>>; iface: string | undefined } | undefined {
  const at = text.indexOf('@');
  const addrText = at < 0 ? text : text.slice(0, at);
  const address = parseIp(addrText);
  const iface = at < 0 ? undefined : text.slice(at + 1);
  if (!address) {
    problems.push({ severity: 'error', message: `${option} '${text}': '${addrText}' is not an IP address`, suggestion: `e.g. '${option} 192.168.10.1@GigabitEthernet2/1/10'` });
    return undefined;
  }
  if (iface !== undefined && iface !== '' && !policy.interfaces.includes(iface) && !policy.bindings.some((b) => b.interface === iface)) {
    const near = closest(iface, policy.interfaces);
    problems.push({ severity: 'error', message: `${option} '${text}': the config has no interface '${iface}'`, ...(near ? { suggestion: `did you mean '${near}'?` } : {}) });
    return undefined;
  }
  return { address, iface: iface === '' ? undefined : iface };
}

/** A checked probe request from the command line, with the loaded config's text. */
export interface PreparedProbe {
  readonly file: string;
  readonly text: string;
  readonly policy: Policy;
  readonly engineChoice: EngineChoice;
  readonly engineOptions: EngineOptions;
  readonly request: ProbeRequest;
}

/** Loads the config and profiles and checks every probe option (bad input throws InputProblems). */
export function prepareProbe(opts: ProbeFlags, print: (d: readonly Diagnostic[]) => void = printDiagnostics): PreparedProbe {
  const eo = engineOptions(opts);
  const [cfg] = loadConfigs([opts.config], print);
  const problems: Diagnostic[] = [];
  const text = readText(opts.config, problems) ?? '';
  const policy = cfg!.policy;
  const profiles = loadProfiles();
  const clientProfiles = pick(profiles.clients, opts.clientProfile, '--client-profile', problems);
  const serverProfiles = pick(profiles.servers, opts.serverProfile, '--server-profile', problems);
  const modes: ProbeMode[] = [];
  for (const m of opts.mode.flatMap((x) => x.split(',')).map((x) => x.trim().toUpperCase()).filter((x) => x !== '')) {
    if ((PROBE_MODES as readonly string[]).includes(m)) modes.push(m as ProbeMode);
    else problems.push({ severity: 'error', message: `--mode '${m}': expected one of ${PROBE_MODES.join(', ')}` });
  }
  const passivePorts = opts.passivePorts !== undefined ? parsePortRange(opts.passivePorts, '--passive-ports', problems) : undefined;
  const servers: ProbeServer[] = [];
  for (const s of opts.server) {
    const e = endpointArg(s, '--server', policy, problems);
    if (!e) continue;
    const iface = e.iface ?? serverInterface(policy, e.address);
    if (!iface) problems.push({ severity: 'error', message: `--server '${s}': no bound ACL names this address, so its interface is unknown`, suggestion: `write '${s}@INTERFACE'` });
    else servers.push({ address: e.address, interface: iface, origin: '--server' });
  }
  if (opts.server.length === 0) {
    const found = discoverServers(policy, text);
    for (const s of found.servers) servers.push(s);
    if (print === printDiagnostics) for (const n of found.notes) process.stderr.write(`ftpwall: ${n}\n`);
    if (found.servers.length === 0 && problems.length === 0)
      problems.push({ severity: 'error', message: `${opts.config}: no FTP server found (no rule names a host with port 21 or ftp, no 'nat server … 21')`, suggestion: "give one with '--server ADDR@INTERFACE'" });
  }
  const clients: ProbeClient[] = [];
  for (const c of opts.client) {
    if (c === 'any') continue;
    const e = endpointArg(c, '--client', policy, problems);
    if (!e) continue;
    const iface = e.iface ?? policy.interfaces.find((i) => !servers.some((s) => s.interface === i));
    if (!iface) problems.push({ severity: 'error', message: `--client '${c}': no interface other than the server's`, suggestion: `write '${c}@INTERFACE'` });
    else clients.push({ address: e.address, interface: iface, any: false });
  }
  if (problems.length > 0) throw new InputProblems(problems);
  const choice = opts.engine as EngineChoice;
  const engine = resolveEngine(choice, policy, eo);
  return {
    file: opts.config,
    text,
    policy,
    engineChoice: choice,
    engineOptions: eo,
    request: {
      policy,
      engine,
      firewall: firewallFactory(engine, policy, eo),
      servers,
      clients,
      anyClients: opts.client.length === 0 || opts.client.includes('any'),
      clientProfiles,
      serverProfiles,
      ...(passivePorts ? { passivePorts } : {}),
      ...(modes.length > 0 ? { modes } : {}),
    },
  };
}

/** Fresh firewalls for the stateful engine (it keeps state); one shared instance for the stateless static engine. */
export function firewallFactory(engine: 'static' | 'stateful', policy: Policy, eo: EngineOptions): () => Firewall {
  if (engine === 'stateful') return () => makeFirewall(engine, policy, eo);
  let shared: Firewall | undefined;
  return () => (shared ??= makeFirewall(engine, policy, eo));
}

/** True when every cell that applies works. */
export function allWork(r: ProbeResult): boolean {
  return r.cells.every((c) => c.verdict === 'works' || c.verdict === 'n/a');
}

/** Each prepared probe's plan, made once: a worker runs many cells of one plan (planning per cell was quadratic). */
const plans = new WeakMap<PreparedProbe, ProbePlan>();

/** Runs cell `i` of the prepared probe's plan (a `--jobs` worker's item). */
export function probeCellAt(p: PreparedProbe, i: number): ProbeCell {
  let plan = plans.get(p);
  if (plan === undefined) plans.set(p, (plan = planProbe(p.request)));
  return runPlannedCell(p.request, plan.cells[i]!);
}

/** Runs the probe, its cells on `--jobs` workers when there are several; the cells in plan order either way. */
export async function probeWithJobs(p: PreparedProbe, opts: ProbeFlags & { readonly jobs?: number; readonly progress?: boolean }): Promise<ProbeResult> {
  const jobs = jobsOption(opts.jobs);
  const plan = boundedPlan(p, opts);
  const flags: ProbeFlags = opts;
  const bar = opts.progress === false ? undefined : startCountProgress('probe', plan.cells.length);
  try {
    const cells =
      jobs > 1 && plan.cells.length > 1
        ? await runJobs<ProbeCell>(
            plan.cells.map((_, cell) => ({ kind: 'probe-cell', opts: flags, cell }) satisfies JobItem),
            jobs,
            bar,
            undefined,
            (_item, i) => runPlannedCell(p.request, plan.cells[i]!),
          )
        : plan.cells.map((c) => {
            const r = runPlannedCell(p.request, c);
            bar?.tick();
            return r;
          });
    return assembleProbe(p.request, plan, cells);
  } finally {
    bar?.stop();
  }
}

/** Runs `probe`; returns the exit status. */
export async function runProbe(opts: ProbeOptions): Promise<number> {
  const prepared = prepareProbe(opts);
  const result = await probeWithJobs(prepared, opts);
  const text =
    opts.format === 'json'
      ? probeJson(result, prepared.file)
      : opts.format === 'html'
        ? probeHtml(prepared, result)
        : opts.format === 'ladder'
          ? probeLadders(prepared, result, opts.output ? PLAIN_STYLE : styleFor(process.stdout))
        : `${formatProbe(result, prepared.file, opts.output ? PLAIN_STYLE : styleFor(process.stdout)).join('\n')}\n`;
  writeOutput(opts.output, text);
  return opts.expect === 'works' && !allWork(result) ? EXIT_EXPECTATION_FAILED : EXIT_OK;
}
