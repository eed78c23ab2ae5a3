/**
 * A human summary of a Policy, one fact per line, for `ftpwall check`: the ACLs
 * (with their rules in evaluation order), what each interface applies, the
 * default action, the ASPF sessions and the FTP inspection, each with its file:line.
 */
import { pointText } from './sessions.js';
import { protoName } from '../net/packet.js';
import type { SourceSpan } from '../diag/diagnostic.js';
import { findAcl, type Acl, type Binding, type Inspection, type Policy } from './model.js';

function where(at: SourceSpan): string {
  return `${at.file}:${at.line}`;
}

/** `acl advanced 3000 (match-order config, step 5): 3 rules, rules/seed-active.cfg:3`. */
export function summarizeAcl(acl: Acl): string {
  return aclLine(acl, distinctRules(acl).length);
}

/** summarizeAcl of an ACL with `n` distinct rules (summarizePolicy lists them too, so it counts them once). */
function aclLine(acl: Acl, n: number): string {
  const v6 = acl.family === 6 ? 'ipv6 ' : '';
  const id = acl.number !== undefined ? String(acl.number) : /^\d+$/.test(acl.name) ? acl.name : `name ${acl.name}`;
  const entries = acl.rules.length === n ? '' : ` (${acl.rules.length} entries with object groups expanded)`;
  return `acl ${v6}${acl.category} ${id} (match-order ${acl.matchOrder}, step ${acl.step}): ${n} rule${n === 1 ? '' : 's'}${entries}, ${where(acl.at)}`;
}

/** The rules as written: the consecutive sub-rules of one rule with object groups count once. */
export function distinctRules(acl: Acl): Acl['rules'] {
  return acl.rules.filter((r, k) => k === 0 || acl.rules[k - 1]!.id !== r.id || acl.rules[k - 1]!.text !== r.text);
}

/** `packet-filter 3000 inbound`, `packet-filter ipv6 3001 outbound (acl not defined)`. */
function bindingText(b: Binding, policy: Policy): string {
  const defined = findAcl(policy, b.acl, b.family) !== undefined;
  const ref = /^\d+$/.test(b.acl) ? b.acl : `name ${b.acl}`;
  return `packet-filter ${b.family === 6 ? 'ipv6 ' : ''}${ref} ${b.direction}${defined ? '' : ' (acl not defined)'}`;
}

/** `ASPF policy 1 detect ftp on GigabitEthernet2/1/1 inbound, rules/stateful.cfg:40`. */
function inspectionText(i: Inspection): string {
  const policyNo = i.at ? /(?:aspf\s+apply\s+policy|firewall\s+aspf)\s+(\d+)/i.exec(i.at.lineText)?.[1] : undefined;
  const what = policyNo !== undefined ? `ASPF policy ${policyNo} detect ftp` : i.at ? 'ftp' : '--inspect ftp';
  const on = i.interface === '*' ? 'every interface' : i.interface;
  const dir = i.direction === 'both' ? 'both directions' : i.direction;
  const ports = i.ports.length === 1 && i.ports[0] === 21 ? '' : ` (ports ${i.ports.join(', ')})`;
  return `${what} on ${on} ${dir}${ports}${i.at ? `, ${where(i.at)}` : ''}`;
}

/**
 * What the config keeps state for, in the words of the lines above: `ASPF sessions` (connection
 * state, from every applied ASPF policy) and `FTP inspection` (the pinholes of `detect ftp`), each
 * said once, so a config with sessions but no `detect ftp` never reads as having no ASPF at all.
 */
function inspectionLines(policy: Policy): string[] {
  const sessions = policy.sessionScope ? policy.sessionScope.points.length > 0 : true;
  if (policy.inspections.length > 0) return policy.inspections.map((i) => `FTP inspection: ${inspectionText(i)}`);
  if (!sessions) return ['ASPF: none applied: no connection state is kept and no FTP inspection; every packet is judged on its own by the rules above'];
  return ["FTP inspection: none: no applied ASPF policy has 'detect ftp', so no pinhole opens for an FTP data connection (it is a new connection and meets the packet filters)"];
}

