/**
 * The H3C Comware vocabulary ftpwall knows: protocol, port and ICMP names as the
 * command references list them, interface type names, and the commands of other
 * features that a config may contain but that the simulator skips.
 *
 * Sources: H3C/HPE Comware "ACL commands" references, `rule (IPv4 advanced ACL view)`:
 * protocol names "gre (47), icmp (1), igmp (2), ip, ipinip (4), ospf (89), tcp (6), or udp (17)";
 * `rule (IPv6 advanced ACL view)`: TCP/UDP port name tables (reproduced below);
 * Comware 5 ACL operation manuals, "ICMP messages" table.
 */
import type { IpFamily } from '../../net/address.js';

/** IPv4 advanced ACL protocol names; `ip` means any protocol carried by IPv4. */
const PROTOCOLS_V4: ReadonlyMap<string, number | 'any'> = new Map<string, number | 'any'>([
  ['ip', 'any'],
  ['icmp', 1],
  ['igmp', 2],
  ['ipinip', 4],
  ['tcp', 6],
  ['udp', 17],
  ['gre', 47],
  ['ospf', 89],
]);

/** IPv6 advanced ACL protocol names; `ipv6` means any protocol carried by IPv6. */
const PROTOCOLS_V6: ReadonlyMap<string, number | 'any'> = new Map<string, number | 'any'>([
  ['ipv6', 'any'],
  ['tcp', 6],
  ['udp', 17],
  ['gre', 47],
  ['ipv6-esp', 50],
  ['ipv6-ah', 51],
  ['icmpv6', 58],
  ['ospf', 89],
]);

/** The protocol-name table of an ACL family. */
export function protocolNames(family: IpFamily): ReadonlyMap<string, number | 'any'> {
  return family === 4 ? PROTOCOLS_V4 : PROTOCOLS_V6;
}

/** The name Comware prints for a protocol number in an ACL of `family`, or the number. */
export function protocolText(protocol: number | 'any', family: IpFamily): string {
  if (protocol === 'any') return family === 4 ? 'ip' : 'ipv6';
  return (family === 4 ? NAME_OF_V4 : NAME_OF_V6).get(protocol) ?? String(protocol);
}

/** Number → the first name the table gives it (rules are displayed once each: a lookup, not a scan). */
function namesByNumber(names: ReadonlyMap<string, number | 'any'>): ReadonlyMap<number, string> {
  const out = new Map<number, string>();
  for (const [name, n] of names) if (n !== 'any' && !out.has(n)) out.set(n, name);
  return out;
}

const NAME_OF_V4 = namesByNumber(PROTOCOLS_V4);
const NAME_OF_V6 = namesByNumber(PROTOCOLS_V6);

/** TCP port names (command reference table "TCP port numbers can be represented as"). */
export const TCP_PORT_NAMES: ReadonlyMap<string, number> = new Map([
  ['chargen', 19], ['bgp', 179], ['cmd', 514], ['daytime', 13], ['discard', 9], ['domain', 53],
  ['echo', 7], ['exec', 512], ['finger', 79], ['ftp', 21], ['ftp-data', 20], ['gopher', 70],
  ['hostname', 101], ['irc', 194], ['klogin', 543], ['kshell', 544], ['login', 513], ['lpd', 515],
  ['nntp', 119], ['pop2', 109], ['pop3', 110], ['smtp', 25], ['sunrpc', 111], ['tacacs', 49],
  ['talk', 517], ['telnet', 23], ['time', 37], ['uucp', 540], ['whois', 43], ['www', 80],
]);

/** UDP port names (command reference table "UDP port numbers can be represented as"). */
export const UDP_PORT_NAMES: ReadonlyMap<string, number> = new Map([
  ['biff', 512], ['bootpc', 68], ['bootps', 67], ['discard', 9], ['dns', 53], ['dnsix', 90],
  ['echo', 7], ['mobilip-ag', 434], ['mobilip-mn', 435], ['nameserver', 42], ['netbios-dgm', 138],
  ['netbios-ns', 137], ['netbios-ssn', 139], ['ntp', 123], ['rip', 520], ['snmp', 161],
  ['snmptrap', 162], ['sunrpc', 111], ['syslog', 514], ['tacacs-ds', 65], ['talk', 517],
  ['tftp', 69], ['time', 37], ['who', 513], ['xdmcp', 177],
]);

