/**
 * The kernel side of `ftpwall verify`: runs a scenario for real through Linux
 * netfilter in network namespaces (vsftpd as the server, ftp-client.mjs as the
 * client, the exported nft ruleset on the firewall), captures at the firewall,
 * and reports each connection's kernel outcome, flow by flow.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, chownSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { hasErrors, type Diagnostic } from '../diag/diagnostic.js';
import { formatIp, type IpAddress } from '../net/address.js';
import type { Scenario, Session } from '../scenario/model.js';
import type { ClientResult, ClientSpec, ClientStep } from './client-spec.js';
import { openCapture } from '../wire/index.js';
import { endpointText, matchForwarding, readFirewallSegments, type ArrivedSegment } from './capture.js';
import { parseExpectations, type KernelExpectation } from './conntrack.js';
import { background, CleanupStack, killSync, must, run, sleep, stop, waitFor } from './exec.js';
import { kernelFlows, type FlowClassifier, type KernelFlow } from './kernel-flows.js';
import { checkPrerequisites } from './prereq.js';
import { buildTopology, planTopology, sideOf, type FirewallAddress, type Topology } from './topology.js';
import { loadRuleset, nftCounters, type KernelListing, type KernelRuleset, type NftCounter } from './listing.js';

export { nftCounters, type KernelListing, type KernelRuleset, type NftCounter } from './listing.js';
import { serverSourceNat, vsftpdConfig } from './vsftpd.js';

/** Bounds and places of a kernel run; every time is real time, scaled down from the scenario. */
export interface KernelRunOptions {
  /** H3C interface → Linux name; must be the map the ruleset was exported with */
  readonly interfaceMap: ReadonlyMap<string, string>;
  /** where the capture is written (kept); default: a new directory under the system temp dir */
  readonly outDir?: string;
  /** each client connect, and the wait for the server's active connect (default 3000) */
  readonly connectTimeoutMs?: number;
  /** each control reply (default 6000) */
  readonly replyTimeoutMs?: number;
  /** scenario waits and connect delays longer than this are shortened (default 2000) */
  readonly maxWaitMs?: number;
  /** net.ipv4.tcp_syn_retries in client and server namespaces, at most the scenario's (default 2) */
  readonly synRetries?: number;
  /**
   * session name → the passive port its server offers; default the first of the scenario's range.
   * `verify` passes the port the simulated server chose, so both runs use the same endpoints.
   */
  readonly passivePorts?: ReadonlyMap<string, number>;
  /**
   * NAT addresses the firewall itself owns (a `nat server` global address, an Easy IP address), each on its
   * Linux interface; also taken as addresses of the scenario's hosts when flows are told apart
   */
  readonly firewallAddresses?: readonly FirewallAddress[];
  /** sessions whose client is behind source NAT (its control connection arrives from a NAT address) */
  readonly translatedClients?: ReadonlySet<string>;
  /** namespace names start with this (default `ftpw-PID-N`) */
  readonly namespacePrefix?: string;
}

/** What one session's client saw. */
export interface KernelSession {
  readonly session: string;
  readonly client: ClientResult | undefined;
  readonly error?: string;
  /** vsftpd's protocol log of the session */
  readonly serverLog: string;
}

/** The result of a kernel run. */
export interface KernelRun {
  readonly scenario: string;
  readonly source: string;
  /** problems with the scenario or the map; with errors nothing ran */
  readonly diagnostics: readonly Diagnostic[];
  /** per connection: client/server endpoints, role, passed or blocked */
  readonly flows: readonly KernelFlow[];
  readonly sessions: readonly KernelSession[];
  /** expectation events (`conntrack -E expect`) seen while the sessions ran */
  readonly expectations: readonly KernelExpectation[];
  /** expectations still pending at the end (`conntrack -L expect`) */
  readonly pendingExpectations: readonly KernelExpectation[];
  /** `conntrack -L` at the end, as printed */
  readonly conntrack: readonly string[];
  readonly counters: readonly NftCounter[];
  /** the ruleset as the kernel listed it right after loading it */
  readonly listing: KernelListing | undefined;
  /** every segment that arrived at the firewall, in capture order, with its forwarded copy if any */
  readonly arrived: readonly ArrivedSegment[];
  /**
   * the firewall capture (pcap, LINUX_SLL2, both interfaces) and its interface indexes; `arrived` holds
   * only the packets as they arrived at the firewall (tcpdump's `inbound` filter), one copy each, for replay
   */
  readonly capture: { readonly file: string; readonly arrived: string | undefined; readonly listing?: string; readonly interfaces: readonly { readonly ifindex: number; readonly device: string; readonly h3c?: string }[] } | undefined;
  /** where and why the run departs from the scenario (scaled waits, anonymous login, …) */
  readonly notes: readonly string[];
}

