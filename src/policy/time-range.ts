/**
 * When a rule with `time-range NAME` is active (H3C time range configuration guide, "The active period of a
 * time range is calculated as follows: 1. Combining all periodic statements. 2. Combining all absolute
 * statements. 3. Taking the intersection of the two statement sets"; "If a time range does not exist, the
 * service based on the time range does not take effect"; facts sheet 5.5). Times are the device's wall
 * clock, given as milliseconds whose UTC fields are the local date and time (no time zone is applied).
 */
import type { Policy, Rule, TimeRange, TimeRangeStatement } from './model.js';

const MS_PER_MIN = 60_000;
const MIN_PER_DAY = 1440;

/** True when one statement covers the minute `wallMin` (minutes since 1970-01-01 00:00 of the device clock). */
function statementActive(s: TimeRangeStatement, wallMin: number): boolean {
  if (s.fromMin !== undefined && wallMin < s.fromMin) return false;
  if (s.toMin !== undefined && wallMin >= s.toMin) return false;
  if (s.kind === 'absolute') return true;
  const day = (Math.floor(wallMin / MIN_PER_DAY) + 4) % 7; // 1970-01-01 was a Thursday (4; 0 = Sunday)
  const minute = wallMin % MIN_PER_DAY;
  return s.days.includes(day) && minute >= s.startMin && minute < s.endMin;
}

/** True when the time range is active at `wallMs`: (any periodic statement) AND (any absolute statement). */
export function timeRangeActive(range: TimeRange, wallMs: number): boolean {
  const wallMin = Math.floor(wallMs / MS_PER_MIN);
  let periodic: boolean | undefined;
  let absolute: boolean | undefined;
  for (const s of range.statements) {
    const on = statementActive(s, wallMin);
    if (s.kind === 'periodic') periodic = (periodic ?? false) || on;
    else absolute = (absolute ?? false) || on;
  }
  return (periodic ?? true) && (absolute ?? true);
}

/** The time ranges rules of the policy name, lower-case. */
export function usedTimeRanges(policy: Policy): string[] {
  const names = new Set<string>();
  for (const acl of policy.acls) for (const r of acl.rules) if (r.timeRange !== undefined) names.add(r.timeRange.toLowerCase());
  return [...names];
}

/** The names (lower-case) of the used time ranges active at `wallMs`; undefined ones are never active. */
export function activeTimeRanges(policy: Policy, wallMs: number): Set<string> {
  const out = new Set<string>();
  for (const name of usedTimeRanges(policy)) {
    const range = policy.timeRanges?.find((t) => t.name === name);
    if (range && timeRangeActive(range, wallMs)) out.add(name);
  }
  return out;
}

/** What a rule's evaluation depends on beyond the packet: the VPN instance of the packet and the active time ranges. */
export interface RuleScope {
  /** the packet's VPN instance, undefined for public (non-VPN) traffic */
  readonly vpn: string | undefined;
  /** active time ranges (lower-case), or undefined when the policy has no time-range rules */
  readonly activeRanges: ReadonlySet<string> | undefined;
  /** routers and firewalls (default): a VPN rule matches only its VPN's packets, others only public ones; switches: VPN rules never take effect, others match all */
  readonly switchVpnSemantics: boolean;
}

/** True when the rule takes part in matching for packets of this scope. */
export function ruleInScope(r: Rule, scope: RuleScope): boolean {
  if (r.timeRange !== undefined && !(scope.activeRanges?.has(r.timeRange.toLowerCase()) ?? false)) return false;
  // Facts sheet 5.6: C7-zh / VPNFW "If no VPN instance is specified, the rule applies only to non-VPN packets";
  // C7-sw-en (switches): a rule with vpn-instance does not take effect on an interface; without, it applies to both.
  if (scope.switchVpnSemantics) return r.vpnInstance === undefined;
  return r.vpnInstance === scope.vpn;
}

/**
 * An ISO 8601 date and time (`2026-03-02T09:30`, seconds, fraction and a `Z` or `±HH:MM` offset allowed)
 * as device wall-clock ms: the written date and time are taken as the device's local clock and the
 * offset, if any, is not applied (time ranges compare the device's local time). Undefined when invalid.
 */
export function parseWallClock(text: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?$/.exec(text.trim());
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6] ?? 0)];
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59) return undefined;
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  return new Date(ms).getUTCDate() === d ? ms : undefined;
}

/** `2026-03-02 09:30 (Monday)`: a device wall-clock instant for messages. */
export function formatWallClock(wallMs: number): string {
  const iso = new Date(wallMs).toISOString();
  const day = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'][new Date(wallMs).getUTCDay()];
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} (${day})`;
}
