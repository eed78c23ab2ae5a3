/**
 * Compiles an ACL into a first-match classifier that does not scan every rule:
 * a binary decision tree over (protocol, source, destination, source port,
 * destination port), with at most LEAF_RULES candidate rules per leaf, each leaf
 * keeping rule order. Boxes are over-approximations (non-contiguous wildcards,
 * `neq`, flags); the leaf check is exact, so the tree only prunes.
 */
import type { IpFamily } from '../net/address.js';
import { PROTO_TCP, PROTO_UDP, TCP_ACK, TCP_RST, type Packet } from '../net/packet.js';
import type { Acl, AddrMatch, PortMatch, Rule } from './model.js';

/** Candidate rules a leaf may hold before the builder tries to split it. */
const LEAF_RULES = 8;
/** Depth bound: the tree never grows deeper than this. */
const MAX_DEPTH = 40;
/** Dimensions of the box: protocol, source key, destination key, source port, destination port. */
const DIMS = 5;
const DIM_MAX = [255, 0xffffffff, 0xffffffff, 65535, 65535] as const;

/** A rule flattened to numbers for the leaf check. */
interface FlatRule {
  /** position in the ACL's evaluation order, 0-based */
  readonly index: number;
  readonly rule: Rule;
  readonly proto: number; // -1 = any
  readonly src: AddrMatch;
  readonly dst: AddrMatch;
  readonly srcPort: PortMatch | undefined;
  readonly dstPort: PortMatch | undefined;
  readonly needsPorts: boolean;
  readonly established: boolean;
  readonly flagMask: number;
  readonly flagValue: number;
  readonly flagAny: boolean;
  readonly fragmentOnly: boolean;
  readonly icmpType: number; // -1 = any
  readonly icmpCode: number; // -1 = any
  /** inclusive box per dimension */
  readonly lo: readonly number[];
  readonly hi: readonly number[];
  /** true when the box is exactly the match set (no extra conditions) */
  readonly exactBox: boolean;
}

type Node =
  | { readonly leaf: true; readonly rules: readonly FlatRule[] }
  | { readonly leaf: false; readonly dim: number; readonly cut: number; readonly left: Node; readonly right: Node };

/** An ACL compiled for fast first-match lookup. */
export interface CompiledAcl {
  readonly acl: Acl;
  readonly family: IpFamily;
  readonly root: Node;
}

/** The first rule of `acl` that matches, or undefined when none does. */
export function firstMatch(compiled: CompiledAcl, p: Packet): Rule | undefined {
  const ports = p.fragment !== 'later' && (p.proto === PROTO_TCP || p.proto === PROTO_UDP);
  const k0 = p.proto;
  const k1 = p.src.family === 4 ? p.src.v4 : p.src.v6[0];
  const k2 = p.dst.family === 4 ? p.dst.v4 : p.dst.v6[0];
  const k3 = ports ? p.srcPort : 0;
  const k4 = ports ? p.dstPort : 0;
  let node = compiled.root;
  while (!node.leaf) {
    const d = node.dim;
    const v = d === 0 ? k0 : d === 1 ? k1 : d === 2 ? k2 : d === 3 ? k3 : k4;
    node = v <= node.cut ? node.left : node.right;
  }
  const rules = node.rules;
  for (let i = 0; i < rules.length; i++) {
    const r = rules[i]!;
    if (matchesFlat(r, p, ports)) return r.rule;
  }
  return undefined;
}

/** True when rule `r` matches packet `p` (exact, all conditions). */
function matchesFlat(r: FlatRule, p: Packet, ports: boolean): boolean {
  if (r.proto >= 0 && r.proto !== p.proto) return false;
  if (!addrMatches(r.src, p.src) || !addrMatches(r.dst, p.dst)) return false;
  if (r.fragmentOnly && p.fragment !== 'later') return false;
  if (r.needsPorts) {
    // A packet without a transport header (non-first fragment) cannot satisfy a port or flag condition.
    if (!ports) return false;
    if (r.srcPort && !portMatches(r.srcPort, p.srcPort)) return false;
    if (r.dstPort && !portMatches(r.dstPort, p.dstPort)) return false;
    if (r.established && (p.tcpFlags & (TCP_ACK | TCP_RST)) === 0) return false;
    if (r.flagAny ? (~(p.tcpFlags ^ r.flagValue) & r.flagMask) === 0 : (p.tcpFlags & r.flagMask) !== r.flagValue) return false;
  }
  if (r.icmpType >= 0 && (p.fragment === 'later' || p.icmpType !== r.icmpType)) return false;
  if (r.icmpCode >= 0 && p.icmpCode !== r.icmpCode) return false;
  return true;
}

/** True when the address condition holds. */
export function addrMatches(m: AddrMatch, a: Packet['src']): boolean {
  switch (m.kind) {
    case 'any':
      return true;
    case 'v4':
      return a.family === 4 && ((a.v4 ^ m.addr) & ~m.wildcard) === 0;
    case 'v6': {
      if (a.family !== 6) return false;
      let bits = m.prefixLen;
      for (let i = 0; i < 4 && bits > 0; i++, bits -= 32) {
        const mask = bits >= 32 ? 0xffffffff : (0xffffffff << (32 - bits)) >>> 0;
        if (((a.v6[i]! ^ m.addr[i]!) & mask) !== 0) return false;
      }
      return true;
    }
  }
}

/** True when the port lies in one of the condition's ranges. */
export function portMatches(m: PortMatch, port: number): boolean {
  const rs = m.ranges;
  for (let i = 0; i < rs.length; i++) {
    const r = rs[i]!;
    if (port >= r[0] && port <= r[1]) return true;
  }
  return false;
}

