/** Loading device configs and scenarios for the commands, collecting every problem before stopping. */
import { closest, hasErrors, type Diagnostic } from '../diag/diagnostic.js';
import { createStaticFirewall } from '../engine/static.js';
import { createStatefulFirewall, type StatefulOptions, type TcpTimeoutsSec } from '../engine/stateful/firewall.js';
import type { Firewall } from '../engine/verdict.js';
import type { Policy } from '../policy/model.js';
import { withFtpPorts, withInspection } from '../policy/transform.js';
import type { Scenario } from '../scenario/model.js';
import { checkNatAddresses, checkScenarioFits } from '../scenario/fit.js';
import { interfaceAddressMap } from '../scenario/interfaces.js';
import { loadScenario } from '../scenario/load.js';
import { MAX_SECONDS } from '../scenario/yaml-read.js';
import { DEFAULT_MAX_PACKETS, checkSimulationWork } from '../scenario/work.js';
import { checkSimulationMemory } from './limits.js';
import { InputProblems, readText } from './io.js';

/** The engines a run can use; 'auto' is stateful when the config inspects FTP, static otherwise. */
export type EngineChoice = 'static' | 'stateful' | 'auto';

export { configAsScenario, dialectOption, linuxRulesetRefused, looksLikeDeviceConfig, looksLikeScenario, platformOption, scenarioAsConfig } from './config-inputs.js';
export { loadConfigs, type LoadedConfig } from './load-configs.js';
import { configAsScenario, looksLikeDeviceConfig } from './config-inputs.js';
import type { LoadedConfig } from './load-configs.js';

/**
 * Reads and validates scenarios, and refuses any whose estimated work passes `maxPackets`
 * (`--max-packets`) or the memory Node may use (`keepsPackets`: the report shows packet rows,
 * so the run keeps its packets); throws InputProblems when any has an error.
 */
export function loadScenarios(files: readonly string[], printWarnings: (d: readonly Diagnostic[]) => void, maxPackets: number = DEFAULT_MAX_PACKETS, keepsPackets = true): Scenario[] {
  const problems: Diagnostic[] = [];
  const out: Scenario[] = [];
  for (const file of files) {
    const text = readText(file, problems);
    if (text === undefined) continue;
    if (looksLikeDeviceConfig(text)) {
      problems.push(configAsScenario(file));
      continue;
    }
    const { value, diagnostics } = loadScenario(text, file);
    for (const d of diagnostics) problems.push(d);
    if (!value) continue;
    const work = checkSimulationWork(value, { maxPackets });
    for (const d of work) problems.push(d);
    if (work.length === 0) for (const d of checkSimulationMemory(value, keepsPackets)) problems.push(d);
    out.push(value);
  }
  if (hasErrors(problems)) throw new InputProblems(problems);
  printWarnings(problems);
  return out;
}

/** Options that shape the stateful engine from the command line. */
export interface EngineOptions {
  /** `--inspect ftp`: attach the FTP helper on every interface even without ASPF in the config */
  readonly inspectFtp: boolean;
  /** `--ftp-port N`: more control ports for the helper */
  readonly ftpPorts: readonly number[];
  readonly loose: boolean;
  /** `--conntrack-timeout STATE=SEC` */
  readonly timeouts?: Partial<TcpTimeoutsSec>;
  /** `--expectation-timeout SEC` */
  readonly expectationTimeoutSec?: number;
  /** `--conntrack-max N` */
  readonly maxConnections?: number;
  /** `--no-nat-ftp`: the kernel has no nf_nat_ftp, NATed control connections are tracked but not rewritten */
  readonly natFtp?: boolean;
}

/** Linux sysctl names (`nf_conntrack_tcp_timeout_<name>`) → the engine's timeout keys. */
const TIMEOUT_NAMES: Readonly<Record<string, keyof TcpTimeoutsSec>> = {
  syn_sent: 'synSent',
  syn_recv: 'synRecv',
  established: 'established',
  fin_wait: 'finWait',
  close_wait: 'closeWait',
  last_ack: 'lastAck',
  time_wait: 'timeWait',
  close: 'close',
  max_retrans: 'maxRetrans',
  unacknowledged: 'unacknowledged',
};

