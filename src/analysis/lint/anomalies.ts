/**
 * Exact rule anomalies of one ACL in evaluation order (Al-Shaer & Hamed,
 * "Firewall Policy Advisor", 2004: shadowing, redundancy, correlation,
 * generalisation), computed over the whole header space. The space is cut into
 * regions by a decision tree (as policy/compile.ts does for lookups) until each
 * region has a few live rules; inside a region, box subtraction gives each
 * rule's first-match part exactly. From those parts:
 * - a rule with no first-match part never matches: shadowed when some packet of
 *   it is decided by an earlier rule of the other action, redundant otherwise;
 * - a rule whose every first-match packet would get the same verdict from the
 *   rules after it (or the default) is redundant;
 * - an earlier rule of the other action whose first-match part overlaps a later
 *   rule makes a pair whose order decides packets: generalisation when the later
 *   rule contains the earlier one, correlation otherwise.
 */
import type { IpFamily } from '../../net/address.js';
import type { Acl, Action } from '../../policy/model.js';
import { contains, fullBox, intersect, isFull, ruleBox, subtract, witness, type Box, type HeaderPoint } from './space.js';

/** Live rules a region may hold before it is split (analyzeAcl's default). */
const LEAF_RULES = 8;
/** The tree never grows deeper than this. */
const MAX_DEPTH = 48;
/** At most this many other rules are kept per rule and relation (the count is kept in full). */
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
  otherCovered: boolean;
  conflicts: Related[];
  conflictSeen: Set<number>;
}

interface Region {
  readonly box: Box;
  /** inclusive bounds of the protocol, source port and destination port of the region */
  readonly pr: readonly [number, number];
  readonly sp: readonly [number, number];
  readonly dp: readonly [number, number];
}

interface Ctx {
  readonly boxes: readonly (Box | undefined)[];
  readonly actions: readonly Action[];
  readonly defaultAction: Action;
  readonly states: State[];
  /** hull bounds per rule: protocol, source port, destination port */
  readonly hull: Int32Array;
  readonly leafRules: number;
  reachesDefault?: HeaderPoint;
}

/**
 * Analyses an ACL whose unmatched packets get `defaultAction`. `leafRules` (tests) sets how
 * many live rules a region keeps before it is split; the answer does not depend on it.
 */
export function analyzeAcl(acl: Acl, defaultAction: Action, leafRules = LEAF_RULES): AclAnalysis {
  const family = acl.family;
  const boxes = acl.rules.map((r) => ruleBox(r, family));
  const actions = acl.rules.map((r) => r.action);
  const n = boxes.length;
  const hull = new Int32Array(n * 6);
  for (let i = 0; i < n; i++) {
    const b = boxes[i];
    if (!b) continue;
    const p = protoHull(b);
    hull.set([p[0], p[1], b.sport[0]![0], b.sport[b.sport.length - 1]![1], b.dport[0]![0], b.dport[b.dport.length - 1]![1]], i * 6);
  }
  const states: State[] = boxes.map(() => ({
    redundancyBroken: false,
    laterDeciders: [],
    coveredBy: [],
    otherCovered: false,
    conflicts: [],
    conflictSeen: new Set<number>(),
  }));
  const ctx: Ctx = { boxes, actions, defaultAction, states, hull, leafRules };
  const live: number[] = [];
  for (let i = 0; i < n; i++) if (boxes[i]) live.push(i);
  const root: Region = { box: fullBox(family), pr: [0, 255], sp: [0, 65535], dp: [0, 65535] };
  node(ctx, root, live, [], 0);
  let catchAll: number | undefined;
  for (let i = 0; i < n && catchAll === undefined; i++) if (boxes[i] && isFull(boxes[i]!)) catchAll = i;
  return {
    family,
    boxes,
    catchAll,
    ...(ctx.reachesDefault ? { reachesDefault: ctx.reachesDefault } : {}),
    rules: states.map((s, index) => ({
      index,
      matchesNothing: boxes[index] === undefined,
      ...(s.decides ? { decides: s.decides } : {}),
      redundantAfter: s.decides !== undefined && !s.redundancyBroken,
      laterDeciders: s.laterDeciders,
      coveredBy: s.coveredBy,
      conflicts: s.conflicts,
      conflictCount: s.conflictSeen.size,
    })),
  } as AclAnalysis;
}

