/**
 * Vendor model → neutral Policy: rules in evaluation order (ascending id for
 * `match-order config`, depth-first for `auto`), bindings resolved to ACL
 * names, ASPF `detect ftp` applications turned into Inspections, and the
 * default action (Comware default: permit).
 */
import { freeze } from 'immer';
import type { Diagnostic, SourceSpan } from '../../diag/diagnostic.js';
import { PROTO_TCP, PROTO_UDP, TCP_ACK, TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN, TCP_URG } from '../../net/packet.js';
import type { Acl, AddrMatch, Binding, DefaultAction, Inspection, Policy, PortMatch, Rule, SessionPoint, SessionProtocol, SessionScope } from '../../policy/model.js';
import { indexVendorAcls } from './acl-view.js';
import { convertZones } from './convert-zones.js';
import { expandRuleGroups } from './expand-groups.js';
import { convertNat } from './nat-view.js';
import { ruleText, ruleTextOfLine } from './rule-text.js';
import { ruleBodies } from './acl-draft.js';
import type { H3cAcl, H3cAddr, H3cConfig, H3cPort, H3cRule } from './vendor.js';

/** The FTP control port ASPF `detect ftp` watches unless a port mapping adds others. */
export const FTP_CONTROL_PORT = 21;

const FLAG_BITS: Readonly<Record<string, number>> = { syn: TCP_SYN, ack: TCP_ACK, fin: TCP_FIN, rst: TCP_RST, psh: TCP_PSH, urg: TCP_URG };

/** Converts the vendor model; adds binding/inspection diagnostics to `diags`. */
export function convertConfig(config: H3cConfig, diags: Diagnostic[]): Policy {
  const acls = config.acls.map((a) => convertAcl(a, config, diags));
  const defaultAction = config.defaultAction ? { action: config.defaultAction.action, at: config.defaultAction.at } : { action: 'permit' as const };
  const ipv6DefaultAction = convertIpv6Default(config, diags);
  timeRangeNotices(config, diags);
  const zoneParts = convertZones(config, aclName, diags);
  const natParts = convertNat(config, { acls }, diags);
  return {
    source: config.file,
    acls,
    bindings: [...convertBindings(config, diags, defaultAction.action), ...zoneParts.vlanBindings],
    defaultAction,
    ...(ipv6DefaultAction ? { ipv6DefaultAction } : {}),
    inspections: convertInspections(config, diags),
    interfaces: config.interfaces.map((i) => i.name),
    sessionScope: convertSessionScope(config),
    ...(config.timeRanges ? { timeRanges: [...config.timeRanges].map(([name, statements]) => ({ name, statements })) } : {}),
    ...(zoneParts.globalBindings.length > 0 ? { globalBindings: zoneParts.globalBindings } : {}),
    ...(zoneParts.zones ? { zones: zoneParts.zones } : {}),
    ...natParts,
  };
}

/**
 * The IPv6 default when it differs from the IPv4 one. Comware 7 `packet-filter default deny` covers every
 * family (sheet 3.1, 3.2); Comware 5 `firewall default` covers IPv4 only, and IPv6 has its own
 * `firewall ipv6 default`, which needs `firewall ipv6 enable` (sheet 3.4, A6600-5).
 */
function convertIpv6Default(config: H3cConfig, diags: Diagnostic[]): DefaultAction | undefined {
  const v4 = config.defaultAction;
  const v6 = config.ipv6DefaultAction;
  if (v6 && !config.ipv6FirewallEnabled)
    diags.push({
      severity: 'warning',
      message: "'firewall ipv6 default' takes effect only after 'firewall ipv6 enable', which this config lacks: IPv6 keeps the default permit",
      span: v6.at,
      suggestion: "add 'firewall ipv6 enable' in system view",
    });
  const own = v6 && config.ipv6FirewallEnabled ? { action: v6.action, at: v6.at } : undefined;
  if (v4?.form === 'firewall') return own ?? { action: 'permit' };
  return own;
}

/** The name an ACL goes by in the Policy: its number as text, else its name. */
export function aclName(acl: Pick<H3cAcl, 'number' | 'name'>): string {
  return acl.number !== undefined ? String(acl.number) : (acl.name ?? '');
}

