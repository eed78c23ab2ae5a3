/**
 * The H3C vendor model: what the config says, in Comware's own terms (ACL
 * numbers and categories, rule ids, interface packet-filter and ASPF
 * applications). The parser builds it; convert.ts turns it into the neutral Policy.
 * ACLs and rules are readonly, frozen states: the commands of an ACL view edit one immer
 * draft of its ACL (acl-draft.ts), and leaving the view replaces the ACL in `H3cConfig.acls`
 * with the next state (a large ACL's draft is kept open until the end of input, so that entering its
 * view again costs no copy: acl-view.ts); the other parts are mutable while parsing.
 */
import type { SourceSpan } from '../../diag/diagnostic.js';
import type { IpFamily, Ipv6Words } from '../../net/address.js';
import type { Action, Direction, MatchOrder, TimeRangeStatement } from '../../policy/model.js';

/** An address operand as written and as numbers. */
export type H3cAddr =
  | { readonly kind: 'any' }
  | { readonly kind: 'v4'; readonly addr: number; readonly wildcard: number }
  | { readonly kind: 'v6'; readonly addr: Ipv6Words; readonly prefixLen: number };

/** A port operand: operator, numbers, and each operand as written (name or number). */
export interface H3cPort {
  readonly op: 'eq' | 'neq' | 'lt' | 'gt' | 'range';
  readonly operands: readonly number[];
  readonly written: readonly string[];
}

/** The options of one `rule` command; on a re-definition only the given ones replace the old. */
export interface H3cRuleOptions {
  src?: H3cAddr;
  dst?: H3cAddr;
  srcPort?: H3cPort;
  dstPort?: H3cPort;
  established?: boolean;
  /** TCP flag conditions in the order written: keyword and 0/1 */
  flags?: readonly (readonly [string, 0 | 1])[];
  fragment?: boolean;
  logging?: boolean;
  counting?: boolean;
  timeRange?: string;
  vpnInstance?: string;
  icmp?: { readonly type: number; readonly code?: number; readonly written: string };
  /** dscp / precedence / tos values: keyword and value as written */
  qos?: readonly (readonly [string, string])[];
  /** `source object-group NAME` (then `src` is unset) */
  srcGroup?: string;
  /** `destination object-group NAME` */
  dstGroup?: string;
  /** `source-port object-group NAME` */
  srcPortGroup?: string;
  /** `destination-port object-group NAME` */
  dstPortGroup?: string;
  /** `flow-logging` (Comware 7): parsed, not simulated */
  flowLogging?: boolean;
}

/** One ACL rule in the vendor model (a frozen state; acl-edit.ts produces changed copies). */
export interface H3cRule extends Readonly<H3cRuleOptions> {
  readonly id: number;
  readonly action: Action;
  /** protocol number, or 'any' for `ip` / `ipv6` and for basic ACL rules */
  readonly protocol: number | 'any';
  readonly comment?: string;
  /** the line that created (or last edited) the rule, from the `rule` word to the end */
  readonly at: SourceSpan;
}

/** One ACL: number and/or name, category, rules keyed by id (a frozen state; acl-edit.ts produces the next). */
export interface H3cAcl {
  readonly family: IpFamily;
  readonly category: 'basic' | 'advanced';
  readonly number?: number;
  readonly name?: string;
  readonly matchOrder: MatchOrder;
  /** rule numbering step (Comware default 5) */
  readonly step: number;
  /** `step N start M` (Comware 7): the first automatic id and the base of renumbering; 0 when not given */
  readonly start?: number;
  readonly description?: string;
  /** rules in creation order; evaluation order is decided by convert.ts */
  readonly rules: readonly H3cRule[];
  readonly at: SourceSpan;
  /** true for the implicit ACL that collects rules written without an `acl` header */
  readonly implicit?: boolean;
}

/** `packet-filter …` or `firewall packet-filter …` in an interface view. */
export interface H3cPacketFilter {
  readonly direction: Direction;
  readonly family: IpFamily;
  /** `3000` or `name web-in`, resolved to an ACL by convert.ts */
  readonly ref: { readonly number: number } | { readonly name: string };
  /** `ip-group 3000 rule 5`: only one rule applied (not simulated) */
  readonly ruleId?: number;
  /** Comware 5 `match-fragments normally|exactly` (normally by default) */
  readonly matchFragments?: 'normally' | 'exactly';
  /** which syntax: Comware 7 `packet-filter`, Comware 5 `firewall packet-filter` */
  readonly form: 'packet-filter' | 'firewall';
  readonly at: SourceSpan;
}

/** `aspf apply policy N dir` (Comware 7) or `firewall aspf N dir` (Comware 5). */
export interface H3cAspfApply {
  readonly policy: number;
  readonly direction: Direction;
  readonly form: 'aspf' | 'firewall';
  readonly at: SourceSpan;
}

/** An interface view. */
export interface H3cInterface {
  readonly name: string;
  readonly at: SourceSpan;
  readonly packetFilters: H3cPacketFilter[];
  readonly aspf: H3cAspfApply[];
}

/** An ASPF policy view: the protocols it detects. */
export interface H3cAspfPolicy {
  readonly number: number;
  readonly at: SourceSpan;
  /** detected application protocols, lower-case, with the `detect` line */
  readonly detect: Map<string, SourceSpan>;
}

