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

function portText(p: H3cPort): string {
  return `${p.op} ${p.written.map((w) => w.toLowerCase()).join(' ')}`;
}

/** The rule without `rule N`: `permit tcp source 192.168.10.1 0 source-port eq 21 …`. */
export function ruleBody(r: H3cRule, family: IpFamily, category: 'basic' | 'advanced' = 'advanced'): string {
  const parts: string[] = [r.action];
  if (category === 'advanced') parts.push(protocolText(r.protocol, family));
  if (r.srcGroup !== undefined) parts.push('source object-group', r.srcGroup);
  else if (r.src && r.src.kind !== 'any') parts.push('source', addrText(r.src));
  if (r.srcPortGroup !== undefined) parts.push('source-port object-group', r.srcPortGroup);
  else if (r.srcPort) parts.push('source-port', portText(r.srcPort));
  if (r.dstGroup !== undefined) parts.push('destination object-group', r.dstGroup);
  else if (r.dst && r.dst.kind !== 'any') parts.push('destination', addrText(r.dst));
  if (r.dstPortGroup !== undefined) parts.push('destination-port object-group', r.dstPortGroup);
  else if (r.dstPort) parts.push('destination-port', portText(r.dstPort));
  if (r.icmp) parts.push(family === 4 ? 'icmp-type' : 'icmp6-type', r.icmp.written);
  if (r.established) parts.push('established');
  for (const [flag, v] of r.flags ?? []) parts.push(flag, String(v));
  for (const [k, v] of r.qos ?? []) parts.push(k, v);
  if (r.fragment) parts.push('fragment');
  if (r.logging) parts.push('logging');
  if (r.counting) parts.push('counting');
  if (r.flowLogging) parts.push('flow-logging');
  if (r.timeRange !== undefined) parts.push('time-range', r.timeRange);
  if (r.vpnInstance !== undefined) parts.push('vpn-instance', r.vpnInstance);
  return parts.join(' ');
}

/**
 * The rule's statement for duplicate detection: ports and ICMP types as numbers, so `eq ftp` and `eq 21`
 * are the same statement (sheet 2.6: Comware refuses a rule identical to an existing one).
 */
export function ruleStatementKey(r: H3cRule, family: IpFamily): string {
  const numeric = (p: H3cPort | undefined): H3cPort | undefined => p && { ...p, written: p.operands.map(String) };
  const icmp = r.icmp && { ...r.icmp, written: r.icmp.code === undefined ? String(r.icmp.type) : `${r.icmp.type} ${r.icmp.code}` };
  return ruleBody({ ...r, srcPort: numeric(r.srcPort), dstPort: numeric(r.dstPort), icmp }, family);
}

/** The whole normalised rule: `rule 5 permit tcp …`. */
export function ruleText(r: H3cRule, family: IpFamily, category: 'basic' | 'advanced' = 'advanced'): string {
  return `rule ${r.id} ${ruleBody(r, family, category)}`;
}
