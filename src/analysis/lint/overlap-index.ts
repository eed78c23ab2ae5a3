/**
 * Which rules of an ACL share packets with a box: a k-d tree over the rules'
 * bounding ranges in protocol, source, destination (IPv4 value or first IPv6
 * word), source port and destination port, cut at median rule bounds as
 * policy/compile.ts does for lookups. A query visits the leaves its own range
 * reaches; every candidate is then checked exactly.
 */
import { overlaps, type Box } from './space.js';

/** Rules a leaf may hold before it is split. */
const LEAF_RULES = 8;
/** The tree never grows deeper than this. */
const MAX_DEPTH = 40;
const DIMS = 5;

type Node = { readonly leaf: true; readonly rules: readonly number[] } | { readonly leaf: false; readonly dim: number; readonly cut: number; readonly left: Node; readonly right: Node };

/** An overlap index over the boxes of one ACL (undefined boxes match nothing and are left out). */
export class OverlapIndex {
  private readonly hull: Float64Array;
  private readonly root: Node;
  private readonly seen: Int32Array;
  /** rules whose bounds span every dimension (catch-alls): candidates for every query, kept out of the tree */
  private readonly everywhere: number[] = [];
  private stamp = 0;

  /** `leafRules` (tests) sets the leaf size; answers do not depend on it. */
  constructor(
    private readonly boxes: readonly (Box | undefined)[],
    private readonly leafRules = LEAF_RULES,
  ) {
    this.hull = new Float64Array(boxes.length * DIMS * 2);
    const all: number[] = [];
    const span = [255, 0xffffffff, 0xffffffff, 65535, 65535];
    boxes.forEach((b, i) => {
      if (!b) return;
      hullOf(b, this.hull, i);
      let full = true;
      for (let d = 0; d < DIMS && full; d++) full = this.hull[(i * DIMS + d) * 2] === 0 && this.hull[(i * DIMS + d) * 2 + 1] === span[d];
      if (full) this.everywhere.push(i);
      else all.push(i);
    });
    this.seen = new Int32Array(boxes.length);
    const lo = [0, 0, 0, 0, 0];
    const hi = [255, 0xffffffff, 0xffffffff, 65535, 65535];
    this.root = this.build(all, lo, hi, 0);
  }

  private build(rules: number[], lo: number[], hi: number[], depth: number): Node {
    if (rules.length <= this.leafRules || depth >= MAX_DEPTH) return { leaf: true, rules };
    const h = this.hull;
    let best: { dim: number; cut: number; worst: number } | undefined;
    for (let d = 0; d < DIMS; d++) {
      const points: number[] = [];
      for (const r of rules) {
        const a = h[(r * DIMS + d) * 2]! - 1;
        const b = h[(r * DIMS + d) * 2 + 1]!;
        if (a >= lo[d]! && a < hi[d]!) points.push(a);
        if (b >= lo[d]! && b < hi[d]!) points.push(b);
      }
      if (points.length === 0) continue;
      points.sort((x, y) => x - y);
      const cut = points[points.length >> 1]!;
      let left = 0;
      let right = 0;
      for (const r of rules) {
        if (h[(r * DIMS + d) * 2]! <= cut) left++;
        if (h[(r * DIMS + d) * 2 + 1]! > cut) right++;
      }
      const worst = Math.max(left, right);
      if (worst < rules.length && (!best || worst < best.worst)) best = { dim: d, cut, worst };
    }
    if (!best) return { leaf: true, rules };
    const { dim, cut } = best;
    const leftHi = [...hi];
    leftHi[dim] = cut;
    const rightLo = [...lo];
    rightLo[dim] = cut + 1;
    return {
      leaf: false,
      dim,
      cut,
      left: this.build(rules.filter((r) => h[(r * DIMS + dim) * 2]! <= cut), lo, leftHi, depth + 1),
      right: this.build(rules.filter((r) => h[(r * DIMS + dim) * 2 + 1]! > cut), rightLo, hi, depth + 1),
    };
  }

  /** Indices (ascending) of the rules whose packets overlap `box`. */
  overlapping(box: Box): number[] {
    const q = new Float64Array(DIMS * 2);
    hullOf(box, q, 0);
    this.stamp++;
    const out: number[] = [];
    for (const i of this.everywhere) if (overlaps(box, this.boxes[i]!)) out.push(i);
    const stack: Node[] = [this.root];
    while (stack.length > 0) {
      const node = stack.pop()!;
      if (node.leaf) {
        for (const i of node.rules) {
          if (this.seen[i] === this.stamp) continue;
          this.seen[i] = this.stamp;
          if (overlaps(box, this.boxes[i]!)) out.push(i);
        }
        continue;
      }
      if (q[node.dim * 2]! <= node.cut) stack.push(node.left);
      if (q[node.dim * 2 + 1]! > node.cut) stack.push(node.right);
    }
    return out.sort((a, b) => a - b);
  }
}

/** Writes the box's bounding ranges (lo, hi per dimension) at slot `i` of `out`. */
function hullOf(b: Box, out: Float64Array, i: number): void {
  const base = i * DIMS * 2;
  let plo = -1;
  let phi = -1;
  for (let v = 0; v < 256; v++)
    if (((b.proto[v >>> 5]! >>> (v & 31)) & 1) === 1) {
      if (plo < 0) plo = v;
      phi = v;
    }
  out[base] = plo;
  out[base + 1] = phi;
  out[base + 2] = b.src.val[0]! >>> 0;
  out[base + 3] = (b.src.val[0]! | ~b.src.care[0]!) >>> 0;
  out[base + 4] = b.dst.val[0]! >>> 0;
  out[base + 5] = (b.dst.val[0]! | ~b.dst.care[0]!) >>> 0;
  out[base + 6] = b.sport[0]![0];
  out[base + 7] = b.sport[b.sport.length - 1]![1];
  out[base + 8] = b.dport[0]![0];
  out[base + 9] = b.dport[b.dport.length - 1]![1];
}