/** ICMP message names: [type, code] (Comware "ICMP messages" table). */
export const ICMP_MESSAGES: ReadonlyMap<string, readonly [number, number]> = new Map([
  ['echo', [8, 0]], ['echo-reply', [0, 0]], ['fragmentneed-dfset', [3, 4]], ['host-redirect', [5, 1]],
  ['host-tos-redirect', [5, 3]], ['host-unreachable', [3, 1]], ['information-reply', [16, 0]],
  ['information-request', [15, 0]], ['net-redirect', [5, 0]], ['net-tos-redirect', [5, 2]],
  ['net-unreachable', [3, 0]], ['parameter-problem', [12, 0]], ['port-unreachable', [3, 3]],
  ['protocol-unreachable', [3, 2]], ['reassembly-timeout', [11, 1]], ['source-quench', [4, 0]],
  ['source-route-failed', [3, 5]], ['timestamp-reply', [14, 0]], ['timestamp-request', [13, 0]],
  ['ttl-exceeded', [11, 0]],
] as const);

/** ICMPv6 message names: [type, code] (Comware `rule (IPv6 advanced ACL view)` table). */
export const ICMPV6_MESSAGES: ReadonlyMap<string, readonly [number, number]> = new Map([
  ['echo-request', [128, 0]], ['echo-reply', [129, 0]], ['err-header-field', [4, 0]],
  ['frag-time-exceeded', [3, 1]], ['hop-limit-exceeded', [3, 0]], ['host-admin-prohib', [1, 1]],
  ['host-unreachable', [1, 3]], ['neighbor-advertisement', [136, 0]], ['neighbor-solicitation', [135, 0]],
  ['network-unreachable', [1, 0]], ['packet-too-big', [2, 0]], ['port-unreachable', [1, 4]],
  ['redirect', [137, 0]], ['router-advertisement', [134, 0]], ['router-solicitation', [133, 0]],
  ['unknown-ipv6-opt', [4, 2]], ['unknown-next-hdr', [4, 1]],
] as const);

/** Options of `rule` in an advanced ACL view (Comware 5 and 7). */
export const ADVANCED_RULE_OPTIONS = [
  'source', 'destination', 'source-port', 'destination-port', 'established', 'syn', 'ack', 'fin',
  'rst', 'psh', 'urg', 'fragment', 'logging', 'counting', 'time-range', 'vpn-instance', 'icmp-type',
  'icmp6-type', 'dscp', 'precedence', 'tos', 'flow-logging',
] as const;

/** Options of `rule` in a basic ACL view. */
export const BASIC_RULE_OPTIONS = ['source', 'fragment', 'logging', 'counting', 'time-range', 'vpn-instance', 'flow-logging'] as const;

/** Commands ftpwall interprets in system view. */
export const SYSTEM_COMMANDS = [
  'acl', 'interface', 'aspf', 'aspf-policy', 'packet-filter', 'firewall', 'port-mapping', 'time-range', 'object-group', 'security-zone',
  'zone-pair', 'security-policy', 'quit', 'return', 'undo',
] as const;
/** Commands ftpwall interprets in an ACL view. */
export const ACL_COMMANDS = ['rule', 'step', 'description', 'undo', 'quit', 'return'] as const;
/** Commands ftpwall interprets in an interface view. */
export const INTERFACE_COMMANDS = ['packet-filter', 'aspf', 'firewall', 'quit', 'return'] as const;

/**
 * First words of Comware commands and sections that exist on real devices but
 * do not affect packet filtering or FTP inspection: skipped (and counted) when
 * found in system view. Keeping the list explicit keeps "unknown command" an error.
 */
export const SKIPPED_SYSTEM_COMMANDS: ReadonlySet<string> = new Set([
  'version', 'sysname', 'clock', 'telnet', 'ssh', 'sftp', 'ftp', 'scp', 'irf', 'lldp', 'system-working-mode',
  'password-recovery', 'vlan', 'stp', 'ospf', 'ospfv3', 'rip', 'ripng', 'bgp', 'isis', 'ip', 'ipv6',
  'scheduler', 'line', 'user-interface', 'user-group', 'local-user', 'domain', 'role', 'radius', 'hwtacacs',
  'snmp-agent', 'info-center', 'ntp-service', 'sntp', 'header', 'dhcp', 'dns', 'nat',
  'traffic', 'qos', 'super', 'public-key', 'pki', 'ssl',
  'object-policy', 'session', 'route-policy', 'mirroring-group', 'port-security', 'dot1x',
  'mac-address', 'arp', 'link-aggregation', 'lacp', 'mpls', 'l2vpn', 'vsi', 'multicast', 'igmp-snooping',
  'mld-snooping', 'http', 'https', 'cwmp', 'aaa', 'password-control', 'hotkey', 'command-alias',
  'gratuitous-arp', 'poe', 'device', 'license', 'cfd', 'bfd', 'vrrp', 'dldp', 'loopback-detection',
  'port-group', 'sflow', 'netstream', 'ike', 'ipsec', 'portal', 'attack-defense', 'blacklist', 'connlimit',
  'track', 'nqa', 'monitor', 'undo', 'inspect', 'app-profile', 'user-identity', 'ssl-vpn', 'load-balance',
  'web', 'ip-http', 'management', 'slot', 'energy', 'alarm', 'usb', 'tcp', 'icmp', 'ndp', 'nd',
  'ip-pool', 'ipv6-pool', 'voice-vlan', 'ssh2', 'ssl-server-policy', 'mdc', 'context', 'fan', 'power-supply',
  'system', 'memory', 'cpu-usage', 'job', 'startup', 'boot-loader', 'configuration', 'archive', 'local-server',
  'bootrom', 'jumboframe', 'priority', 'rmon', 'ntp', 'igmp', 'pim', 'msdp', 'mld', 'vpn-instance',
  'rbac', 'ping', 'tracert', 'display', 'save', 'system-view',
]);