function protoHull(b: Box): [number, number] {
  let lo = -1;
  let hi = -1;
  for (let v = 0; v < 256; v++)
    if (((b.proto[v >>> 5]! >>> (v & 31)) & 1) === 1) {
      if (lo < 0) lo = v;
      hi = v;
    }
  return [lo, hi];
}

function noteDefault(ctx: Ctx, box: Box): void {
  ctx.reachesDefault = better(ctx.reachesDefault, box);
}

/** How natural a witness reads: an unfragmented TCP packet best. */
function score(p: HeaderPoint): number {
  return (p.fragment === 'none' ? 2 : 0) + (p.proto === 6 ? 1 : 0);
}

/** The current witness, or one from `box` when that reads better. */
function better(current: HeaderPoint | undefined, box: Box): HeaderPoint {
  if (current && score(current) === 3) return current;
  const w = witness(box);
  return current && score(current) >= score(w) ? current : w;
}

function node(ctx: Ctx, region: Region, liveIn: number[], deadIn: number[], depth: number): void {
  if (liveIn.length === 0) {
    noteDefault(ctx, region.box);
    return;
  }
  let live = liveIn;
  let dead = deadIn;
  // the first rule covering the whole region decides everything after it here: later rules are dead
  for (let k = 0; k < live.length; k++) {
    if (contains(ctx.boxes[live[k]!]!, region.box)) {
      if (k + 1 < live.length) {
        dead = [...live.slice(k + 1), ...dead].sort((a, b) => a - b);
        live = live.slice(0, k + 1);
      }
      break;
    }
  }
  if (live.length <= ctx.leafRules || depth >= MAX_DEPTH) {
    leaf(ctx, region.box, live, dead);
    return;
  }
  const split = chooseSplit(ctx, region, live);
  if (!split) {
    leaf(ctx, region.box, live, dead);
    return;
  }
  for (const child of split) {
    const cl = live.filter((i) => intersect(ctx.boxes[i]!, child.box) !== undefined);
    const cd = dead.filter((i) => intersect(ctx.boxes[i]!, child.box) !== undefined);
    node(ctx, child, cl, cd, depth + 1);
  }
}

/** Two child regions that separate the live rules best, or undefined when no cut helps. */
function chooseSplit(ctx: Ctx, region: Region, live: readonly number[]): Region[] | undefined {
  const n = live.length;
  let best: { worst: number; make: () => Region[] } | undefined;
  const consider = (worst: number, make: () => Region[]): void => {
    if (worst < n && (!best || worst < best.worst)) best = { worst, make };
  };
  // protocol, source port, destination port: the median of the rules' bounds, as in policy/compile.ts
  const dims: { h: number; bounds: readonly [number, number]; key: 'pr' | 'sp' | 'dp' }[] = [
    { h: 0, bounds: region.pr, key: 'pr' },
    { h: 2, bounds: region.sp, key: 'sp' },
    { h: 4, bounds: region.dp, key: 'dp' },
  ];
  for (const d of dims) {
    const [lo, hi] = d.bounds;
    const points: number[] = [];
    for (const i of live) {
      const a = ctx.hull[i * 6 + d.h]! - 1;
      const b = ctx.hull[i * 6 + d.h + 1]!;
      if (a >= lo && a < hi) points.push(a);
      if (b >= lo && b < hi) points.push(b);
    }
    if (points.length === 0) continue;
    points.sort((x, y) => x - y);
    const cut = points[points.length >> 1]!;
    let left = 0;
    let right = 0;
    for (const i of live) {
      if (ctx.hull[i * 6 + d.h]! <= cut) left++;
      if (ctx.hull[i * 6 + d.h + 1]! > cut) right++;
    }
    consider(Math.max(left, right), () => [rangeChild(region, d.key, lo, cut), rangeChild(region, d.key, cut + 1, hi)]);
  }
  for (const key of ['src', 'dst'] as const) {
    const t = region.box[key];
    const words = t.care.length;
    outer: for (let k = 0; k < words; k++) {
      for (let bitNo = 31; bitNo >= 0; bitNo--) {
        const bit = (1 << bitNo) >>> 0;
        if ((t.care[k]! & bit) !== 0) continue;
        let zeros = 0;
        let ones = 0;
        for (const i of live) {
          const r = ctx.boxes[i]![key];
          if ((r.care[k]! & bit) === 0) continue;
          if ((r.val[k]! & bit) === 0) zeros++;
          else ones++;
        }
        const dc = n - zeros - ones;
        if (dc === n) continue;
        consider(Math.max(zeros, ones) + dc, () => [bitChild(region, key, k, bit, 0), bitChild(region, key, k, bit, bit)]);
        if (zeros > 0 && ones > 0) break outer;
      }
    }
  }
  return best?.make();
}