let runCounter = 0;

/**
 * The client script: next to this module (src/verify, dist/verify), in dist/verify from the bundled
 * dist/cli (scripts/bundle.mjs), or in src/verify from a built dist/src/verify.
 */
function clientScript(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const candidate of [join(here, 'ftp-client.mjs'), resolve(here, '../verify/ftp-client.mjs'), resolve(here, '../../src/verify/ftp-client.mjs')]) if (existsSync(candidate)) return candidate;
  throw new Error(`ftp-client.mjs not found next to ${here}`);
}

function emptyRun(scenario: Scenario, diagnostics: readonly Diagnostic[], notes: readonly string[] = []): KernelRun {
  return { scenario: scenario.name, source: scenario.source, diagnostics, flows: [], sessions: [], expectations: [], pendingExpectations: [], conntrack: [], counters: [], listing: undefined, arrived: [], capture: undefined, notes };
}

/** Scenario steps as client steps, with waits in real milliseconds (shortened where noted). */
function clientSteps(session: Session, maxWaitMs: number, notes: string[]): ClientStep[] {
  const cap = (ms: number, what: string): number => {
    if (ms <= maxWaitMs) return ms;
    notes.push(`session '${session.name}': ${what} of ${ms} ms shortened to ${maxWaitMs} ms (kernel timers such as the 300 s expectation timeout are not scaled)`);
    return maxWaitMs;
  };
  return session.steps.map((step, index): ClientStep => {
    switch (step.kind) {
      case 'login':
        if (step.user !== 'anonymous' && step.user !== 'ftp') notes.push(`session '${session.name}': logs in to vsftpd as anonymous instead of '${step.user}'`);
        return { index, kind: 'login', user: 'anonymous', password: step.password };
      case 'list':
      case 'retr':
      case 'stor': {
        const t = step.transfer;
        return {
          index,
          kind: step.kind,
          ...(step.kind === 'list' ? (step.path !== undefined ? { path: step.path } : {}) : { file: step.file }),
          bytes: step.bytes,
          ...(t.splitCommandAt ? { splitCommandAt: t.splitCommandAt } : {}),
          ...(t.connectDelaySec !== undefined ? { connectDelayMs: cap(t.connectDelaySec * 1000, 'connect delay') } : {}),
        };
      }
      case 'auth-tls':
        notes.push(`session '${session.name}': vsftpd runs without TLS, so AUTH TLS is refused and the control channel stays in clear text`);
        return { index, kind: 'auth-tls' };
      case 'wait':
        return { index, kind: 'wait', ms: cap(step.sec * 1000, 'wait') };
      case 'raw':
        return { index, kind: 'raw', line: step.line };
      case 'quit':
        return { index, kind: 'quit' };
    }
  });
}

