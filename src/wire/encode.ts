/**
 * Packet → bytes: IPv4/IPv6 with TCP, UDP, ICMP/ICMPv6 or raw payloads, with
 * valid checksums (RFC 1071 arithmetic, RFC 9293 3.1 / RFC 768 / RFC 8200 8.1
 * pseudo-headers), and Ethernet framing for the pcapng writer.
 */
import type { IpAddress } from '../net/address.js';
import { PROTO_ICMP, PROTO_ICMPV6, PROTO_TCP, PROTO_UDP, type Packet } from '../net/packet.js';
import { ETHERTYPE_IPV4, ETHERTYPE_IPV6 } from './link-types.js';

/** Hop limit / TTL written into encoded packets. */
export const ENCODE_TTL = 64;
/** Fragment offset written for a `later` fragment, whose real offset a Packet does not keep: 1480 bytes, the second fragment at MTU 1500. */
export const LATER_FRAGMENT_OFFSET_BYTES = 1480;

/** RFC 1071 one's-complement sum of bytes[start, end) added to `initial`, folded to 16 bits (not inverted). */
export function onesComplementSum(bytes: Uint8Array, start = 0, end = bytes.length, initial = 0): number {
  let sum = initial;
  let i = start;
  for (; i + 1 < end; i += 2) sum += (bytes[i]! << 8) | bytes[i + 1]!;
  if (i < end) sum += bytes[i]! << 8; // an odd byte is padded with a zero (RFC 1071 4.1)
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return sum;
}

/** The Internet checksum of bytes[start, end): the complement of their one's-complement sum. */
export function internetChecksum(bytes: Uint8Array, start = 0, end = bytes.length, initial = 0): number {
  return ~onesComplementSum(bytes, start, end, initial) & 0xffff;
}

/** One's-complement sum of an address (4 or 16 bytes as 16-bit words). */
function addressSum(a: IpAddress): number {
  if (a.family === 4) return (a.v4 >>> 16) + (a.v4 & 0xffff);
  let s = 0;
  for (const w of a.v6) s += (w >>> 16) + (w & 0xffff);
  return s;
}

/** Sum of the pseudo-header for the transport checksum: addresses, protocol, upper-layer length. */
export function pseudoHeaderSum(src: IpAddress, dst: IpAddress, proto: number, length: number): number {
  // IPv4 (RFC 9293 3.1): src, dst, zero, proto, 16-bit length; IPv6 (RFC 8200 8.1): 32-bit length, next header
  return addressSum(src) + addressSum(dst) + proto + (length >>> 16) + (length & 0xffff);
}

function put16(b: Uint8Array, i: number, v: number): void {
  b[i] = (v >>> 8) & 255;
  b[i + 1] = v & 255;
}

function put32(b: Uint8Array, i: number, v: number): void {
  b[i] = (v >>> 24) & 255;
  b[i + 1] = (v >>> 16) & 255;
  b[i + 2] = (v >>> 8) & 255;
  b[i + 3] = v & 255;
}

function putAddress(b: Uint8Array, i: number, a: IpAddress): void {
  if (a.family === 4) put32(b, i, a.v4);
  else for (let k = 0; k < 4; k++) put32(b, i + k * 4, a.v6[k]!);
}

/** Length of the transport header the encoder writes for a packet. */
function transportHeaderLength(p: Packet): number {
  if (p.fragment === 'later') return 0;
  if (p.proto === PROTO_TCP) return 20;
  if (p.proto === PROTO_UDP) return 8;
  if (p.proto === PROTO_ICMP || p.proto === PROTO_ICMPV6) return 4;
  return 0;
}

/**
 * Encodes a packet as IP bytes (no link layer). TCP gets a 20-byte header without
 * options; ICMP writes type, code, checksum and then the payload (the decoder's view).
 */
