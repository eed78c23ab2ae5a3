/**
 * What both Linux exporters (nft, iptables) share: the H3C evaluation order
 * turned into an ordered list of interface checks, chain names, rule comments,
 * and the refusals of constructs a Linux ruleset cannot express exactly.
 */
import { closest, type Diagnostic, type SourceSpan } from '../diag/diagnostic.js';
import { nameList } from '../diag/name-list.js';
import { formatIpv4, type IpFamily } from '../net/address.js';
import { PROTO_ICMP, PROTO_ICMPV6, PROTO_TCP, PROTO_UDP } from '../net/packet.js';
import { findAcl, type Acl, type AddrMatch, type Binding, type Direction, type Inspection, type Policy, type Rule, type SessionPoint, type SessionProtocol } from '../policy/model.js';
import { pointDirections, sessionPoints } from '../policy/sessions.js';
import { refuseNat, type PlannedNat } from './nat.js';

/** Options of both exporters. */
export interface ExportOptions {
  /** H3C interface name → Linux interface name (at most 15 characters) */
  readonly interfaceMap: ReadonlyMap<string, string>;
  /** add connection tracking: established/related first, the FTP helper on inspected control connections */
  readonly stateful: boolean;
  /** the `loose` behaviour of nf_conntrack_ftp; a module parameter, so only reported, never in the ruleset */
  readonly loose?: boolean;
}

/** One interface check of the forward path, in evaluation order (all inbound checks before all outbound). */
export interface PlannedCheck {
  readonly binding: Binding;
  /** the Linux interface name */
  readonly device: string;
  /** the bound ACL, or undefined when the binding names an ACL the config does not define */
  readonly acl: Acl | undefined;
  /** the chain holding the ACL's rules (undefined with the ACL) */
  readonly chain: string | undefined;
}

/** An FTP helper attachment for one inspection, interface and control port. */
export interface PlannedHelper {
  readonly inspection: Inspection;
  /** the Linux interface, or undefined for every interface */
  readonly device: string | undefined;
  /** inbound: attach before routing on the ingress device; outbound: after routing on the egress device */
  readonly direction: Direction;
  readonly port: number;
}

/**
 * The conntrack mark bit that says "this connection is a session" (H3C ASPF): set on the first packet where
 * ASPF applies, inherited by expected connections (init_conntrack copies the master's mark), and required
 * by the rule that accepts established and related packets.
 */
export const SESSION_CT_MARK = 0x00000001;

/** Where a connection's first packet marks it as a session: one device and direction, optionally some protocols. */
export interface PlannedSession {
  readonly point: SessionPoint;
  /** the Linux interface */
  readonly device: string;
  /** inbound: matched by the ingress device; outbound: by the egress device */
  readonly direction: Direction;
  /** one marking rule per entry; undefined: every protocol */
  readonly protocols: readonly SessionProtocol[] | undefined;
}

/** `aspf inbound on GigabitEthernet2/1/1 rules/stateful.cfg:26`: a session point's source. */
export function sessionComment(s: PlannedSession): string {
  return `aspf ${s.direction} on ${s.point.interface}${s.point.at ? ` ${s.point.at.file}:${s.point.at.line}` : ''}: first packet makes a session`;
}

/** Everything an exporter writes, decided once. */
export interface ExportPlan {
  readonly policy: Policy;
  /** where connections become sessions whose state passes: everywhere (Linux), or the marking points */
  readonly sessions: 'everywhere' | readonly PlannedSession[];
  readonly checks: readonly PlannedCheck[];
  /** the ACLs that checks use, each once, with its chain name */
  readonly chains: readonly { readonly acl: Acl; readonly chain: string }[];
  readonly helpers: readonly PlannedHelper[];
  /** the NAT rules in evaluation order, with their Linux interfaces */
  readonly nat: readonly PlannedNat[];
}

/** Longest Linux interface name (IFNAMSIZ 16 minus the terminating NUL). */
export const MAX_IFNAME_LENGTH = 15;

/** `acl 3000 rule 5 rules/seed-active.cfg:4`: the rule's H3C source, for comments in the ruleset. */
export function ruleComment(acl: Acl, rule: Rule): string {
  return `acl ${acl.family === 6 ? 'ipv6 ' : ''}${acl.name} rule ${rule.id} ${rule.at.file}:${rule.at.line}`;
}