/** Classifies connections by the sessions' control endpoints and client data ports (one per attempt: a fallback takes the next). */
function classifier(scenario: Scenario, natAddresses: readonly IpAddress[]): FlowClassifier {
  const nat = natAddresses.map((a) => formatIp(a));
  const rules = scenario.sessions.map((s) => {
    const transfers = s.steps.filter((st) => st.kind === 'list' || st.kind === 'retr' || st.kind === 'stor').length;
    // a NAT address stands for a host on the other side: the client behind SNAT, the server behind DNAT
    const clientAddrs = new Set([...[s.client.address, s.clientBehaviour.dataSourceAddress, s.clientBehaviour.announceAddress].filter((a) => a !== undefined).map((a) => formatIp(a)), ...nat]);
    const serverAddrs = new Set([...[s.server.address, s.serverBehaviour.announceAddress, s.clientBehaviour.serverAddress].filter((a) => a !== undefined).map((a) => formatIp(a)), ...nat]);
    return {
      name: s.name,
      control: [endpointText(formatIp(s.client.address), s.clientBehaviour.controlPort), endpointText(formatIp(s.clientBehaviour.serverAddress ?? s.server.address), s.serverBehaviour.controlPort)] as const,
      isClientData: (ep: string): boolean => {
        const m = /^\[?(.*?)\]?:(\d+)$/.exec(ep);
        const port = Number(m?.[2]);
        const announced = s.clientBehaviour.announcePort !== undefined && port === s.clientBehaviour.announcePort;
        return m !== null && clientAddrs.has(m[1]!) && (announced || (port >= s.clientBehaviour.dataPort && port < s.clientBehaviour.dataPort + 2 * transfers));
      },
      isServer: (ep: string): boolean => serverAddrs.has(/^\[?(.*?)\]?:\d+$/.exec(ep)?.[1] ?? ''),
    };
  });
  return (client, server) => {
    for (const r of rules) {
      if (client === r.control[0] && server === r.control[1]) return { session: r.name, role: 'control' };
      if ((r.isClientData(client) && r.isServer(server)) || (r.isClientData(server) && r.isServer(client))) return { session: r.name, role: 'data' };
    }
    return { role: 'other' };
  };
}

type SessionOptions = Required<Omit<KernelRunOptions, 'outDir' | 'interfaceMap' | 'passivePorts' | 'firewallAddresses' | 'namespacePrefix' | 'translatedClients'>> & {
  readonly passivePorts: ReadonlyMap<string, number>;
  readonly translatedClients: ReadonlySet<string>;
};

