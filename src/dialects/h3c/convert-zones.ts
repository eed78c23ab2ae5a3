/**
 * The Comware 7 zone model → the neutral Policy: security zones, zone pairs with their packet
 * filters, security policy rules (object groups expanded, compiled into a match ACL per rule),
 * and the packet filters applied in system view (`global`, `vlan`).
 *
 * Defaults (H3C MSR1000/2600/3600 V9 Security Configuration Guide, "Security zone-based packet
 * processing rules", https://www.h3c.com/en/d_202402/2055308_294551_0.htm; HPE HSR6800 V7):
 * a zone interface and an interface in no zone: discard; two interfaces of one zone: discard by
 * default (`security-zone intra-zone default permit` changes it); two zones: the zone pair's
 * policy, discard without one; two interfaces in no zone: forward on routers (HSR6800), discard
 * on SecPath firewalls (M9000 guide) — ftpwall takes the firewall behaviour when the config has
 * security policies. A packet without a zone pair between its zones uses the any-to-any pair
 * when there is one (H3C F1000 guide, https://www.h3c.com/en/d_202205/1608028_294551_0.htm).
 */
import type { Diagnostic, SourceSpan } from '../../diag/diagnostic.js';
import type { IpFamily } from '../../net/address.js';
import type { Acl, AddrMatch, Binding, GlobalBinding, PortMatch, Rule, SecurityRule, ZonePair, ZonePolicy } from '../../policy/model.js';
import { findVendorAcl } from './acl-view.js';
import { groupAddrs, groupServices, MAX_EXPANSION, type FlatService } from './expand-groups.js';
import { portRanges } from './convert.js';
import { groupKey } from './object-group-view.js';
import { addrText } from './rule-text.js';
import type { H3cAddr, H3cConfig, H3cPort, H3cSecurityRule } from './vendor.js';
import { zoneFinder } from './zone-view.js';

/** Pre-defined services a security policy may name (H3C `display object-group` pre-defined service groups, the common ones). */
const PREDEFINED_SERVICES: ReadonlyMap<string, readonly FlatService[]> = new Map<string, readonly FlatService[]>([
  ['ftp', [tcp(21)]],
  ['http', [tcp(80)]],
  ['https', [tcp(443)]],
  ['ssh', [tcp(22)]],
  ['telnet', [tcp(23)]],
  ['smtp', [tcp(25)]],
  ['pop3', [tcp(110)]],
  ['dns', [udp(53), tcp(53)]],
  ['ntp', [udp(123)]],
  ['snmp', [udp(161)]],
  ['tftp', [udp(69)]],
  ['icmp', [{ protocol: 1 }]],
  ['ping', [{ protocol: 1, icmp: { type: 8, code: 0, written: '8 0' } }]],
  ['tcp', [{ protocol: 6 }]],
  ['udp', [{ protocol: 17 }]],
]);

function tcp(port: number): FlatService {
  return { protocol: 6, dstPort: { op: 'eq', operands: [port], written: [String(port)] } };
}
function udp(port: number): FlatService {
  return { protocol: 17, dstPort: { op: 'eq', operands: [port], written: [String(port)] } };
}

function addrMatch(a: H3cAddr): AddrMatch {
  if (a.kind === 'any') return { kind: 'any' };
  return a.kind === 'v4' ? { kind: 'v4', addr: a.addr, wildcard: a.wildcard } : { kind: 'v6', addr: a.addr, prefixLen: a.prefixLen };
}

function portMatch(p: H3cPort | undefined): PortMatch | undefined {
  return p ? { op: p.op, operands: [...p.operands], ranges: portRanges(p) } : undefined;
}

/** What convertZones adds to the Policy. */
export interface ZoneParts {
  readonly zones?: ZonePolicy;
  readonly globalBindings: GlobalBinding[];
  /** `packet-filter … vlan N …` as bindings on Vlan-interfaceN */
  readonly vlanBindings: Binding[];
}