/** `packet-filter 3000 inbound on GigabitEthernet2/1/10 rules/x.cfg:9`: a binding's source. */
export function bindingComment(b: Binding): string {
  const v6 = b.family === 6 ? 'ipv6 ' : '';
  return `packet-filter ${v6}${b.acl} ${b.direction} on ${b.interface} ${b.at.file}:${b.at.line}`;
}

/** A span narrowed to `token` inside the span's line, or the span itself when the token is not there. */
export function spanOfToken(span: SourceSpan, token: string): SourceSpan {
  const i = span.lineText.indexOf(token);
  return i < 0 ? span : { ...span, column: i + 1, length: token.length };
}

/** An error diagnostic at `span`. */
export function refuse(message: string, span: SourceSpan | undefined, suggestion?: string): Diagnostic {
  return { severity: 'error', message, ...(span ? { span } : {}), ...(suggestion ? { suggestion } : {}) };
}

/**
 * Refusals for a rule's options that a ruleset cannot carry: `time-range` (the schedule is defined elsewhere
 * in the config) and `vpn-instance` (a VRF, not part of a packet filter). `logging` and `counting` are kept.
 */
export function refuseUnsimulated(acl: Acl, rule: Rule): Diagnostic[] {
  const out: Diagnostic[] = [];
  const options = [
    ...(rule.timeRange !== undefined ? [`time-range ${rule.timeRange}`] : []),
    ...(rule.vpnInstance !== undefined ? [`vpn-instance ${rule.vpnInstance}`] : []),
    ...(rule.unsimulated ?? []),
  ];
  for (const option of options) {
    const keyword = option.split(/\s+/)[0] ?? option;
    if (keyword === 'logging' || keyword === 'counting') continue;
    const why =
      keyword === 'time-range'
        ? 'a time range is a schedule defined elsewhere in the config; the export does not approximate it'
        : keyword === 'vpn-instance'
          ? 'a VPN instance is a separate routing table (a Linux VRF), not part of the packet filter'
          : 'the exporter does not know this option';
    out.push(refuse(`cannot export '${option}' of ${ruleLabelShort(acl, rule)}: ${why}`, spanOfToken(rule.at, keyword)));
  }
  return out;
}

/** True when the rule asks for logging (`logging` option). */
export function wantsLogging(rule: Rule): boolean {
  return (rule.unsimulated ?? []).some((o) => o === 'logging' || o.startsWith('logging '));
}

/** `acl 3000 rule 5`, `acl ipv6 3200 rule 0`: a rule's name without its source. */
export function ruleLabelShort(acl: Acl, rule: Rule): string {
  return `acl ${acl.family === 6 ? 'ipv6 ' : ''}${acl.name} rule ${rule.id}`;
}

/** iptables' longest chain name (XT_EXTENSION_MAXNAMELEN 29, with the terminating NUL). */
const MAX_CHAIN_NAME = 28;

/** Per set of taken names: the next number to try after each base that collided (no rescan from 2 per name). */
const nextNumber = new WeakMap<Set<string>, Map<string, number>>();

/**
 * A chain name for an ACL: `acl4_3000`, `acl6_web_in`; only [A-Za-z0-9_], unique, at most 28 characters
 * (iptables). Names that agree in their first 24 characters (`acl4_inbound_filter_vlan…`, one per VLAN)
 * get `_2`, `_3`, …, the base cut shorter once the number needs it (from `_1000`).
 */
function chainName(acl: Acl, taken: Set<string>): string {
  const base = `acl${acl.family}_${acl.name.replace(/[^A-Za-z0-9_]/g, '_')}`.slice(0, 24);
  let name = base;
  if (taken.has(name)) {
    let next = nextNumber.get(taken);
    if (next === undefined) nextNumber.set(taken, (next = new Map()));
    for (let i = next.get(base) ?? 2; ; i++) {
      const suffix = `_${i}`;
      name = `${base.slice(0, MAX_CHAIN_NAME - suffix.length)}${suffix}`;
      if (!taken.has(name)) {
        next.set(base, i + 1);
        break;
      }
    }
  }
  taken.add(name);
  return name;
}