async function runSession(t: Topology, session: Session, work: string, options: SessionOptions, cleanup: CleanupStack, notes: string[]): Promise<KernelSession> {
  const serverSide = sideOf(t, session.server.address);
  const clientSide = sideOf(t, session.client.address);
  if (!serverSide || !clientSide) return { session: session.name, client: undefined, error: 'client or server has no namespace', serverLog: '' };
  const b = session.serverBehaviour;
  const dir = join(work, `server-${session.name.replace(/[^A-Za-z0-9_-]/g, '_')}`);
  const root = join(dir, 'root');
  mkdirSync(root, { recursive: true });
  // Files for RETR of the scenario's sizes. vsftpd refuses a chroot root the ftp user can write to, so each
  // STOR target is created beforehand and handed to the ftp user (anon_other_write_enable lets it be overwritten).
  const ftpUser = spawnSync('id', ['-u', 'ftp'], { encoding: 'utf8' });
  const ftpGroup = spawnSync('id', ['-g', 'ftp'], { encoding: 'utf8' });
  for (const st of session.steps) {
    if (st.kind !== 'retr' && st.kind !== 'stor') continue;
    const file = join(root, st.file.replace(/^\/+/, ''));
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, st.kind === 'retr' ? Buffer.alloc(st.bytes, 0x62) : '');
    if (st.kind === 'stor' && ftpUser.status === 0 && ftpGroup.status === 0) chownSync(file, Number(ftpUser.stdout.trim()), Number(ftpGroup.stdout.trim()));
  }
  const logFile = join(dir, 'vsftpd.log');
  const conf = join(dir, 'vsftpd.conf');
  const acceptTimeoutSec = Math.max(1, Math.min(3, Math.ceil(b.dataAcceptTimeoutMs / 1000)));
  if (acceptTimeoutSec * 1000 < b.dataAcceptTimeoutMs) notes.push(`session '${session.name}': vsftpd accept_timeout ${acceptTimeoutSec} s instead of ${b.dataAcceptTimeoutMs} ms`);
  if (!b.rfc2428) notes.push(`session '${session.name}': vsftpd always answers EPSV/EPRT; the scenario's server does not (rfc2428: false)`);
  const passivePort = options.passivePorts.get(session.name) ?? b.passivePorts[0];
  if (b.passivePorts[1] !== b.passivePorts[0]) notes.push(`session '${session.name}': vsftpd offers only passive port ${passivePort} of ${b.passivePorts[0]}-${b.passivePorts[1]}, the port the simulated server chose`);
  if (b.announceAddress?.family === 6) notes.push(`session '${session.name}': vsftpd cannot announce an IPv6 address (pasv_address is IPv4 only)`);
  const c0 = session.clientBehaviour;
  // vsftpd refuses a PORT/EPRT naming another host or a port below 1024 unless port_promiscuous=YES;
  // the simulated server connects wherever it is told (RFC 2577 describes the risk, not a refusal).
  // Behind source NAT the control connection comes from the NAT address, and a PORT the ALG left alone names
  // the client's private one: vsftpd would answer "500 Illegal PORT command", the simulated server connects.
  const translated = options.translatedClients.has(session.name);
  const promiscuous = translated || (c0.announceAddress !== undefined && formatIp(c0.announceAddress) !== formatIp(session.client.address)) || (c0.announcePort !== undefined && c0.announcePort < 1024);
  if (promiscuous)
    notes.push(
      `session '${session.name}': vsftpd runs with port_promiscuous=YES so it connects to the announced ${c0.announcePort !== undefined && c0.announcePort < 1024 ? 'privileged port' : translated ? 'address even when it is not the (source-NATed) control connection\'s' : 'third host'}, as the simulated server does`,
    );
  const pasvPromiscuous = c0.dataSourceAddress !== undefined && formatIp(c0.dataSourceAddress) !== formatIp(session.client.address);
  if (pasvPromiscuous) notes.push(`session '${session.name}': vsftpd runs with pasv_promiscuous=YES so it accepts the data connection from ${formatIp(c0.dataSourceAddress!)}, as the simulated server does`);
  if (promiscuous) {
    // Only the announced port of this session is rewritten, in the server's own namespace; the firewall sees port 20.
    const announcedPort = c0.announcePort ?? c0.dataPort;
    await must('ip', ['netns', 'exec', serverSide.namespace, 'nft', '-f', '-'], 10_000, serverSourceNat(session.server.address, announcedPort, b.activeSourcePort));
    notes.push(`session '${session.name}': vsftpd connects from an ephemeral port, which the server's namespace rewrites to port ${b.activeSourcePort} (vsftpd binds port 20 only for connects to the control client)`);
  }
  writeFileSync(
    conf,
    vsftpdConfig({ address: session.server.address, behaviour: b, rootDir: root, logFile, acceptTimeoutSec, connectTimeoutSec: Math.ceil(options.connectTimeoutMs / 1000), passivePort, portPromiscuous: promiscuous, pasvPromiscuous }),
  );
  const server = background('ip', ['netns', 'exec', serverSide.namespace, 'vsftpd', conf]);
  cleanup.push(() => killSync(server.child));
  const listening = await waitFor(async () => {
    const r = await run('ip', ['netns', 'exec', serverSide.namespace, 'ss', '-Hltn', `sport = :${b.controlPort}`], 3000);
    return r.code === 0 && r.stdout.trim() !== '';
  }, 3000);
  if (!listening) {
    await stop(server);
    return { session: session.name, client: undefined, error: `vsftpd did not start: ${server.stderr().trim() || server.stdout().trim()}`, serverLog: '' };
  }
  const c = session.clientBehaviour;
  const steps = clientSteps(session, options.maxWaitMs, notes);
  const stepTimeMs = steps.reduce((sum, st) => sum + (st.kind === 'wait' ? st.ms : 0) + ('connectDelayMs' in st ? (st.connectDelayMs ?? 0) : 0), 0);
  const transfers = steps.filter((st) => st.kind === 'list' || st.kind === 'retr' || st.kind === 'stor').length;
  const sessionTimeoutMs = 2 * options.replyTimeoutMs + transfers * (options.connectTimeoutMs + 3 * options.replyTimeoutMs) + stepTimeMs;
  const spec: ClientSpec = {
    serverAddress: formatIp(c.serverAddress ?? session.server.address),
    serverPort: b.controlPort,
    clientAddress: formatIp(session.client.address),
    controlPort: c.controlPort,
    dataPort: c.dataPort,
    mode: c.mode,
    epsvFallback: c.epsvFallback,
    ...(c.announceAddress ? { announceAddress: formatIp(c.announceAddress) } : {}),
    ...(c.announcePort !== undefined ? { announcePort: c.announcePort } : {}),
    ...(c.dataSourceAddress ? { dataSourceAddress: formatIp(c.dataSourceAddress) } : {}),
    ...(c.pasvAddress ? { pasvAddress: c.pasvAddress } : {}),
    connectTimeoutMs: options.connectTimeoutMs,
    replyTimeoutMs: options.replyTimeoutMs,
    sessionTimeoutMs,
    steps,
  };
  const r = await run('ip', ['netns', 'exec', clientSide.namespace, process.execPath, clientScript(), JSON.stringify(spec)], sessionTimeoutMs + 3000);
  await stop(server);
  const serverLog = existsSync(logFile) ? readFileSync(logFile, 'utf8') : '';
  const line = r.stdout.trim().split('\n').pop() ?? '';
  try {
    return { session: session.name, client: JSON.parse(line) as ClientResult, serverLog };
  } catch {
    return { session: session.name, client: undefined, error: `client printed no result (exit ${r.code}): ${r.stderr.trim()}`, serverLog };
  }
}

