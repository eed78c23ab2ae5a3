/**
 * Loads a scenario file (YAML) into a Scenario, with a located diagnostic for
 * every problem. The format:
 *
 * ```yaml
 * name: passive-download            # optional; default: the file name without .yaml
 * description: One passive RETR.    # optional
 * seed: 1                           # optional, default 1: initial sequence numbers, file bytes
 * expect: works                      # optional: works (default) or blocked (a bounce that is blocked reads as good)
 * interfaces: { wan0: 198.51.100.1 } # optional: the firewall's own address per interface (MASQUERADE uses it)
 * hosts:                            # name → where it is
 *   client: { address: 10.0.0.2, interface: GigabitEthernet2/1/1 }
 *   server: { address: 192.168.10.1, interface: GigabitEthernet2/1/10 }
 * sessions:
 *   - name: download                # optional; default "session N"; unique
 *     start: 0                      # seconds on the virtual clock, default 0
 *     client:                       # a host name, or a mapping with `host` and behaviour:
 *       host: client
 *       mode: passive               # active | passive | extended-active | extended-passive (default passive)
 *       controlPort: 50000          # default 50000
 *       dataPort: 50001             # default controlPort + 1; each further data connection takes the next port
 *       epsvFallback: true          # EPSV (or EPRT) refused or its connection failed → PASV (PORT), as curl does
 *       announceAddress: 10.0.0.99  # written in PORT/EPRT instead of the client's address (FTP bounce)
 *       announcePort: 80            # written in PORT/EPRT instead of the listening port
 *       dataSourceAddress: 10.0.0.3 # passive data connections come from this address (same interface)
 *       synRetries: 6               # Linux tcp_syn_retries
 *       initialRtoMs: 1000          # first SYN retransmission after 1 s, doubling
 *       serverAddress: 198.51.100.10 # connect here instead of the server host's address (its public NAT address)
 *       pasvAddress: use            # use | ignore: ignore = connect to the control connection's address (curl --ftp-skip-pasv-ip)
 *     server:                       # a host name, or a mapping with `host` and behaviour:
 *       host: server
 *       controlPort: 21
 *       passivePorts: 50000-50100   # "lo-hi" or [lo, hi]
 *       passivePortChoice: first    # first (default) | random (seeded) | each (one run per port-space cell)
 *       activeSourcePort: 20        # source port of active-mode data connections
 *       announceAddress: 203.0.113.10 # written in 227 instead of the server's address
 *       dataAcceptTimeoutSec: 60    # vsftpd accept_timeout: 425 when no data connection comes
 *       rfc2428: true               # false: EPSV/EPRT are answered "500 … not understood"
 *       synRetries: 6
 *       initialRtoMs: 1000
 *     steps:
 *       - login                     # or { login: { user: anonymous, password: ftp@example.com } }
 *       - list                      # or { list: { path: /pub, bytes: 512 } }
 *       - retr: { file: a.bin, bytes: 4096, split: [7], connectDelaySec: 400 }
 *       - stor: { file: b.bin, bytes: 4096 }
 *       - auth-tls                  # AUTH TLS: the rest of the control channel is encrypted
 *       - wait: 10                  # seconds
 *       - raw: "PORT 10,0,0,99,0,80" # a command line sent as is
 *       - quit
 * ```
 *
 * On a transfer: `split` cuts the PORT/EPRT/PASV/EPSV line into TCP segments at those byte
 * offsets; `connectDelaySec` waits that long after the 227/229 before connecting (passive
 * modes) or after the 200 before sending the transfer command (active modes).
 * IPv6 sessions must use the extended modes: PORT and 227 carry only IPv4 (RFC 2428 1).
 */
import { isMap, isScalar, isSeq } from 'yaml';
import { closest, sortDiagnostics, type Diagnostic, type Parsed } from '../diag/diagnostic.js';
import { formatIp, ipEquals, type IpAddress } from '../net/address.js';
import type { ClientBehaviour, ExpectedVerdict, FtpMode, Host, PassivePortChoice, Scenario, ServerBehaviour, Session } from './model.js';
import { DEFAULTS, readSteps } from './steps.js';
import { parseWallClock } from '../policy/time-range.js';
export { DEFAULTS, STEP_NAMES } from './steps.js';
import { MAX_SECONDS, YamlReader, type YNode } from './yaml-read.js';
import { synRetryMs } from './work.js';
import { readInterfaceAddresses } from './interfaces.js';
import { checkControlPorts } from './control-ports.js';

