/**
 * The vendor-neutral policy model. Every dialect parser converts into it; every
 * engine and analysis reads only it. Plain readonly data that serialises to JSON.
 */
import type { SourceSpan } from '../diag/diagnostic.js';
import type { IpFamily, Ipv6Words } from '../net/address.js';

/** What a rule does with a packet it matches. */
export type Action = 'permit' | 'deny';

/**
 * An address condition.
 * - v4: matches when `((packet ^ addr) & ~wildcard) === 0` (Cisco/H3C wildcard: 1 bits are "don't care";
 *   non-contiguous wildcards are allowed).
 * - v6: a prefix.
 */
export type AddrMatch =
  | { readonly kind: 'any' }
  | { readonly kind: 'v4'; readonly addr: number; readonly wildcard: number }
  | { readonly kind: 'v6'; readonly addr: Ipv6Words; readonly prefixLen: number };

/** A port condition, kept in the vendor's operator form and as inclusive ranges. */
export interface PortMatch {
  readonly op: 'eq' | 'neq' | 'lt' | 'gt' | 'range';
  /** the operands as written (one, or two for range) */
  readonly operands: readonly number[];
  /** the ports matched, as sorted, disjoint inclusive [lo, hi] ranges */
  readonly ranges: readonly (readonly [number, number])[];
}

/**
 * A TCP flags condition: the packet matches when `(flags & mask) === value`; with `any`, when at least one
 * flag of the mask has its value (H3C routers OR the flags of one rule, facts sheet 5.2).
 */
export interface TcpFlagsMatch {
  readonly mask: number;
  readonly value: number;
  readonly any?: boolean;
}

/** Protocol of a rule: a number 0-255, or 'any' (H3C `ip` / `ipv6`). */
export type ProtocolMatch = number | 'any';

/** One ACL rule, in neutral form, with its origin. */
export interface Rule {
  /** the vendor's rule id (H3C: 0..65534) */
  readonly id: number;
  readonly action: Action;
  readonly protocol: ProtocolMatch;
  readonly src: AddrMatch;
  readonly dst: AddrMatch;
  readonly srcPort?: PortMatch;
  readonly dstPort?: PortMatch;
  /** H3C `established`: TCP with ACK or RST set */
  readonly established?: boolean;
  readonly tcpFlags?: TcpFlagsMatch;
  /** H3C `fragment`: matches only non-first fragments */
  readonly fragmentOnly?: boolean;
  readonly icmpType?: number;
  readonly icmpCode?: number;
  /** H3C `vpn-instance NAME`: the rule matches only packets of that VPN instance (routers; see Policy.platform) */
  readonly vpnInstance?: string;
  /** H3C `time-range NAME`: the rule is active only while the time range is (never when it is not defined) */
  readonly timeRange?: string;
  /** options that are parsed but not simulated (logging, counting, dscp …) */
  readonly unsimulated?: readonly string[];
  readonly comment?: string;
  /** 0-based creation order in its ACL (the `match-order auto` tie-break on switches) */
  readonly seq?: number;
  /** the rule text as the device would display it (normalised spacing) */
  readonly text: string;
  readonly at: SourceSpan;
}

/** How rules of an ACL are ordered for first-match evaluation. */
export type MatchOrder = 'config' | 'auto';

/** One access control list. Rules are stored in evaluation order (already sorted for `auto`). */
export interface Acl {
  /** what the device calls it: the number as text ("3000") or the name ("web-in") */
  readonly name: string;
  readonly number?: number;
  /** H3C ACL category: basic (source only), advanced, ethernet frame header, user-defined */
  readonly category: 'basic' | 'advanced';
  readonly family: IpFamily;
  readonly matchOrder: MatchOrder;
  readonly step: number;
  readonly description?: string;
  readonly rules: readonly Rule[];
  readonly at: SourceSpan;
}

/** Traffic direction relative to an interface. */
export type Direction = 'inbound' | 'outbound';

/** An ACL applied to an interface as a packet filter. */
export interface Binding {
  readonly interface: string;
  readonly direction: Direction;
  readonly family: IpFamily;
  /** the ACL's name as in Acl.name; may name an ACL that does not exist (the device then permits) */
  readonly acl: string;
  /** Comware 5 `firewall packet-filter … match-fragments`: normal (layer 3 only for non-first fragments, the default) or exact */
  readonly fragmentMatch?: 'normal' | 'exact';
  readonly at: SourceSpan;
}

/** Stateful inspection of FTP on an interface (H3C ASPF `detect ftp`, or `--inspect ftp`). */
export interface Inspection {
  /** the interface it is applied on, or '*' for every interface (`--inspect ftp`) */
  readonly interface: string;
  readonly direction: Direction | 'both';
  readonly protocol: 'ftp';
  /** control ports the FTP helper is attached to */
  readonly ports: readonly number[];
  /** the source of this inspection: a config line, or undefined for a command-line option */
  readonly at?: SourceSpan;
}