/** The command-line options every engine-running command shares, as commander parses them. */
export interface EngineFlags {
  readonly inspect?: string;
  readonly ftpPort?: number[];
  readonly loose: boolean;
  readonly conntrackTimeout?: string[];
  readonly expectationTimeout?: string;
  readonly conntrackMax?: string;
  /** commander's `--no-nat-ftp` (true unless given) */
  readonly natFtp?: boolean;
}

/** Checks the engine options: `--inspect` (only FTP has a helper), timeouts, table size. */
export function engineOptions(opts: EngineFlags): EngineOptions {
  const problems: Diagnostic[] = [];
  const bad = (message: string, suggestion?: string): void => {
    problems.push({ severity: 'error', message, ...(suggestion ? { suggestion } : {}) });
  };
  if (opts.inspect !== undefined && opts.inspect.toLowerCase() !== 'ftp') bad(`--inspect '${opts.inspect}': only 'ftp' has a helper`, "use '--inspect ftp'");
  const timeouts: Partial<Record<keyof TcpTimeoutsSec, number>> = {};
  for (const item of opts.conntrackTimeout ?? []) {
    const m = /^([a-z_]+)=(\d+)$/.exec(item.trim().replace(/^nf_conntrack_tcp_timeout_/, ''));
    const key = m ? TIMEOUT_NAMES[m[1]!] : undefined;
    if (!m || !key) {
      const word = item.split('=')[0] ?? item;
      const near = closest(word, Object.keys(TIMEOUT_NAMES));
      bad(`--conntrack-timeout '${item}': expected STATE=SECONDS with STATE one of ${Object.keys(TIMEOUT_NAMES).join(', ')}`, near ? `did you mean '${near}'?` : undefined);
      continue;
    }
    if (Number(m[2]) > MAX_SECONDS) {
      bad(`--conntrack-timeout '${item}': at most ${MAX_SECONDS} seconds (the virtual clock's limit)`);
      continue;
    }
    timeouts[key] = Number(m[2]);
  }
  const positive = (name: string, text: string | undefined, max: number): number | undefined => {
    if (text === undefined) return undefined;
    if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > max) {
      bad(`${name} '${text}': expected a whole number from 1 to ${max}`);
      return undefined;
    }
    return Number(text);
  };
  const expectationTimeoutSec = positive('--expectation-timeout', opts.expectationTimeout, MAX_SECONDS);
  // nf_conntrack_max is an unsigned int in Linux
  const maxConnections = positive('--conntrack-max', opts.conntrackMax, 0xffffffff);
  if (problems.length > 0) throw new InputProblems(problems);
  return {
    inspectFtp: opts.inspect !== undefined,
    ftpPorts: opts.ftpPort ?? [],
    loose: opts.loose,
    ...(Object.keys(timeouts).length > 0 ? { timeouts } : {}),
    ...(expectationTimeoutSec !== undefined ? { expectationTimeoutSec } : {}),
    ...(maxConnections !== undefined ? { maxConnections } : {}),
    ...(opts.natFtp === false ? { natFtp: false } : {}),
  };
}

const warnedNoSessions = new WeakSet<Policy>();

