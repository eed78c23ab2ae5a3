/**
 * Exact set algebra over the packet header space of one address family. A box is
 * a product of one set per dimension: protocol, source, destination, fragment
 * kind, source port, destination port, TCP flags, ICMP type, ICMP code. Every
 * rule of the policy model is exactly one box (`established` and flag tests are
 * sets of flag bytes, `neq` a list of port ranges, a non-contiguous wildcard a
 * ternary word). Intersection stays a box; a difference is a list of disjoint
 * boxes, so "is this rule covered by those" is answered exactly, never sampled.
 *
 * Fields a packet does not carry (ports of a non-first fragment or of ICMP,
 * flags of UDP) take every value in the space: a rule that tests such a field
 * also requires a protocol and fragment kind that carry it, so each rule's set
 * is a union of whole fibres over the absent fields, and emptiness and
 * inclusion mean the same in this space as on real packets.
 */
import type { IpFamily } from '../../net/address.js';
import { TCP_ACK, TCP_RST } from '../../net/packet.js';
import type { AddrMatch, Rule } from '../../policy/model.js';

/** A subset of 0..255 as 8 words of 32 bits. */
export type Set256 = readonly number[];
/** Sorted, disjoint, inclusive [lo, hi] ranges; empty = no value. */
export type Ranges = readonly (readonly [number, number])[];
/** An address set: a packet word w matches when `(w & care) === val` for every word (1 for IPv4, 4 for IPv6). */
export interface Ternary {
  readonly care: readonly number[];
  readonly val: readonly number[];
}

/** Fragment kinds as bits: 1 = not a fragment, 2 = first fragment, 4 = non-first fragment. */
export const FRAG_NONE = 1;
export const FRAG_FIRST = 2;
export const FRAG_LATER = 4;
const FRAG_ALL = 7;

/** One box of the header space. */
export interface Box {
  readonly proto: Set256;
  readonly src: Ternary;
  readonly dst: Ternary;
  /** FRAG_* bits */
  readonly frag: number;
  readonly sport: Ranges;
  readonly dport: Ranges;
  readonly flags: Set256;
  readonly icmpType: Set256;
  readonly icmpCode: Set256;
}

const ALL256: Set256 = [-1, -1, -1, -1, -1, -1, -1, -1].map((w) => w >>> 0);
const ALL_PORTS: Ranges = [[0, 65535]];

function set256(pred: (v: number) => boolean): Set256 {
  const out = [0, 0, 0, 0, 0, 0, 0, 0];
  for (let v = 0; v < 256; v++) if (pred(v)) out[v >>> 5] = (out[v >>> 5]! | (1 << (v & 31))) >>> 0;
  return out;
}

function single(v: number): Set256 {
  const out = [0, 0, 0, 0, 0, 0, 0, 0];
  out[v >>> 5] = (1 << (v & 31)) >>> 0;
  return out;
}

/** True when v is in the set. */
export function has256(s: Set256, v: number): boolean {
  return ((s[v >>> 5]! >>> (v & 31)) & 1) === 1;
}

function words(family: IpFamily): number {
  return family === 4 ? 1 : 4;
}

function anyAddr(family: IpFamily): Ternary {
  const z = new Array<number>(words(family)).fill(0);
  return { care: z, val: z };
}

function ternary(m: AddrMatch, family: IpFamily): Ternary {
  switch (m.kind) {
    case 'any':
      return anyAddr(family);
    case 'v4': {
      const care = ~m.wildcard >>> 0;
      return { care: [care], val: [(m.addr & care) >>> 0] };
    }
    case 'v6': {
      const care: number[] = [];
      const val: number[] = [];
      for (let k = 0; k < 4; k++) {
        const bits = Math.max(0, Math.min(32, m.prefixLen - 32 * k));
        const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
        care.push(mask);
        val.push((m.addr[k]! & mask) >>> 0);
      }
      return { care, val };
    }
  }
}

/** The whole header space of a family. */
export function fullBox(family: IpFamily): Box {
  const a = anyAddr(family);
  return { proto: ALL256, src: a, dst: a, frag: FRAG_ALL, sport: ALL_PORTS, dport: ALL_PORTS, flags: ALL256, icmpType: ALL256, icmpCode: ALL256 };
}