/** What happens to a packet that matches no rule of a bound ACL. */
export interface DefaultAction {
  readonly action: Action;
  /** the `packet-filter default deny` line, when set by the config */
  readonly at?: SourceSpan;
}

/** Connections a session point tracks: one protocol, optionally only some destination ports (Comware 5 `detect tcp|udp|ftp`). */
export interface SessionProtocol {
  readonly proto: number;
  /** TCP/UDP destination ports of the first packet; undefined: every port */
  readonly dstPorts?: readonly number[];
}

/**
 * Where a connection becomes a stateful session (H3C ASPF applied on an interface in a direction):
 * its first packet crossed this interface in this direction and was permitted by the packet filters.
 */
export interface SessionPoint {
  /** the interface, or '*' for every interface */
  readonly interface: string;
  readonly direction: Direction | 'both';
  /** undefined: every protocol (Comware 7 ASPF always inspects TCP, UDP and ICMP) */
  readonly protocols?: readonly SessionProtocol[];
  readonly at?: SourceSpan;
}

/**
 * Where state is created and where it passes. A policy without one tracks every connection and lets
 * every tracked one pass ahead of the filters (Linux `ct state established,related accept`).
 */
export interface SessionScope {
  /** where a connection's first packet makes it a session; none: no connection is a session */
  readonly points: readonly SessionPoint[];
  /** where a session's established and related packets pass: ahead of every packet filter (H3C ASPF) */
  readonly passes: 'before-filters';
  /**
   * Security zones make sessions too (Comware 7): a zone pair carries a default ASPF policy that inspects
   * every protocol, FTP included, so a connection whose first packet a zone pair permits is a session with
   * FTP inspected on these control ports; a connection whose first packet a security policy rule passes is
   * a session (no FTP inspection: not sourced for security policies).
   */
  readonly zones?: { readonly ftpPorts: readonly number[] };
}

/**
 * One statement of a time range (H3C `time-range NAME …`). Times are minutes of the device's wall clock;
 * a periodic statement is active on its days (0 = Sunday) from startMin to endMin (exclusive), an
 * absolute one from fromMin to toMin (exclusive; minutes since 1970-01-01 00:00 of the device clock).
 */
export type TimeRangeStatement =
  | {
      readonly kind: 'periodic';
      readonly startMin: number;
      readonly endMin: number;
      readonly days: readonly number[];
      /** a compound statement's own absolute window */
      readonly fromMin?: number;
      readonly toMin?: number;
      readonly at: SourceSpan;
    }
  | { readonly kind: 'absolute'; readonly fromMin?: number; readonly toMin?: number; readonly at: SourceSpan };

/** A named time range: its statements (several lines of one name add statements). */
export interface TimeRange {
  readonly name: string;
  readonly statements: readonly TimeRangeStatement[];
}

/** The kind of device, where semantics differ (H3C: TCP flags, match-order auto tie-break, VPN rules). */
export type Platform = 'switch' | 'router' | 'firewall';

/** A whole device policy, vendor-neutral. */
export interface Policy {
  /** the config file it came from */
  readonly source: string;
  readonly acls: readonly Acl[];
  readonly bindings: readonly Binding[];
  readonly defaultAction: DefaultAction;
  /** the default action of IPv6 packets when it differs from `defaultAction` (Comware 5 `firewall ipv6 default`) */
  readonly ipv6DefaultAction?: DefaultAction;
  readonly inspections: readonly Inspection[];
  /** interface names declared in the config */
  readonly interfaces: readonly string[];
  /** where connection state is created and passes; absent: everywhere (Linux) */
  readonly sessionScope?: SessionScope;
  /** time ranges by name (lower-case: Comware names are case-insensitive) */
  readonly timeRanges?: readonly TimeRange[];
  /** the kind of device, when the config or an option tells it */
  readonly platform?: Platform;
  /** `packet-filter … global …`: applied on every interface besides its own binding */
  readonly globalBindings?: readonly GlobalBinding[];
  /** security zones, zone pairs and security policies, when the config puts interfaces in zones */
  readonly zones?: ZonePolicy;
  /** a Linux ruleset (iptables-save, nft): when present, its chains decide instead of acls/bindings */
  readonly ruleset?: import('./netfilter.js').Ruleset;
  /** NAT rules (iptables nat table, nft nat chains, H3C nat server/outbound/static), in evaluation order */
  readonly nat?: readonly import('./nat.js').NatRule[];
  /** the FTP NAT ALG (nf_nat_ftp; H3C `nat alg ftp`, on by default): rewrite PORT/EPRT/227/229 on NATed control connections */
  readonly natFtpAlg?: boolean;
}

