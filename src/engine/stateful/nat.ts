/**
 * NAT in the stateful engine, as Linux nf_nat does it: a new connection's first
 * packet meets the nat rules (DNAT/REDIRECT at prerouting, before the filter;
 * SNAT/MASQUERADE at postrouting, after it), and the outcome is the connection's
 * REPLY tuple. Every later packet of either direction is rewritten so its tuple
 * is the inverse of the other direction's: destination at prerouting (the filter
 * sees it), source at postrouting (the filter does not).
 */
import { formatEndpoint, formatIp, ipEquals, parseIp, type IpAddress } from '../../net/address.js';
import { packetWith, PROTO_TCP, PROTO_UDP, type Packet } from '../../net/packet.js';
import { addrMatches, portMatches } from '../../policy/compile.js';
import type { NatRule } from '../../policy/nat.js';
import type { StepContext } from '../verdict.js';
import type { Conn } from './conntrack-table.js';
import { adjustAck, adjustSeq, createSeqAdj, seqAdjIdle, type SeqAdjDir } from './seqadj.js';

/** A NAT rule with its target address parsed once. */
export interface CompiledNatRule {
  readonly rule: NatRule;
  /** the address of `toAddr` (a range of several addresses is refused before the engine runs: the kernel picks one by a hash) */
  readonly to: IpAddress | undefined;
}

/** The NAT part of a connection (the nat and seqadj extensions of struct nf_conn). */
export interface ConnNat {
  readonly seqadj: [SeqAdjDir, SeqAdjDir];
  /** nf_nat_ftp rewrites this connection's PORT/EPRT/227/229 (the FTP ALG is on) */
  readonly alg: boolean;
  /** how it was translated, for events: `DNAT to 10.1.0.10:21 (rules/nat.cfg:9)` */
  readonly text: string;
}

/** nf_nat_follow_master's data: the expectation's direction and the port the peer announced. */
export interface NatFollow {
  readonly dir: 0 | 1;
  readonly savedPort: number;
}

/** The REPLY tuple a first packet's NAT gives (no translation: the inverse of its own tuple). */
export interface ReplyTuple {
  readonly src: IpAddress;
  readonly srcPort: number;
  readonly dst: IpAddress;
  readonly dstPort: number;
  /** what was done, e.g. ['DNAT to 10.1.0.10:21 (rules/nat.cfg:9)'] */
  readonly text: readonly string[];
  /** a MASQUERADE or REDIRECT rule matched, but its interface's address is not known */
  readonly missing?: true;
}

/**
 * The port a translation gives (get_unique_tuple, nf_nat_core.c): a port already in the range
 * stays; otherwise a destination translation takes the range's first port (no random offset for
 * DNAT). A clash with another connection's tuple is not modelled.
 */
function portInRange(port: number, range: readonly [number, number]): number {
  return port >= range[0] && port <= range[1] ? port : range[0];
}

/** Parses each rule's target once (a target that does not parse makes the rule translate nothing). */
export function compileNat(rules: readonly NatRule[]): CompiledNatRule[] {
  return rules.map((rule) => ({ rule, to: rule.toAddr ? parseIp(rule.toAddr.lo) : undefined }));
}

function hasPorts(p: Packet): boolean {
  return (p.proto === PROTO_TCP || p.proto === PROTO_UDP) && p.fragment !== 'later';
}

/** True when the rule's packet conditions and interface hold for `p`. */
function natMatches(r: NatRule, p: Packet, ingress: string, egress: string): boolean {
  const m = r.match;
  if (r.inInterface !== undefined && r.inInterface !== ingress) return false;
  if (r.outInterface !== undefined && r.outInterface !== egress) return false;
  if (m.protocol !== 'any' && m.protocol !== p.proto) return false;
  if (!addrMatches(m.src, p.src) || !addrMatches(m.dst, p.dst)) return false;
  if (m.srcPort || m.dstPort) {
    if (!hasPorts(p)) return false;
    if (m.srcPort && !portMatches(m.srcPort, p.srcPort)) return false;
    if (m.dstPort && !portMatches(m.dstPort, p.dstPort)) return false;
  }
  return true;
}

/** The first rule of `hook` that matches (a nat chain's first matching rule decides the connection's binding). */
export function findNatRule(rules: readonly CompiledNatRule[], hook: NatRule['hook'], p: Packet, ingress: string, egress: string): CompiledNatRule | undefined {
  for (const r of rules) if (r.rule.hook === hook && natMatches(r.rule, p, ingress, egress)) return r;
  return undefined;
}

/** `DNAT to 10.1.0.10:21 (rules/nat.cfg:9)`. */
function ruleText(r: NatRule, addr: IpAddress, port: number, ports: boolean): string {
  const kind = r.kind === 'dnat' ? 'DNAT' : r.kind === 'snat' ? 'SNAT' : r.kind === 'masquerade' ? 'MASQUERADE' : 'REDIRECT';
  return `${kind} to ${ports ? formatEndpoint(addr, port) : formatIp(addr)} (${r.at.file}:${r.at.line})`;
}

/**
 * The REPLY tuple of a new connection from the nat rules: `pre` decided at prerouting
 * on the packet as it arrived, `post` at postrouting on the packet after DNAT.
 * `ifaceAddress` gives MASQUERADE its outgoing interface's address and REDIRECT the incoming one's.
 */
