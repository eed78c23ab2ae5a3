/**
 * The network of a kernel run: one firewall namespace and one namespace per
 * firewall interface that has scenario hosts behind it, joined by veth pairs.
 * The firewall's veth ends carry the mapped interface names (fw0, fw1, …), so the
 * exported ruleset's iifname/oifname match. Only link-local gateway addresses are
 * invented (169.254.K.1, fe80::1), and only inside these namespaces.
 */
import type { Diagnostic } from '../diag/diagnostic.js';
import { formatIp, ipKey, type IpAddress } from '../net/address.js';
import type { Scenario } from '../scenario/model.js';
import { MAX_IFNAME_LENGTH } from '../export/plan.js';
import { closest } from '../diag/diagnostic.js';
import { deleteNamespaceSync, must, type CleanupStack } from './exec.js';

/** One side of the firewall: the namespace behind one interface. */
export interface Side {
  /** the H3C interface */
  readonly interface: string;
  /** the firewall's Linux interface facing this side */
  readonly device: string;
  readonly namespace: string;
  /** every address configured in this namespace */
  readonly addresses: readonly IpAddress[];
  /** 0-based, gives the gateway 169.254.index.1 */
  readonly index: number;
  /**
   * addresses the scenario announces but no host owns (a 227 naming a NAT address): routed to this side, so
   * packets to them leave the firewall as in the simulation, and nobody answers
   */
  readonly unowned: readonly IpAddress[];
}

/** The namespaces of one run. */
export interface Topology {
  readonly firewall: string;
  readonly sides: readonly Side[];
  /** NAT addresses the firewall owns, on its own interfaces (a `nat server` global address, an Easy IP address) */
  readonly firewallAddresses: readonly FirewallAddress[];
}

/** The side whose namespace holds `addr`. */
export function sideOf(t: Topology, addr: IpAddress): Side | undefined {
  const k = ipKey(addr);
  return t.sides.find((s) => s.addresses.some((a) => ipKey(a) === k));
}

/**
 * Decides the sides from the scenario: every host sits in the namespace of its interface's side;
 * an unexpected data source address (dataSourceAddress) is added on its client's side.
 */
export function planTopology(
  scenario: Scenario,
  interfaceMap: ReadonlyMap<string, string>,
  prefix: string,
  firewallAddresses: readonly FirewallAddress[] = [],
): { topology: Topology; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const byInterface = new Map<string, IpAddress[]>();
  const add = (iface: string, addr: IpAddress): void => {
    const list = byInterface.get(iface) ?? [];
    if (!list.some((a) => ipKey(a) === ipKey(addr))) list.push(addr);
    byInterface.set(iface, list);
  };
  const hosts = [...scenario.hosts, ...scenario.sessions.flatMap((s) => [s.client, s.server])];
  const seen = new Set<string>();
  for (const h of hosts) {
    if (seen.has(h.name)) continue;
    seen.add(h.name);
    if (!interfaceMap.has(h.interface)) {
      const hint = closest(h.interface, [...interfaceMap.keys()]);
      diagnostics.push({
        severity: 'error',
        message: `host '${h.name}' sits behind interface '${h.interface}', which the interface map does not translate`,
        span: h.at,
        ...(hint ? { suggestion: `did you mean '${hint}'?` } : {}),
      });
      continue;
    }
    add(h.interface, h.address);
  }
  const owned = new Set(hosts.map((h) => ipKey(h.address)));
  const unowned = new Map<string, IpAddress[]>();
  const addUnowned = (iface: string, addr: IpAddress): void => {
    if (owned.has(ipKey(addr))) return;
    const list = unowned.get(iface) ?? [];
    if (!list.some((a) => ipKey(a) === ipKey(addr))) list.push(addr);
    unowned.set(iface, list);
  };
  for (const s of scenario.sessions) {
    if (s.clientBehaviour.dataSourceAddress && interfaceMap.has(s.client.interface)) add(s.client.interface, s.clientBehaviour.dataSourceAddress);
    if (s.clientBehaviour.dataSourceAddress) owned.add(ipKey(s.clientBehaviour.dataSourceAddress));
    // The simulator routes an address nobody owns out of the announcer's interface (sim/network.ts).
    if (s.serverBehaviour.announceAddress) addUnowned(s.server.interface, s.serverBehaviour.announceAddress);
    if (s.clientBehaviour.announceAddress) addUnowned(s.client.interface, s.clientBehaviour.announceAddress);
    if (s.client.interface === s.server.interface)
      diagnostics.push({ severity: 'error', message: `session '${s.name}': client and server sit behind the same interface, so no packet crosses the firewall`, span: s.client.at });
  }
  // Sides in the order of the interface map, so side K faces device K of the default map.
  const sides: Side[] = [];
  for (const [iface, device] of interfaceMap) {
    const addresses = byInterface.get(iface);
    if (!addresses) continue;
    if (device.length > MAX_IFNAME_LENGTH) {
      diagnostics.push({ severity: 'error', message: `Linux interface name '${device}' for '${iface}' is longer than ${MAX_IFNAME_LENGTH} characters` });
      continue;
    }
    sides.push({ interface: iface, device, namespace: `${prefix}-s${sides.length}`, addresses, index: sides.length, unowned: unowned.get(iface) ?? [] });
  }
  return { topology: { firewall: `${prefix}-fw`, sides, firewallAddresses }, diagnostics };
}