/** The span narrowed to a keyword of the rule's line (case-insensitive), or the span itself. */
function optionSpan(span: SourceSpan, keyword: string): SourceSpan {
  const i = span.lineText.toLowerCase().indexOf(keyword, span.column - 1);
  return i < 0 ? span : { ...span, column: i + 1, length: keyword.length };
}

/** Sheet 5.5: a rule naming a time range that is not configured is created, with a notice, and takes no effect. */
function timeRangeNotices(config: H3cConfig, diags: Diagnostic[]): void {
  for (const acl of config.acls)
    for (const r of acl.rules)
      if (r.timeRange !== undefined && !config.timeRanges?.has(r.timeRange.toLowerCase()))
        diags.push({
          severity: 'warning',
          message: `time-range '${r.timeRange}' is not defined: rule ${r.id} of acl ${aclName(acl)} is inactive (Comware creates it and applies it only once the time range is configured)`,
          span: optionSpan(r.at, 'time-range'),
          suggestion: `define it, e.g. 'time-range ${r.timeRange} 08:00 to 18:00 working-day'`,
        });
}

function convertAcl(acl: H3cAcl, config: H3cConfig, diags: Diagnostic[]): Acl {
  const ordered = acl.matchOrder === 'auto' ? [...acl.rules].sort(depthFirst) : sortedById(acl.rules);
  // each rule's position in configuration order (the switches' auto-order tie-break), without an O(n²) indexOf;
  // when the evaluation order is the configuration order (ids written ascending), the position is the index
  let configuredAt: Map<H3cRule, number> | undefined;
  if (ordered !== acl.rules) {
    configuredAt = new Map();
    acl.rules.forEach((r, k) => configuredAt!.set(r, k));
  }
  // a rule naming object groups becomes consecutive sub-rules with its id and text (expand-groups.ts)
  const rules: Rule[] = [];
  // the rules' texts as the parser rendered them, at their positions in creation order (seq)
  const rendered = ruleBodies(acl);
  const bodies = rendered?.length === acl.rules.length ? rendered : undefined;
  for (let k = 0; k < ordered.length; k++) {
    const r = ordered[k]!;
    const seq = configuredAt ? (configuredAt.get(r) ?? 0) : k;
    const body = bodies?.[seq];
    const text = body !== undefined ? ruleTextOfLine(r, body) : ruleText(r, acl.family, acl.category);
    if (namesNoGroup(r)) rules.push(convertRule(r, seq, text));
    else for (const x of expandRuleGroups(r, acl.family, config, diags)) rules.push(convertRule(x, seq, text));
  }
  return {
    name: aclName(acl),
    ...(acl.number !== undefined ? { number: acl.number } : {}),
    category: acl.category,
    family: acl.family,
    matchOrder: acl.matchOrder,
    step: acl.step,
    ...(acl.description !== undefined ? { description: acl.description } : {}),
    // frozen once here, each rule frozen as it was made: the policy's immer transforms (withPlatform)
    // then find frozen rules and never walk the tens of thousands of them again
    rules: freeze(rules),
    at: acl.at,
  };
}

/** True when the rule names no object group (expandRuleGroups would give the rule itself). */
function namesNoGroup(r: H3cRule): boolean {
  return r.srcGroup === undefined && r.dstGroup === undefined && r.srcPortGroup === undefined && r.dstPortGroup === undefined;
}

/** The rules by ascending id; the array itself when it is sorted already (the usual case: ids grow as rules are written). */
function sortedById(rules: readonly H3cRule[]): readonly H3cRule[] {
  for (let k = 1; k < rules.length; k++) if (rules[k - 1]!.id > rules[k]!.id) return [...rules].sort((a, b) => a.id - b.id);
  return rules;
}

const ANY: AddrMatch = freeze({ kind: 'any' });

/**
 * The address condition. A rule's own address is a frozen vendor object of the same shape, so it is
 * shared; an object group's member is copied and frozen (the vendor's groups stay as they were).
 */
function addr(a: H3cAddr | undefined): AddrMatch {
  if (!a || a.kind === 'any') return ANY;
  if (Object.isFrozen(a)) return a;
  return freeze(a.kind === 'v4' ? { kind: 'v4', addr: a.addr, wildcard: a.wildcard } : { kind: 'v6', addr: a.addr, prefixLen: a.prefixLen }, true);
}