/** The exact set of packets a rule matches (the semantics of policy/compile.ts matchesFlat), or undefined when none. */
export function ruleBox(rule: Rule, family: IpFamily): Box | undefined {
  const needsPorts = rule.srcPort !== undefined || rule.dstPort !== undefined || rule.established === true || (rule.tcpFlags?.mask ?? 0) !== 0;
  let frag = FRAG_ALL;
  // a non-first fragment has no transport header: no ports, flags or ICMP type to test
  if (needsPorts || rule.icmpType !== undefined) frag &= FRAG_NONE | FRAG_FIRST;
  if (rule.fragmentOnly) frag &= FRAG_LATER;
  const mask = rule.tcpFlags?.mask ?? 0;
  const value = rule.tcpFlags?.value ?? 0;
  const flags =
    rule.established || mask !== 0
      ? set256((f) => (!rule.established || (f & (TCP_ACK | TCP_RST)) !== 0) && (f & mask) === value)
      : ALL256;
  const box: Box = {
    proto: rule.protocol === 'any' ? ALL256 : single(rule.protocol),
    src: ternary(rule.src, family),
    dst: ternary(rule.dst, family),
    frag,
    sport: rule.srcPort ? rule.srcPort.ranges : ALL_PORTS,
    dport: rule.dstPort ? rule.dstPort.ranges : ALL_PORTS,
    flags,
    icmpType: rule.icmpType !== undefined ? single(rule.icmpType) : ALL256,
    icmpCode: rule.icmpCode !== undefined ? single(rule.icmpCode) : ALL256,
  };
  return isEmpty(box) ? undefined : box;
}

function empty256(s: Set256): boolean {
  for (let i = 0; i < 8; i++) if (s[i] !== 0) return false;
  return true;
}

function isEmpty(b: Box): boolean {
  return b.frag === 0 || b.sport.length === 0 || b.dport.length === 0 || empty256(b.proto) || empty256(b.flags) || empty256(b.icmpType) || empty256(b.icmpCode);
}

function and256(a: Set256, b: Set256): Set256 {
  if (a === b || b === ALL256) return a;
  if (a === ALL256) return b;
  return [0, 1, 2, 3, 4, 5, 6, 7].map((i) => (a[i]! & b[i]!) >>> 0);
}

function minus256(a: Set256, b: Set256): Set256 {
  return [0, 1, 2, 3, 4, 5, 6, 7].map((i) => (a[i]! & ~b[i]!) >>> 0);
}

function sub256(a: Set256, b: Set256): boolean {
  if (b === ALL256) return true;
  for (let i = 0; i < 8; i++) if ((a[i]! & ~b[i]!) !== 0) return false;
  return true;
}

function andRanges(a: Ranges, b: Ranges): Ranges {
  if (a === b || b === ALL_PORTS) return a;
  if (a === ALL_PORTS) return b;
  const out: [number, number][] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const lo = Math.max(a[i]![0], b[j]![0]);
    const hi = Math.min(a[i]![1], b[j]![1]);
    if (lo <= hi) out.push([lo, hi]);
    if (a[i]![1] < b[j]![1]) i++;
    else j++;
  }
  return out;
}

function minusRanges(a: Ranges, b: Ranges): Ranges {
  const out: [number, number][] = [];
  let j = 0;
  for (const [alo, ahi] of a) {
    let lo = alo;
    while (j < b.length && b[j]![1] < lo) j++;
    let k = j;
    while (lo <= ahi && k < b.length && b[k]![0] <= ahi) {
      if (b[k]![0] > lo) out.push([lo, b[k]![0] - 1]);
      lo = Math.max(lo, b[k]![1] + 1);
      k++;
    }
    if (lo <= ahi) out.push([lo, ahi]);
  }
  return out;
}

function subRanges(a: Ranges, b: Ranges): boolean {
  if (b === ALL_PORTS) return true;
  let j = 0;
  for (const [lo, hi] of a) {
    while (j < b.length && b[j]![1] < lo) j++;
    if (j >= b.length || b[j]![0] > lo || b[j]![1] < hi) return false;
  }
  return true;
}