/** Resolves an H3C interface through the map, or explains which one is missing. */
function device(options: ExportOptions, iface: string, span: SourceSpan | undefined, what: string, diagnostics: Diagnostic[]): string | undefined {
  const dev = options.interfaceMap.get(iface);
  if (dev === undefined) {
    const known = [...options.interfaceMap.keys()];
    const hint = closest(iface, known);
    diagnostics.push(
      refuse(
        `${what} names interface '${iface}', which the interface map does not translate (mapped: ${known.length ? nameList(known) : 'none'})`,
        span ? spanOfToken(span, iface) : undefined,
        hint ? `did you mean '${hint}'?` : undefined,
      ),
    );
    return undefined;
  }
  if (dev.length === 0 || dev.length > MAX_IFNAME_LENGTH || !/^[A-Za-z0-9_.@-]+$/.test(dev)) {
    diagnostics.push(
      refuse(`Linux interface name '${dev}' for '${iface}' is not valid (1-${MAX_IFNAME_LENGTH} characters of A-Z a-z 0-9 _ . @ -)`, span),
    );
    return undefined;
  }
  return dev;
}

/**
 * Plans an export: the effective bindings (Comware keeps one ACL per interface, direction and family;
 * a later binding replaces an earlier one, as in engine/static.ts), inbound checks first, then outbound,
 * and the helper attachments when stateful. Refusals come back as error diagnostics.
 */
export function planExport(policy: Policy, options: ExportOptions, families: readonly IpFamily[]): { plan: ExportPlan; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  // Zone-based filtering and global packet filters have no translation yet: refuse rather than export less.
  for (const g of policy.globalBindings ?? [])
    diagnostics.push(refuse('cannot export a global packet filter yet (packet-filter … global): it has no translation in ftpwall', g.at, 'apply the ACL on each interface instead'));
  if (policy.zones) diagnostics.push(refuse('cannot export security zones, zone pairs or security policies yet: they have no translation in ftpwall', policy.zones.zones[0]!.at));
  const effective = new Map<string, Binding>();
  for (const b of policy.bindings) {
    if (families.includes(b.family)) effective.set(`${b.direction}|${b.family}|${b.interface}`, b);
  }
  const taken = new Set<string>();
  const chainOf = new Map<Acl, string>();
  const checks: PlannedCheck[] = [];
  const normalAcls = new Map<Acl, Acl>();
  for (const direction of ['inbound', 'outbound'] as const) {
    for (const b of effective.values()) {
      if (b.direction !== direction) continue;
      const dev = device(options, b.interface, b.at, `packet-filter ${b.acl} ${b.direction}`, diagnostics);
      if (dev === undefined) continue;
      const found = findAcl(policy, b.acl, b.family);
      const acl = found && b.fragmentMatch === 'normal' ? normalFragmentAcl(found, normalAcls) : found;
      let chain: string | undefined;
      if (acl) {
        chain = chainOf.get(acl) ?? chainName(acl, taken);
        if (!chainOf.has(acl)) {
          chainOf.set(acl, chain);
          for (const rule of acl.rules) for (const d of refuseUnsimulated(acl, rule)) diagnostics.push(d);
        }
      }
      checks.push({ binding: b, device: dev, acl, chain });
    }
  }
  const helpers: PlannedHelper[] = [];
  for (const insp of policy.inspections) {
    if (!options.stateful) {
      diagnostics.push({
        severity: 'warning',
        message: `inspection of ftp on ${insp.interface} is not exported: the export was asked for without stateful inspection`,
        ...(insp.at ? { span: insp.at } : {}),
      });
      continue;
    }
    const dev = insp.interface === '*' ? undefined : device(options, insp.interface, insp.at, 'inspection', diagnostics);
    if (insp.interface !== '*' && dev === undefined) continue;
    const directions: Direction[] = insp.interface === '*' ? ['inbound'] : insp.direction === 'both' ? ['inbound', 'outbound'] : [insp.direction];
    for (const direction of directions) for (const port of insp.ports) helpers.push({ inspection: insp, device: dev, direction, port });
  }
  const points = sessionPoints(policy);
  const sessions: PlannedSession[] = [];
  if (options.stateful && points !== 'everywhere') {
    for (const point of points) {
      const dev = device(options, point.interface, point.at, 'aspf', diagnostics);
      if (dev === undefined) continue;
      for (const direction of pointDirections(point)) sessions.push({ point, device: dev, direction, protocols: point.protocols });
    }
  }
  const nat: PlannedNat[] = [];
  for (const rule of policy.nat ?? []) {
    const refused = refuseNat(rule);
    for (const d of refused) diagnostics.push(d);
    if (refused.length > 0) continue;
    const what = `${rule.kind.toUpperCase()} (${rule.at.lineText.trim()})`;
    const inDevice = rule.inInterface === undefined ? undefined : device(options, rule.inInterface, rule.at, what, diagnostics);
    const outDevice = rule.outInterface === undefined ? undefined : device(options, rule.outInterface, rule.at, what, diagnostics);
    if ((rule.inInterface !== undefined && inDevice === undefined) || (rule.outInterface !== undefined && outDevice === undefined)) continue;
    nat.push({ rule, ...(inDevice !== undefined ? { inDevice } : {}), ...(outDevice !== undefined ? { outDevice } : {}) });
  }
  if (options.stateful && nat.length > 0 && policy.natFtpAlg === false && helpers.length > 0)
    diagnostics.push({
      severity: 'warning',
      message:
        "'undo nat alg ftp' is exported as 'no FTP helper on control connections NAT translates': Linux has no helper without the ALG (nf_nat_ftp rewrites every NATed connection that has one), so those connections get no expectations either",
      span: nat[0]!.rule.at,
    });
  if (options.loose) diagnostics.push(LOOSE_WARNING);
  const plannedSessions = points === 'everywhere' ? 'everywhere' : sessions;
  return { plan: { policy, sessions: plannedSessions, checks, chains: [...chainOf].map(([acl, chain]) => ({ acl, chain })), helpers, nat }, diagnostics };
}

