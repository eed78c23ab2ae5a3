/**
 * Exact rule anomalies of one ACL in evaluation order (Al-Shaer & Hamed, "Firewall
 * Policy Advisor for Anomaly Discovery and Rule Editing", IM 2003: shadowing, redundancy, correlation,
 * generalisation), computed over the whole header space. For each rule, an
 * overlap index gives the rules that share packets with it; every question is
 * then one exact search for a part of a box that a list of boxes leaves
 * uncovered (box subtraction, depth first, stopping at the first part found):
 * - a rule with no first-match part never matches: shadowed when some packet of
 *   it is decided by an earlier rule of the other action, redundant otherwise;
 * - a rule whose every first-match packet would get the same verdict from the
 *   rules after it (or the default) is redundant;
 * - an earlier rule of the other action whose first-match part overlaps a later
 *   rule makes a pair whose order decides packets: generalisation when the later
 *   rule contains the earlier one, correlation otherwise.
 * The cost grows with the number of overlapping rule pairs, not with n².
 */
import type { IpFamily } from '../../net/address.js';
import type { Acl, Action } from '../../policy/model.js';
import { PROTO_TCP, TCP_SYN } from '../../net/packet.js';
import { contains, forEachPiece, FRAG_NONE, fullBox, intersect, isFull, overlaps, ruleBox, type Box } from './space.js';
import { witness, type HeaderPoint } from './witness.js';
import { OverlapIndex } from './overlap-index.js';

/** At most this many other rules are kept per rule and relation. */
const MAX_RELATED = 5;

/** An earlier or later rule that takes part in a relation, with a packet that shows it. */
export interface Related {
  /** 0-based position in evaluation order, or -1 for the default action */
  readonly index: number;
  readonly witness: HeaderPoint;
}

/** What the analysis learnt about one rule. */
export interface RuleAnalysis {
  /** 0-based position in evaluation order */
  readonly index: number;
  /** the rule matches no packet at all (e.g. `fragment` with a port test) */
  readonly matchesNothing: boolean;
  /** a packet this rule decides, when it decides any */
  readonly decides?: HeaderPoint;
  /** for a rule that decides packets: true when every one of them would get the same verdict without it */
  readonly redundantAfter: boolean;
  /** rules after it (or -1, the default) that would decide its packets the same way */
  readonly laterDeciders: readonly Related[];
  /** for a rule that decides nothing: earlier rules that decide its packets, other action first */
  readonly coveredBy: readonly Related[];
  /** earlier rules of the other action whose decided packets it also matches */
  readonly conflicts: readonly Related[];
  /** how many such earlier rules there are in all */
  readonly conflictCount: number;
}

/** The anomaly analysis of one ACL. */
export interface AclAnalysis {
  readonly family: IpFamily;
  /** every rule's box, undefined when it matches nothing */
  readonly boxes: readonly (Box | undefined)[];
  readonly rules: readonly RuleAnalysis[];
  /** 0-based index of the first rule that matches every packet, if any */
  readonly catchAll?: number;
  /** a packet no rule matches (so the default action decides it), if there is one */
  readonly reachesDefault?: HeaderPoint;
}

interface State {
  decides?: HeaderPoint;
  redundancyBroken: boolean;
  laterDeciders: Related[];
  coveredBy: Related[];
  conflicts: Related[];
  conflictCount: number;
}

/**
 * Analyses an ACL whose unmatched packets get `defaultAction`. `indexLeafRules` (tests) sets the
 * leaf size of the overlap index; the answer does not depend on it.
 */
export function analyzeAcl(acl: Acl, defaultAction: Action, indexLeafRules?: number): AclAnalysis {
  const family = acl.family;
  const boxes = acl.rules.map((r) => ruleBox(r, family));
  const actions = acl.rules.map((r) => r.action);
  const n = boxes.length;
  const index = new OverlapIndex(boxes, indexLeafRules);
  let catchAll: number | undefined;
  for (let i = 0; i < n && catchAll === undefined; i++) if (boxes[i] && isFull(boxes[i]!)) catchAll = i;
  const states: State[] = boxes.map(() => ({ redundancyBroken: false, laterDeciders: [], coveredBy: [], conflicts: [], conflictCount: 0 }));
  for (let k = 0; k < n; k++) {
    const box = boxes[k];
    if (!box) continue;
    // rules after a catch-all are reported as unreachable: nothing more to learn about them
    if (catchAll !== undefined && k > catchAll) break;
    const overlapping = index.overlapping(box);
    const earlier: number[] = [];
    const later: number[] = [];
    for (const j of overlapping) {
      if (j < k) earlier.push(j);
      else if (j > k) later.push(j);
    }
    const earlierBoxes = earlier.map((j) => boxes[j]!);
    const st = states[k]!;
    const own = niceUncovered(box, earlierBoxes, family);
    if (own) {
      st.decides = witness(own);
      checkRedundant(box, earlierBoxes, later, boxes, actions, defaultAction, actions[k]!, st);
    } else coverers(k, box, earlier, earlierBoxes, actions, st);
    conflictsOf(k, box, earlier, earlierBoxes, boxes, actions, states, st);
  }
  const reachesDefault = catchAll === undefined ? niceUncovered(fullBox(family), boxes.filter((b): b is Box => b !== undefined), family) : undefined;
  return {
    family,
    boxes,
    ...(catchAll !== undefined ? { catchAll } : {}),
    ...(reachesDefault ? { reachesDefault: witness(reachesDefault) } : {}),
    rules: states.map((st, i) => ({
      index: i,
      matchesNothing: boxes[i] === undefined,
      ...(st.decides ? { decides: st.decides } : {}),
      redundantAfter: st.decides !== undefined && !st.redundancyBroken,
      laterDeciders: st.laterDeciders,
      coveredBy: st.coveredBy,
      conflicts: st.conflicts,
      conflictCount: st.conflictCount,
    })),
  };
}