function andTernary(a: Ternary, b: Ternary): Ternary | undefined {
  const n = a.care.length;
  let same = true;
  for (let k = 0; k < n; k++) {
    const both = a.care[k]! & b.care[k]!;
    if (((a.val[k]! ^ b.val[k]!) & both) !== 0) return undefined;
    if ((b.care[k]! & ~a.care[k]!) !== 0) same = false;
  }
  if (same) return a;
  const care: number[] = [];
  const val: number[] = [];
  for (let k = 0; k < n; k++) {
    care.push((a.care[k]! | b.care[k]!) >>> 0);
    val.push((a.val[k]! | b.val[k]!) >>> 0);
  }
  return { care, val };
}

/** True when every address of a is in b. */
function subTernary(a: Ternary, b: Ternary): boolean {
  for (let k = 0; k < a.care.length; k++) {
    if ((b.care[k]! & ~a.care[k]!) !== 0) return false;
    if (((a.val[k]! ^ b.val[k]!) & b.care[k]!) !== 0) return false;
  }
  return true;
}

/** a ∩ b, or undefined when empty. */
export function intersect(a: Box, b: Box): Box | undefined {
  const frag = a.frag & b.frag;
  if (frag === 0) return undefined;
  const sport = andRanges(a.sport, b.sport);
  if (sport.length === 0) return undefined;
  const dport = andRanges(a.dport, b.dport);
  if (dport.length === 0) return undefined;
  const proto = and256(a.proto, b.proto);
  if (empty256(proto)) return undefined;
  const src = andTernary(a.src, b.src);
  if (!src) return undefined;
  const dst = andTernary(a.dst, b.dst);
  if (!dst) return undefined;
  const flags = and256(a.flags, b.flags);
  if (empty256(flags)) return undefined;
  const icmpType = and256(a.icmpType, b.icmpType);
  if (empty256(icmpType)) return undefined;
  const icmpCode = and256(a.icmpCode, b.icmpCode);
  if (empty256(icmpCode)) return undefined;
  return { proto, src, dst, frag, sport, dport, flags, icmpType, icmpCode };
}

function meet256(a: Set256, b: Set256): boolean {
  for (let i = 0; i < 8; i++) if ((a[i]! & b[i]!) !== 0) return true;
  return false;
}

function meetRanges(a: Ranges, b: Ranges): boolean {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (Math.max(a[i]![0], b[j]![0]) <= Math.min(a[i]![1], b[j]![1])) return true;
    if (a[i]![1] < b[j]![1]) i++;
    else j++;
  }
  return false;
}

function meetTernary(a: Ternary, b: Ternary): boolean {
  for (let k = 0; k < a.care.length; k++) if (((a.val[k]! ^ b.val[k]!) & a.care[k]! & b.care[k]!) !== 0) return false;
  return true;
}

/** True when a ∩ b is not empty, without building it. */
export function overlaps(a: Box, b: Box): boolean {
  return (
    (a.frag & b.frag) !== 0 &&
    meetTernary(a.dst, b.dst) &&
    meetTernary(a.src, b.src) &&
    meetRanges(a.dport, b.dport) &&
    meetRanges(a.sport, b.sport) &&
    meet256(a.proto, b.proto) &&
    meet256(a.flags, b.flags) &&
    meet256(a.icmpType, b.icmpType) &&
    meet256(a.icmpCode, b.icmpCode)
  );
}

/** True when `outer` contains every packet of `inner` (inner not empty). */
export function contains(outer: Box, inner: Box): boolean {
  return (
    (inner.frag & ~outer.frag) === 0 &&
    subRanges(inner.sport, outer.sport) &&
    subRanges(inner.dport, outer.dport) &&
    sub256(inner.proto, outer.proto) &&
    subTernary(inner.src, outer.src) &&
    subTernary(inner.dst, outer.dst) &&
    sub256(inner.flags, outer.flags) &&
    sub256(inner.icmpType, outer.icmpType) &&
    sub256(inner.icmpCode, outer.icmpCode)
  );
}