/**
 * The ACL as a Comware 5 `match-fragments normally` binding applies it (sheet 5.4: layer 3 only for
 * non-first fragments): after each rule with layer-4 conditions, the same rule without them, limited to
 * non-first fragments. Non-fragments meet only the original rules (the copies need a fragment offset), and
 * fragments only the copies and the layer-3 rules (they carry no ports), in the same order. The ACL
 * itself when it has no layer-4 condition.
 */
function normalFragmentAcl(acl: Acl, memo: Map<Acl, Acl>): Acl {
  const known = memo.get(acl);
  if (known) return known;
  const layer4 = (r: Rule): boolean => r.srcPort !== undefined || r.dstPort !== undefined || r.established === true || r.tcpFlags !== undefined || r.icmpType !== undefined;
  let out = acl;
  if (acl.rules.some(layer4)) {
    const rules: Rule[] = [];
    for (const r of acl.rules) {
      rules.push(r);
      if (!layer4(r)) continue;
      const { srcPort: _s, dstPort: _d, established: _e, tcpFlags: _f, icmpType: _t, icmpCode: _c, ...l3 } = r;
      rules.push({ ...l3, fragmentOnly: true });
    }
    out = { ...acl, rules };
  }
  memo.set(acl, out);
  return out;
}

/** Why `loose` is not in any ruleset: it is a global module parameter (facts sheet 5.2). */
export const LOOSE_NOTE =
  'loose is the nf_conntrack_ftp module parameter loose=1 (/sys/module/nf_conntrack_ftp/parameters/loose, global to the host), not a setting of a helper object or rule';

const LOOSE_WARNING: Diagnostic = { severity: 'warning', message: `not exported: ${LOOSE_NOTE}` };

/** The default action of a family: Comware 5 `firewall ipv6 default` can differ from the IPv4 one. */
export function defaultFor(policy: Policy, family: IpFamily): Policy['defaultAction'] {
  return family === 6 && policy.ipv6DefaultAction ? policy.ipv6DefaultAction : policy.defaultAction;
}

/** The longest header line the exporters write (a comment line; iptables-restore's lines must stay short). */
const HEADER_WIDTH = 160;

