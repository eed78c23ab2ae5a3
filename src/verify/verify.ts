/**
 * `ftpwall verify` for one scenario × policy: export the policy to nft, run the
 * scenario for real through the kernel, simulate it, replay the kernel's own
 * capture, and compare the three flow by flow. Scenarios the kernel cannot run
 * faithfully are reported as not comparable, with the reason, and not run.
 */
import { hasErrors, type Diagnostic } from '../diag/diagnostic.js';
import { parseConfig } from '../dialects/load.js';
import { createStaticFirewall } from '../engine/static.js';
import { createStatefulFirewall, type TablesView } from '../engine/stateful/firewall.js';
import { recordSnapshots, type SnapshotSeries } from '../engine/recorder.js';
import { unsimulatedParts } from '../engine/unsimulated.js';
import type { Firewall } from '../engine/verdict.js';
import { algOff } from '../export/nat.js';
import { exportNft } from '../export/nft.js';
import { formatEndpoint, formatIp, ipKey, ipv4, parseIp, type IpAddress } from '../net/address.js';
import type { NatRule } from '../policy/nat.js';
import type { Policy } from '../policy/model.js';
import { makeTopology, type TopologyEntry } from '../replay/index.js';
import { kernelFlows } from './kernel-flows.js';
import { buildRunReport, type RunReport } from '../report/run.js';
import { interfaceAddressMap } from '../scenario/interfaces.js';
import type { Scenario } from '../scenario/model.js';
import { simulate } from '../sim/run.js';
import { compareRuns, kernelVerdict, type Agreement } from './agreement.js';
import type { FirewallAddress } from './topology.js';
import { runKernelScenario, type KernelRun, type KernelRunOptions, type KernelRuleset } from './kernel.js';
import { comparePayloads, compareReadback, replayCellsByKernelFlow, replayRecorded, type PayloadCheck, type ReadbackCheck } from './readback.js';

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
  /** a Linux ruleset to load as it is (the policy is its reading); default: the policy's nft export */
  readonly linuxRuleset?: { readonly dialect: 'nft' | 'iptables'; readonly text: string };
  /** namespace names start with this */
  readonly namespacePrefix?: string;
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
      readonly simulationTables?: SnapshotSeries;
      /** problems reading the kernel's capture for the replay */
      readonly replayDiagnostics: readonly Diagnostic[];
      /** the kernel's listing of the loaded ruleset, read back and replayed over the kernel's capture */
      readonly readback: ReadbackCheck | undefined;
      /** each forwarded PORT/EPRT/227/229: as the kernel let it leave, as the simulation's engine does */
      readonly payloads: readonly PayloadCheck[];
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
 * - A session that reaches its server through a NAT address (serverAddress) needs a config that translates it.
 * - H3C `undo nat alg ftp` with FTP inspection (ASPF): the device inspects FTP and opens pinholes but leaves
 *   the payload untranslated (sheet 8.1). Linux has that only where nf_nat_ftp is a module nobody loaded; a
 *   kernel with it loaded or built in rewrites every NATed connection that has a helper, so the export can
 *   only drop the helper there (plan.ts warns) and the kernel would run a different policy. The no-helper
 *   kernel behaviour is verified with the Linux rulesets themselves (rules/linux-dnat-no-helper.iptables).
 */
