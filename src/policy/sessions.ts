/**
 * Where a policy creates connection state and where that state passes
 * (Policy.sessionScope): shared by the stateful engine, the exports and `check`.
 */
import type { Direction, Inspection, Policy, SessionPoint } from './model.js';

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
