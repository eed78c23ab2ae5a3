/**
 * Vendor model → neutral Policy: rules in evaluation order (ascending id for
 * `match-order config`, depth-first for `auto`), bindings resolved to ACL
 * names, ASPF `detect ftp` applications turned into Inspections, and the
 * default action (Comware default: permit).
 */
import type { Diagnostic } from '../../diag/diagnostic.js';
import { TCP_ACK, TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN, TCP_URG } from '../../net/packet.js';
import type { Acl, AddrMatch, Binding, Inspection, Policy, PortMatch, Rule } from '../../policy/model.js';
import { indexVendorAcls } from './acl-view.js';
import { convertZones } from './convert-zones.js';
import { expandRuleGroups } from './expand-groups.js';
import { ruleText } from './rule-text.js';
import type { H3cAcl, H3cAddr, H3cConfig, H3cPort, H3cRule } from './vendor.js';

/** The FTP control port ASPF `detect ftp` watches unless a port mapping adds others. */
export const FTP_CONTROL_PORT = 21;

const FLAG_BITS: Readonly<Record<string, number>> = { syn: TCP_SYN, ack: TCP_ACK, fin: TCP_FIN, rst: TCP_RST, psh: TCP_PSH, urg: TCP_URG };

/** Converts the vendor model; adds binding/inspection diagnostics to `diags`. */
export function convertConfig(config: H3cConfig, diags: Diagnostic[]): Policy {
  const acls = config.acls.map((a) => convertAcl(a, config, diags));
  const defaultAction = config.defaultAction ? { action: config.defaultAction.action, at: config.defaultAction.at } : { action: 'permit' as const };
  const zoneParts = convertZones(config, aclName, diags);
  return {
    source: config.file,
    acls,
    bindings: [...convertBindings(config, diags, defaultAction.action), ...zoneParts.vlanBindings],
    defaultAction,
    inspections: convertInspections(config, diags),
    interfaces: config.interfaces.map((i) => i.name),
    ...(zoneParts.globalBindings.length > 0 ? { globalBindings: zoneParts.globalBindings } : {}),
    ...(zoneParts.zones ? { zones: zoneParts.zones } : {}),
  };
}

/** The name an ACL goes by in the Policy: its number as text, else its name. */
export function aclName(acl: Pick<H3cAcl, 'number' | 'name'>): string {
  return acl.number !== undefined ? String(acl.number) : (acl.name ?? '');
}

function convertAcl(acl: H3cAcl, config: H3cConfig, diags: Diagnostic[]): Acl {
  const ordered = acl.matchOrder === 'auto' ? [...acl.rules].sort(depthFirst) : [...acl.rules].sort((a, b) => a.id - b.id);
  return {
    name: aclName(acl),
    ...(acl.number !== undefined ? { number: acl.number } : {}),
    category: acl.category,
    family: acl.family,
    matchOrder: acl.matchOrder,
    step: acl.step,
    ...(acl.description !== undefined ? { description: acl.description } : {}),
    // a rule naming object groups becomes consecutive sub-rules with its id and text (expand-groups.ts)
    rules: ordered.flatMap((r) => expandRuleGroups(r, acl.family, config, diags).map((x) => (x === r ? convertRule(r, acl) : { ...convertRule(x, acl), text: ruleText(r, acl.family, acl.category) }))),
    at: acl.at,
  };
}

function addr(a: H3cAddr | undefined): AddrMatch {
  if (!a || a.kind === 'any') return { kind: 'any' };
  return a.kind === 'v4' ? { kind: 'v4', addr: a.addr, wildcard: a.wildcard } : { kind: 'v6', addr: a.addr, prefixLen: a.prefixLen };
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

function port(p: H3cPort): PortMatch {
  return { op: p.op, operands: [...p.operands], ranges: portRanges(p) };
}

function convertRule(r: H3cRule, acl: H3cAcl): Rule {
  const unsimulated: string[] = [];
  if (r.timeRange !== undefined) unsimulated.push(`time-range ${r.timeRange}`);
  if (r.vpnInstance !== undefined) unsimulated.push(`vpn-instance ${r.vpnInstance}`);
  for (const [k, v] of r.qos ?? []) unsimulated.push(`${k} ${v}`);
  if (r.logging) unsimulated.push('logging');
  if (r.counting) unsimulated.push('counting');
  if (r.flowLogging) unsimulated.push('flow-logging');
  let mask = 0;
  let value = 0;
  for (const [flag, v] of r.flags ?? []) {
    mask |= FLAG_BITS[flag]!;
    if (v === 1) value |= FLAG_BITS[flag]!;
  }
  return {
    id: r.id,
    action: r.action,
    protocol: r.protocol,
    src: addr(r.src),
    dst: addr(r.dst),
    ...(r.srcPort ? { srcPort: port(r.srcPort) } : {}),
    ...(r.dstPort ? { dstPort: port(r.dstPort) } : {}),
    ...(r.established ? { established: true } : {}),
    ...(mask !== 0 ? { tcpFlags: { mask, value } } : {}),
    ...(r.fragment ? { fragmentOnly: true } : {}),
    ...(r.icmp ? { icmpType: r.icmp.type, ...(r.icmp.code !== undefined ? { icmpCode: r.icmp.code } : {}) } : {}),
    ...(unsimulated.length > 0 ? { unsimulated } : {}),
    ...(r.comment !== undefined ? { comment: r.comment } : {}),
    text: ruleText(r, acl.family, acl.category),
    at: r.at,
  };
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
  let warnedFirewall = false;
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
      if (pf.form === 'firewall' && !config.firewallEnabled && !warnedFirewall) {
        warnedFirewall = true;
        diags.push({
          severity: 'warning',
          message: "Comware 5 filters with 'firewall packet-filter' only after 'firewall enable', which this config lacks: ftpwall applies the filter anyway",
          span: pf.at,
          suggestion: "add 'firewall enable' in system view",
        });
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
      slot.set(key, out.length);
      out.push(binding);
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
        diags.push({
          severity: 'warning',
          message: `aspf policy ${apply.policy} does not detect ftp: ftpwall simulates only FTP inspection, so nothing is inspected on ${iface.name}`,
          span: apply.at,
          suggestion: `add 'detect ftp' to aspf policy ${apply.policy}`,
        });
        continue;
      }
      if (apply.form === 'firewall' && !config.firewallEnabled)
        diags.push({ severity: 'warning', message: "Comware 5 applies ASPF only after 'firewall enable', which this config lacks: ftpwall inspects anyway", span: apply.at });
      out.push({ interface: iface.name, direction: apply.direction, protocol: 'ftp', ports, at: apply.at });
    }
  }
  return out;
}