export function notComparableReasons(scenario: Scenario, engine: 'static' | 'stateful', policy?: Policy): string[] {
  const reasons: string[] = [];
  for (const s of scenario.sessions) {
    const pub = s.clientBehaviour.serverAddress;
    if (pub && policy && !(policy.nat ?? []).some((r) => (r.kind === 'dnat' || r.kind === 'redirect') && r.match.dst.kind === 'v4' && pub.family === 4 && r.match.dst.addr === pub.v4))
      reasons.push(`session '${s.name}' reaches its server through the NAT address ${formatIp(pub)}, which no NAT rule of this config translates (no such server on the kernel's network)`);
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
  }
  if (engine === 'stateful' && policy && !policy.ruleset && algOff(policy) && policy.inspections.some((i) => i.protocol === 'ftp'))
    reasons.push(
      "the config inspects FTP with 'undo nat alg ftp': the device opens pinholes without rewriting the payload, which no Linux ruleset can do on a kernel with nf_nat_ftp loaded (the export drops the helper on NATed connections instead); verify the no-helper case with a Linux ruleset such as rules/linux-dnat-no-helper.iptables",
    );
  const vpnHosts = scenario.hosts.filter((h) => h.vpn !== undefined).map((h) => h.name);
  if (vpnHosts.length > 0) reasons.push(`host ${vpnHosts.join(', ')} belongs to a VPN instance; the kernel run has no VRFs, so its packets would be public traffic`);
  return reasons;
}

function firewallFor(policy: Policy, engine: 'static' | 'stateful', scenario: Scenario): Firewall {
  if (engine === 'static') return createStaticFirewall(policy);
  const interfaceAddresses = interfaceAddressMap(scenario.interfaces);
  return createStatefulFirewall(policy, interfaceAddresses ? { loose: false, interfaceAddresses } : { loose: false });
}