/** passivePortChoice values. */
export const PASSIVE_PORT_CHOICES: readonly PassivePortChoice[] = ['first', 'random', 'each'];
/** expect values. */
export const EXPECTED_VERDICTS: readonly ExpectedVerdict[] = ['works', 'blocked'];

/** The four modes, as written in scenario files. */
export const FTP_MODES: readonly FtpMode[] = ['active', 'passive', 'extended-active', 'extended-passive'];
const TOP_KEYS = ['name', 'description', 'seed', 'startTime', 'expect', 'interfaces', 'hosts', 'sessions'];
const HOST_KEYS = ['address', 'interface', 'vpn'];
const SESSION_KEYS = ['name', 'start', 'client', 'server', 'steps'];
const CLIENT_KEYS = ['host', 'mode', 'controlPort', 'dataPort', 'epsvFallback', 'announceAddress', 'announcePort', 'dataSourceAddress', 'synRetries', 'initialRtoMs', 'serverAddress', 'pasvAddress'];
/** `pasvAddress:` of a client. */
const PASV_ADDRESS_CHOICES = ['use', 'ignore'] as const;
const SERVER_KEYS = ['host', 'controlPort', 'passivePorts', 'activeSourcePort', 'announceAddress', 'dataAcceptTimeoutSec', 'rfc2428', 'synRetries', 'initialRtoMs', 'passivePortChoice'];

/** Parses scenario text; `file` names it in diagnostics. The value is undefined when there is any error. */
export function loadScenario(text: string, file: string): Parsed<Scenario | undefined> {
  const r = new YamlReader(text, file);
  if (!r.doc) return { value: undefined, diagnostics: r.diagnostics };
  const root = r.doc.contents as YNode;
  const top = r.map(root, 'the scenario', TOP_KEYS);
  if (!top) return { value: undefined, diagnostics: r.diagnostics };

  const name = top.has('name') ? r.string(top.get('name'), 'name') : file.replace(/^.*[\\/]/, '').replace(/\.ya?ml$/, '');
  const description = top.has('description') ? r.string(top.get('description'), 'description') : undefined;
  const seed = top.has('seed') ? r.integer(top.get('seed'), 'seed', 0, 0xffffffff) : DEFAULTS.seed;
  let startTime: Scenario['startTime'];
  if (top.has('startTime')) {
    const node = top.get('startTime');
    const text = isScalar(node) && node.value instanceof Date ? node.value.toISOString() : r.string(node, 'startTime');
    const wallMs = text === undefined ? undefined : parseWallClock(text);
    if (text !== undefined && wallMs === undefined) r.error(node, `startTime '${text}' is not an ISO 8601 date and time`, "write it as 2026-03-02T09:30:00 (the device's local clock)");
    if (text !== undefined && wallMs !== undefined) startTime = { text, wallMs };
  }
  const expect = top.has('expect') ? r.oneOf(top.get('expect'), 'expect', EXPECTED_VERDICTS) : undefined;
  const interfaces = top.has('interfaces') ? readInterfaceAddresses(r, top.get('interfaces')) : undefined;
  const hostsNode = r.required(top, 'hosts', 'the scenario');
  const broken = new Set<string>();
  const hosts = hostsNode === undefined ? [] : readHosts(r, hostsNode, broken);
  const sessionsNode = r.required(top, 'sessions', 'the scenario');
  const sessions: Session[] = [];
  const items = sessionsNode === undefined ? undefined : r.list(sessionsNode, 'sessions');
  if (items && items.length === 0) r.error(sessionsNode, 'sessions is empty: a scenario needs at least one session');
  const names = new Map<string, YNode>();
  items?.forEach((item, i) => {
    const s = readSession(r, item, i, hosts, broken);
    if (!s) return;
    const nameNode = isMap(item) ? (item.get('name', true) as YNode) : item;
    if (names.has(s.name)) r.error(nameNode ?? item, `session name '${s.name}' is used twice`);
    names.set(s.name, nameNode);
    sessions.push(s);
  });

  if (!r.failed && items) checkControlPorts(r, sessions, items);
  const diagnostics = sortDiagnostics(r.diagnostics);
  if (r.failed || name === undefined || seed === undefined || (top.has('expect') && expect === undefined)) return { value: undefined, diagnostics };
  const scenario: Scenario = { name, ...(description !== undefined ? { description } : {}), source: file, hosts, sessions, seed, ...(startTime ? { startTime } : {}), ...(expect !== undefined ? { expect } : {}), ...(interfaces && interfaces.length > 0 ? { interfaces } : {}) };
  return { value: scenario, diagnostics };
}