/** The header comment lines both exporters print (without the comment marker). */
export function headerLines(plan: ExportPlan, options: ExportOptions, target: string): string[] {
  const p = plan.policy;
  const lines = [
    `ftpwall export of ${p.source} for ${target}${options.stateful ? ', stateful' : ''}`,
    'H3C order: ACL bound inbound on the ingress interface, then outbound on the egress interface; first match wins;',
    `no matching rule: ${p.defaultAction.action}${p.defaultAction.at ? ` (${p.defaultAction.at.file}:${p.defaultAction.at.line})` : ' (device default)'}${p.ipv6DefaultAction ? `, IPv6: ${p.ipv6DefaultAction.action}${p.ipv6DefaultAction.at ? ` (${p.ipv6DefaultAction.at.file}:${p.ipv6DefaultAction.at.line})` : ' (device default)'}` : ''}; interfaces without a binding pass.`,
    'Only forwarded traffic is filtered (the forward hook); traffic to and from the device itself is not.',
  ];
  // in lines of at most HEADER_WIDTH characters: iptables-restore reads a line into a 10,240-byte buffer and
  // parses what does not fit as the next line (one comment line for a device of 1,000 VLAN interfaces: a
  // ruleset that fails to load, "line 6 failed")
  let line = 'interfaces:';
  for (const [h3c, linux] of options.interfaceMap) {
    const item = ` ${h3c} = ${linux},`;
    if (line.length + item.length > HEADER_WIDTH && line !== 'interfaces:' && line !== ' ') {
      lines.push(line.slice(0, -1) + ',');
      line = ' ';
    }
    line += item;
  }
  if (line !== 'interfaces:') lines.push(line.slice(0, -1));
  if (options.loose) lines.push(`${LOOSE_NOTE}: set it outside this ruleset`);
  return lines;
}

/** A comment safe in both nft and iptables: no double quotes, at most `max` characters. */
export function quoteComment(text: string, max: number): string {
  const clean = text.replace(/["\\\n\r]/g, "'");
  return `"${clean.length > max ? clean.slice(0, max) : clean}"`;
}

/** Conditions that contradict each other or the ACL's family: refused rather than guessed. */
export function validateRule(acl: Acl, rule: Rule): Diagnostic[] {
  const errors: Diagnostic[] = [];
  const proto = rule.protocol;
  const needsTransport = rule.srcPort !== undefined || rule.dstPort !== undefined;
  const needsTcp = rule.established === true || (rule.tcpFlags !== undefined && rule.tcpFlags.mask !== 0);
  if (needsTransport && proto !== PROTO_TCP && proto !== PROTO_UDP)
    errors.push(refuse(`port conditions need protocol tcp or udp, not ${String(proto)}`, rule.at));
  if (needsTcp && proto !== PROTO_TCP) errors.push(refuse(`TCP flag conditions need protocol tcp, not ${String(proto)}`, rule.at));
  const icmpProto = acl.family === 6 ? PROTO_ICMPV6 : PROTO_ICMP;
  if ((rule.icmpType !== undefined || rule.icmpCode !== undefined) && proto !== icmpProto)
    errors.push(refuse(`ICMP type/code conditions need protocol ${acl.family === 6 ? 'icmpv6' : 'icmp'}`, rule.at));
  if (rule.icmpCode !== undefined && rule.icmpType === undefined)
    errors.push(refuse('an ICMP code without an ICMP type cannot be exported', rule.at));
  for (const [m, what] of [
    [rule.src, 'source'],
    [rule.dst, 'destination'],
  ] as const) {
    if ((m.kind === 'v4' && acl.family === 6) || (m.kind === 'v6' && acl.family === 4))
      errors.push(refuse(`${what} address family does not match the IPv${acl.family} ACL ${acl.name}`, rule.at));
  }
  return errors;
}

/** `inspect ftp inbound on GigabitEthernet2/1/1 rules/x.cfg:7`, or `inspect ftp on every interface (option)`. */
export function inspectComment(h: PlannedHelper): string {
  const where = h.inspection.at ? ` ${h.inspection.at.file}:${h.inspection.at.line}` : ' (option)';
  const on = h.device === undefined ? 'on every interface' : `${h.direction} on ${h.inspection.interface}`;
  return `inspect ftp port ${h.port} ${on}${where}`;
}

/** The prefix length of a contiguous IPv4 wildcard (0.0.0.255 → 24), or undefined for a non-contiguous one. */
export function wildcardPrefix(wildcard: number): number | undefined {
  const w = wildcard >>> 0;
  if (((w + 1) & w) !== 0) return undefined; // not of the form 0…01…1
  let len = 32;
  for (let x = w; x !== 0; x >>>= 1) len--;
  return len;
}

/** An IPv4 wildcard condition as both rulesets write it: the address text, the care-bit mask, the prefix length if contiguous. */
export function v4Parts(m: Extract<AddrMatch, { kind: 'v4' }>): { addr: string; keep: number; len: number | undefined } {
  const keep = ~m.wildcard >>> 0;
  return { addr: formatIpv4((m.addr & keep) >>> 0), keep, len: wildcardPrefix(m.wildcard) };
}