/** True when the box is the whole space of its family. */
export function isFull(b: Box): boolean {
  return contains(b, fullBox(b.src.care.length === 1 ? 4 : 6));
}

/** Ternary a minus ternary b (b overlapping a): disjoint ternaries, one per bit b fixes and a leaves open. */
function minusTernary(a: Ternary, b: Ternary): { pieces: Ternary[]; rest: Ternary } {
  const care = [...a.care];
  const val = [...a.val];
  const pieces: Ternary[] = [];
  for (let k = 0; k < care.length; k++) {
    let open = (b.care[k]! & ~care[k]!) >>> 0;
    while (open !== 0) {
      const bit = (open & -open) >>> 0;
      open = (open & ~bit) >>> 0;
      const pc = [...care];
      const pv = [...val];
      pc[k] = (pc[k]! | bit) >>> 0;
      pv[k] = ((pv[k]! & ~bit) | (~b.val[k]! & bit)) >>> 0;
      pieces.push({ care: pc, val: pv });
      care[k] = (care[k]! | bit) >>> 0;
      val[k] = ((val[k]! & ~bit) | (b.val[k]! & bit)) >>> 0;
    }
  }
  return { pieces, rest: { care, val } };
}

/** a \ b as disjoint boxes (a itself when they do not overlap). */
export function subtract(a: Box, b: Box): Box[] {
  const out: Box[] = [];
  forEachPiece(a, b, (p) => {
    out.push(p);
    return false;
  });
  return out;
}

/**
 * Calls `visit` with each disjoint box of a \ b in turn, built only when reached; stops when
 * `visit` returns true. Returns true when it was stopped.
 */
export function forEachPiece(a: Box, b: Box, visit: (piece: Box) => boolean): boolean {
  if (!overlaps(a, b)) return visit(a);
  const out = { push: (p: Box): boolean => visit(p) };
  let cur: Box = a;
  if ((cur.frag & ~b.frag) !== 0) {
    if (out.push({ ...cur, frag: cur.frag & ~b.frag })) return true;
    cur = { ...cur, frag: cur.frag & b.frag };
  }
  if (!sub256(cur.proto, b.proto)) {
    if (out.push({ ...cur, proto: minus256(cur.proto, b.proto) })) return true;
    cur = { ...cur, proto: and256(cur.proto, b.proto) };
  }
  if (!subRanges(cur.sport, b.sport)) {
    if (out.push({ ...cur, sport: minusRanges(cur.sport, b.sport) })) return true;
    cur = { ...cur, sport: andRanges(cur.sport, b.sport) };
  }
  if (!subRanges(cur.dport, b.dport)) {
    if (out.push({ ...cur, dport: minusRanges(cur.dport, b.dport) })) return true;
    cur = { ...cur, dport: andRanges(cur.dport, b.dport) };
  }
  if (!sub256(cur.flags, b.flags)) {
    if (out.push({ ...cur, flags: minus256(cur.flags, b.flags) })) return true;
    cur = { ...cur, flags: and256(cur.flags, b.flags) };
  }
  if (!sub256(cur.icmpType, b.icmpType)) {
    if (out.push({ ...cur, icmpType: minus256(cur.icmpType, b.icmpType) })) return true;
    cur = { ...cur, icmpType: and256(cur.icmpType, b.icmpType) };
  }
  if (!sub256(cur.icmpCode, b.icmpCode)) {
    if (out.push({ ...cur, icmpCode: minus256(cur.icmpCode, b.icmpCode) })) return true;
    cur = { ...cur, icmpCode: and256(cur.icmpCode, b.icmpCode) };
  }
  if (!subTernary(cur.src, b.src)) {
    const { pieces, rest } = minusTernary(cur.src, b.src);
    for (const p of pieces) if (out.push({ ...cur, src: p })) return true;
    cur = { ...cur, src: rest };
  }
  if (!subTernary(cur.dst, b.dst)) {
    const { pieces } = minusTernary(cur.dst, b.dst);
    for (const p of pieces) if (out.push({ ...cur, dst: p })) return true;
  }
  return false;
}
