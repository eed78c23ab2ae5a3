/**
 * Port-space cells: a port range cut at every bound a rule (or an FTP inspection)
 * of the policy can test. Inside one cell every port condition of every rule has
 * the same truth value, so one representative port decides the whole cell.
 */
import type { IpFamily } from '../net/address.js';
import type { Policy, Rule } from '../policy/model.js';
import type { PortRange } from './profiles.js';

/** One cell: an inclusive port range whose ports the policy cannot tell apart. */
export interface PortCell {
  readonly lo: number;
  readonly hi: number;
}

/** Which rules can matter; by default all (a probe passes one that keeps only rules whose addresses can match its hosts). */
export type RuleFilter = (rule: Rule) => boolean;

const ALL: RuleFilter = () => true;

/** The first port of every cell boundary the policy's rules of `family` can test (sorted, deduplicated). */
export function portCuts(policy: Policy, family: IpFamily, relevant: RuleFilter = ALL): number[] {
  const cuts = new Set<number>();
  for (const acl of policy.acls) {
    if (acl.family !== family) continue;
    for (const r of acl.rules) {
      if (!relevant(r)) continue;
      for (const m of [r.srcPort, r.dstPort]) for (const [lo, hi] of m?.ranges ?? []) cuts.add(lo).add(hi + 1);
    }
  }
  for (const ins of policy.inspections) for (const p of ins.ports) cuts.add(p).add(p + 1);
  return [...cuts].filter((c) => c >= 1 && c <= 65536).sort((a, b) => a - b);
}

/** Cuts `range` into cells at `cuts`. */
export function cellsOf(range: PortRange, cuts: readonly number[]): PortCell[] {
  const out: PortCell[] = [];
  let lo = range[0];
  for (const c of cuts) {
    if (c <= lo) continue;
    if (c > range[1]) break;
    out.push({ lo, hi: c - 1 });
    lo = c;
  }
  out.push({ lo, hi: range[1] });
  return out;
}

/**
 * The proof obligation behind one representative per cell: every port condition
 * of every rule of `family` that can matter (`relevant`: a rule whose addresses
 * cannot match a packet between the probed hosts never decides one of them), and
 * every inspected control port, holds for all ports of the cell or for none.
 * Returns the first condition that splits it.
 */
export function splitsCell(policy: Policy, family: IpFamily, cell: PortCell, relevant: RuleFilter = ALL): string | undefined {
  const splits = (lo: number, hi: number): boolean => !(hi < cell.lo || lo > cell.hi || (lo <= cell.lo && hi >= cell.hi));
  for (const acl of policy.acls) {
    if (acl.family !== family) continue;
    for (const r of acl.rules) {
      if (!relevant(r)) continue;
      for (const m of [r.srcPort, r.dstPort]) for (const [lo, hi] of m?.ranges ?? []) if (splits(lo, hi)) return `acl ${acl.name} rule ${r.id} (${r.at.file}:${r.at.line})`;
    }
  }
  for (const ins of policy.inspections) for (const p of ins.ports) if (splits(p, p)) return `ftp inspection of port ${p}`;
  return undefined;
}

/** Number of ports in a cell or range. */
export function portCount(r: PortCell | PortRange): number {
  return 'lo' in r ? r.hi - r.lo + 1 : r[1] - r[0] + 1;
}

/** `50000-50050`, or `21` for a single port. */
export function rangeText(lo: number, hi: number): string {
  return lo === hi ? String(lo) : `${lo}-${hi}`;
}
