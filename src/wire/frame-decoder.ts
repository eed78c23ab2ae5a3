/**
 * The frame decoder engine: link layer → IPv4/IPv6 → TCP/UDP/ICMP with numeric
 * outputs, optionally filling one reused Packet. decode.ts wraps it for callers
 * that want a fresh, immutable result.
 */
import type { FragmentKind, Packet } from '../net/packet.js';
import type { DecodeResult } from './decode.js';
import { PROTO_ICMP, PROTO_ICMPV6, PROTO_TCP, PROTO_UDP } from '../net/packet.js';
import { ipv4, ipv6, type IpAddress } from '../net/address.js';
import {
  ETHERTYPE_IPV4,
  ETHERTYPE_IPV6,
  ETHERTYPE_QINQ,
  ETHERTYPE_QINQ_OLD,
  ETHERTYPE_VLAN,
  LINKTYPE_ETHERNET,
  LINKTYPE_IPV4,
  LINKTYPE_IPV6,
  LINKTYPE_LINUX_SLL,
  LINKTYPE_LINUX_SLL2,
  LINKTYPE_LOOP,
  LINKTYPE_NULL,
  LINKTYPE_RAW,
  LINKTYPE_RAW_BSD,
  LINKTYPE_RAW_OPENBSD,
  describeEtherType,
  describeLinkType,
} from './link-types.js';
import { EMPTY, ReusedPacket } from './reused-packet.js';

/** The decoder's reused addresses, which it overwrites in place for each frame (of the one IpAddress shape). */
type ReusedIpv4 = { family: 4; v4: number; readonly v6: readonly [0, 0, 0, 0] };
type ReusedIpv6 = { family: 6; v4: 0; readonly v6: [number, number, number, number] };

/** Status codes of FrameDecoder.decode. */
export const DECODE_OK = 0;
export const DECODE_SKIP = 1;
export const DECODE_ERROR = 2;


/** IPv6 extension headers that the decoder walks past (RFC 8200 4.1; AH from RFC 4302). */
const IPV6_HOP_BY_HOP = 0;
const IPV6_ROUTING = 43;
const IPV6_FRAGMENT = 44;
const IPV6_AH = 51;
const IPV6_DEST_OPTS = 60;

/**
 * A frame decoder with numeric outputs. With `reuse` it fills one Packet object
 * in place (valid until the next decode: do not keep it, copy what you need);
 * without, every decode builds a fresh Packet. Read `status`, then `packet`/`reason`.
 */
export class FrameDecoder {
  /** DECODE_OK, DECODE_SKIP or DECODE_ERROR */
  status = DECODE_OK;
  /** why the frame was skipped or rejected */
  reason = '';
  /** 0-based offset in the frame of the header at fault, for errors */
  errorOffset = 0;
  linkType = 0;
  truncated = false;
  payloadLength = 0;
  ipOffset = 0;
  /** number of VLAN tags of the last frame */
  vlanCount = 0;
  /** VLAN ids of the last frame, outermost first: the first `vlanCount` entries count */
  readonly vlanIds: number[] = [0, 0, 0, 0];
  /** the last decoded packet (valid when status is DECODE_OK) */
  packet: Packet;

  private readonly reuse: boolean;
  private readonly mp: ReusedPacket;
  // the reused addresses, of the one address shape (family, v4, v6: see IpAddress)
  private readonly src4 = ipv4(0) as ReusedIpv4;
  private readonly dst4 = ipv4(0) as ReusedIpv4;
  private readonly src6 = ipv6(0, 0, 0, 0) as ReusedIpv6;
  private readonly dst6 = ipv6(0, 0, 0, 0) as ReusedIpv6;
  // scratch fields of the frame being decoded
  private family: 4 | 6 = 4;
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;
  private d0 = 0;
  private d1 = 0;
  private d2 = 0;
  private d3 = 0;
  private fragment: FragmentKind = 'none';
  private start = 0;
  private end = 0;