/** The inclusive port ranges of an operator (`lt`/`gt` are strict, as the references define them). */
export function portRanges(p: Pick<H3cPort, 'op' | 'operands'>): [number, number][] {
  const a = p.operands[0]!;
  switch (p.op) {
    case 'eq':
      return [[a, a]];
    case 'neq':
      return [...(a > 0 ? [[0, a - 1] as [number, number]] : []), ...(a < 65535 ? [[a + 1, 65535] as [number, number]] : [])];
    case 'lt':
      return a > 0 ? [[0, a - 1]] : [];
    case 'gt':
      return a < 65535 ? [[a + 1, 65535]] : [];
    case 'range':
      return [[a, p.operands[1]!]];
  }
}

/** The port condition, frozen; `eq N` is one shared object per N (most rules of a large ACL say `eq` something). */
function port(p: H3cPort): PortMatch {
  if (p.op === 'eq') {
    const n = p.operands[0]!;
    let m = EQ_MATCHES.get(n);
    if (!m) EQ_MATCHES.set(n, (m = freeze({ op: 'eq', operands: freeze([n]), ranges: freeze([freeze([n, n] as [number, number])]) })));
    return m;
  }
  return freeze({ op: p.op, operands: p.operands.slice(), ranges: portRanges(p) }, true);
}

/** `eq N` port conditions by N (at most 65,536). */
const EQ_MATCHES = new Map<number, PortMatch>();

/**
 * One vendor rule (or object-group sub-rule) as a frozen policy Rule, its parts frozen as they are
 * made. The fields are written in one fixed order (the order JSON output shows them), only those that apply.
 */
function convertRule(r: H3cRule, seq: number, text: string): Rule {
  const unsimulated = unsimulatedOptions(r);
  let mask = 0;
  let value = 0;
  if (r.flags)
    for (const [flag, v] of r.flags) {
      mask |= FLAG_BITS[flag]!;
      if (v === 1) value |= FLAG_BITS[flag]!;
    }
  // a span holds strings and numbers, and the rule is a new plain object: Object.freeze is all immer's freeze would do
  const at = Object.isFrozen(r.at) ? r.at : Object.freeze(r.at);
  // a rule of addresses and at most a destination port (most rules of a large ACL): one literal in the order
  // below, its fields inside the object (fields added to a five-field literal take a second array per rule)
  if (!r.srcPort && !r.established && mask === 0 && !r.fragment && !r.icmp && r.vpnInstance === undefined && r.timeRange === undefined && !unsimulated && r.comment === undefined)
    return Object.freeze(
      r.dstPort
        ? { id: r.id, action: r.action, protocol: r.protocol, src: addr(r.src), dst: addr(r.dst), dstPort: port(r.dstPort), seq, text, at }
        : { id: r.id, action: r.action, protocol: r.protocol, src: addr(r.src), dst: addr(r.dst), seq, text, at },
    );
  const out: { -readonly [K in keyof Rule]: Rule[K] } = { id: r.id, action: r.action, protocol: r.protocol, src: addr(r.src), dst: addr(r.dst) } as Rule;
  if (r.srcPort) out.srcPort = port(r.srcPort);
  if (r.dstPort) out.dstPort = port(r.dstPort);
  if (r.established) out.established = true;
  if (mask !== 0) out.tcpFlags = freeze({ mask, value });
  if (r.fragment) out.fragmentOnly = true;
  if (r.icmp) {
    out.icmpType = r.icmp.type;
    if (r.icmp.code !== undefined) out.icmpCode = r.icmp.code;
  }
  if (r.vpnInstance !== undefined) out.vpnInstance = r.vpnInstance;
  if (r.timeRange !== undefined) out.timeRange = r.timeRange;
  if (unsimulated) out.unsimulated = freeze(unsimulated);
  if (r.comment !== undefined) out.comment = r.comment;
  out.seq = seq;
  out.text = text;
  out.at = at;
  return Object.freeze(out);
}

/** The options of a rule that are not simulated, in the order a Rule lists them; undefined when there is none. */
function unsimulatedOptions(r: H3cRule): string[] | undefined {
  let out: string[] | undefined;
  if (r.qos) for (const [k, v] of r.qos) (out ??= []).push(`${k} ${v}`);
  if (r.logging) (out ??= []).push('logging');
  if (r.counting) (out ??= []).push('counting');
  if (r.flowLogging) (out ??= []).push('flow-logging');
  return out;
}

