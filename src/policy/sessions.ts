/**
 * Where a policy creates connection state and where that state passes
 * (Policy.sessionScope): shared by the stateful engine, the exports and `check`.
 */
import type { Direction, Inspection, Policy, SessionPoint } from './model.js';
import { findZonePair } from './zone-pair.js';

/**
 * The points where a connection becomes a session, or 'everywhere' when every connection does: a
 * policy without a scope (Linux), or an inspection on every interface (`--inspect ftp`).
 */
export function sessionPoints(policy: Policy, extra: readonly Inspection[] = []): readonly SessionPoint[] | 'everywhere' {
  const scope = policy.sessionScope;
  if (!scope) return 'everywhere';
  if (policy.inspections.some((i) => i.interface === '*') || extra.some((i) => i.interface === '*')) return 'everywhere';
  if (scope.points.some((p) => p.interface === '*')) return 'everywhere';
  return scope.points;
}

/** True when a first packet (protocol, destination port) crossing ingress → egress meets the point in its direction. */
export function crossesPoint(point: SessionPoint, proto: number, dstPort: number, ingress: string, egress: string): boolean {
  const where =
    point.interface === '*' ||
    ((point.direction === 'inbound' || point.direction === 'both') && ingress === point.interface) ||
    ((point.direction === 'outbound' || point.direction === 'both') && egress === point.interface);
  if (!where) return false;
  if (!point.protocols) return true;
  return point.protocols.some((p) => p.proto === proto && (!p.dstPorts || p.dstPorts.includes(dstPort)));
}

/** `inbound on GigabitEthernet2/1/1`, `on every interface`. */
export function pointText(point: Pick<SessionPoint, 'interface' | 'direction'>): string {
  if (point.interface === '*') return 'on every interface';
  return point.direction === 'both' ? `in both directions on ${point.interface}` : `${point.direction} on ${point.interface}`;
}

/** The directions a point covers. */
export function pointDirections(point: Pick<SessionPoint, 'direction'>): readonly Direction[] {
  return point.direction === 'both' ? ['inbound', 'outbound'] : [point.direction];
}

/** What makes a connection between two zoned interfaces a session: a zone pair (its default ASPF policy) or a security policy rule. */
export type ZoneSession = 'zone-pair' | 'security-policy';

/**
 * For a policy whose zones make sessions (SessionScope.zones), which first packets from ingress to egress
 * start one: between two interfaces in zones, the zone pair that decides them (zone-pair.ts, as
 * engine/zones.ts finds it), or the security policy when the policy has rules. Undefined
 * for a policy without zone sessions, or a packet no zone pair or security policy decides (an interface in
 * no zone; one zone with `security-zone intra-zone default permit` and no pair of its own).
 */
export function zoneSessions(policy: Policy): ((ingress: string, egress: string) => ZoneSession | undefined) | undefined {
  const z = policy.zones;
  if (!policy.sessionScope?.zones || !z) return undefined;
  const zoneOf = new Map<string, string>();
  for (const zone of z.zones) for (const i of zone.interfaces) zoneOf.set(i, zone.name);
  // per pair of zones, found once: a new connection must not scan every zone pair
  const byZones = new Map<string, ZoneSession | undefined>();
  return (ingress, egress) => {
    const src = zoneOf.get(ingress);
    const dst = zoneOf.get(egress);
    if (src === undefined || dst === undefined) return undefined;
    if (z.securityRules.length > 0) return 'security-policy';
    const key = `${src}\n${dst}`;
    if (byZones.has(key)) return byZones.get(key);
    const found: ZoneSession | undefined = findZonePair(z, src, dst) ? 'zone-pair' : undefined;
    byZones.set(key, found);
    return found;
  };
}