  /** `reuse`: fill one Packet object in place instead of allocating one per frame. */
  constructor(reuse = false) {
    this.reuse = reuse;
    this.mp = new ReusedPacket(this.src4, this.dst4);
    this.packet = this.mp;
  }

  /**
   * Decodes the frame in bytes[start, end) (default: all of `b`) of the given link type;
   * returns the status (also in `status`). Offsets in the results are relative to `start`.
   */
  decode(linkType: number, b: Uint8Array, start = 0, end = b.length): number {
    this.linkType = linkType;
    this.truncated = false;
    this.payloadLength = 0;
    this.ipOffset = 0;
    this.vlanCount = 0;
    this.fragment = 'none';
    this.start = start;
    this.end = end;
    const s = start;
    const len = end - start;
    switch (linkType) {
      case LINKTYPE_ETHERNET:
        if (len < 14) return this.fail(`Ethernet header cut: ${len} of 14 bytes captured`, s);
        return this.etherType((b[s + 12]! << 8) | b[s + 13]!, b, s + 14);
      case LINKTYPE_RAW:
      case LINKTYPE_RAW_BSD:
      case LINKTYPE_RAW_OPENBSD:
        if (len < 1) return this.fail('raw IP frame is empty', s);
        if (b[s]! >> 4 === 4) return this.ipv4(b, s);
        if (b[s]! >> 4 === 6) return this.ipv6(b, s);
        return this.fail(`raw IP packet has version ${b[s]! >> 4}, expected 4 or 6`, s);
      case LINKTYPE_IPV4:
        return this.ipv4(b, s);
      case LINKTYPE_IPV6:
        return this.ipv6(b, s);
      case LINKTYPE_NULL: {
        if (len < 4) return this.fail(`loopback header cut: ${len} of 4 bytes captured`, s);
        // The family is in the capturing host's byte order (pcap-linktype(7)); families are small,
        // so the zero half tells the order.
        const family = b[s] === 0 && b[s + 1] === 0 ? (b[s + 2]! << 8) | b[s + 3]! : b[s]! | (b[s + 1]! << 8);
        return this.loopFamily(family, b);
      }
      case LINKTYPE_LOOP: {
        if (len < 4) return this.fail(`loopback header cut: ${len} of 4 bytes captured`, s);
        return this.loopFamily(((b[s]! << 24) | (b[s + 1]! << 16) | (b[s + 2]! << 8) | b[s + 3]!) >>> 0, b);
      }
      case LINKTYPE_LINUX_SLL: {
        if (len < 16) return this.fail(`Linux cooked (SLL) header cut: ${len} of 16 bytes captured`, s);
        // ARPHRD_NETLINK (824) carries netlink messages, its protocol field is no EtherType
        if (((b[s + 2]! << 8) | b[s + 3]!) === 824) return this.skip('netlink message (SLL ARPHRD_NETLINK)');
        return this.etherType((b[s + 14]! << 8) | b[s + 15]!, b, s + 16);
      }
      case LINKTYPE_LINUX_SLL2: {
        if (len < 20) return this.fail(`Linux cooked (SLL2) header cut: ${len} of 20 bytes captured`, s);
        if (((b[s + 8]! << 8) | b[s + 9]!) === 824) return this.skip('netlink message (SLL2 ARPHRD_NETLINK)');
        return this.etherType((b[s]! << 8) | b[s + 1]!, b, s + 20);
      }
      default:
        return this.skip(`unsupported link type ${describeLinkType(linkType)}`);
    }
  }

  /** Builds the public result of the last decode (allocates; see decodeFrame). */
  result(): DecodeResult {
    if (this.status === DECODE_SKIP) return { kind: 'skip', reason: this.reason };
    if (this.status === DECODE_ERROR) return { kind: 'error', reason: this.reason, offset: this.errorOffset };
    return {
      kind: 'ok',
      packet: this.packet,
      linkType: this.linkType,
      vlans: this.vlanCount > 0 ? this.vlanIds.slice(0, this.vlanCount) : undefined,
      truncated: this.truncated,
      payloadLength: this.payloadLength,
      ipOffset: this.ipOffset,
    };
  }

