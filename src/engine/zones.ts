/**
 * Zone-based filtering (Comware 7) for the static evaluation: which zone each interface is in,
 * the zone pair's packet filter or the security policy rules between two zones, and the zone
 * defaults (policy/model.ts ZonePolicy). Every possible result is built once and shared, so the
 * per-packet path allocates nothing, as in static.ts.
 */
import type { IpFamily } from '../net/address.js';
import type { Packet } from '../net/packet.js';
import { compileAcl, firstMatch, type CompiledAcl } from '../policy/compile.js';
import { findAcl, type Policy, type Rule, type SecurityRule, type ZonePair, type ZonePolicy } from '../policy/model.js';
import { findZonePair } from '../policy/zone-pair.js';
import type { AclCheck } from './verdict.js';

/** A compiled zone policy. */
export interface CompiledZones {
  readonly zones: ZonePolicy;
  readonly zoneOf: Map<string, string>;
  /** per `source|destination` zone names: the decision maker, built on first use */
  readonly between: Map<string, Between>;
  readonly policy: Policy;
  readonly rules: readonly { readonly rule: SecurityRule; readonly compiled: CompiledAcl }[];
}

/** What decides between two zones. */
interface Between {
  readonly fixed?: AclCheck;
  readonly pair?: { readonly pair: ZonePair; readonly acl4?: CompiledAcl; readonly acl6?: CompiledAcl; readonly fallback: AclCheck; readonly byRule: Map<Rule, AclCheck> };
  readonly policy?: { readonly source: string; readonly destination: string; readonly fallback: AclCheck; readonly byRule: Map<SecurityRule, AclCheck> };
}

/** Compiles the zone part of a policy, or undefined when it has none. */
export function compileZones(policy: Policy): CompiledZones | undefined {
  const zones = policy.zones;
  if (!zones) return undefined;
  const zoneOf = new Map<string, string>();
  for (const z of zones.zones) for (const i of z.interfaces) zoneOf.set(i, z.name);
  return { zones, zoneOf, between: new Map(), policy, rules: zones.securityRules.map((rule) => ({ rule, compiled: compileAcl(rule.match) })) };
}

const same = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();


function betweenOf(c: CompiledZones, src: string | undefined, dst: string | undefined): Between {
  const key = `${src ?? ''}|${dst ?? ''}`;
  let b = c.between.get(key);
  if (b) return b;
  b = makeBetween(c, src, dst);
  c.between.set(key, b);
  return b;
}

function makeBetween(c: CompiledZones, src: string | undefined, dst: string | undefined): Between {
  const zones = c.zones;
  const s = src ?? '(none)';
  const d = dst ?? '(none)';
  if (src === undefined && dst === undefined) return { fixed: { action: zones.unzoned, by: { kind: 'zone', reason: 'unzoned', source: s, destination: d } } };
  if (src === undefined || dst === undefined) return { fixed: { action: 'deny', by: { kind: 'zone', reason: 'zone-to-unzoned', source: s, destination: d } } };
  if (zones.securityRules.length > 0) {
    if (same(src, dst) && zones.intraZone.action === 'permit')
      return { fixed: { action: 'permit', by: { kind: 'zone', reason: 'intra-zone', source: src, destination: dst, ...(zones.intraZone.at ? { at: zones.intraZone.at } : {}) } } };
    return { policy: { source: src, destination: dst, fallback: { action: 'deny', by: { kind: 'zone', reason: 'no-policy-match', source: src, destination: dst } }, byRule: new Map() } };
  }
  const pair = findZonePair(zones, src, dst);
  if (!pair) {
    if (same(src, dst)) {
      const at = zones.intraZone.at ? { at: zones.intraZone.at } : {};
      return { fixed: { action: zones.intraZone.action, by: { kind: 'zone', reason: 'intra-zone', source: src, destination: dst, ...at } } };
    }
    return { fixed: { action: 'deny', by: { kind: 'zone', reason: 'no-pair', source: src, destination: dst } } };
  }
  const compile = (family: IpFamily): CompiledAcl | undefined => {
    const ref = pair.acls.find((a) => a.family === family);
    const acl = ref ? findAcl(c.policy, ref.acl, family) : undefined;
    return acl ? compileAcl(acl) : undefined;
  };
  const def = c.policy.defaultAction;
  const acl4 = compile(4);
  const acl6 = compile(6);
  return {
    pair: {
      pair,
      ...(acl4 ? { acl4 } : {}),
      ...(acl6 ? { acl6 } : {}),
      fallback: { action: def.action, by: { kind: 'zone', reason: 'pair-default', source: pair.source, destination: pair.destination, at: def.at ?? pair.at } },
      byRule: new Map(),
    },
  };
}

/** The zone decision for a packet from `ingress` to `egress`. */
export function checkZones(c: CompiledZones, p: Packet, ingress: string, egress: string): AclCheck {
  const b = betweenOf(c, c.zoneOf.get(ingress), c.zoneOf.get(egress));
  if (b.fixed) return b.fixed;
  const family: IpFamily = p.src.family;
  if (b.pair) {
    const pr = b.pair;
    const compiled = family === 4 ? pr.acl4 : pr.acl6;
    const rule = compiled ? firstMatch(compiled, p) : undefined;
    if (!rule || !compiled) return pr.fallback;
    let check = pr.byRule.get(rule);
    if (!check) {
      check = {
        action: rule.action,
        by: { kind: 'rule', acl: compiled.acl.name, family, ruleId: rule.id, interface: `zone-pair ${pr.pair.source}→${pr.pair.destination}`, direction: 'inbound', ruleText: rule.text, at: rule.at },
      };
      pr.byRule.set(rule, check);
    }
    return check;
  }
  const pol = b.policy!;
  for (const { rule, compiled } of c.rules) {
    if (rule.family !== family) continue;
    if (rule.sourceZones.length > 0 && !rule.sourceZones.some((z) => same(z, pol.source))) continue;
    if (rule.destinationZones.length > 0 && !rule.destinationZones.some((z) => same(z, pol.destination))) continue;
    if (!firstMatch(compiled, p)) continue;
    let check = pol.byRule.get(rule);
    if (!check) {
      const label = `rule ${rule.id}${rule.name !== undefined ? ` name ${rule.name}` : ''}`;
      check = { action: rule.action, by: { kind: 'zone', reason: 'policy-rule', source: pol.source, destination: pol.destination, rule: label, at: rule.at } };
      pol.byRule.set(rule, check);
    }
    return check;
  }
  return pol.fallback;
}