/** Reads the hosts; names of hosts with errors go to `broken` so that references to them raise no second error. */
function readHosts(r: YamlReader, node: YNode, broken: Set<string>): Host[] {
  if (!isMap(node)) return r.error(node, `hosts must be a mapping of host name to { address, interface }, not ${r.shown(node)}`) ?? [];
  const hosts: Host[] = [];
  for (const pair of node.items) {
    const key = pair.key as YNode;
    if (!isScalar(key) || key.value === null) {
      r.error(key, 'a host name must be a word', undefined, node);
      continue;
    }
    const name = String(key.value);
    broken.add(name);
    const e = r.map(pair.value as YNode, `host '${name}'`, HOST_KEYS, key);
    if (!e) continue;
    const addrNode = r.required(e, 'address', `host '${name}'`);
    const ifaceNode = r.required(e, 'interface', `host '${name}'`);
    const address = addrNode === undefined ? undefined : r.address(addrNode, `host '${name}' address`);
    const iface = ifaceNode === undefined ? undefined : r.string(ifaceNode, `host '${name}' interface`);
    if (!address || iface === undefined) continue;
    const twin = hosts.find((h) => ipEquals(h.address, address));
    if (twin) {
      r.error(addrNode, `address ${formatIp(address)} is already host '${twin.name}'`);
      continue;
    }
    const vpn = e.has('vpn') ? r.string(e.get('vpn'), `host '${name}' vpn`) : undefined;
    if (e.has('vpn') && vpn === undefined) continue;
    broken.delete(name);
    hosts.push({ name, address, interface: iface, ...(vpn !== undefined ? { vpn } : {}), at: r.span(key), interfaceAt: r.span(ifaceNode!) });
  }
  return hosts;
}

/** Resolves a host name node to a host, suggesting a close name. */
function hostRef(r: YamlReader, node: YNode, hosts: readonly Host[], broken: ReadonlySet<string>, role: string): Host | undefined {
  const name = r.string(node, `${role} host`);
  if (name === undefined) return undefined;
  const h = hosts.find((x) => x.name === name);
  if (h) return h;
  if (broken.has(name)) return undefined; // already reported where the host is defined
  const near = closest(name, hosts.map((x) => x.name));
  return r.error(node, `${role} host '${name}' is not defined under hosts`, near ? `did you mean '${near}'?` : `defined: ${hosts.map((x) => x.name).join(', ') || 'none'}`);
}