/** The engine a choice resolves to for a policy (a stateful choice on a config without ASPF is warned about, once). */
export function resolveEngine(choice: EngineChoice, policy: Policy, options: EngineOptions): 'static' | 'stateful' {
  if (choice === 'stateful' && !options.inspectFtp && policy.sessionScope?.points.length === 0 && !policy.sessionScope.zones && !warnedNoSessions.has(policy)) {
    warnedNoSessions.add(policy);
    process.stderr.write(
      `ftpwall: warning: ${policy.source} applies no ASPF, so with the stateful engine no connection is a session and every packet meets the packet filters, as on the device; give --inspect ftp for Linux-style tracking everywhere\n`,
    );
  }
  if (choice === 'static' && (policy.nat?.length ?? 0) > 0 && !warnedNoSessions.has(policy)) {
    warnedNoSessions.add(policy);
    process.stderr.write(`ftpwall: warning: ${policy.source} has NAT rules, which only the stateful engine applies: the static engine judges every packet untranslated\n`);
  }
  if (choice !== 'auto') return choice;
  // a Linux ruleset runs with connection tracking, as on the kernel (its conntrack conditions need it)
  if (policy.ruleset) return 'stateful';
  return policy.inspections.length > 0 || (policy.sessionScope?.points.length ?? 0) > 0 || policy.sessionScope?.zones !== undefined || options.inspectFtp || (policy.nat?.length ?? 0) > 0 ? 'stateful' : 'static';
}

/** The policy as the options change it: `--inspect ftp` everywhere, `--ftp-port` on every FTP inspection. */
export function effectivePolicy(policy: Policy, options: EngineOptions): Policy {
  const inspected = options.inspectFtp
    ? withInspection(policy, { interface: '*', direction: 'both', protocol: 'ftp', ports: [FTP_CONTROL_PORT] })
    : policy;
  const ported = withFtpPorts(inspected, options.ftpPorts);
  return options.natFtp === false ? { ...ported, natFtpAlg: false } : ported;
}

/** Well-known FTP control port (RFC 959). */
const FTP_CONTROL_PORT = 21;

/** Builds a fresh firewall (engines keep state, so one per run); `scenario` gives the firewall's interface addresses (MASQUERADE). */
export function makeFirewall(engine: 'static' | 'stateful', policy: Policy, options: EngineOptions, wallClockStartMs?: number, scenario?: Scenario): Firewall {
  const effective = effectivePolicy(policy, options);
  const clock = wallClockStartMs !== undefined ? { wallClockStartMs } : {};
  if (engine === 'static') return createStaticFirewall(effective, clock);
  const stateful: StatefulOptions = {
    ...clock,
    loose: options.loose,
    ...(options.timeouts ? { timeouts: options.timeouts } : {}),
    ...(options.expectationTimeoutSec !== undefined ? { expectationTimeoutSec: options.expectationTimeoutSec } : {}),
    ...(options.maxConnections !== undefined ? { maxConnections: options.maxConnections } : {}),
  };
  const addresses = interfaceAddressMap(scenario?.interfaces);
  return createStatefulFirewall(effective, addresses ? { ...stateful, interfaceAddresses: addresses } : stateful);
}

/** Every host of every scenario must sit behind an interface each config declares; throws InputProblems otherwise. */
export function checkScenariosFit(scenarios: readonly Scenario[], configs: readonly LoadedConfig[]): void {
  const problems: Diagnostic[] = [];
  for (const c of configs)
    for (const s of scenarios) {
      for (const d of checkScenarioFits(s, c.policy)) problems.push(d);
      for (const d of checkNatAddresses(s, c.policy)) problems.push(d);
    }
  if (problems.length > 0) throw new InputProblems(problems);
}

/** The engine options as plain flags, for a worker to read again. */
export function engineFlagsOf(opts: EngineFlags): EngineFlags {
  return {
    loose: opts.loose,
    ...(opts.inspect !== undefined ? { inspect: opts.inspect } : {}),
    ftpPort: opts.ftpPort,
    ...(opts.conntrackTimeout !== undefined ? { conntrackTimeout: opts.conntrackTimeout } : {}),
    ...(opts.expectationTimeout !== undefined ? { expectationTimeout: opts.expectationTimeout } : {}),
    ...(opts.conntrackMax !== undefined ? { conntrackMax: opts.conntrackMax } : {}),
    ...(opts.natFtp === false ? { natFtp: false } : {}),
  };
}
