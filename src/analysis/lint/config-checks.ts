/**
 * Config-level checks: bindings that name no ACL or an empty one, an interface
 * that filters one family and leaves the other open, a bound ACL whose unmatched
 * packets the default action permits, ASPF without FTP control traffic (and FTP
 * without ASPF), and rules that open high-port connections, with their
 * port-pair count as `compare` counts them (analysis/exposure.ts).
 */
import type { IpFamily } from '../../net/address.js';
import { ipv4, ipv6 } from '../../net/address.js';
import { PROTO_TCP, TCP_SYN } from '../../net/packet.js';
import { bindingAt, bindingsOfAcl, findAcl, type Acl, type Direction, type Policy } from '../../policy/model.js';
import { exposureBetween } from '../exposure.js';
import type { AclAnalysis } from './anomalies.js';
import { toWitness, type Finding } from './finding.js';
import { ruleName } from './rule-findings.js';
import { fullBox, has256, intersect, subtract, type Box } from './space.js';
import { witness, type HeaderPoint } from './witness.js';

/** A bound ACL with its analysis, keyed as `family/name`. */
export type Analyses = ReadonlyMap<string, { readonly acl: Acl; readonly analysis: AclAnalysis }>;

/** The key of an ACL in Analyses. */
export function aclKey(name: string, family: IpFamily): string {
  return `${family}/${name}`;
}

/** Ports at or above this are unprivileged (RFC 6335 section 6: the system ports are 0-1023). */
const FIRST_UNPRIVILEGED_PORT = 1024;