/** Number of "care" bits of an address condition: more means a narrower range. */
export function addrSpecificity(a: H3cAddr | undefined): number {
  if (!a || a.kind === 'any') return 0;
  if (a.kind === 'v6') return a.prefixLen;
  let care = ~a.wildcard >>> 0;
  let bits = 0;
  while (care !== 0) {
    care &= care - 1;
    bits++;
  }
  return bits;
}

function portWidth(p: H3cPort | undefined): number {
  if (!p) return 65536;
  return portRanges(p).reduce((n, [lo, hi]) => n + hi - lo + 1, 0);
}

/**
 * Depth-first order of `match-order auto` (H3C ACL configuration guides, "Sort ACL rules in
 * depth-first order", IPv4/IPv6 advanced ACL): 1. VPN instance specified; 2. specific protocol
 * rather than ip; 3. more 0s in the source wildcard (longer source prefix); 4. more 0s in the
 * destination wildcard; 5. narrower TCP/UDP port range (source, then destination); 6. smaller
 * rule id. Basic ACLs use 1, 3 and 6, which this order reduces to since they have no protocol,
 * destination or ports.
 */
export function depthFirst(a: H3cRule, b: H3cRule): number {
  return (
    Number(b.vpnInstance !== undefined) - Number(a.vpnInstance !== undefined) ||
    Number(b.protocol !== 'any') - Number(a.protocol !== 'any') ||
    addrSpecificity(b.src) - addrSpecificity(a.src) ||
    addrSpecificity(b.dst) - addrSpecificity(a.dst) ||
    portWidth(a.srcPort) - portWidth(b.srcPort) ||
    portWidth(a.dstPort) - portWidth(b.dstPort) ||
    a.id - b.id
  );
}

function convertBindings(config: H3cConfig, diags: Diagnostic[], defaultAction: 'permit' | 'deny'): Binding[] {
  const out: (Binding | undefined)[] = [];
  const warnedFirewall = new Set<string>();
  const findAclOf = indexVendorAcls(config.acls);
  // position in `out` of the binding per interface, direction and family (a later one replaces it)
  const slot = new Map<string, number>();
  for (const iface of config.interfaces) {
    for (const pf of iface.packetFilters) {
      const acl = findAclOf(pf.family, pf.ref);
      const written = 'number' in pf.ref ? `${pf.family === 6 ? 'ipv6 ' : ''}${pf.ref.number}` : `${pf.family === 6 ? 'ipv6 ' : ''}name ${pf.ref.name}`;
      if (!acl)
        diags.push({
          severity: 'warning',
          message: `acl ${written} is not defined: no rule can match on ${iface.name} ${pf.direction}, so the default action (${defaultAction}) applies to every packet`,
          span: pf.at,
        });
      // Comware 5 routers: 'firewall enable' is required, disabled by default (sheet 3.4, MSR5, MSR50-5); IPv6 also needs 'firewall ipv6 enable'.
      const missing = pf.form !== 'firewall' ? undefined : !config.firewallEnabled ? 'firewall enable' : pf.family === 6 && !config.ipv6FirewallEnabled ? 'firewall ipv6 enable' : undefined;
      if (missing) {
        if (!warnedFirewall.has(missing))
          diags.push({
            severity: 'warning',
            message: `Comware 5 filters with 'firewall packet-filter' only after '${missing}', which this config lacks: this packet filter does not filter`,
            span: pf.at,
            suggestion: `add '${missing}' in system view`,
          });
        warnedFirewall.add(missing);
        continue;
      }
      const name = acl ? aclName(acl) : 'number' in pf.ref ? String(pf.ref.number) : pf.ref.name;
      const key = `${iface.name}|${pf.direction}|${pf.family}`;
      const earlier = slot.get(key);
      const binding: Binding = { interface: iface.name, direction: pf.direction, family: pf.family, acl: name, at: pf.at };
      if (earlier !== undefined) {
        diags.push({
          severity: 'warning',
          message: `this packet filter replaces the one at line ${out[earlier]!.at.line}: Comware applies one IPv${pf.family} ACL per interface and direction`,
          span: pf.at,
        });
        out[earlier] = undefined; // the replaced binding goes; the new one comes last, as before
      }
      if (pf.matchFragments === 'exactly')
        diags.push({
          severity: 'warning',
          message:
            "match-fragments exactly matches non-first fragments with their first fragment's layer-4 information (it needs 'firewall fragments-inspect'); ftpwall does not track fragments, so here they match only rules without ports, flags or ICMP types",
          span: pf.at,
        });
      const fragmentMatch = pf.form === 'firewall' ? (pf.matchFragments === 'exactly' ? ('exact' as const) : ('normal' as const)) : undefined;
      slot.set(key, out.length);
      out.push(fragmentMatch ? { ...binding, fragmentMatch } : binding);
    }
  }
  return out.filter((b): b is Binding => b !== undefined);
}