/** The firewall's own address on a MASQUERADE rule's outgoing interface, as the scenario gives it (`interfaces:`). */
function masqueradeAddress(r: NatRule, scenario: Scenario | undefined): IpAddress | undefined {
  if (r.kind !== 'masquerade' || r.outInterface === undefined) return undefined;
  return scenario?.interfaces?.find((i) => i.name === r.outInterface)?.address;
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

/**
 * The NAT addresses the firewall owns, on its Linux interfaces: each DNAT rule's single destination address
 * (`nat server … global G`, `nat static`) on its ingress interface, each SNAT rule's single address (Easy IP:
 * the interface's own) on its egress interface. Routing needs none of them (DNAT runs before routing, SNAT
 * after it); they are there as on the device, so a packet to a public address NAT does not translate ends at
 * the firewall, not in the network behind it.
 */
export function natFirewallAddresses(policy: Policy, interfaceMap: ReadonlyMap<string, string>, scenario?: Scenario): FirewallAddress[] {
  const out = new Map<string, FirewallAddress>();
  for (const r of policy.nat ?? []) {
    let iface: string | undefined;
    let addr: IpAddress | undefined;
    if ((r.kind === 'dnat' || r.kind === 'redirect') && r.inInterface !== undefined && r.match.dst.kind === 'v4' && r.match.dst.wildcard === 0) {
      iface = r.inInterface;
      addr = ipv4(r.match.dst.addr);
    } else if (r.kind === 'snat' && r.outInterface !== undefined && r.toAddr && r.toAddr.lo === r.toAddr.hi) {
      iface = r.outInterface;
      addr = parseIp(r.toAddr.lo);
    } else if (r.kind === 'masquerade') {
      iface = r.outInterface;
      addr = masqueradeAddress(r, scenario);
    }
    const device = iface === undefined ? undefined : (interfaceMap.get(iface) ?? (policy.ruleset ? iface : undefined));
    // MASQUERADE takes the interface's first address (inet_select_addr): the scenario's goes first
    if (device !== undefined && addr !== undefined && !out.has(ipKey(addr))) out.set(ipKey(addr), { device, address: addr, ...(r.kind === 'masquerade' ? { primary: true } : {}) });
  }
  return [...out.values()];
}

/**
 * Where the NAT addresses sit for the replay of the kernel's capture: behind the interface of the hosts they
 * stand for (a DNAT address behind its target's interface, an SNAT address behind the first host that is not
 * on the SNAT rule's interface), so packets to them cross the firewall as they did in the kernel.
 */
export function natTopology(policy: Policy, scenario: Scenario): TopologyEntry[] {
  const hosts = [...scenario.hosts, ...scenario.sessions.flatMap((s) => [s.client, s.server])];
  const out: TopologyEntry[] = [];
  for (const r of policy.nat ?? []) {
    if ((r.kind === 'dnat' || r.kind === 'redirect') && r.match.dst.kind === 'v4' && r.match.dst.wildcard === 0) {
      const target = r.toAddr ? hosts.find((h) => h.address.family === 4 && ipKey(h.address) === ipKey(parseIp(r.toAddr!.lo) ?? h.address)) : undefined;
      const other = target ?? hosts.find((h) => h.interface !== r.inInterface);
      if (other) out.push({ prefix: { addr: ipv4(r.match.dst.addr), prefixLen: 32 }, iface: other.interface, origin: `NAT ${r.at.file}:${r.at.line}` });
    } else if ((r.kind === 'snat' && r.toAddr && r.toAddr.lo === r.toAddr.hi) || masqueradeAddress(r, scenario)) {
      const a = r.kind === 'masquerade' ? masqueradeAddress(r, scenario) : parseIp(r.toAddr!.lo);
      const inside = hosts.find((h) => h.interface !== r.outInterface);
      if (a && inside) out.push({ prefix: { addr: a, prefixLen: a.family === 4 ? 32 : 128 }, iface: inside.interface, origin: `NAT ${r.at.file}:${r.at.line}` });
    }
  }
  return out;
}

/** Sessions whose client reaches its server through a source NAT rule (on the server's interface, the client elsewhere). */
export function sourceNattedSessions(policy: Policy, scenario: Scenario): Set<string> {
  const out = new Set<string>();
  for (const s of scenario.sessions)
    if ((policy.nat ?? []).some((r) => (r.kind === 'snat' || r.kind === 'masquerade') && r.outInterface === s.server.interface && s.client.interface !== s.server.interface)) out.add(s.name);
  return out;
}

/** Reads the kernel's listing back and replays the arrived capture through it. */
function readBack(job: VerifyJob, kernel: KernelRun): ReadbackCheck | undefined {
  const listing = kernel.listing;
  if (!listing || !kernel.capture?.arrived) return undefined;
  const parsed = parseConfig(listing.text, `kernel:${listing.dialect === 'nft' ? 'nft list ruleset' : 'iptables-save'}`, listing.dialect);
  // what the engines cannot simulate yet (a Linux ruleset's NAT) is an error here too: no read-back without it
  const readErrors = [...parsed.diagnostics, ...unsimulatedParts(parsed.value)];
  const base = { dialect: listing.dialect, text: listing.text, diagnostics: readErrors };
  if (hasErrors(readErrors)) return { ...base, packets: kernel.arrived.length, dropped: 0, replayed: 0, mismatches: [], agree: false };
  // the listing names Linux interfaces: the topology follows the interface map
  const linux = (iface: string): string => job.interfaceMap.get(iface) ?? iface;
  const entries = [...scenarioTopology(job.scenario), ...natTopology(job.policy, job.scenario)].map((e) => ({ ...e, iface: linux(e.iface) }));
  const own = job.scenario.interfaces?.map((i) => ({ ...i, name: linux(i.name) }));
  const interfaceAddresses = interfaceAddressMap(own);
  const fw = createStatefulFirewall(parsed.value, interfaceAddresses ? { loose: false, interfaceAddresses } : { loose: false });
  const r = replayRecorded(kernel.capture.arrived, fw, makeTopology(entries, undefined), controlPorts(job.scenario));
  const c = compareReadback(kernel.arrived, r.steps);
  return { ...base, diagnostics: [...readErrors, ...r.diagnostics], ...c, agree: c.mismatches.length === 0 };
}

function controlPorts(scenario: Scenario): number[] {
  return [...new Set(scenario.sessions.map((s) => s.serverBehaviour.controlPort))];
}

/** Runs one job (needs root; see checkPrerequisites). Throws only when the machine fails mid-run. */
export async function verifyScenario(job: VerifyJob, kernelOptions: Partial<KernelRunOptions> = {}): Promise<VerifyResult> {
  const reasons = notComparableReasons(job.scenario, job.engine, job.policy);
  if (reasons.length > 0) return { kind: 'not-comparable', job, reasons };
  let ruleset: KernelRuleset;
  if (job.linuxRuleset) ruleset = job.linuxRuleset.dialect === 'nft' ? { nft: job.linuxRuleset.text } : { iptables: job.linuxRuleset.text };
  else {
    const nft = exportNft(job.policy, { interfaceMap: job.interfaceMap, stateful: job.engine === 'stateful' });
    if (hasErrors(nft.diagnostics)) return { kind: 'refused', job, diagnostics: nft.diagnostics };
    ruleset = { nft: nft.value };
  }
  const rec = job.recordTables ? recordSnapshots(firewallFor(job.policy, job.engine, job.scenario)) : undefined;
  const trace = simulate(job.scenario, rec?.firewall ?? firewallFor(job.policy, job.engine, job.scenario));
  const simulationTables = rec?.snapshots();
  const simulation = buildRunReport({ scenario: job.scenario.name, source: job.scenario.source, config: job.config, engine: job.engine }, trace);
  const firewallAddresses = natFirewallAddresses(job.policy, job.interfaceMap, job.scenario);
  const kernel = await runKernelScenario(job.scenario, ruleset, {
    maxWaitMs: MAX_KERNEL_WAIT_MS,
    ...kernelOptions,
    interfaceMap: job.interfaceMap,
    passivePorts: simulatedPassivePorts(job.scenario, simulation),
    firewallAddresses,
    translatedClients: sourceNattedSessions(job.policy, job.scenario),
    ...(job.outDir ? { outDir: job.outDir } : {}),
    ...(job.namespacePrefix ? { namespacePrefix: job.namespacePrefix } : {}),
  });
  if (hasErrors(kernel.diagnostics)) return { kind: 'refused', job, diagnostics: kernel.diagnostics };
  let replayFlows: Parameters<typeof compareRuns>[0]['replay'] = [];
  let replayByKernelFlow: Parameters<typeof compareRuns>[0]['replayByKernelFlow'];
  let payloads: PayloadCheck[] = [];
  const replayDiagnostics: Diagnostic[] = [];
  if (kernel.capture?.arrived) {
    const nat = (job.policy.nat?.length ?? 0) > 0;
    const topology = makeTopology([...scenarioTopology(job.scenario), ...natTopology(job.policy, job.scenario)], undefined);
    const r = replayRecorded(kernel.capture.arrived, firewallFor(job.policy, job.engine, job.scenario), topology, controlPorts(job.scenario));
    replayFlows = r.replay.flows;
    for (const d of r.diagnostics) replayDiagnostics.push(d);
    payloads = comparePayloads(kernel.arrived, r.steps);
    if (nat) {
      // the replay's own flows split a NATed connection into its two sides: take its verdicts by kernel flow
      const ids: number[] = [];
      kernelFlowIds(kernel, ids);
      replayByKernelFlow = replayCellsByKernelFlow(kernel.flows, kernel.arrived, r.steps, (i) => ids[i]);
    }
  }
  const transfers = (name: string): number =>
    job.scenario.sessions.find((s) => s.name === name)?.steps.filter((st) => st.kind === 'list' || st.kind === 'retr' || st.kind === 'stor').length ?? 0;
  const agreement = compareRuns({
    kernel: kernel.flows,
    simulation: simulation.flows,
    replay: replayFlows,
    ...(replayByKernelFlow ? { replayByKernelFlow } : {}),
    kernelSessions: kernel.sessions.map((s) => ({ session: s.session, verdict: kernelVerdict(s, transfers(s.session)) })),
    simulationSessions: simulation.sessions,
  });
  const readback = readBack(job, kernel);
  return { kind: 'compared', job, agreement, kernel, simulation, replayDiagnostics, readback, payloads, ...(simulationTables && simulationTables.length > 0 ? { simulationTables } : {}) };
}

/** The kernel flow id of each arrived segment, in order (the grouping kernelFlows made). */
function kernelFlowIds(kernel: KernelRun, ids: number[]): void {
  kernelFlows(kernel.arrived, new Map(), () => ({ role: 'other' }), ids);
}