function readSession(r: YamlReader, node: YNode, index: number, hosts: readonly Host[], broken: ReadonlySet<string>): Session | undefined {
  const what = `session ${index + 1}`;
  const e = r.map(node, what, SESSION_KEYS);
  if (!e) return undefined;
  const name = e.has('name') ? r.string(e.get('name'), 'session name') : what;
  const startSec = e.has('start') ? r.seconds(e.get('start'), 'start') : 0;
  const clientNode = r.required(e, 'client', what);
  const serverNode = r.required(e, 'server', what);
  const client = clientNode === undefined ? undefined : readClient(r, clientNode, hosts, broken);
  const server = serverNode === undefined ? undefined : readServer(r, serverNode, hosts, broken);
  const stepsNode = r.required(e, 'steps', what);
  const steps = stepsNode === undefined ? undefined : readSteps(r, stepsNode);
  if (!client || !server || !steps || name === undefined || startSec === undefined) return undefined;

  const c = client.host;
  const s = server.host;
  const clientBehaviour = client.behaviour;
  const serverBehaviour = server.behaviour;
  let ok = true;
  if (c.interface === s.interface) {
    ok = r.error(server.hostNode, `client '${c.name}' and server '${s.name}' are both behind ${c.interface}: their packets would not cross the firewall`) ?? false;
  }
  if (c.address.family !== s.address.family) {
    ok = r.error(server.hostNode, `client '${c.name}' is IPv${c.address.family} but server '${s.name}' is IPv${s.address.family}`) ?? false;
  }
  const mode = clientBehaviour.mode;
  if (s.address.family === 6 && (mode === 'active' || mode === 'passive')) {
    const better = mode === 'active' ? 'extended-active' : 'extended-passive';
    ok = r.error(client.modeNode ?? client.hostNode, `mode '${mode}' cannot be used with IPv6 hosts: ${mode === 'active' ? 'PORT' : 'PASV/227'} carries only IPv4 addresses (RFC 2428)`, `did you mean '${better}'?`) ?? false;
  }
  const checkFamily = (a: IpAddress | undefined, n: YNode, label: string, family: 4 | 6): void => {
    if (a && a.family !== family) ok = r.error(n, `${label} ${formatIp(a)} is IPv${a.family} but the session is IPv${family}`) ?? false;
  };
  checkFamily(clientBehaviour.announceAddress, client.nodes.get('announceAddress'), 'announceAddress', c.address.family);
  checkFamily(clientBehaviour.dataSourceAddress, client.nodes.get('dataSourceAddress'), 'dataSourceAddress', c.address.family);
  checkFamily(serverBehaviour.announceAddress, server.nodes.get('announceAddress'), 'announceAddress', s.address.family);
  checkFamily(clientBehaviour.serverAddress, client.nodes.get('serverAddress'), 'serverAddress', c.address.family);
  const src = clientBehaviour.dataSourceAddress;
  if (src) {
    const owner = hosts.find((h) => ipEquals(h.address, src));
    if (owner && owner.interface !== c.interface)
      ok = r.error(client.nodes.get('dataSourceAddress'), `dataSourceAddress ${formatIp(src)} is host '${owner.name}' behind ${owner.interface}, not behind the client's interface ${c.interface}`) ?? false;
  }
  const transfers = steps.filter((x) => x.kind === 'list' || x.kind === 'retr' || x.kind === 'stor').length;
  // Each transfer takes the next local port. A refused or failed EPSV/EPRT can cost one more,
  // but only once per session: the client then stays with PASV/PORT (curl), and only over
  // IPv4 with epsvFallback (see canFallBack in sim/ftp-client.ts).
  const extended = mode === 'extended-passive' || mode === 'extended-active';
  const fallbackPorts = extended && clientBehaviour.epsvFallback && c.address.family === 4 ? 1 : 0;
  const lastPort = clientBehaviour.dataPort + transfers - 1 + fallbackPorts;
  if (transfers > 0 && lastPort > 65535)
    ok = r.error(client.nodes.get('dataPort') ?? client.nodes.get('controlPort') ?? client.hostNode, `data ports from ${clientBehaviour.dataPort} run past 65535 for ${transfers} transfers`) ?? false;
  if (!ok) return undefined;
  return { name, client: c, server: s, clientBehaviour, serverBehaviour, startMs: Math.round(startSec * 1000), steps };
}

/** Linux MAX_TCP_SYNCNT (include/net/tcp.h): tcp_syn_retries goes no higher. */
const MAX_SYN_RETRIES = 127;

/**
 * SYN retransmissions double their wait each time: synRetries and initialRtoMs together
 * must keep the virtual clock under MAX_SECONDS (255 retries at 1 s would reach 1e80 s).
 */
function retriesFit(r: YamlReader, nodes: Map<string, YNode>, synRetries: number | undefined, initialRtoMs: number | undefined): boolean {
  if (synRetries === undefined || initialRtoMs === undefined) return true;
  const totalMs = synRetryMs(synRetries, initialRtoMs);
  if (totalMs <= MAX_SECONDS * 1000) return true;
  let most = 0;
  while (synRetryMs(most + 1, initialRtoMs) <= MAX_SECONDS * 1000) most++;
  r.error(
    nodes.get('synRetries') ?? nodes.get('initialRtoMs'),
    `synRetries ${synRetries} with initialRtoMs ${initialRtoMs} would retransmit a SYN for ${(totalMs / 1000).toExponential(2)} s (each wait doubles), past the limit of ${MAX_SECONDS.toLocaleString('en-US')} s`,
    `at most synRetries ${most} with initialRtoMs ${initialRtoMs}`,
  );
  return false;
}

interface Side<B> {
  readonly host: Host;
  readonly hostNode: YNode;
  readonly modeNode?: YNode;
  readonly nodes: Map<string, YNode>;
  readonly behaviour: B;
}