/** `port-mapping application ftp port N` (Comware 7) / `port-mapping ftp port N` (Comware 5). */
export interface H3cPortMapping {
  readonly application: string;
  readonly port: number;
  readonly at: SourceSpan;
}

/** A whole Comware config in vendor terms. */
export interface H3cConfig {
  readonly file: string;
  /** the current state of each ACL, in creation order; an edit stores the next state at the same index */
  readonly acls: H3cAcl[];
  readonly interfaces: H3cInterface[];
  readonly aspfPolicies: H3cAspfPolicy[];
  readonly portMappings: H3cPortMapping[];
  /** the last `packet-filter default …` (Comware 7, every family) / `firewall default …` (Comware 5, IPv4) line */
  defaultAction?: { readonly action: Action; readonly at: SourceSpan; readonly form?: 'packet-filter' | 'firewall' };
  /** Comware 5 `firewall enable` */
  firewallEnabled?: SourceSpan;
  /** Comware 5 `firewall ipv6 default …` (IPv6 only; needs `firewall ipv6 enable`) */
  ipv6DefaultAction?: { readonly action: Action; readonly at: SourceSpan; readonly form?: 'packet-filter' | 'firewall' };
  /** Comware 5 `firewall ipv6 enable` */
  ipv6FirewallEnabled?: SourceSpan;
  /** `time-range NAME …` statements by lower-case name, in the order written */
  timeRanges?: Map<string, TimeRangeStatement[]>;
  /** object groups, security zones, zone pairs, security policies, global and VLAN packet filters */
  readonly c7: H3cZoneConfig;
}

/** A member of an object group (Comware 7 `object-group …` view), with its line. */
export type H3cGroupMember =
  /** `network host address A`, `network subnet A M`, `network range A B` (a range as the prefixes that cover it exactly) */
  | { readonly kind: 'addr'; readonly addrs: readonly H3cAddr[]; readonly at: SourceSpan }
  /** `network group-object X`, `port group-object X`, `service group-object X` */
  | { readonly kind: 'group'; readonly name: string; readonly at: SourceSpan }
  /** `port {eq|lt|gt|neq} P`, `port range A B` */
  | { readonly kind: 'port'; readonly port: H3cPort; readonly at: SourceSpan }
  /** `service PROTOCOL [source OP P…] [destination OP P…]`, `service icmp TYPE CODE` */
  | {
      readonly kind: 'service';
      readonly protocol: number | 'any';
      readonly srcPort?: H3cPort;
      readonly dstPort?: H3cPort;
      readonly icmp?: { readonly type: number; readonly code?: number; readonly written: string };
      readonly at: SourceSpan;
    };

/** `object-group {ip address | ipv6 address | service | port} NAME` and its members. */
export interface H3cObjectGroup {
  readonly type: 'address' | 'service' | 'port';
  /** address groups: 4 for `ip address`, 6 for `ipv6 address` */
  readonly family?: IpFamily;
  readonly name: string;
  readonly at: SourceSpan;
  readonly members: H3cGroupMember[];
}

/** `security-zone name NAME` with its `import interface` members. */
export interface H3cZone {
  readonly name: string;
  readonly at: SourceSpan;
  readonly interfaces: { readonly name: string; readonly at: SourceSpan }[];
}

/** `zone-pair security source A destination B` with its `packet-filter` applications. */
export interface H3cZonePair {
  readonly source: string;
  readonly destination: string;
  readonly at: SourceSpan;
  readonly packetFilters: { readonly family: IpFamily; readonly ref: { readonly number: number } | { readonly name: string }; readonly at: SourceSpan }[];
}

/** An address condition of a security policy rule: an object group or an inline address. */
export type H3cPolicyAddr = { readonly group: string; readonly at: SourceSpan } | { readonly addr: H3cAddr; readonly at: SourceSpan };

/** A service condition of a security policy rule: an object group, a pre-defined service name, or an inline service. */
export type H3cPolicyService =
  | { readonly group: string; readonly at: SourceSpan }
  | { readonly member: Extract<H3cGroupMember, { kind: 'service' }> };

/** One rule of `security-policy ip` / `security-policy ipv6`. */
export interface H3cSecurityRule {
  readonly family: IpFamily;
  readonly id: number;
  readonly name?: string;
  action?: 'pass' | 'drop';
  disabled?: boolean;
  readonly sourceZones: { readonly name: string; readonly at: SourceSpan }[];
  readonly destinationZones: { readonly name: string; readonly at: SourceSpan }[];
  readonly sourceIp: H3cPolicyAddr[];
  readonly destinationIp: H3cPolicyAddr[];
  readonly services: H3cPolicyService[];
  readonly at: SourceSpan;
}

/** A packet filter applied in system view: `packet-filter … global …` or `packet-filter … vlan N …`. */
export interface H3cSystemFilter extends H3cPacketFilter {
  /** undefined: global (every interface); else the VLAN ids */
  readonly vlans?: readonly number[];
}

/** The Comware 7 parts of a config beyond ACLs and interfaces (kept apart so H3cConfig stays additive). */
export interface H3cZoneConfig {
  readonly objectGroups: Map<string, H3cObjectGroup>;
  readonly zones: H3cZone[];
  readonly zonePairs: H3cZonePair[];
  readonly securityRules: H3cSecurityRule[];
  readonly systemFilters: H3cSystemFilter[];
  /** `security-zone intra-zone default permit` */
  intraZonePermit?: SourceSpan;
}