/** Compiles one ACL. Cost is paid once per config; lookups are then logarithmic in the rule count. */
export function compileAcl(acl: Acl): CompiledAcl {
  const flat = acl.rules.map((rule, index) => flatten(rule, index));
  const lo = DIM_MAX.map(() => 0);
  const hi = [...DIM_MAX];
  return { acl, family: acl.family, root: build(flat, lo, hi, 0) };
}

function flatten(rule: Rule, index: number): FlatRule {
  const proto = rule.protocol === 'any' ? -1 : rule.protocol;
  const [sLo, sHi] = addrBox(rule.src);
  const [dLo, dHi] = addrBox(rule.dst);
  const [spLo, spHi] = portBox(rule.srcPort);
  const [dpLo, dpHi] = portBox(rule.dstPort);
  const flagMask = rule.tcpFlags?.mask ?? 0;
  const needsPorts = rule.srcPort !== undefined || rule.dstPort !== undefined || rule.established === true || flagMask !== 0;
  const exactBox =
    !needsPorts &&
    !rule.fragmentOnly &&
    rule.icmpType === undefined &&
    addrIsBox(rule.src) &&
    addrIsBox(rule.dst);
  return {
    index,
    rule,
    proto,
    src: rule.src,
    dst: rule.dst,
    srcPort: rule.srcPort,
    dstPort: rule.dstPort,
    needsPorts,
    established: rule.established === true,
    flagMask,
    flagValue: rule.tcpFlags?.value ?? 0,
    flagAny: rule.tcpFlags?.any === true,
    fragmentOnly: rule.fragmentOnly === true,
    icmpType: rule.icmpType ?? -1,
    icmpCode: rule.icmpCode ?? -1,
    lo: [proto < 0 ? 0 : proto, sLo, dLo, spLo, dpLo],
    hi: [proto < 0 ? 255 : proto, sHi, dHi, spHi, dpHi],
    exactBox,
  };
}

/** The key range (IPv4 value, or the first IPv6 word) an address condition can match. */
function addrBox(m: AddrMatch): [number, number] {
  switch (m.kind) {
    case 'any':
      return [0, 0xffffffff];
    case 'v4':
      return [(m.addr & ~m.wildcard) >>> 0, (m.addr | m.wildcard) >>> 0];
    case 'v6': {
      if (m.prefixLen >= 32) return [m.addr[0], m.addr[0]];
      const mask = m.prefixLen === 0 ? 0 : (0xffffffff << (32 - m.prefixLen)) >>> 0;
      return [(m.addr[0] & mask) >>> 0, ((m.addr[0] & mask) | ~mask) >>> 0];
    }
  }
}

/** True when the address condition is exactly its box (contiguous IPv4 wildcard, IPv6 prefix ≤ 32 or 'any'). */
function addrIsBox(m: AddrMatch): boolean {
  if (m.kind === 'any') return true;
  if (m.kind === 'v6') return m.prefixLen <= 32;
  const w = m.wildcard >>> 0;
  return ((w + 1) & w) === 0; // wildcard of the form 0…01…1
}

function portBox(m: PortMatch | undefined): [number, number] {
  if (!m || m.ranges.length === 0) return [0, 65535];
  return [m.ranges[0]![0], m.ranges[m.ranges.length - 1]![1]];
}

/** True when the rule's box covers the node's whole region. */
function covers(r: FlatRule, lo: readonly number[], hi: readonly number[]): boolean {
  for (let d = 0; d < DIMS; d++) if (r.lo[d]! > lo[d]! || r.hi[d]! < hi[d]!) return false;
  return true;
}

function build(rules: FlatRule[], lo: number[], hi: number[], depth: number): Node {
  // A rule whose exact box covers this whole region matches every packet that reaches here: later rules are dead.
  const cut = rules.findIndex((r) => r.exactBox && covers(r, lo, hi));
  if (cut >= 0) rules = rules.slice(0, cut + 1);
  if (rules.length <= LEAF_RULES || depth >= MAX_DEPTH) return { leaf: true, rules };
  let best: { dim: number; cut: number; worst: number; total: number } | undefined;
  for (let d = 0; d < DIMS; d++) {
    const point = medianBoundary(rules, d, lo[d]!, hi[d]!);
    if (point === undefined) continue;
    let left = 0;
    let right = 0;
    for (const r of rules) {
      if (r.lo[d]! <= point) left++;
      if (r.hi[d]! > point) right++;
    }
    const worst = Math.max(left, right);
    if (worst >= rules.length) continue;
    if (!best || worst < best.worst || (worst === best.worst && left + right < best.total))
      best = { dim: d, cut: point, worst, total: left + right };
  }
  if (!best) return { leaf: true, rules };
  const { dim, cut: point } = best;
  const leftHi = [...hi];
  leftHi[dim] = point;
  const rightLo = [...lo];
  rightLo[dim] = point + 1;
  return {
    leaf: false,
    dim,
    cut: point,
    left: build(rules.filter((r) => r.lo[dim]! <= point), lo, leftHi, depth + 1),
    right: build(rules.filter((r) => r.hi[dim]! > point), rightLo, hi, depth + 1),
  };
}

/** The median of the rules' box edges inside (lo, hi) on dimension d, as a cut point (left side is ≤ cut). */
function medianBoundary(rules: readonly FlatRule[], d: number, lo: number, hi: number): number | undefined {
  const points: number[] = [];
  for (const r of rules) {
    const a = r.lo[d]! - 1; // cut just below the box
    const b = r.hi[d]!; // cut at the box's top
    if (a >= lo && a < hi) points.push(a);
    if (b >= lo && b < hi) points.push(b);
  }
  if (points.length === 0) return undefined;
  points.sort((x, y) => x - y);
  return points[points.length >> 1];
}