/**
 * Words of SKIPPED_SYSTEM_COMMANDS that are also interface-view (or ASPF-view) commands,
 * e.g. ` ip address …`, ` undo shutdown`, ` tcp syn-check`: inside those views they are
 * settings of the view; any other skipped word starts a new system-view section.
 */
export const VIEW_LOCAL_WORDS: ReadonlySet<string> = new Set([
  'ip', 'ipv6', 'undo', 'lldp', 'stp', 'ospf', 'ospfv3', 'rip', 'ripng', 'isis', 'qos', 'nat', 'dhcp', 'arp',
  'mac-address', 'port-security', 'dot1x', 'igmp-snooping', 'mld-snooping', 'traffic', 'vrrp', 'bfd', 'mpls',
  'igmp', 'pim', 'mld', 'jumboframe', 'priority', 'link-aggregation', 'lacp', 'poe', 'sflow', 'netstream',
  'portal', 'loopback-detection', 'dldp', 'cfd', 'voice-vlan', 'tcp', 'icmp', 'ntp-service', 'snmp-agent',
  'ipsec', 'ike', 'attack-defense', 'nd', 'ndp', 'multicast', 'energy',
]);

/** Canonical Comware interface type names. */
export const INTERFACE_TYPES = [
  'GigabitEthernet', 'Ten-GigabitEthernet', 'FortyGigE', 'HundredGigE', 'Twenty-FiveGigE', 'Ethernet',
  'M-GigabitEthernet', 'M-Ethernet', 'Vlan-interface', 'LoopBack', 'NULL', 'Bridge-Aggregation',
  'Route-Aggregation', 'Serial', 'Tunnel', 'Dialer', 'Virtual-Template', 'Virtual-Ethernet', 'Cellular',
  'InLoopBack', 'Register-Tunnel',
] as const;

/** Abbreviations Comware 7 prints in brief displays (`display interface brief`). */
const INTERFACE_ABBREVIATIONS: ReadonlyMap<string, string> = new Map([
  ['ge', 'GigabitEthernet'], ['xge', 'Ten-GigabitEthernet'], ['fge', 'FortyGigE'], ['hge', 'HundredGigE'],
  ['wge', 'Twenty-FiveGigE'], ['mge', 'M-GigabitEthernet'], ['vlan-int', 'Vlan-interface'],
  ['bagg', 'Bridge-Aggregation'], ['ragg', 'Route-Aggregation'], ['loop', 'LoopBack'],
]);

/**
 * Normalises an interface name as Comware does when it accepts it: the type is
 * case-insensitive and may be abbreviated while unambiguous (`gi2/1/10`,
 * `GE2/1/10`, `GigabitEthernet 2/1/10` → `GigabitEthernet2/1/10`). An unknown or
 * ambiguous type is kept as written.
 */
export function normalizeInterfaceName(written: string): string {
  const compact = written.replace(/\s+/g, '');
  const m = /^([A-Za-z][A-Za-z-]*)(.*)$/.exec(compact);
  if (!m) return compact;
  const type = m[1]!;
  const rest = m[2]!;
  const lower = type.toLowerCase();
  const exact = INTERFACE_TYPES.find((t) => t.toLowerCase() === lower);
  if (exact) return exact + rest;
  const abbreviation = INTERFACE_ABBREVIATIONS.get(lower);
  if (abbreviation) return abbreviation + rest;
  const candidates = INTERFACE_TYPES.filter((t) => t.toLowerCase().startsWith(lower));
  return candidates.length === 1 ? candidates[0]! + rest : compact;
}