/** `client: laptop` or `client: { host: laptop, … }`: the host node, the entries (if a mapping). */
function sideEntries(r: YamlReader, node: YNode, role: 'client' | 'server', keys: readonly string[]) {
  if (isScalar(node)) return { hostNode: node, nodes: new Map<string, YNode>() };
  const e = r.map(node, role, keys);
  if (!e) return undefined;
  const hostNode = r.required(e, 'host', role);
  const nodes = new Map<string, YNode>();
  for (const k of keys) if (e.has(k)) nodes.set(k, e.get(k));
  return hostNode === undefined ? undefined : { hostNode, nodes };
}

function readClient(r: YamlReader, node: YNode, hosts: readonly Host[], broken: ReadonlySet<string>): Side<ClientBehaviour> | undefined {
  const side = sideEntries(r, node, 'client', CLIENT_KEYS);
  if (!side) return undefined;
  const { hostNode, nodes } = side;
  const host = hostRef(r, hostNode, hosts, broken, 'client');
  const opt = <T>(k: string, read: (n: YNode) => T | undefined, dflt: T): T | undefined => (nodes.has(k) ? read(nodes.get(k)) : dflt);
  const mode = opt('mode', (n) => r.oneOf(n, 'mode', FTP_MODES), DEFAULTS.mode);
  const controlPort = opt('controlPort', (n) => r.port(n, 'controlPort'), DEFAULTS.clientControlPort);
  const dataPort = opt('dataPort', (n) => r.port(n, 'dataPort'), controlPort === undefined ? undefined : controlPort + 1);
  const epsvFallback = opt('epsvFallback', (n) => r.boolean(n, 'epsvFallback'), true);
  const announceAddress = opt('announceAddress', (n) => r.address(n, 'announceAddress'), undefined);
  const announcePort = opt('announcePort', (n) => r.port(n, 'announcePort'), undefined);
  const dataSourceAddress = opt('dataSourceAddress', (n) => r.address(n, 'dataSourceAddress'), undefined);
  const synRetries = opt('synRetries', (n) => r.integer(n, 'synRetries', 0, MAX_SYN_RETRIES), DEFAULTS.synRetries);
  const initialRtoMs = opt('initialRtoMs', (n) => r.integer(n, 'initialRtoMs', 1, 3_600_000), DEFAULTS.initialRtoMs);
  if (!retriesFit(r, nodes, synRetries, initialRtoMs)) return undefined;
  const serverAddress = opt('serverAddress', (n) => r.address(n, 'serverAddress'), undefined);
  const pasvAddress = opt('pasvAddress', (n) => r.oneOf(n, 'pasvAddress', PASV_ADDRESS_CHOICES), undefined);
  if ((nodes.has('serverAddress') && !serverAddress) || (nodes.has('pasvAddress') && !pasvAddress)) return undefined;
  if (controlPort !== undefined && dataPort !== undefined && dataPort > 65535 && !nodes.has('dataPort'))
    return r.error(nodes.get('controlPort'), `controlPort ${controlPort} leaves no room for the default dataPort (controlPort + 1)`, 'set dataPort');
  if (!host || !mode || controlPort === undefined || dataPort === undefined || epsvFallback === undefined || synRetries === undefined || initialRtoMs === undefined)
    return undefined;
  if ((nodes.has('announceAddress') && !announceAddress) || (nodes.has('announcePort') && announcePort === undefined) || (nodes.has('dataSourceAddress') && !dataSourceAddress))
    return undefined;
  const behaviour: ClientBehaviour = {
    mode,
    controlPort,
    dataPort,
    epsvFallback,
    ...(announceAddress ? { announceAddress } : {}),
    ...(announcePort !== undefined ? { announcePort } : {}),
    ...(dataSourceAddress ? { dataSourceAddress } : {}),
    synRetries,
    initialRtoMs,
    ...(serverAddress ? { serverAddress } : {}),
    ...(pasvAddress ? { pasvAddress } : {}),
  };
  return { host, hostNode, ...(nodes.has('mode') ? { modeNode: nodes.get('mode') } : {}), nodes, behaviour };
}