/** Finds an ACL by the name a binding uses: the first of that name and family, as a scan in order finds it. */
export function findAcl(policy: Pick<Policy, 'acls'>, name: string, family: IpFamily): Acl | undefined {
  let byName = ACL_INDEX.get(policy.acls);
  if (byName === undefined) {
    // once per ACL list (never changed once built): callers look up one ACL per binding, and a config may have tens of thousands
    byName = new Map();
    for (const a of policy.acls) if (!byName.has(`${a.family}/${a.name}`)) byName.set(`${a.family}/${a.name}`, a);
    ACL_INDEX.set(policy.acls, byName);
  }
  return byName.get(`${family}/${name}`);
}

const ACL_INDEX = new WeakMap<readonly Acl[], Map<string, Acl>>();

/** Lookups of a binding list, built once per list (never changed once built). */
interface BindingIndex {
  /** by `family/acl`: the bindings naming that ACL, in config order */
  readonly byAcl: Map<string, Binding[]>;
  /** by `interface direction family`: the last binding there, the one that applies */
  readonly at: Map<string, Binding>;
}

const BINDING_INDEX = new WeakMap<readonly Binding[], BindingIndex>();

function bindingIndex(bindings: readonly Binding[]): BindingIndex {
  let index = BINDING_INDEX.get(bindings);
  if (index === undefined) {
    index = { byAcl: new Map(), at: new Map() };
    for (const b of bindings) {
      const key = `${b.family}/${b.acl}`;
      const list = index.byAcl.get(key);
      if (list) list.push(b);
      else index.byAcl.set(key, [b]);
      index.at.set(`${b.interface}\u0000${b.direction}\u0000${b.family}`, b);
    }
    BINDING_INDEX.set(bindings, index);
  }
  return index;
}

const NO_BINDINGS: readonly Binding[] = [];

/** The bindings that apply `acl` (its family and name), in config order. */
export function bindingsOfAcl(policy: Pick<Policy, 'bindings'>, acl: Pick<Acl, 'family' | 'name'>): readonly Binding[] {
  return bindingIndex(policy.bindings).byAcl.get(`${acl.family}/${acl.name}`) ?? NO_BINDINGS;
}

/** The binding that applies at an interface, direction and family: the last one written there, if any. */
export function bindingAt(policy: Pick<Policy, 'bindings'>, iface: string, direction: Direction, family: IpFamily): Binding | undefined {
  return bindingIndex(policy.bindings).at.get(`${iface}\u0000${direction}\u0000${family}`);
}

/** Human text of a rule's provenance: `acl 3000 rule 10 (rules/seed-active.cfg:5)`. */
export function ruleLabel(acl: Acl, rule: Rule): string {
  return `acl ${acl.family === 6 ? 'ipv6 ' : ''}${acl.name} rule ${rule.id} (${rule.at.file}:${rule.at.line})`;
}

/** A security zone: interfaces with the same security requirements (Comware 7 `security-zone`). */
export interface Zone {
  readonly name: string;
  readonly interfaces: readonly string[];
  readonly at: SourceSpan;
}

/** The packet filters between a source and a destination zone (`zone-pair security` + `packet-filter`). */
export interface ZonePair {
  /** zone names, or 'any' */
  readonly source: string;
  readonly destination: string;
  /** the ACL applied per family (its name as in Acl.name); may name an ACL that does not exist */
  readonly acls: readonly { readonly family: IpFamily; readonly acl: string; readonly at: SourceSpan }[];
  readonly at: SourceSpan;
}

/** One security policy rule (Comware 7 `security-policy ip`), its address and service conditions compiled into an ACL. */
export interface SecurityRule {
  readonly id: number;
  readonly name?: string;
  readonly family: IpFamily;
  readonly action: Action;
  /** empty: any zone */
  readonly sourceZones: readonly string[];
  readonly destinationZones: readonly string[];
  /** the address and service conditions as permit rules: the rule matches a packet one of them matches */
  readonly match: Acl;
  /** one-line summary: `rule 0 name out: pass trust→untrust source 10.0.0.0/24 service ftp` */
  readonly text: string;
  readonly at: SourceSpan;
}

/**
 * Zone-based filtering (Comware 7). Between two zones the zone pair's packet filter applies, or,
 * when the config has security policy rules, those rules replace the zone pair filters.
 */
export interface ZonePolicy {
  readonly zones: readonly Zone[];
  readonly pairs: readonly ZonePair[];
  /** in match order; non-empty for a family means security policies decide that family */
  readonly securityRules: readonly SecurityRule[];
  /** between two interfaces of one zone without a zone pair (H3C: discard by default) */
  readonly intraZone: { readonly action: Action; readonly at?: SourceSpan };
  /** between two interfaces in no zone (routers forward, firewalls with security policies discard) */
  readonly unzoned: Action;
}

/** An ACL applied to every interface (`packet-filter N global inbound`): met together with the interface's own. */
export interface GlobalBinding {
  readonly direction: Direction;
  readonly family: IpFamily;
  readonly acl: string;
  readonly at: SourceSpan;
}