export function replyFromRules(
  p: Packet,
  srcPort: number,
  dstPort: number,
  pre: CompiledNatRule | undefined,
  post: CompiledNatRule | undefined,
  ctx: Pick<StepContext, 'ingress' | 'egress'>,
  ifaceAddress: (iface: string) => IpAddress | undefined,
): ReplyTuple {
  const ports = hasPorts(p);
  const text: string[] = [];
  let newDst = p.dst;
  let newDstPort = dstPort;
  let missing = false;
  if (pre) {
    const to = pre.rule.kind === 'redirect' ? ifaceAddress(ctx.ingress) : pre.to;
    if (!to && pre.rule.kind === 'redirect') missing = true;
    if (to && to.family === p.dst.family) {
      newDst = to;
      if (ports && pre.rule.toPorts) newDstPort = portInRange(dstPort, pre.rule.toPorts);
      text.push(ruleText(pre.rule, newDst, newDstPort, ports));
    }
  }
  let newSrc = p.src;
  let newSrcPort = srcPort;
  if (post) {
    const to = post.rule.kind === 'masquerade' ? ifaceAddress(ctx.egress) : post.to;
    if (!to && post.rule.kind === 'masquerade') missing = true;
    if (to && to.family === p.src.family) {
      newSrc = to;
      if (ports && post.rule.toPorts) newSrcPort = portInRange(srcPort, post.rule.toPorts);
      text.push(ruleText(post.rule, newSrc, newSrcPort, ports));
    }
  }
  return { src: newDst, srcPort: newDstPort, dst: newSrc, dstPort: newSrcPort, text, ...(missing ? { missing: true as const } : {}) };
}

/**
 * nf_nat_follow_master (facts 9.5): an expected connection is translated as its master:
 * SNAT to the master's tuplehash[!exp.dir] destination, DNAT to its source with the saved port.
 */
export function replyFromMaster(master: Conn, f: NatFollow, p: Packet, srcPort: number): ReplyTuple {
  // tuplehash[!exp->dir]: REPLY when the expectation's direction is ORIGINAL
  const src = f.dir === 0 ? master.replySrc : master.src;
  const dst = f.dir === 0 ? master.replyDst : master.dst;
  const text = [`translated as its master connection ${master.id} (nf_nat_follow_master): to ${formatEndpoint(src, f.savedPort)}`];
  if (!ipEquals(dst, p.src)) text.push(`from ${formatIp(dst)}`);
  return { src, srcPort: f.savedPort, dst, dstPort: srcPort, text };
}

/** True when the REPLY tuple is not the inverse of the ORIGINAL one (IPS_NAT_MASK). */
export function isTranslated(c: Pick<Conn, 'src' | 'dst' | 'srcPort' | 'dstPort' | 'replySrc' | 'replyDst' | 'replySrcPort' | 'replyDstPort' | 'proto'>, icmp: boolean): boolean {
  if (!ipEquals(c.replySrc, c.dst) || !ipEquals(c.replyDst, c.src)) return true;
  return !icmp && (c.replySrcPort !== c.dstPort || c.replyDstPort !== c.srcPort);
}

/** A fresh NAT extension. */
export function createConnNat(alg: boolean, text: string): ConnNat {
  return { seqadj: createSeqAdj(), alg, text };
}

/** Where a packet of direction `dir` goes after NAT: the other direction's tuple, inverted. */
export function natTarget(c: Conn, dir: 0 | 1): { dst: IpAddress; dstPort: number; src: IpAddress; srcPort: number } {
  return dir === 0
    ? { dst: c.replySrc, dstPort: c.replySrcPort, src: c.replyDst, srcPort: c.replyDstPort }
    : { dst: c.src, dstPort: c.srcPort, src: c.dst, srcPort: c.dstPort };
}

/** The packet as the filter sees it (destination translated at prerouting, source not yet). */
export function filterView(p: Packet, c: Conn, dir: 0 | 1): Packet {
  const t = natTarget(c, dir);
  if (!hasPorts(p)) return ipEquals(t.dst, p.dst) ? p : packetWith(p, { dst: t.dst });
  if (ipEquals(t.dst, p.dst) && t.dstPort === p.dstPort) return p;
  return packetWith(p, { dst: t.dst, dstPort: t.dstPort });
}

/**
 * The packet as it leaves: both addresses (and ports) translated, the payload the helper
 * may have rewritten, and sequence numbers adjusted (nf_ct_seq_adjust, run at confirm after the helper).
 */
export function leavingPacket(p: Packet, c: Conn, dir: 0 | 1, payload: Uint8Array): Packet {
  const t = natTarget(c, dir);
  const ports = hasPorts(p);
  let seq = p.seq;
  let ack = p.ack;
  const nat = c.nat;
  if (nat && p.proto === PROTO_TCP && !seqAdjIdle(nat.seqadj)) {
    seq = adjustSeq(nat.seqadj[dir], p.seq);
    ack = adjustAck(nat.seqadj[1 - dir]!, p.ack);
  }
  return packetWith(p, {
    src: t.src,
    dst: t.dst,
    srcPort: ports ? t.srcPort : p.srcPort,
    dstPort: ports ? t.dstPort : p.dstPort,
    seq,
    ack,
    payload,
  });
}

/** The packet the TCP tracker judges: ACKs undone to the receiver's own numbering (tcp_in_window's nf_ct_seq_offset). */
export function trackerView(p: Packet, c: Conn, dir: 0 | 1): Packet {
  const nat = c.nat;
  if (!nat || seqAdjIdle(nat.seqadj)) return p;
  const other = nat.seqadj[1 - dir]!;
  // the ACK arrives in the adjusted space of the other direction: take its offset back out
  const ack = adjustAck(other, p.ack);
  return ack === p.ack ? p : packetWith(p, { ack });
}