/** `50000-50100` or `[50000, 50100]`. */
function readPortRange(r: YamlReader, node: YNode): readonly [number, number] | undefined {
  let lo: number | undefined;
  let hi: number | undefined;
  if (isSeq(node) && node.items.length === 2) {
    lo = r.port(node.items[0] as YNode, 'passivePorts start');
    hi = r.port(node.items[1] as YNode, 'passivePorts end');
  } else if (isScalar(node) && typeof node.value === 'string' && /^\s*\d+\s*-\s*\d+\s*$/.test(node.value)) {
    const [a, b] = node.value.split('-').map((x) => Number(x.trim())) as [number, number];
    if (a < 1 || a > 65535 || b < 1 || b > 65535) return r.error(node, `passivePorts '${node.value}' has a port out of range 1-65535`);
    lo = a;
    hi = b;
  } else if (isScalar(node) && typeof node.value === 'number') {
    lo = hi = r.port(node, 'passivePorts');
  } else {
    return r.error(node, `passivePorts must be "lo-hi" or [lo, hi], not ${r.shown(node)}`);
  }
  if (lo === undefined || hi === undefined) return undefined;
  if (lo > hi) return r.error(node, `passivePorts ${lo}-${hi} is empty: the first port is above the last`, `did you mean '${hi}-${lo}'?`);
  return [lo, hi];
}

function readServer(r: YamlReader, node: YNode, hosts: readonly Host[], broken: ReadonlySet<string>): Side<ServerBehaviour> | undefined {
  const side = sideEntries(r, node, 'server', SERVER_KEYS);
  if (!side) return undefined;
  const { hostNode, nodes } = side;
  const host = hostRef(r, hostNode, hosts, broken, 'server');
  const opt = <T>(k: string, read: (n: YNode) => T | undefined, dflt: T): T | undefined => (nodes.has(k) ? read(nodes.get(k)) : dflt);
  const controlPort = opt('controlPort', (n) => r.port(n, 'controlPort'), DEFAULTS.serverControlPort);
  const passivePorts = opt('passivePorts', (n) => readPortRange(r, n), DEFAULTS.passivePorts);
  const activeSourcePort = opt('activeSourcePort', (n) => r.port(n, 'activeSourcePort'), DEFAULTS.activeSourcePort);
  const announceAddress = opt('announceAddress', (n) => r.address(n, 'announceAddress'), undefined);
  const acceptSec = opt('dataAcceptTimeoutSec', (n) => r.seconds(n, 'dataAcceptTimeoutSec'), DEFAULTS.dataAcceptTimeoutSec);
  const rfc2428 = opt('rfc2428', (n) => r.boolean(n, 'rfc2428'), true);
  const synRetries = opt('synRetries', (n) => r.integer(n, 'synRetries', 0, MAX_SYN_RETRIES), DEFAULTS.synRetries);
  const initialRtoMs = opt('initialRtoMs', (n) => r.integer(n, 'initialRtoMs', 1, 3_600_000), DEFAULTS.initialRtoMs);
  const passivePortChoice = opt('passivePortChoice', (n) => r.oneOf(n, 'passivePortChoice', PASSIVE_PORT_CHOICES), 'first' as PassivePortChoice);
  if (passivePortChoice === undefined) return undefined;
  if (!retriesFit(r, nodes, synRetries, initialRtoMs)) return undefined;
  if (!host || controlPort === undefined || !passivePorts || activeSourcePort === undefined || acceptSec === undefined) return undefined;
  if (rfc2428 === undefined || synRetries === undefined || initialRtoMs === undefined || (nodes.has('announceAddress') && !announceAddress)) return undefined;
  const behaviour: ServerBehaviour = {
    controlPort,
    passivePorts,
    ...(nodes.has('passivePortChoice') ? { passivePortChoice } : {}),
    activeSourcePort,
    ...(announceAddress ? { announceAddress } : {}),
    dataAcceptTimeoutMs: Math.round(acceptSec * 1000),
    rfc2428,
    synRetries,
    initialRtoMs,
  };
  return { host, hostNode, nodes, behaviour };
}

/** Every diagnostic's one-line text (for tests and quick checks). */
export function diagnosticLines(ds: readonly Diagnostic[]): string[] {
  return ds.map((d) => `${d.span ? `${d.span.file}:${d.span.line}:${d.span.column}: ` : ''}${d.severity}: ${d.message}${d.suggestion ? ` (${d.suggestion})` : ''}`);
}