  private loopFamily(family: number, b: Uint8Array): number {
    // AF_INET is 2 everywhere; AF_INET6 is 24 (NetBSD, OpenBSD), 28 (FreeBSD), 30 (macOS)
    if (family === 2) return this.ipv4(b, this.start + 4);
    if (family === 24 || family === 28 || family === 30) return this.ipv6(b, this.start + 4);
    return this.skip(`loopback address family ${family} is not IP`);
  }

  private etherType(type: number, b: Uint8Array, off: number): number {
    while (type === ETHERTYPE_VLAN || type === ETHERTYPE_QINQ || type === ETHERTYPE_QINQ_OLD) {
      if (this.end < off + 4) return this.fail(`VLAN tag cut: ${this.end - off} of 4 bytes captured`, off);
      const vid = ((b[off]! << 8) | b[off + 1]!) & 0x0fff;
      if (this.vlanCount < this.vlanIds.length) this.vlanIds[this.vlanCount] = vid;
      else this.vlanIds.push(vid);
      this.vlanCount++;
      type = (b[off + 2]! << 8) | b[off + 3]!;
      off += 4;
    }
    if (type === ETHERTYPE_IPV4) return this.ipv4(b, off);
    if (type === ETHERTYPE_IPV6) return this.ipv6(b, off);
    // IEEE 802.3: values up to 1500 are a length, and an LLC header follows
    if (type <= 1500) return this.skip('IEEE 802.3 frame with LLC (length field, no EtherType)');
    return this.skip(`not IP: ${describeEtherType(type)}`);
  }

  private ipv4(b: Uint8Array, off: number): number {
    this.ipOffset = off - this.start;
    const avail = this.end - off;
    if (avail < 20) {
      if (avail >= 1 && b[off]! >> 4 !== 4) return this.fail(`IPv4 header has version ${b[off]! >> 4}, expected 4`, off);
      return this.fail(`IPv4 header cut: ${Math.max(0, avail)} of 20 bytes captured`, off);
    }
    const version = b[off]! >> 4;
    if (version !== 4) return this.fail(`IPv4 header has version ${version}, expected 4`, off);
    const ihl = b[off]! & 15;
    if (ihl < 5) return this.fail(`IPv4 header length field (IHL) is ${ihl}, less than the minimum 5 (20 bytes)`, off);
    const hlen = ihl * 4;
    if (avail < hlen) return this.fail(`IPv4 header cut: ${avail} of ${hlen} bytes captured`, off);
    let totalLen = (b[off + 2]! << 8) | b[off + 3]!;
    // A zero total length comes from TCP segmentation offload on the capturing host: use what is there
    if (totalLen === 0) totalLen = avail;
    if (totalLen < hlen) return this.fail(`IPv4 total length ${totalLen} is less than its header length ${hlen}`, off);
    const frag = (b[off + 6]! << 8) | b[off + 7]!;
    // RFC 791 3.1: MF is 0x2000, the offset the low 13 bits (in 8-byte units)
    this.fragment = (frag & 0x1fff) !== 0 ? 'later' : (frag & 0x2000) !== 0 ? 'first' : 'none';
    this.family = 4;
    this.s0 = ((b[off + 12]! << 24) | (b[off + 13]! << 16) | (b[off + 14]! << 8) | b[off + 15]!) >>> 0;
    this.d0 = ((b[off + 16]! << 24) | (b[off + 17]! << 16) | (b[off + 18]! << 8) | b[off + 19]!) >>> 0;
    const wireEnd = off + totalLen;
    let end = wireEnd;
    if (end > this.end) {
      this.truncated = true;
      end = this.end;
    }
    return this.transport(b[off + 9]!, b, off + hlen, end, wireEnd);
  }

