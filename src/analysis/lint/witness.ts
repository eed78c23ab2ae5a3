/** Concrete packets inside a header-space box, chosen to read naturally in a report. */
import type { IpFamily } from '../../net/address.js';
import { PROTO_ICMP, PROTO_ICMPV6, PROTO_TCP, PROTO_UDP, TCP_ACK, TCP_SYN } from '../../net/packet.js';
import { FRAG_FIRST, FRAG_NONE, has256, type Box, type Ranges, type Set256, type Ternary } from './space.js';

/** One concrete header: a point of a box. Absent fields are left out when the packet does not carry them. */
export interface HeaderPoint {
  readonly family: IpFamily;
  readonly proto: number;
  /** address words (1 for IPv4, 4 for IPv6) */
  readonly src: readonly number[];
  readonly dst: readonly number[];
  readonly fragment: 'none' | 'first' | 'later';
  readonly srcPort?: number;
  readonly dstPort?: number;
  readonly tcpFlags?: number;
  readonly icmpType?: number;
  readonly icmpCode?: number;
}

function pick256(s: Set256, preferred: readonly number[]): number {
  for (const p of preferred) if (has256(s, p)) return p;
  for (let v = 0; v < 256; v++) if (has256(s, v)) return v;
  throw new Error('pick from an empty set'); // boxes are never empty: a broken invariant
}

function pickPort(r: Ranges, preferred: readonly number[]): number {
  for (const p of preferred) for (const [lo, hi] of r) if (p >= lo && p <= hi) return p;
  const [lo, hi] = r[0]!;
  return lo === 0 && hi > 0 ? 1 : lo;
}

/** Readable filler for the address bits a box leaves open: 10.0.0.1 (IPv4), 2001:db8::1 (IPv6). */
const FILL_V4 = [0x0a000001];
const FILL_V6 = [0x20010db8, 0, 0, 1];

function pickAddr(t: Ternary, fill: readonly number[]): number[] {
  return t.care.map((c, k) => ((t.val[k]! & c) | (fill[k]! & ~c)) >>> 0);
}

/** A concrete header inside the box, chosen to read naturally (tcp before others, SYN, ports 21/1025…). */
export function witness(b: Box): HeaderPoint {
  const family: IpFamily = b.src.care.length === 1 ? 4 : 6;
  const proto = pick256(b.proto, [PROTO_TCP, PROTO_UDP, family === 4 ? PROTO_ICMP : PROTO_ICMPV6]);
  const fragment = (b.frag & FRAG_NONE) !== 0 ? 'none' : (b.frag & FRAG_FIRST) !== 0 ? 'first' : 'later';
  const fill = family === 4 ? FILL_V4 : FILL_V6;
  const src = pickAddr(b.src, fill);
  const dst = pickAddr(b.dst, family === 4 ? [0x0a000002] : [0x20010db8, 0, 0, 2]);
  const point: HeaderPoint = { family, proto, src, dst, fragment };
  const ports = fragment !== 'later' && (proto === PROTO_TCP || proto === PROTO_UDP);
  const icmp = fragment !== 'later' && proto === (family === 4 ? PROTO_ICMP : PROTO_ICMPV6);
  return {
    ...point,
    ...(ports ? { srcPort: pickPort(b.sport, [1025, 20, 21]), dstPort: pickPort(b.dport, [21, 1025, 20]) } : {}),
    ...(proto === PROTO_TCP && fragment !== 'later' ? { tcpFlags: pick256(b.flags, [TCP_SYN, TCP_ACK, TCP_SYN | TCP_ACK]) } : {}),
    ...(icmp ? { icmpType: pick256(b.icmpType, [8, 128]), icmpCode: pick256(b.icmpCode, [0]) } : {}),
  };
}