/** Converts the zone model and system-view packet filters; reports into `diags`. */
export function convertZones(config: H3cConfig, aclName: (a: { number?: number; name?: string }) => string, diags: Diagnostic[]): ZoneParts {
  const c7 = config.c7;
  const refName = (family: IpFamily, ref: { number: number } | { name: string }, at: SourceSpan, where: string): string => {
    const acl = findVendorAcl(config.acls, family, ref);
    const written = 'number' in ref ? String(ref.number) : ref.name;
    if (!acl) diags.push({ severity: 'warning', message: `acl ${family === 6 ? 'ipv6 ' : ''}${written} is not defined: no rule can match ${where}`, span: at });
    return acl ? aclName(acl) : written;
  };
  const globalBindings: GlobalBinding[] = [];
  const vlanBindings: Binding[] = [];
  for (const f of c7.systemFilters) {
    if (f.vlans === undefined) {
      globalBindings.push({ direction: f.direction, family: f.family, acl: refName(f.family, f.ref, f.at, `globally ${f.direction}`), at: f.at });
      continue;
    }
    diags.push({
      severity: 'info',
      message: `a VLAN packet filter is simulated on the VLAN interfaces (${f.vlans.length === 1 ? `Vlan-interface${f.vlans[0]}` : `Vlan-interface${f.vlans[0]} … ${f.vlans[f.vlans.length - 1]}`}): ftpwall simulates routed traffic only`,
      span: f.at,
    });
    for (const v of f.vlans) vlanBindings.push({ interface: `Vlan-interface${v}`, direction: f.direction, family: f.family, acl: refName(f.family, f.ref, f.at, `on VLAN ${v}`), at: f.at });
  }
  const zoned = c7.zones.filter((z) => z.interfaces.length > 0);
  if (zoned.length === 0) {
    if (c7.zonePairs.length > 0 || c7.securityRules.length > 0)
      diags.push({
        severity: 'warning',
        message: 'zone pairs or security policies are configured, but no interface is in a security zone: they filter nothing',
        span: (c7.zonePairs[0]?.at ?? c7.securityRules[0]?.at)!,
        suggestion: "add 'import interface NAME' under 'security-zone name …'",
      });
    return { globalBindings, vlanBindings };
  }
  const zoneNamed = zoneFinder(c7.zones);
  const zoneName = (name: string, at: SourceSpan): string => {
    if (name.toLowerCase() === 'any') return 'any';
    const z = zoneNamed(name);
    if (!z && !SYSTEM_ZONES.has(name.toLowerCase())) diags.push({ severity: 'warning', message: `security zone '${name}' is not defined`, span: at });
    return z?.name ?? canonicalZone(name);
  };
  const pairs: ZonePair[] = c7.zonePairs.map((p) => ({
    source: zoneName(p.source, p.at),
    destination: zoneName(p.destination, p.at),
    acls: p.packetFilters.map((f) => ({ family: f.family, acl: refName(f.family, f.ref, f.at, `between ${p.source} and ${p.destination}`), at: f.at })),
    at: p.at,
  }));
  const anySource = pairs.find((p) => p.source === 'any' && p.destination !== 'any');
  const anyDestination = pairs.find((p) => p.destination === 'any' && p.source !== 'any');
  if (anySource && anyDestination)
    diags.push({
      severity: 'warning',
      message: `H3C does not document which of 'zone-pair security source any destination ${anySource.destination}' and 'zone-pair security source ${anyDestination.source} destination any' decides a packet both match: ftpwall uses the one with source any`,
      span: anyDestination.at,
    });
  const securityRules: SecurityRule[] = [];
  for (const r of c7.securityRules) {
    const converted = convertSecurityRule(r, config, zoneName, diags);
    if (converted) securityRules.push(converted);
  }
  if (securityRules.length > 0 && pairs.some((p) => p.acls.length > 0))
    diags.push({
      severity: 'warning',
      message: 'security policies replace the zone pair packet filters: ftpwall evaluates the security policy rules only',
      span: pairs.find((p) => p.acls.length > 0)!.at,
    });
  return {
    zones: {
      zones: zoned.map((z) => ({ name: z.name, interfaces: z.interfaces.map((m) => m.name), at: z.at })),
      pairs,
      securityRules,
      intraZone: c7.intraZonePermit ? { action: 'permit', at: c7.intraZonePermit } : { action: 'deny' },
      unzoned: c7.securityRules.length > 0 ? 'deny' : 'permit',
    },
    globalBindings,
    vlanBindings,
  };
}

/** The system-defined zones (H3C: Local, Trust, DMZ, Management, Untrust). */
const SYSTEM_ZONES = new Set(['local', 'trust', 'dmz', 'management', 'untrust']);

function canonicalZone(name: string): string {
  const lower = name.toLowerCase();
  if (lower === 'dmz') return 'DMZ';
  return SYSTEM_ZONES.has(lower) ? lower[0]!.toUpperCase() + lower.slice(1) : name;
}