  private ipv6(b: Uint8Array, off: number): number {
    this.ipOffset = off - this.start;
    const avail = this.end - off;
    if (avail >= 1 && b[off]! >> 4 !== 6) return this.fail(`IPv6 header has version ${b[off]! >> 4}, expected 6`, off);
    if (avail < 40) return this.fail(`IPv6 header cut: ${Math.max(0, avail)} of 40 bytes captured`, off);
    const payloadLen = (b[off + 4]! << 8) | b[off + 5]!;
    let next = b[off + 6]!;
    this.family = 6;
    this.s0 = this.word(b, off + 8);
    this.s1 = this.word(b, off + 12);
    this.s2 = this.word(b, off + 16);
    this.s3 = this.word(b, off + 20);
    this.d0 = this.word(b, off + 24);
    this.d1 = this.word(b, off + 28);
    this.d2 = this.word(b, off + 32);
    this.d3 = this.word(b, off + 36);
    // Payload length 0 with a hop-by-hop header is a jumbogram (RFC 2675) or an offloaded segment
    const wireEnd = payloadLen === 0 && next === IPV6_HOP_BY_HOP ? this.end : off + 40 + payloadLen;
    let end = wireEnd;
    if (end > this.end) {
      this.truncated = true;
      end = this.end;
    }
    let p = off + 40;
    for (;;) {
      if (next === IPV6_HOP_BY_HOP || next === IPV6_ROUTING || next === IPV6_DEST_OPTS || next === IPV6_AH) {
        if (end - p < 2) return this.extensionCut(next, p, wireEnd);
        const len = next === IPV6_AH ? (b[p + 1]! + 2) * 4 : (b[p + 1]! + 1) * 8;
        if (p + len > wireEnd) return this.fail(`IPv6 extension header ${next} (${len} bytes) runs past the end of the packet`, p);
        if (p + len > end) return this.extensionCut(next, p, wireEnd);
        next = b[p]!;
        p += len;
      } else if (next === IPV6_FRAGMENT) {
        if (end - p < 8) return this.extensionCut(next, p, wireEnd);
        const fo = (b[p + 2]! << 8) | b[p + 3]!;
        // RFC 8200 4.5: offset in the high 13 bits, M flag in bit 0; offset 0 without M is an atomic fragment
        this.fragment = fo >> 3 !== 0 ? 'later' : (fo & 1) !== 0 ? 'first' : 'none';
        next = b[p]!;
        p += 8;
        if (this.fragment === 'later') break;
      } else {
        break; // an upper-layer header, or ESP (50) / no next header (59), which end the walk
      }
    }
    return this.transport(next, b, p, end, wireEnd);
  }

  private extensionCut(next: number, p: number, wireEnd: number): number {
    if (wireEnd - p < 2 || (next === IPV6_FRAGMENT && wireEnd - p < 8)) {
      return this.fail(`IPv6 extension header ${next} runs past the end of the packet`, p);
    }
    return this.fail(`IPv6 extension header ${next} cut by the snapshot length`, p);
  }