function convertInspections(config: H3cConfig, diags: Diagnostic[]): Inspection[] {
  const out: Inspection[] = [];
  const ports = [...new Set([FTP_CONTROL_PORT, ...config.portMappings.filter((m) => m.application === 'ftp').map((m) => m.port)])].sort((a, b) => a - b);
  for (const iface of config.interfaces) {
    for (const apply of iface.aspf) {
      const policy = config.aspfPolicies.find((p) => p.number === apply.policy);
      if (!policy) {
        diags.push({ severity: 'warning', message: `aspf policy ${apply.policy} is not defined: nothing is inspected on ${iface.name}`, span: apply.at });
        continue;
      }
      if (!policy.detect.has('ftp')) {
        const tracks = apply.form === 'aspf' ? 'ASPF still tracks TCP, UDP and ICMP sessions there, but ' : '';
        diags.push({
          severity: 'warning',
          message: `aspf policy ${apply.policy} does not detect ftp: ${tracks}no FTP data connection is opened on ${iface.name}`,
          span: apply.at,
          suggestion: `add 'detect ftp' to aspf policy ${apply.policy}`,
        });
        continue;
      }
      if (apply.form === 'firewall' && !config.firewallEnabled) {
        diags.push({ severity: 'warning', message: "Comware 5 applies ASPF only after 'firewall enable', which this config lacks: nothing is inspected here", span: apply.at, suggestion: "add 'firewall enable' in system view" });
        continue;
      }
      out.push({ interface: iface.name, direction: apply.direction, protocol: 'ftp', ports, at: apply.at });
    }
  }
  return out;
}

/**
 * Where connections become ASPF sessions. Comware 7 (`aspf apply policy`): every application of a defined
 * policy, for TCP, UDP and ICMP whatever the policy detects ("ASPF inspection for transport layer protocols
 * is always enabled", sheet 7.4). Comware 5 (`firewall aspf`, only after `firewall enable`): the protocols
 * the policy detects, `detect tcp` / `detect udp` explicitly, `detect ftp` for the FTP control connections.
 */
function convertSessionScope(config: H3cConfig): SessionScope {
  const points: SessionPoint[] = [];
  const ftpPorts = [...new Set([FTP_CONTROL_PORT, ...config.portMappings.filter((m) => m.application === 'ftp').map((m) => m.port)])].sort((a, b) => a - b);
  for (const iface of config.interfaces) {
    for (const apply of iface.aspf) {
      const policy = config.aspfPolicies.find((p) => p.number === apply.policy);
      if (!policy) continue;
      if (apply.form === 'aspf') {
        points.push({ interface: iface.name, direction: apply.direction, at: apply.at });
        continue;
      }
      if (!config.firewallEnabled) continue;
      const protocols: SessionProtocol[] = [];
      if (policy.detect.has('tcp')) protocols.push({ proto: PROTO_TCP });
      else if (policy.detect.has('ftp')) protocols.push({ proto: PROTO_TCP, dstPorts: ftpPorts });
      if (policy.detect.has('udp')) protocols.push({ proto: PROTO_UDP });
      if (protocols.length > 0) points.push({ interface: iface.name, direction: apply.direction, protocols, at: apply.at });
    }
  }
  // a zone pair's default ASPF policy inspects every protocol (C7-aspf-zh, 'aspf apply policy (Zonepair
  // view)'); security policy rules create sessions (H3C security policy configuration guide)
  const zoned = config.c7.zones.some((z) => z.interfaces.length > 0) && (config.c7.zonePairs.length > 0 || config.c7.securityRules.length > 0);
  return { points, passes: 'before-filters', ...(zoned ? { zones: { ftpPorts } } : {}) };
}
