/**
 * `ftpwall verify` for one scenario × policy: export the policy to nft, run the
 * scenario for real through the kernel, simulate it, replay the kernel's own
 * capture, and compare the three flow by flow. Scenarios the kernel cannot run
 * faithfully are reported as not comparable, with the reason, and not run.
 */
import { hasErrors, type Diagnostic } from '../diag/diagnostic.js';
import { createStaticFirewall } from '../engine/static.js';
import { createStatefulFirewall, type TablesView } from '../engine/stateful/firewall.js';
import { recordSnapshots } from '../engine/recorder.js';
import type { Firewall } from '../engine/verdict.js';
import { exportNft } from '../export/nft.js';
import { formatEndpoint, ipKey, type IpAddress } from '../net/address.js';
import type { Policy } from '../policy/model.js';
import { makeTopology, replayCapture, type TopologyEntry } from '../replay/index.js';
import { buildRunReport, type RunReport } from '../report/run.js';
import type { Scenario } from '../scenario/model.js';
import { simulate } from '../sim/run.js';
import { openCapture } from '../wire/index.js';
import { compareRuns, kernelVerdict, type Agreement } from './agreement.js';
import { runKernelScenario, type KernelRun, type KernelRunOptions } from './kernel.js';

/** One verify job. */
export interface VerifyJob {
  readonly scenario: Scenario;
  readonly policy: Policy;
  /** the config file, for labels */
  readonly config: string;
  readonly engine: 'static' | 'stateful';
  /** H3C interface → Linux interface, used for the export and the namespaces */
  readonly interfaceMap: ReadonlyMap<string, string>;
  /** where captures are kept; default a new temp directory per run */
  readonly outDir?: string;
  /** keep the conntrack and expectation tables after each simulated packet (for the HTML page) */
  readonly recordTables?: boolean;
}

/** What verify found for one job. */
export type VerifyResult =
  | { readonly kind: 'not-comparable'; readonly job: VerifyJob; readonly reasons: readonly string[] }
  | { readonly kind: 'refused'; readonly job: VerifyJob; readonly diagnostics: readonly Diagnostic[] }
  | {
      readonly kind: 'compared';
      readonly job: VerifyJob;
      readonly agreement: Agreement;
      readonly kernel: KernelRun;
      readonly simulation: RunReport;
      /** the simulation's tables after packet n, at index n - 1 (with `recordTables`, stateful engine) */
      readonly simulationTables?: readonly TablesView[];
      /** problems reading the kernel's capture for the replay */
      readonly replayDiagnostics: readonly Diagnostic[];
    };

/** Scenario waits and connect delays longer than this are shortened in the kernel (real time). */
export const MAX_KERNEL_WAIT_MS = 2000;

/**
 * Why the kernel cannot run this scenario faithfully under this engine, or [] when it can.
 * - Long waits are shortened to MAX_KERNEL_WAIT_MS; with conntrack the timers then differ: the FTP helper's
 *   expectation timeout is fixed at 300 s (nf_conntrack_ftp's ftp_exp_policy, not a sysctl; nfnetlink_cthelper
 *   changes the policy of user-space helpers only; nft `ct expectation` objects create their own expectations,
 *   not the helper's). Without conntrack the ACLs have no timers, so a shortened wait changes nothing.
 * - vsftpd runs without TLS: AUTH TLS is refused and the control channel stays in clear text, so the kernel's
 *   FTP helper reads the 227 that the simulated (encrypted) session hides.
 * - vsftpd's pasv_address is IPv4 only; vsftpd never connects to a port below 1024.
 * - NAT topologies (a client connecting to a public address, `serverAddress`) are not built in namespaces yet.
 */
export function notComparableReasons(scenario: Scenario, engine: 'static' | 'stateful'): string[] {
  const reasons: string[] = [];
  for (const s of scenario.sessions) {
    if (engine === 'stateful') {
      const longest = s.steps.reduce((m, st) => Math.max(m, st.kind === 'wait' ? st.sec : 'transfer' in st ? (st.transfer.connectDelaySec ?? 0) : 0), 0);
      if (longest * 1000 > MAX_KERNEL_WAIT_MS)
        reasons.push(
          `session '${s.name}' waits ${longest} s; the kernel run waits at most ${MAX_KERNEL_WAIT_MS / 1000} s, and the FTP helper's 300 s expectation timeout cannot be shortened to match (it is nf_conntrack_ftp's fixed expect policy, not a sysctl or module parameter)`,
        );
      if (s.steps.some((st) => st.kind === 'auth-tls'))
        reasons.push(`session '${s.name}' uses AUTH TLS; vsftpd runs without TLS here, so the kernel's FTP helper would read the clear-text 227 that the simulated encrypted session hides`);
    }
    const port = s.clientBehaviour.announcePort;
    if (port !== undefined && port < 1024)
      reasons.push(
        `session '${s.name}' announces port ${port}; vsftpd 3.0 refuses to connect to a port below 1024 whatever port_promiscuous says (privops.c: die("Illegal port request")), while the simulated server connects`,
      );
    if (s.serverBehaviour.announceAddress?.family === 6) reasons.push(`session '${s.name}': vsftpd cannot announce an IPv6 address (pasv_address is IPv4 only)`);
    if (s.clientBehaviour.serverAddress || s.clientBehaviour.pasvAddress === 'ignore')
      reasons.push(`session '${s.name}' reaches its server through a NAT address (serverAddress, pasvAddress); the kernel run has no NAT topology yet`);
  }
  const vpnHosts = scenario.hosts.filter((h) => h.vpn !== undefined).map((h) => h.name);
  if (vpnHosts.length > 0) reasons.push(`host ${vpnHosts.join(', ')} belongs to a VPN instance; the kernel run has no VRFs, so its packets would be public traffic`);
  return reasons;
}

