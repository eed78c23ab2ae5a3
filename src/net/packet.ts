/**
 * The plain representation of one IP packet as engines see it. Bytes live only
 * in wire/; everything here is numbers, so the engines never parse.
 */
import { formatEndpoint, formatIp, type IpAddress } from './address.js';

/** IANA protocol numbers used by name in the code. */
export const PROTO_ICMP = 1;
export const PROTO_TCP = 6;
export const PROTO_UDP = 17;
export const PROTO_ICMPV6 = 58;

/** TCP header flag bits (RFC 9293 3.1, plus ECE/CWR from RFC 3168). */
export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_RST = 0x04;
export const TCP_PSH = 0x08;
export const TCP_ACK = 0x10;
export const TCP_URG = 0x20;
export const TCP_ECE = 0x40;
export const TCP_CWR = 0x80;

/**
 * Where a packet stands among IP fragments. `later` is a non-first fragment: it
 * carries no transport header, so it has no ports (srcPort = dstPort = 0).
 */
export type FragmentKind = 'none' | 'first' | 'later';

/** One IP packet, decoded. */
export interface Packet {
  readonly src: IpAddress;
  readonly dst: IpAddress;
  /** IP protocol number (IPv6: the upper-layer header after extension headers) */
  readonly proto: number;
  /** 0 when the packet carries no ports */
  readonly srcPort: number;
  /** 0 when the packet carries no ports */
  readonly dstPort: number;
  /** TCP flag bits (TCP_*); 0 for other protocols */
  readonly tcpFlags: number;
  /** TCP sequence number, uint32 */
  readonly seq: number;
  /** TCP acknowledgement number, uint32 */
  readonly ack: number;
  /** TCP window, as on the wire (unscaled) */
  readonly window: number;
  /** transport payload (TCP/UDP data); empty for pure control segments */
  readonly payload: Uint8Array;
  readonly fragment: FragmentKind;
  /** ICMP/ICMPv6 type and code, when proto is ICMP or ICMPv6 */
  readonly icmpType?: number;
  readonly icmpCode?: number;
  /**
   * The payload's length when it is known without building the `payload` view (a decoder's
   * reused packet sets it); read it through payloadLength(). Never copied: a changed packet
   * is built by packetWith(), whose payload says its own length.
   */
  readonly payloadLen?: number;
}

/** The payload's length in bytes, without building a view of it when the packet knows it. */
export function payloadLength(p: Packet): number {
  return p.payloadLen ?? p.payload.length;
}

/** What packetWith() may change. */
export interface PacketChanges {
  readonly src?: IpAddress;
  readonly dst?: IpAddress;
  readonly srcPort?: number;
  readonly dstPort?: number;
  readonly seq?: number;
  readonly ack?: number;
  readonly payload?: Uint8Array;
}

/**
 * A plain copy of `p` with some fields changed. Fields are read one by one (not spread), so a
 * decoder's reused packet, whose payload is a getter, copies right.
 */
export function packetWith(p: Packet, c: PacketChanges): Packet {
  return {
    src: c.src ?? p.src,
    dst: c.dst ?? p.dst,
    proto: p.proto,
    srcPort: c.srcPort ?? p.srcPort,
    dstPort: c.dstPort ?? p.dstPort,
    tcpFlags: p.tcpFlags,
    seq: c.seq ?? p.seq,
    ack: c.ack ?? p.ack,
    window: p.window,
    payload: c.payload ?? p.payload,
    fragment: p.fragment,
    icmpType: p.icmpType,
    icmpCode: p.icmpCode,
  };
}

/** TCP flags as letters in tcpdump's order: `S`, `SA`, `FA`, `PA`, `R`… (`.` for a bare ACK). */
export function formatTcpFlags(flags: number): string {
  let s = '';
  if (flags & TCP_SYN) s += 'S';
  if (flags & TCP_FIN) s += 'F';
  if (flags & TCP_RST) s += 'R';
  if (flags & TCP_PSH) s += 'P';
  if (flags & TCP_URG) s += 'U';
  if (flags & TCP_ECE) s += 'E';
  if (flags & TCP_CWR) s += 'W';
  if (flags & TCP_ACK) s += 'A';
  return s === '' ? 'none' : s === 'A' ? '.' : s;
}

/** Human name of the protocol: tcp, udp, icmp, icmpv6 or the number. */
export function protoName(proto: number): string {
  switch (proto) {
    case PROTO_TCP:
      return 'tcp';
    case PROTO_UDP:
      return 'udp';
    case PROTO_ICMP:
      return 'icmp';
    case PROTO_ICMPV6:
      return 'icmpv6';
    default:
      return String(proto);
  }
}

/** `10.0.0.2:50000`, or the bare address for a packet without ports. */
export function packetSource(p: Packet): string {
  return hasPorts(p) ? formatEndpoint(p.src, p.srcPort) : formatIp(p.src);
}

/** `192.168.10.1:21`, or the bare address for a packet without ports. */
export function packetDestination(p: Packet): string {
  return hasPorts(p) ? formatEndpoint(p.dst, p.dstPort) : formatIp(p.dst);
}

/** True when the packet carries a TCP or UDP header. */
export function hasPorts(p: Packet): boolean {
  return (p.proto === PROTO_TCP || p.proto === PROTO_UDP) && p.fragment !== 'later';
}

/** A one-line summary: `SYN 10.0.0.2:50000 → 192.168.10.1:21`, `PORT 10,0,0,2,195,81` for control text. */
export function describePacket(p: Packet): string {
  const ends = `${packetSource(p)} → ${packetDestination(p)}`;
  if (p.proto !== PROTO_TCP) return `${protoName(p.proto).toUpperCase()} ${ends}`;
  const f = p.tcpFlags;
  let kind: string;
  if (f & TCP_RST) kind = 'RST';
  else if (f & TCP_SYN) kind = f & TCP_ACK ? 'SYN-ACK' : 'SYN';
  else if (f & TCP_FIN) kind = 'FIN';
  else if (p.payload.length > 0) kind = 'data';
  else kind = 'ACK';
  return `${kind} ${ends}`;
}
