/**
 * Normalised text of vendor-model rules and ACL labels, as the device would
 * display them: single spaces, keywords lower-case, addresses masked, host
 * wildcards as `0`, `any` omitted, port names kept as written.
 */
import { formatIpv4, formatIpv6, type IpFamily } from '../../net/address.js';
import { protocolText } from './keywords.js';
import type { H3cAcl, H3cAddr, H3cPort, H3cRule } from './vendor.js';

/** The text of an address operand as Comware displays it (`10.0.0.0 0.0.0.255`, `2001:db8::/64`, `any`). */
export { addrText };

/** `acl 3000`, `acl ipv6 3001`, `acl name web-in`: how messages name an ACL. */
export function describeAcl(acl: Pick<H3cAcl, 'family' | 'number' | 'name'>): string {
  const v6 = acl.family === 6 ? 'ipv6 ' : '';
  return acl.number !== undefined ? `acl ${v6}${acl.number}` : `acl ${v6}name ${acl.name ?? '?'}`;
}

function addrText(a: H3cAddr): string {
  switch (a.kind) {
    case 'any':
      return 'any';
    case 'v4':
      return `${formatIpv4(a.addr)} ${a.wildcard === 0 ? '0' : formatIpv4(a.wildcard)}`;
    case 'v6':
      return `${formatIpv6(a.addr)}/${a.prefixLen}`;
  }
}

/** `eq ftp` as written (lower case), or with `numeric` `eq 21`. */
function portText(p: H3cPort, numeric: boolean): string {
  let out = p.op;
  const n = numeric ? p.operands.length : p.written.length;
  for (let k = 0; k < n; k++) out += ` ${numeric ? String(p.operands[k]) : p.written[k]!.toLowerCase()}`;
  return out;
}

/** The rule without `rule N`: `permit tcp source 192.168.10.1 0 source-port eq 21 …`. */
export function ruleBody(r: H3cRule, family: IpFamily, category: 'basic' | 'advanced' = 'advanced'): string {
  return bodyText(r, family, category, false);
}

/**
 * The rule's statement for duplicate detection: ports and ICMP types as numbers, so `eq ftp` and `eq 21`
 * are the same statement (sheet 2.6: Comware refuses a rule identical to an existing one).
 */
export function ruleStatementKey(r: H3cRule, family: IpFamily): string {
  return bodyText(r, family, 'advanced', true);
}

/**
 * The words of a rule, one string built in order (a rule is rendered for every rule of a config:
 * its statement key when parsed, its text when converted). `numeric`: ports and the ICMP type as numbers.
 */
function bodyText(r: H3cRule, family: IpFamily, category: 'basic' | 'advanced', numeric: boolean): string {
  let s: string = r.action;
  if (category === 'advanced') s += ` ${protocolText(r.protocol, family)}`;
  if (r.srcGroup !== undefined) s += ` source object-group ${r.srcGroup}`;
  else if (r.src && r.src.kind !== 'any') s += ` source ${addrText(r.src)}`;
  if (r.srcPortGroup !== undefined) s += ` source-port object-group ${r.srcPortGroup}`;
  else if (r.srcPort) s += ` source-port ${portText(r.srcPort, numeric)}`;
  if (r.dstGroup !== undefined) s += ` destination object-group ${r.dstGroup}`;
  else if (r.dst && r.dst.kind !== 'any') s += ` destination ${addrText(r.dst)}`;
  if (r.dstPortGroup !== undefined) s += ` destination-port object-group ${r.dstPortGroup}`;
  else if (r.dstPort) s += ` destination-port ${portText(r.dstPort, numeric)}`;
  if (r.icmp) {
    const written = !numeric ? r.icmp.written : r.icmp.code === undefined ? String(r.icmp.type) : `${r.icmp.type} ${r.icmp.code}`;
    s += ` ${family === 4 ? 'icmp-type' : 'icmp6-type'} ${written}`;
  }
  if (r.established) s += ' established';
  for (const [flag, v] of r.flags ?? []) s += ` ${flag} ${v}`;
  for (const [k, v] of r.qos ?? []) s += ` ${k} ${v}`;
  if (r.fragment) s += ' fragment';
  if (r.logging) s += ' logging';
  if (r.counting) s += ' counting';
  if (r.flowLogging) s += ' flow-logging';
  if (r.timeRange !== undefined) s += ` time-range ${r.timeRange}`;
  if (r.vpnInstance !== undefined) s += ` vpn-instance ${r.vpnInstance}`;
  return s;
}

/** The whole normalised rule: `rule 5 permit tcp …`. */
export function ruleText(r: H3cRule, family: IpFamily, category: 'basic' | 'advanced' = 'advanced'): string {
  return `rule ${r.id} ${ruleBody(r, family, category)}`;
}