/** Parts of the space where a witness reads best: an unfragmented TCP SYN, then any unfragmented packet. */
function niceParts(family: IpFamily): Box[] {
  const full = fullBox(family);
  const tcp = [0, 0, 0, 0, 0, 0, 0, 0];
  tcp[0] = 1 << PROTO_TCP;
  const syn = [0, 0, 0, 0, 0, 0, 0, 0];
  syn[0] = 1 << TCP_SYN;
  return [{ ...full, proto: tcp, flags: syn, frag: FRAG_NONE }, { ...full, frag: FRAG_NONE }];
}

const NICE = { 4: niceParts(4), 6: niceParts(6) } as const;

/** Like uncovered, but looks in the parts where a witness reads best first (same answer, nicer point). */
function niceUncovered(box: Box, list: readonly Box[], family: IpFamily): Box | undefined {
  for (const part of NICE[family]) {
    const b = intersect(box, part);
    const found = b && uncovered(b, list, 0);
    if (found) return found;
  }
  return uncovered(box, list, 0);
}

function addRelated(list: Related[], r: Related): void {
  if (list.length < MAX_RELATED && !list.some((x) => x.index === r.index)) list.push(r);
}

/**
 * A part of `box` that no box of `list[from..]` covers, or undefined when they cover it all.
 * Depth first with early exit: a piece one box contains is dropped, the first uncovered one returned.
 */
function uncovered(box: Box, list: readonly Box[], from: number): Box | undefined {
  // only the boxes that overlap this one matter below it: pass that shorter list down
  const near: Box[] = [];
  for (let j = from; j < list.length; j++) {
    const b = list[j]!;
    if (!overlaps(box, b)) continue;
    // one box containing all of it ends the search (the order of the list does not matter here)
    if (contains(b, box)) return undefined;
    near.push(b);
  }
  if (near.length === 0) return box;
  let found: Box | undefined;
  forEachPiece(box, near[0]!, (piece) => (found = uncovered(piece, near, 1)) !== undefined);
  return found;
}

/** For a rule that decides nothing: the earlier rules that decide its packets, the other action first. */
function coverers(k: number, box: Box, earlier: readonly number[], earlierBoxes: readonly Box[], actions: readonly Action[], st: State): void {
  let other = false;
  for (let m = 0; m < earlier.length; m++) {
    const s = earlier[m]!;
    const isOther = actions[s] !== actions[k];
    if (isOther ? other : st.coveredBy.length >= MAX_RELATED) continue;
    const both = intersect(box, earlierBoxes[m]!);
    const part = both && uncovered(both, earlierBoxes.slice(0, m), 0);
    if (!part) continue;
    const r = { index: s, witness: witness(part) };
    if (isOther) {
      other = true;
      st.coveredBy.unshift(r);
      if (st.coveredBy.length > MAX_RELATED) st.coveredBy.pop();
    } else addRelated(st.coveredBy, r);
    if (other && st.coveredBy.length >= MAX_RELATED) return;
  }
}

/**
 * Earlier rules of the other action whose first-match part overlaps rule k: their order
 * decides packets. Up to MAX_RELATED are kept of those k contains (generalisation) and of the
 * rest (correlation); the count covers all of them up to where the scan stopped.
 */
function conflictsOf(
  k: number,
  box: Box,
  earlier: readonly number[],
  earlierBoxes: readonly Box[],
  boxes: readonly (Box | undefined)[],
  actions: readonly Action[],
  states: readonly State[],
  st: State,
): void {
  let general = 0;
  let correlated = 0;
  for (let m = 0; m < earlier.length; m++) {
    const s = earlier[m]!;
    if (actions[s] === actions[k]) continue;
    const isGeneral = contains(box, boxes[s]!);
    if (isGeneral ? general >= MAX_RELATED : correlated >= MAX_RELATED) continue;
    let w: HeaderPoint | undefined;
    // rule k contains rule s: they share s's whole first-match part, known already
    if (isGeneral) w = states[s]!.decides;
    else {
      const both = intersect(box, earlierBoxes[m]!);
      const part = both && uncovered(both, earlierBoxes.slice(0, m), 0);
      if (part) w = witness(part);
    }
    if (!w) continue;
    st.conflictCount++;
    st.conflicts.push({ index: s, witness: w });
    if (isGeneral) general++;
    else correlated++;
  }
}

/**
 * Marks `st` not redundant when some packet of its first-match part (box minus `earlier`)
 * would get the other verdict without it: from the first later rule that matches it, or the default.
 */
function checkRedundant(
  box: Box,
  earlier: readonly Box[],
  later: readonly number[],
  boxes: readonly (Box | undefined)[],
  actions: readonly Action[],
  defaultAction: Action,
  action: Action,
  st: State,
): void {
  const blockers = [...earlier];
  for (const m of later) {
    const mBox = boxes[m]!;
    const xm = intersect(box, mBox);
    if (xm) {
      const part = uncovered(xm, blockers, 0);
      if (part) {
        if (actions[m] !== action) {
          st.redundancyBroken = true;
          return;
        }
        addRelated(st.laterDeciders, { index: m, witness: witness(part) });
      }
      // a later rule containing the whole rule decides everything that is left
      if (contains(mBox, box)) return;
    }
    blockers.push(mBox);
  }
  const rest = uncovered(box, blockers, 0);
  if (!rest) return;
  if (defaultAction !== action) st.redundancyBroken = true;
  else addRelated(st.laterDeciders, { index: -1, witness: witness(rest) });
}