/** The summary lines of a policy. */
export function summarizePolicy(policy: Policy): string[] {
  if (policy.ruleset) return summarizeRuleset(policy);
  const lines: string[] = [];
  for (const acl of policy.acls) {
    const rules = distinctRules(acl);
    lines.push(aclLine(acl, rules.length));
    for (const r of rules) lines.push(`  ${r.text}`);
  }
  // the interfaces in config order, then those only a binding names; each with its bindings in order
  const byInterface = new Map<string, Binding[]>();
  for (const name of policy.interfaces) if (!byInterface.has(name)) byInterface.set(name, []);
  for (const b of policy.bindings) {
    const list = byInterface.get(b.interface);
    if (list) list.push(b);
    else byInterface.set(b.interface, [b]);
  }
  for (const [name, bs] of byInterface) lines.push(bs.length === 0 ? `${name}: no packet filter` : `${name}: ${bs.map((b) => bindingText(b, policy)).join(', ')}`);
  for (const g of policy.globalBindings ?? [])
    lines.push(`global: packet-filter ${g.family === 6 ? 'ipv6 ' : ''}${/^\d+$/.test(g.acl) ? g.acl : `name ${g.acl}`} global ${g.direction}${findAcl(policy, g.acl, g.family) ? '' : ' (acl not defined)'}, ${where(g.at)}`);
  const z = policy.zones;
  if (z) {
    for (const zone of z.zones) lines.push(`security-zone ${zone.name}: ${zone.interfaces.join(', ')}, ${where(zone.at)}`);
    for (const p of z.pairs) {
      const filters = p.acls.map((a) => `packet-filter ${a.family === 6 ? 'ipv6 ' : ''}${/^\d+$/.test(a.acl) ? a.acl : `name ${a.acl}`}${findAcl(policy, a.acl, a.family) ? '' : ' (acl not defined)'}`);
      lines.push(`zone-pair ${p.source} → ${p.destination}: ${filters.length > 0 ? filters.join(', ') : 'no packet filter'}, ${where(p.at)}`);
    }
    for (const r of z.securityRules) lines.push(`security-policy ${r.family === 6 ? 'ipv6' : 'ip'} ${r.text}, ${where(r.at)}`);
    lines.push(`zone defaults: within a zone ${z.intraZone.action}, between zones without a zone pair deny, interfaces in no zone ${z.unzoned}`);
  }
  const d = policy.defaultAction;
  if (d.at) lines.push(`${d.at.lineText.slice(d.at.column - 1).trim().replace(/\s+/g, ' ')} (${where(d.at)})`);
  else lines.push(d.action === 'permit' ? 'default action: permit (Comware default)' : `default action: ${d.action}`);
  const v6 = policy.ipv6DefaultAction;
  if (v6) lines.push(v6.at ? `${v6.at.lineText.slice(v6.at.column - 1).trim().replace(/\s+/g, ' ')} (${where(v6.at)})` : `IPv6 default action: ${v6.action} (Comware 5: 'firewall default' covers IPv4 only)`);
  for (const s of policy.sessionScope?.points ?? [])
    lines.push(`ASPF sessions: connections whose first packet is permitted ${pointText(s)}${s.protocols ? ` (${s.protocols.map((x) => `${protoName(x.proto)}${x.dstPorts ? ` port ${x.dstPorts.join(',')}` : ''}`).join(', ')})` : ''}${s.at ? ` (${where(s.at)})` : ''}`);
  const zs = policy.sessionScope?.zones;
  if (zs && policy.zones && policy.zones.pairs.length > 0 && policy.zones.securityRules.length === 0)
    lines.push(`zone sessions: connections whose first packet a zone pair permits (its default ASPF policy inspects every protocol, FTP on port ${zs.ftpPorts.join(',')})`);
  if (zs && policy.zones && policy.zones.securityRules.length > 0)
    lines.push('zone sessions: connections whose first packet a security policy rule passes (FTP not inspected)');
  if (!zs || policy.inspections.length > 0) for (const line of inspectionLines(policy)) lines.push(line);
  return lines;
}

/** A Linux ruleset: each chain with its hook, priority, policy and rule count; helpers; NAT rules. */
function summarizeRuleset(policy: Policy): string[] {
  const rs = policy.ruleset!;
  const lines: string[] = [];
  for (const c of rs.chains) {
    const base = c.hook ? ` (${c.nat ? 'nat, ' : ''}hook ${c.hook}, priority ${c.priority ?? 0}, policy ${c.policy ?? 'accept'})` : '';
    lines.push(`${c.family} ${c.table} ${c.name}${base}: ${c.rules.length} rule${c.rules.length === 1 ? '' : 's'}, ${where(c.at)}`);
  }
  const helpers = new Set<string>();
  for (const c of rs.chains) for (const r of c.rules) if (r.target.kind === 'ct-helper') helpers.add(r.target.helper);
  lines.push(helpers.size > 0 ? `helpers assigned: ${[...helpers].join(', ')}` : 'helpers assigned: none (no FTP data connection is RELATED)');
  if ((policy.nat ?? []).length > 0) lines.push(`NAT rules: ${policy.nat!.length}`);
  return lines;
}