function convertSecurityRule(
  r: H3cSecurityRule,
  config: H3cConfig,
  zoneName: (n: string, at: SourceSpan) => string,
  diags: Diagnostic[],
): SecurityRule | undefined {
  if (r.disabled) return undefined;
  const addrs = (list: H3cSecurityRule['sourceIp']): AddrMatch[] | undefined => {
    if (list.length === 0) return [{ kind: 'any' }];
    const out: AddrMatch[] = [];
    for (const a of list) {
      if ('addr' in a) {
        out.push(addrMatch(a.addr));
        continue;
      }
      const g = groupAddrs(config, a.group, r.family, a.at, diags);
      if (!g) return undefined;
      for (const x of g) out.push(addrMatch(x));
    }
    return out;
  };
  const services = (): FlatService[] | undefined => {
    if (r.services.length === 0) return [{ protocol: 'any' }];
    const out: FlatService[] = [];
    for (const s of r.services) {
      if ('member' in s) {
        out.push(s.member);
        continue;
      }
      if (config.c7.objectGroups.has(groupKey(s.group))) {
        const g = groupServices(config, s.group, s.at, diags);
        if (!g) return undefined;
        for (const x of g) out.push(x);
        continue;
      }
      const pre = PREDEFINED_SERVICES.get(s.group.toLowerCase());
      if (!pre) {
        diags.push({ severity: 'error', message: `service '${s.group}' is neither an object group nor a pre-defined service ftpwall knows`, span: s.at, suggestion: `known pre-defined services: ${[...PREDEFINED_SERVICES.keys()].join(', ')}` });
        return undefined;
      }
      for (const x of pre) out.push(x);
    }
    return out;
  };
  const srcs = addrs(r.sourceIp);
  const dsts = addrs(r.destinationIp);
  const svcs = services();
  if (!srcs || !dsts || !svcs) return undefined;
  const total = srcs.length * dsts.length * svcs.length;
  if (total > MAX_EXPANSION) {
    diags.push({ severity: 'error', message: `security policy rule ${r.id} expands to ${total} combinations, more than ftpwall's limit of ${MAX_EXPANSION}`, span: r.at });
    return undefined;
  }
  if (r.action === undefined)
    diags.push({ severity: 'warning', message: `security policy rule ${r.id}${r.name ? ` (${r.name})` : ''} has no 'action': Comware's default is drop`, span: r.at });
  const action = r.action === 'pass' ? 'permit' : 'deny';
  const label = `rule ${r.id}${r.name ? ` name ${r.name}` : ''}`;
  const rules: Rule[] = [];
  for (const src of srcs)
    for (const dst of dsts)
      for (const s of svcs) {
        const srcPort = portMatch(s.srcPort);
        const dstPort = portMatch(s.dstPort);
        rules.push({
          id: r.id,
          action: 'permit',
          protocol: s.protocol,
          src,
          dst,
          ...(srcPort ? { srcPort } : {}),
          ...(dstPort ? { dstPort } : {}),
          ...(s.icmp ? { icmpType: s.icmp.type, ...(s.icmp.code !== undefined ? { icmpCode: s.icmp.code } : {}) } : {}),
          text: label,
          at: r.at,
        });
      }
  const match: Acl = { name: `security-policy ${label}`, category: 'advanced', family: r.family, matchOrder: 'config', step: 1, rules, at: r.at };
  const zs = (l: H3cSecurityRule['sourceZones']): string[] => l.map((z) => zoneName(z.name, z.at));
  const sourceZones = zs(r.sourceZones);
  const destinationZones = zs(r.destinationZones);
  const cond = [
    `${sourceZones.join(',') || 'any'} → ${destinationZones.join(',') || 'any'}`,
    ...r.sourceIp.map((a) => `source ${'group' in a ? a.group : addrText(a.addr)}`),
    ...r.destinationIp.map((a) => `destination ${'group' in a ? a.group : addrText(a.addr)}`),
    ...r.services.map((s) => `service ${'group' in s ? s.group : s.member.protocol}`),
  ];
  return {
    id: r.id,
    ...(r.name !== undefined ? { name: r.name } : {}),
    family: r.family,
    action,
    sourceZones,
    destinationZones,
    match,
    text: `${label}: ${r.action ?? 'drop'} ${cond.join(' ')}`,
    at: r.at,
  };
}