export function encodePacket(p: Packet): Uint8Array {
  if (p.src.family !== p.dst.family) throw new Error('encodePacket: source and destination families differ');
  const v6 = p.src.family === 6;
  const fragHeader = v6 && p.fragment !== 'none' ? 8 : 0;
  const ipHeader = v6 ? 40 + fragHeader : 20;
  const th = transportHeaderLength(p);
  const upperLength = th + p.payload.length;
  const out = new Uint8Array(ipHeader + upperLength);
  const fragOffsetUnits = p.fragment === 'later' ? LATER_FRAGMENT_OFFSET_BYTES / 8 : 0;
  if (!v6) {
    out[0] = 0x45;
    put16(out, 2, out.length);
    // DF for whole packets (as Linux sets it for TCP); MF for a first fragment
    const flags = p.fragment === 'none' ? 0x4000 : p.fragment === 'first' ? 0x2000 : 0;
    put16(out, 6, flags | fragOffsetUnits);
    out[8] = ENCODE_TTL;
    out[9] = p.proto;
    putAddress(out, 12, p.src);
    putAddress(out, 16, p.dst);
    put16(out, 10, internetChecksum(out, 0, 20));
  } else {
    out[0] = 0x60;
    put16(out, 4, fragHeader + upperLength);
    out[6] = fragHeader ? 44 : p.proto;
    out[7] = ENCODE_TTL;
    putAddress(out, 8, p.src);
    putAddress(out, 24, p.dst);
    if (fragHeader) {
      out[40] = p.proto;
      put16(out, 42, (fragOffsetUnits << 3) | (p.fragment === 'first' ? 1 : 0));
    }
  }
  const t = ipHeader;
  if (p.fragment !== 'later') {
    if (p.proto === PROTO_TCP) {
      put16(out, t, p.srcPort);
      put16(out, t + 2, p.dstPort);
      put32(out, t + 4, p.seq);
      put32(out, t + 8, p.ack);
      out[t + 12] = 5 << 4;
      out[t + 13] = p.tcpFlags & 0xff;
      put16(out, t + 14, p.window);
    } else if (p.proto === PROTO_UDP) {
      put16(out, t, p.srcPort);
      put16(out, t + 2, p.dstPort);
      put16(out, t + 4, upperLength);
    } else if (p.proto === PROTO_ICMP || p.proto === PROTO_ICMPV6) {
      out[t] = p.icmpType ?? 0;
      out[t + 1] = p.icmpCode ?? 0;
    }
  }
  out.set(p.payload, t + th);
  if (p.fragment !== 'later') {
    // ICMPv4 has no pseudo-header (RFC 792); TCP, UDP and ICMPv6 (RFC 4443 2.3) do
    const withPseudo = p.proto === PROTO_TCP || p.proto === PROTO_UDP || p.proto === PROTO_ICMPV6;
    const checksumAt = p.proto === PROTO_TCP ? t + 16 : p.proto === PROTO_UDP ? t + 6 : t + 2;
    if (th > 0) {
      const initial = withPseudo ? pseudoHeaderSum(p.src, p.dst, p.proto, upperLength) : 0;
      let c = internetChecksum(out, t, out.length, initial);
      if (p.proto === PROTO_UDP && c === 0) c = 0xffff; // RFC 768: a computed zero is sent as all ones
      put16(out, checksumAt, c);
    }
  }
  return out;
}

/** A locally administered MAC for an address (02:00 + its last 32 bits), so each host keeps one MAC. */
export function macForAddress(a: IpAddress): Uint8Array {
  const w = a.family === 4 ? a.v4 : a.v6[3];
  return Uint8Array.of(0x02, 0x00, (w >>> 24) & 255, (w >>> 16) & 255, (w >>> 8) & 255, w & 255);
}

/** Encodes a packet in an Ethernet II frame (no FCS); MACs default to macForAddress. */
export function encodeEthernetFrame(p: Packet, srcMac?: Uint8Array, dstMac?: Uint8Array): Uint8Array {
  const ip = encodePacket(p);
  const out = new Uint8Array(14 + ip.length);
  out.set(dstMac ?? macForAddress(p.dst), 0);
  out.set(srcMac ?? macForAddress(p.src), 6);
  put16(out, 12, p.src.family === 4 ? ETHERTYPE_IPV4 : ETHERTYPE_IPV6);
  out.set(ip, 14);
  return out;
}