/** Binding problems: the ACL is missing or empty; one family filtered, the other open. */
export function bindingFindings(policy: Policy): Finding[] {
  const out: Finding[] = [];
  for (const b of policy.bindings) {
    const acl = findAcl(policy, b.acl, b.family);
    const written = `${b.family === 6 ? 'ipv6 ' : ''}${b.acl}`;
    if (!acl)
      out.push({
        kind: 'missing-acl',
        severity: 'warning',
        message: `packet-filter on ${b.interface} ${b.direction} names acl ${written}, which is not defined: the default action (${policy.defaultAction.action}) applies to every IPv${b.family} packet`,
        at: b.at,
        acl: b.acl,
        related: [],
        suggestion: `define acl ${written}, or fix the number`,
      });
    else if (acl.rules.length === 0)
      out.push({
        kind: 'empty-acl',
        severity: 'warning',
        message: `packet-filter on ${b.interface} ${b.direction} uses acl ${written}, which has no rules: the default action (${policy.defaultAction.action}) applies to every IPv${b.family} packet`,
        at: b.at,
        acl: b.acl,
        related: [{ label: `acl ${written}`, at: acl.at }],
      });
  }
  // H3C facts sheet 3.2/3.3: the default action applies per family where an ACL of that family is applied;
  // an interface with nothing applied for a family does not filter it
  const seen = new Set<string>();
  for (const b of policy.bindings) {
    const key = `${b.interface} ${b.direction}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const open: IpFamily = b.family === 4 ? 6 : 4;
    if (bindingAt(policy, b.interface, b.direction, open)) continue; // both families are filtered here
    out.push({
      kind: 'family-open',
      severity: 'warning',
      message: `${b.interface} ${b.direction} filters IPv${b.family} (acl ${b.family === 6 ? 'ipv6 ' : ''}${b.acl}) but no IPv${open} ACL is applied: every IPv${open} packet passes ${b.direction === 'inbound' ? 'into' : 'out of'} ${b.interface}`,
      at: b.at,
      acl: b.acl,
      related: [],
      witness: toWitness(witness(fullBoxSyn(open))),
      suggestion: `apply an IPv${open} ACL too ('packet-filter ${open === 6 ? 'ipv6 ' : ''}ACL ${b.direction}'), or deny IPv${open} elsewhere`,
    });
  }
  // A zone pair filters a family only with a packet filter of that family; the other family meets the
  // packet-filter default action there (src/engine/zones.ts), so a permitting default leaves it open.
  for (const pair of policy.zones?.pairs ?? []) {
    const first = pair.acls[0];
    if (!first || pair.acls.some((x) => x.family !== first.family)) continue;
    const open: IpFamily = first.family === 4 ? 6 : 4;
    const def = open === 6 && policy.ipv6DefaultAction ? policy.ipv6DefaultAction : policy.defaultAction;
    if (def.action !== 'permit') continue;
    out.push({
      kind: 'family-open',
      severity: 'warning',
      message: `zone-pair ${pair.source} → ${pair.destination} filters IPv${first.family} (acl ${first.family === 6 ? 'ipv6 ' : ''}${first.acl}) but no IPv${open} ACL is applied: every IPv${open} packet between those zones meets the default action (permit)`,
      at: pair.at,
      acl: first.acl,
      related: [],
      witness: toWitness(witness(fullBoxSyn(open))),
      suggestion: `apply an IPv${open} packet filter in the zone pair too ('packet-filter ${open === 6 ? 'ipv6 ' : ''}ACL'), or set 'packet-filter default deny'`,
    });
  }
  return out;
}

function fullBoxSyn(family: IpFamily): Box {
  const b = fullBox(family);
  const proto = [0, 0, 0, 0, 0, 0, 0, 0];
  proto[0] = 1 << PROTO_TCP;
  const flags = [0, 0, 0, 0, 0, 0, 0, 0];
  flags[0] = 1 << TCP_SYN;
  return { ...b, proto, flags, dport: [[21, 21]], frag: 1 };
}

/** Bound ACLs whose unmatched packets the default action (permit) lets through. */
export function finalDenyFindings(policy: Policy, analyses: Analyses): Finding[] {
  if (policy.defaultAction.action !== 'permit') return [];
  const out: Finding[] = [];
  for (const { acl, analysis } of analyses.values()) {
    if (acl.rules.length === 0 || !analysis.reachesDefault) continue;
    if (bindingsOfAcl(policy, acl).length === 0) continue;
    out.push({
      kind: 'no-final-deny',
      severity: 'warning',
      message: `acl ${acl.family === 6 ? 'ipv6 ' : ''}${acl.name} has no final deny: packets that match none of its rules are permitted (the default action is permit)`,
      at: acl.at,
      acl: acl.name,
      related: acl.rules.length > 0 ? [{ label: `last rule ${acl.rules.at(-1)!.id}`, at: acl.rules.at(-1)!.at }] : [],
      witness: toWitness(analysis.reachesDefault),
      suggestion: `add 'rule deny ${acl.family === 6 ? 'ipv6' : 'ip'}' as the last rule, or set 'packet-filter default deny'`,
    });
  }
  return out;
}

/** A packet of `q` that the ACL permits (first match, then the default), or undefined when it denies all of q. */
export function permittedPacket(acl: Acl | undefined, analysis: AclAnalysis | undefined, q: Box, defaultPermits: boolean): HeaderPoint | undefined {
  let pieces: Box[] = [q];
  if (acl && analysis) {
    for (let i = 0; i < acl.rules.length && pieces.length > 0; i++) {
      const box = analysis.boxes[i];
      if (!box) continue;
      const next: Box[] = [];
      for (const p of pieces) {
        const y = intersect(p, box);
        if (!y) next.push(p);
        else {
          if (acl.rules[i]!.action === 'permit') return witness(y);
          for (const r of subtract(p, box)) next.push(r);
        }
      }
      pieces = next;
    }
  }
  return pieces.length > 0 && defaultPermits ? witness(pieces[0]!) : undefined;
}

/** ASPF that no FTP control connection can reach; FTP permitted with no ASPF at all. */
export function aspfFindings(policy: Policy, analyses: Analyses): Finding[] {
  const out: Finding[] = [];
  const defaultPermits = policy.defaultAction.action === 'permit';
  for (const insp of policy.inspections) {
    if (!insp.at) continue;
    const ifaces = insp.interface === '*' ? policy.interfaces : [insp.interface];
    const dirs: Direction[] = insp.direction === 'both' ? ['inbound', 'outbound'] : [insp.direction];
    for (const iface of ifaces)
      for (const dir of dirs)
        for (const family of [4, 6] as const) {
          const b = bindingAt(policy, iface, dir, family);
          if (!b) continue;
          const entry = analyses.get(aclKey(b.acl, family));
          const q: Box = { ...fullBoxSyn(family), dport: insp.ports.map((p) => [p, p] as const) };
          if (permittedPacket(entry?.acl, entry?.analysis, q, defaultPermits)) continue;
          out.push({
            kind: 'aspf-no-ftp',
            severity: 'warning',
            message: `ASPF inspects FTP on ${iface} ${dir}, but acl ${family === 6 ? 'ipv6 ' : ''}${b.acl} applied there denies every IPv${family} TCP SYN to port ${insp.ports.join(', ')}: no FTP control connection reaches ASPF`,
            at: insp.at,
            related: [{ label: `packet-filter ${family === 6 ? 'ipv6 ' : ''}${b.acl} ${dir}`, at: b.at }],
            witness: toWitness(witness(q)),
            suggestion: `permit tcp to destination-port eq ftp in acl ${b.acl}`,
          });
        }
  }
  if (policy.inspections.length > 0) return out;
  // one finding per ACL, at its first rule that permits FTP control: the rest are listed with it
  for (const { acl, analysis } of analyses.values()) {
    if (!isBound(policy, acl)) continue;
    const hits = analysis.rules.filter((ra) => {
      const rule = acl.rules[ra.index]!;
      if (rule.action !== 'permit' || rule.protocol !== PROTO_TCP || !ra.decides) return false;
      return [rule.srcPort, rule.dstPort].some((p) => p !== undefined && p.ranges.some(([lo, hi]) => lo <= 21 && 21 <= hi && hi - lo < 1000));
    });
    if (hits.length === 0) continue;
    const first = acl.rules[hits[0]!.index]!;
    const others = hits.slice(1);
    out.push({
      kind: 'ftp-no-aspf',
      severity: 'info',
      message: `${ruleName(acl, first)}${others.length > 0 ? ` and ${others.length} more rule${others.length === 1 ? '' : 's'}` : ''} ${others.length > 0 ? 'permit' : 'permits'} the FTP control port 21, but no ASPF inspects FTP: the data connections need static rules`,
      at: first.at,
      acl: acl.name,
      ruleId: first.id,
      related: others.slice(0, 5).map((ra) => ({ label: `${ruleName(acl, acl.rules[ra.index]!)} (permit)`, at: acl.rules[ra.index]!.at })),
      witness: toWitness(hits[0]!.decides!),
      suggestion: "inspect FTP statefully: 'aspf policy 1' with 'detect ftp', applied where the control connection enters",
    });
  }
  return out;
}

function isBound(policy: Policy, acl: Acl): boolean {
  return bindingsOfAcl(policy, acl).length > 0;
}

function unprivilegedWidth(ranges: readonly (readonly [number, number])[] | undefined): number {
  if (!ranges) return 65536 - FIRST_UNPRIVILEGED_PORT;
  let n = 0;
  for (const [lo, hi] of ranges) if (hi >= FIRST_UNPRIVILEGED_PORT) n += hi - Math.max(lo, FIRST_UNPRIVILEGED_PORT) + 1;
  return n;
}

/**
 * Rules that permit new TCP connections (a bare SYN) from a wide range of unprivileged
 * source ports to a wide range of unprivileged destination ports, both written out:
 * the seed's `source-port gt 1024 destination-port gt 1024`.
 */
export function exposureFindings(policy: Policy, analyses: Analyses): Finding[] {
  const out: Finding[] = [];
  const engine = policy.inspections.length > 0 ? 'stateful' : 'static';
  // the count is the policy's between two hosts: rules that lead to the same pair share it
  const cache = new Map<string, ReturnType<typeof exposureBetween>>();
  for (const { acl, analysis } of analyses.values()) {
    for (const b of bindingsOfAcl(policy, acl)) {
      for (const ra of analysis.rules) {
        const rule = acl.rules[ra.index]!;
        if (rule.action !== 'permit' || rule.protocol !== PROTO_TCP || !ra.decides || !rule.srcPort || !rule.dstPort) continue;
        if (!has256(analysis.boxes[ra.index]!.flags, TCP_SYN)) continue;
        if (unprivilegedWidth(rule.srcPort.ranges) < FIRST_UNPRIVILEGED_PORT || unprivilegedWidth(rule.dstPort.ranges) < FIRST_UNPRIVILEGED_PORT) continue;
        const p = ra.decides;
        const addr = (w: readonly number[]) => (p.family === 4 ? ipv4(w[0]!) : ipv6(w[0]!, w[1]!, w[2]!, w[3]!));
        const other = policy.interfaces.find((i) => i !== b.interface && !/^(null|loopback|inloopback)/i.test(i)) ?? b.interface;
        const [fromIf, toIf] = b.direction === 'inbound' ? [b.interface, other] : [other, b.interface];
        const key = `${fromIf} ${toIf} ${p.src.join('.')} ${p.dst.join('.')}`;
        let e = cache.get(key);
        if (!e) cache.set(key, (e = exposureBetween(policy, engine, { address: addr(p.src), interface: fromIf }, { address: addr(p.dst), interface: toIf }, new Set())));
        if (e.portPairs === 0) continue;
        out.push({
          kind: 'ftp-exposure',
          severity: 'warning',
          message: `${ruleName(acl, rule)} permits new TCP connections between unprivileged ports: ${e.initiator} (${fromIf}) can open connections to ${e.responder} (${toIf}) on ${e.portPairs} port pairs${e.rectangle ? ` (${e.rectangle.srcPorts} source × ${e.rectangle.dstPorts} destination ports)` : ''}${e.approximate ? ', approximately' : ''}, counted as compare counts them`,
          at: rule.at,
          acl: acl.name,
          ruleId: rule.id,
          related: [{ label: `packet-filter ${b.acl} on ${b.interface} ${b.direction}`, at: b.at }],
          witness: toWitness({ ...p, tcpFlags: TCP_SYN }),
          suggestion: 'open the data ports with ASPF (detect ftp), or narrow the rule to the server\'s passive range',
        });
      }
    }
  }
  return out;
}