function firewallFor(policy: Policy, engine: 'static' | 'stateful'): Firewall {
  return engine === 'static' ? createStaticFirewall(policy) : createStatefulFirewall(policy, { loose: false });
}

/** Each session's passive port as the simulated server chose it (the server end of its first client-opened data flow). */
export function simulatedPassivePorts(scenario: Scenario, report: RunReport): Map<string, number> {
  const ports = new Map<string, number>();
  for (const s of scenario.sessions) {
    const server = formatEndpoint(s.server.address, 0).replace(/0$/, '');
    const f = report.flows.find((fl) => fl.session === s.name && fl.role === 'data' && fl.server.startsWith(server));
    const port = f ? Number(/:(\d+)$/.exec(f.server)?.[1]) : NaN;
    if (Number.isInteger(port)) ports.set(s.name, port);
  }
  return ports;
}

/** Where each scenario address sits, as `--inside ADDR@IFACE` would say: hosts, data sources, announced addresses. */
export function scenarioTopology(scenario: Scenario): TopologyEntry[] {
  const entries = new Map<string, TopologyEntry>();
  const add = (a: IpAddress, iface: string, origin: string): void => {
    if (!entries.has(ipKey(a))) entries.set(ipKey(a), { prefix: { addr: a, prefixLen: a.family === 4 ? 32 : 128 }, iface, origin });
  };
  for (const h of scenario.hosts) add(h.address, h.interface, `host ${h.name}`);
  for (const s of scenario.sessions) {
    add(s.client.address, s.client.interface, `host ${s.client.name}`);
    add(s.server.address, s.server.interface, `host ${s.server.name}`);
    if (s.clientBehaviour.dataSourceAddress) add(s.clientBehaviour.dataSourceAddress, s.client.interface, `session ${s.name} data source`);
    if (s.clientBehaviour.announceAddress) add(s.clientBehaviour.announceAddress, s.client.interface, `session ${s.name} PORT address`);
    if (s.serverBehaviour.announceAddress) add(s.serverBehaviour.announceAddress, s.server.interface, `session ${s.name} 227 address`);
  }
  return [...entries.values()];
}

/** Runs one job (needs root; see checkPrerequisites). Throws only when the machine fails mid-run. */
export async function verifyScenario(job: VerifyJob, kernelOptions: Partial<KernelRunOptions> = {}): Promise<VerifyResult> {
  const reasons = notComparableReasons(job.scenario, job.engine);
  if (reasons.length > 0) return { kind: 'not-comparable', job, reasons };
  const nft = exportNft(job.policy, { interfaceMap: job.interfaceMap, stateful: job.engine === 'stateful' });
  if (hasErrors(nft.diagnostics)) return { kind: 'refused', job, diagnostics: nft.diagnostics };
  const rec = job.recordTables ? recordSnapshots(firewallFor(job.policy, job.engine)) : undefined;
  const trace = simulate(job.scenario, rec?.firewall ?? firewallFor(job.policy, job.engine));
  const simulationTables = rec?.snapshots();
  const simulation = buildRunReport({ scenario: job.scenario.name, source: job.scenario.source, config: job.config, engine: job.engine }, trace);
  const kernel = await runKernelScenario(
    job.scenario,
    { nft: nft.value },
    { maxWaitMs: MAX_KERNEL_WAIT_MS, ...kernelOptions, interfaceMap: job.interfaceMap, passivePorts: simulatedPassivePorts(job.scenario, simulation), ...(job.outDir ? { outDir: job.outDir } : {}) },
  );
  if (hasErrors(kernel.diagnostics)) return { kind: 'refused', job, diagnostics: kernel.diagnostics };
  let replayFlows: Parameters<typeof compareRuns>[0]['replay'] = [];
  const replayDiagnostics: Diagnostic[] = [];
  if (kernel.capture?.arrived) {
    const reader = openCapture(kernel.capture.arrived);
    const outcome = replayCapture(reader, {
      topology: makeTopology(scenarioTopology(job.scenario), undefined),
      firewall: firewallFor(job.policy, job.engine),
      controlPorts: [...new Set(job.scenario.sessions.map((s) => s.serverBehaviour.controlPort))],
    });
    replayFlows = outcome.replay.flows;
    for (const d of outcome.diagnostics) replayDiagnostics.push(d);
  }
  const transfers = (name: string): number =>
    job.scenario.sessions.find((s) => s.name === name)?.steps.filter((st) => st.kind === 'list' || st.kind === 'retr' || st.kind === 'stor').length ?? 0;
  const agreement = compareRuns({
    kernel: kernel.flows,
    simulation: simulation.flows,
    replay: replayFlows,
    kernelSessions: kernel.sessions.map((s) => ({ session: s.session, verdict: kernelVerdict(s, transfers(s.session)) })),
    simulationSessions: simulation.sessions,
  });
  return { kind: 'compared', job, agreement, kernel, simulation, replayDiagnostics, ...(simulationTables && simulationTables.length > 0 ? { simulationTables } : {}) };
}