/**
 * Runs every session of the scenario, one after the other in start order, through the kernel with
 * the ruleset (nft or iptables-restore input) loaded on the firewall. Everything created is removed at the end, on error and on
 * SIGINT/SIGTERM, except the capture. Throws only when the machine cannot do it (see checkPrerequisites).
 */
export async function runKernelScenario(scenario: Scenario, ruleset: KernelRuleset, options: KernelRunOptions): Promise<KernelRun> {
  const prereq = checkPrerequisites();
  if (!prereq.ok) throw new Error(`kernel run impossible here: missing ${prereq.missing.join(', ')}`);
  const opts = {
    connectTimeoutMs: options.connectTimeoutMs ?? 3000,
    replyTimeoutMs: options.replyTimeoutMs ?? 6000,
    maxWaitMs: options.maxWaitMs ?? 2000,
    synRetries: options.synRetries ?? 2,
    passivePorts: options.passivePorts ?? new Map<string, number>(),
    translatedClients: options.translatedClients ?? new Set<string>(),
  };
  const prefix = `${options.namespacePrefix ?? `ftpw-${process.pid}`}-${++runCounter}`;
  const { topology, diagnostics } = planTopology(scenario, options.interfaceMap, prefix, options.firewallAddresses ?? []);
  if (hasErrors(diagnostics)) return emptyRun(scenario, diagnostics);
  const notes: string[] = [];
  const synRetries = scenario.sessions.reduce((m, s) => Math.min(m, s.clientBehaviour.synRetries, s.serverBehaviour.synRetries), opts.synRetries);
  notes.push(`SYN retries: net.ipv4.tcp_syn_retries=${synRetries} in client and server namespaces, client connect timeout ${opts.connectTimeoutMs} ms; Linux's 1 s initial RTO is not the scenario's initialRtoMs`);
  const cleanup = new CleanupStack();
  const work = mkdtempSync(join(tmpdir(), 'ftpw-verify-'));
  cleanup.push(() => rmSync(work, { recursive: true, force: true }));
  const outDir = options.outDir ?? mkdtempSync(join(tmpdir(), 'ftpw-capture-'));
  mkdirSync(outDir, { recursive: true });
  const captureFile = join(outDir, `${scenario.name.replace(/[^A-Za-z0-9_-]/g, '_')}.kernel.pcap`);
  try {
    await buildTopology(topology, cleanup, synRetries);
    const fw = topology.firewall;
    const listing = await loadRuleset(fw, ruleset);
    // kept beside the capture: `ftpwall replay ARRIVED --config LISTING` repeats the read-back by hand
    writeFileSync(captureFile.replace(/\.kernel\.pcap$/, listing.dialect === 'nft' ? '.listing.nft' : '.iptables-save'), listing.text);
    // --immediate-mode: without it packets wait in a TPACKET_V3 block and a short run may stop before they are written.
    // Immediate mode uses a TPACKET_V2 ring of snaplen-sized frames: with the default 2 MB buffer and a 256 KiB
    // snaplen that is 8 frames, and a burst of segments is lost. 65600 bytes hold any GSO packet (IP ≤ 65535);
    // a 32 MiB buffer gives ~500 frames.
    const tcpdump = background('ip', ['netns', 'exec', fw, 'tcpdump', '-i', 'any', '-y', 'LINUX_SLL2', '--immediate-mode', '-U', '-n', '-s', '65600', '-B', '32768', '-w', captureFile, 'tcp']);
    cleanup.push(() => killSync(tcpdump.child));
    if (!(await waitFor(() => tcpdump.stderr().includes('listening on'), 5000))) throw new Error(`tcpdump did not start: ${tcpdump.stderr().trim()}`);
    const events = background('ip', ['netns', 'exec', fw, 'conntrack', '-E', 'expect']);
    cleanup.push(() => killSync(events.child));
    await sleep(200); // conntrack -E subscribes without telling when; give it a moment
    const sessions: KernelSession[] = [];
    for (const s of [...scenario.sessions].sort((a, b) => a.startMs - b.startMs)) sessions.push(await runSession(topology, s, work, opts, cleanup, notes));
    await sleep(300); // let the last FIN/ACKs cross before the capture stops
    const pending = await run('ip', ['netns', 'exec', fw, 'conntrack', '-L', 'expect'], 5000);
    const table = await run('ip', ['netns', 'exec', fw, 'conntrack', '-L'], 5000);
    const counters = await run('ip', ['netns', 'exec', fw, 'nft', '-j', 'list', 'ruleset'], 5000);
    const links = await run('ip', ['-n', fw, '-j', 'link', 'show'], 5000);
    await stop(events);
    await stop(tcpdump, 'SIGINT');
    const reverse = new Map([...options.interfaceMap].map(([h3c, dev]) => [dev, h3c]));
    const interfaces = (JSON.parse(links.stdout || '[]') as { ifindex: number; ifname: string }[])
      .filter((l) => l.ifname !== 'lo')
      .map((l) => ({ ifindex: l.ifindex, device: l.ifname, ...(reverse.has(l.ifname) ? { h3c: reverse.get(l.ifname)! } : {}) }));
    const names = new Map(interfaces.map((i) => [i.ifindex, { device: i.device, h3c: i.h3c }]));
    const capture = readFirewallSegments(openCapture(captureFile));
    if (capture.error) notes.push(`capture ${captureFile}: ${capture.error}`);
    // One copy of each packet, as it arrived (PACKET_OUTGOING copies left out), for replaying through ftpwall.
    const arrivedFile = captureFile.replace(/\.kernel\.pcap$/, '.arrived.pcap');
    const split = await run('tcpdump', ['-r', captureFile, '-w', arrivedFile, 'inbound'], 10_000);
    if (split.code !== 0) notes.push(`tcpdump -r ${captureFile} inbound failed: ${split.stderr.trim()}`);
    const kernelDrops = /(\d+) packets? dropped by kernel/.exec(tcpdump.stderr())?.[1];
    if (kernelDrops !== undefined && kernelDrops !== '0') notes.push(`tcpdump reported ${kernelDrops} packets dropped by kernel (libpcap also counts packets it discards while setting its filter); a flow blocked only at its last packets deserves a look at the capture`);
    const arrived = matchForwarding(capture.segments);
    const flows = kernelFlows(arrived, names, classifier(scenario, (options.firewallAddresses ?? []).map((a) => a.address)));
    return {
      scenario: scenario.name,
      source: scenario.source,
      diagnostics,
      flows,
      sessions,
      expectations: parseExpectations(events.stdout()),
      pendingExpectations: parseExpectations(pending.stdout),
      conntrack: table.stdout.split('\n').filter((l) => l.trim() !== ''),
      counters: nftCounters(counters.stdout),
      listing,
      arrived,
      capture: { file: captureFile, arrived: split.code === 0 ? arrivedFile : undefined, listing: captureFile.replace(/\.kernel\.pcap$/, listing.dialect === 'nft' ? '.listing.nft' : '.iptables-save'), interfaces },
      notes,
    };
  } finally {
    cleanup.runAll();
  }
}