async function batch(ns: string, lines: readonly string[]): Promise<void> {
  await must('ip', ['-n', ns, '-batch', '-'], 10_000, `${lines.join('\n')}\n`);
}

/** Sets `key=value` sysctls inside `ns` through /proc/sys (no dependency on procps' sysctl). */
async function sysctl(ns: string, settings: readonly string[]): Promise<void> {
  const script = settings.map((kv) => {
    const [k, v] = kv.split('=') as [string, string];
    return `echo ${v} > /proc/sys/${k.replace(/\./g, '/')}`;
  });
  await must('ip', ['netns', 'exec', ns, 'sh', '-c', script.join(' && ')]);
}

/** A NAT address the firewall owns on one of its Linux interfaces. */
export interface FirewallAddress {
  readonly device: string;
  readonly address: IpAddress;
  /** the interface's first address (what MASQUERADE translates to) */
  readonly primary?: true;
}

function addressAdd(a: FirewallAddress): string {
  return a.address.family === 4 ? `address add ${formatIp(a.address)}/32 dev ${a.device}` : `address add ${formatIp(a.address)}/128 dev ${a.device} nodad`;
}

/** Creates the namespaces, veth pairs, addresses, routes and sysctls; registers their removal first. */
export async function buildTopology(t: Topology, cleanup: CleanupStack, synRetries: number): Promise<void> {
  for (const ns of [t.firewall, ...t.sides.map((s) => s.namespace)]) {
    await must('ip', ['netns', 'add', ns]);
    cleanup.push(() => deleteNamespaceSync(ns));
    // No duplicate address detection: addresses must be usable at once (no tentative state).
    await sysctl(ns, ['net.ipv6.conf.all.accept_dad=0', 'net.ipv6.conf.default.accept_dad=0']);
  }
  const fw: string[] = ['link set lo up'];
  for (const s of t.sides) {
    fw.push(`link add ${s.device} type veth peer name eth0 netns ${s.namespace}`, `link set ${s.device} up`);
    // a MASQUERADE address first: the kernel masquerades to the interface's first address (inet_select_addr)
    for (const a of t.firewallAddresses) if (a.primary && a.device === s.device) fw.push(addressAdd(a));
    fw.push(`address add 169.254.${s.index}.1/32 dev ${s.device}`, `address add fe80::1/64 dev ${s.device} nodad`);
  }
  const devices = new Set(t.sides.map((s) => s.device));
  for (const a of t.firewallAddresses) {
    if (a.primary && devices.has(a.device)) continue; // added above, before the link's own address
    // a NAT address on an interface no scenario host sits behind gets a dummy link of that name
    if (!devices.has(a.device)) {
      fw.push(`link add ${a.device} type dummy`, `link set ${a.device} up`);
      devices.add(a.device);
    }
    fw.push(addressAdd(a));
  }
  await batch(t.firewall, fw);
  for (const s of t.sides) {
    const side = ['link set lo up', 'link set eth0 up'];
    for (const a of s.addresses) side.push(a.family === 4 ? `address add ${formatIp(a)}/32 dev eth0` : `address add ${formatIp(a)}/128 dev eth0 nodad`);
    side.push(`route add 169.254.${s.index}.1/32 dev eth0`, `route add default via 169.254.${s.index}.1 dev eth0`, 'route add ::/0 via fe80::1 dev eth0');
    await batch(s.namespace, side);
    // Scaled-down SYN retries (Linux default 6, about 127 s) so a blocked connect ends in seconds.
    await sysctl(s.namespace, [`net.ipv4.tcp_syn_retries=${synRetries}`, `net.ipv4.tcp_synack_retries=${synRetries}`]);
  }
  const routes: string[] = [];
  for (const s of t.sides) {
    for (const a of s.addresses) routes.push(`route add ${formatIp(a)}/${a.family === 4 ? 32 : 128} dev ${s.device}`);
    if (s.unowned.length === 0) continue;
    // A permanent neighbour entry so the packet really leaves (no ARP/ND that nobody answers); the side's
    // namespace does not forward and drops it, as the simulated network does.
    const links = JSON.parse(await must('ip', ['-n', s.namespace, '-j', 'link', 'show', 'eth0'])) as { address?: string }[];
    const mac = links[0]?.address;
    if (!mac) throw new Error(`no MAC address on eth0 in ${s.namespace}`);
    for (const a of s.unowned) routes.push(`route add ${formatIp(a)}/${a.family === 4 ? 32 : 128} dev ${s.device}`, `neigh add ${formatIp(a)} lladdr ${mac} dev ${s.device} nud permanent`);
  }
  await batch(t.firewall, routes);
  await sysctl(t.firewall, ['net.ipv4.ip_forward=1', 'net.ipv6.conf.all.forwarding=1']);
}