  private transport(proto: number, b: Uint8Array, p: number, end: number, wireEnd: number): number {
    let srcPort = 0;
    let dstPort = 0;
    let flags = 0;
    let seq = 0;
    let ack = 0;
    let window = 0;
    let icmpType: number | undefined;
    let icmpCode: number | undefined;
    let dataStart = p;
    if (this.fragment !== 'later') {
      if (proto === PROTO_TCP) {
        if (wireEnd - p < 20) return this.fail(`TCP segment of ${wireEnd - p} bytes is shorter than the 20-byte TCP header`, p);
        if (end - p < 20) return this.fail(`TCP header cut by the snapshot length: ${end - p} of 20 bytes captured`, p);
        const dataOffset = b[p + 12]! >> 4;
        if (dataOffset < 5) return this.fail(`TCP data offset is ${dataOffset}, less than the minimum 5 (20 bytes)`, p);
        const hlen = dataOffset * 4;
        if (wireEnd - p < hlen) {
          return this.fail(`TCP header length ${hlen} runs past the end of the segment (${wireEnd - p} bytes)`, p);
        }
        srcPort = (b[p]! << 8) | b[p + 1]!;
        dstPort = (b[p + 2]! << 8) | b[p + 3]!;
        seq = this.word(b, p + 4);
        ack = this.word(b, p + 8);
        flags = b[p + 13]!;
        window = (b[p + 14]! << 8) | b[p + 15]!;
        dataStart = p + hlen; // options cut by the snapshot length leave an empty captured payload
      } else if (proto === PROTO_UDP) {
        if (wireEnd - p < 8) return this.fail(`UDP datagram of ${wireEnd - p} bytes is shorter than the 8-byte UDP header`, p);
        if (end - p < 8) return this.fail(`UDP header cut by the snapshot length: ${end - p} of 8 bytes captured`, p);
        srcPort = (b[p]! << 8) | b[p + 1]!;
        dstPort = (b[p + 2]! << 8) | b[p + 3]!;
        dataStart = p + 8;
      } else if (proto === PROTO_ICMP || proto === PROTO_ICMPV6) {
        const name = proto === PROTO_ICMP ? 'ICMP' : 'ICMPv6';
        if (end - p < 4) return this.fail(`${name} header cut: ${Math.max(0, end - p)} of 4 bytes captured`, p);
        icmpType = b[p]!;
        icmpCode = b[p + 1]!;
        // the payload is the message body after type, code and checksum (echo id/seq, or the quoted datagram)
        dataStart = p + 4;
      }
    }
    this.payloadLength = Math.max(0, wireEnd - dataStart);
    if (this.reuse) {
      const m = this.mp;
      if (this.family === 4) {
        this.src4.v4 = this.s0;
        this.dst4.v4 = this.d0;
        m.src = this.src4;
        m.dst = this.dst4;
      } else {
        const s = this.src6.v6;
        const d = this.dst6.v6;
        s[0] = this.s0;
        s[1] = this.s1;
        s[2] = this.s2;
        s[3] = this.s3;
        d[0] = this.d0;
        d[1] = this.d1;
        d[2] = this.d2;
        d[3] = this.d3;
        m.src = this.src6;
        m.dst = this.dst6;
      }
      m.proto = proto;
      m.srcPort = srcPort;
      m.dstPort = dstPort;
      m.tcpFlags = flags;
      m.seq = seq;
      m.ack = ack;
      m.window = window;
      m.buf = b;
      m.payloadStart = dataStart;
      m.payloadEnd = end;
      m.view = undefined;
      m.fragment = this.fragment;
      m.icmpType = icmpType;
      m.icmpCode = icmpCode;
    } else {
      this.packet = {
        src: this.family === 4 ? ipv4(this.s0) : ipv6(this.s0, this.s1, this.s2, this.s3),
        dst: this.family === 4 ? ipv4(this.d0) : ipv6(this.d0, this.d1, this.d2, this.d3),
        proto,
        srcPort,
        dstPort,
        tcpFlags: flags,
        seq,
        ack,
        window,
        payload: dataStart >= end ? EMPTY : b.subarray(dataStart, end),
        fragment: this.fragment,
        icmpType,
        icmpCode,
      };
    }
    return (this.status = DECODE_OK);
  }

  private word(b: Uint8Array, i: number): number {
    return ((b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!) >>> 0;
  }

  private skip(reason: string): number {
    this.reason = reason;
    return (this.status = DECODE_SKIP);
  }

  private fail(reason: string, offset: number): number {
    this.reason = reason;
    this.errorOffset = offset - this.start;
    return (this.status = DECODE_ERROR);
  }
}