function rangeChild(region: Region, key: 'pr' | 'sp' | 'dp', lo: number, hi: number): Region {
  const box = region.box;
  if (key === 'pr') {
    const proto = [0, 0, 0, 0, 0, 0, 0, 0];
    for (let v = lo; v <= hi; v++) proto[v >>> 5] = (proto[v >>> 5]! | (1 << (v & 31))) >>> 0;
    return { ...region, pr: [lo, hi], box: { ...box, proto } };
  }
  if (key === 'sp') return { ...region, sp: [lo, hi], box: { ...box, sport: [[lo, hi]] } };
  return { ...region, dp: [lo, hi], box: { ...box, dport: [[lo, hi]] } };
}

function bitChild(region: Region, key: 'src' | 'dst', k: number, bit: number, value: number): Region {
  const t = region.box[key];
  const care = [...t.care];
  const val = [...t.val];
  care[k] = (care[k]! | bit) >>> 0;
  val[k] = ((val[k]! & ~bit) | value) >>> 0;
  return { ...region, box: { ...region.box, [key]: { care, val } } };
}

function addRelated(list: Related[], r: Related): void {
  if (list.length < MAX_RELATED && !list.some((x) => x.index === r.index)) list.push(r);
}

/** First-match parts of the live rules inside `region`, and what they mean for every rule here. */
function leaf(ctx: Ctx, region: Box, live: readonly number[], dead: readonly number[]): void {
  let remainder: Box[] = [region];
  const after = [...live, ...dead].sort((a, b) => a - b);
  for (let k = 0; k < live.length && remainder.length > 0; k++) {
    const ri = live[k]!;
    const rBox = ctx.boxes[ri]!;
    const action = ctx.actions[ri]!;
    const st = ctx.states[ri]!;
    const next: Box[] = [];
    for (const piece of remainder) {
      const x = intersect(piece, rBox);
      if (!x) {
        next.push(piece);
        continue;
      }
      // rule ri decides every packet of x
      st.decides = better(st.decides, x);
      if (!st.redundancyBroken) checkRedundant(ctx, x, live, k + 1, action, st);
      for (const j of after) {
        if (j <= ri) continue;
        const sj = ctx.states[j]!;
        const other = ctx.actions[j] !== action;
        const wantCover = sj.decides === undefined && (other ? !sj.otherCovered : sj.coveredBy.length < MAX_RELATED);
        const wantConflict = other && !sj.conflictSeen.has(ri);
        if (!wantCover && !wantConflict) continue;
        const y = intersect(x, ctx.boxes[j]!);
        if (!y) continue;
        const w = witness(y);
        if (wantConflict) {
          sj.conflictSeen.add(ri);
          addRelated(sj.conflicts, { index: ri, witness: w });
        }
        if (other && !sj.otherCovered) {
          sj.otherCovered = true;
          // the other action first: it is what makes the rule shadowed
          sj.coveredBy.unshift({ index: ri, witness: w });
          if (sj.coveredBy.length > MAX_RELATED) sj.coveredBy.pop();
        } else addRelated(sj.coveredBy, { index: ri, witness: w });
      }
      for (const p of subtract(piece, rBox)) next.push(p);
    }
    remainder = next;
  }
  for (const p of remainder) noteDefault(ctx, p);
}

/** Marks `st` not redundant when some packet of `x` would get another verdict from live[from..] and the default. */
function checkRedundant(ctx: Ctx, x: Box, live: readonly number[], from: number, action: Action, st: State): void {
  let pieces: Box[] = [x];
  for (let m = from; m < live.length && pieces.length > 0; m++) {
    const ri = live[m]!;
    const rBox = ctx.boxes[ri]!;
    const next: Box[] = [];
    for (const p of pieces) {
      const y = intersect(p, rBox);
      if (!y) {
        next.push(p);
        continue;
      }
      if (ctx.actions[ri] !== action) {
        st.redundancyBroken = true;
        return;
      }
      addRelated(st.laterDeciders, { index: ri, witness: witness(y) });
      for (const q of subtract(p, rBox)) next.push(q);
    }
    pieces = next;
  }
  if (pieces.length === 0) return;
  if (ctx.defaultAction !== action) st.redundancyBroken = true;
  else addRelated(st.laterDeciders, { index: -1, witness: witness(pieces[0]!) });
}
