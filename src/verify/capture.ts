/**
 * Reads the firewall-side capture of a kernel run (`tcpdump -i any -y LINUX_SLL2`)
 * through the wire layer and decides, per TCP packet that arrived on an interface,
 * whether the kernel forwarded it: a packet is forwarded when the same segment
 * (addresses, ports, flags, seq, ack, payload length) later leaves on another interface.
 */
import { formatIp } from '../net/address.js';
import { PROTO_TCP } from '../net/packet.js';
import { FrameDecoder, DECODE_OK, LINKTYPE_LINUX_SLL2, describeLinkType, type CaptureReader } from '../wire/index.js';

/**
 * SLL2 header fields the decoder does not return (tcpdump.org LINKTYPE_LINUX_SLL2):
 * the interface index at bytes 4-7 and the packet type at byte 10, where
 * PACKET_OUTGOING (4, linux/if_packet.h) means "sent by this host".
 */
const SLL2_IFINDEX_OFFSET = 4;
const SLL2_PKTTYPE_OFFSET = 10;
const SLL2_HEADER_LENGTH = 20;
const PACKET_OUTGOING = 4;

/** One TCP segment seen at the firewall. */
export interface CapturedSegment {
  /** 1-based record number in the capture */
  readonly n: number;
  readonly ifindex: number;
  /** true when the firewall sent it (it leaves on `ifindex`), false when it arrived there */
  readonly outgoing: boolean;
  readonly src: string;
  readonly dst: string;
  readonly srcPort: number;
  readonly dstPort: number;
  readonly flags: number;
  readonly seq: number;
  readonly ack: number;
  readonly payloadLength: number;
  /**
   * for an arriving segment, its 1-based record number among the packets that arrived (tcpdump's `inbound`
   * filter: every record whose packet type is not PACKET_OUTGOING), i.e. its record number in the `arrived`
   * capture that ftpwall replays; 0 for an outgoing segment
   */
  readonly arrivedIndex: number;
  /** a copy of the TCP payload when it is at most PAYLOAD_KEPT bytes (control lines), else undefined */
  readonly payload?: Uint8Array;
}

/** Payloads up to this length are kept (control lines: PORT, EPRT, 227, 229); data segments are only counted. */
export const PAYLOAD_KEPT = 512;

/** The TCP segments of an SLL2 capture, or a description of why it cannot be read. */
export function readFirewallSegments(reader: CaptureReader): { segments: CapturedSegment[]; error?: string } {
  const segments: CapturedSegment[] = [];
  if (reader.fatal) return { segments, error: reader.diagnostics.map((d) => d.message).join('; ') };
  const decoder = new FrameDecoder(false);
  const c = reader.cursor;
  let arrived = 0;
  while (c.advance()) {
    if (c.linkType !== LINKTYPE_LINUX_SLL2) {
      reader.close();
      return { segments, error: `link type ${describeLinkType(c.linkType)}, expected LINUX_SLL2 (${LINKTYPE_LINUX_SLL2})` };
    }
    const isOutgoing = c.capturedLength > SLL2_PKTTYPE_OFFSET && c.buffer[c.dataStart + SLL2_PKTTYPE_OFFSET] === PACKET_OUTGOING;
    if (c.capturedLength > SLL2_PKTTYPE_OFFSET && !isOutgoing) arrived++;
    if (c.capturedLength < SLL2_HEADER_LENGTH) continue;
    if (decoder.decode(c.linkType, c.buffer, c.dataStart, c.dataStart + c.capturedLength) !== DECODE_OK) continue;
    const p = decoder.packet;
    if (p.proto !== PROTO_TCP || p.fragment === 'later') continue;
    const b = c.buffer;
    const at = c.dataStart + SLL2_IFINDEX_OFFSET;
    const ifindex = ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
    segments.push({
      n: c.n,
      ifindex,
      outgoing: isOutgoing,
      src: formatIp(p.src),
      dst: formatIp(p.dst),
      srcPort: p.srcPort,
      dstPort: p.dstPort,
      flags: p.tcpFlags,
      seq: p.seq,
      ack: p.ack,
      payloadLength: decoder.payloadLength,
      arrivedIndex: isOutgoing ? 0 : arrived,
      ...(p.payload.length > 0 && p.payload.length <= PAYLOAD_KEPT ? { payload: p.payload.slice() } : {}),
    });
  }
  const cut = reader.diagnostics.find((d) => d.severity === 'error');
  return cut ? { segments, error: cut.message } : { segments };
}

/** `10.0.0.2:50000` or `[2001:db8::2]:50000`. */
export function endpointText(addr: string, port: number): string {
  return addr.includes(':') ? `[${addr}]:${port}` : `${addr}:${port}`;
}

/** A connection's addresses and ports in one direction. */
export interface SegmentTuple {
  readonly src: string;
  readonly srcPort: number;
  readonly dst: string;
  readonly dstPort: number;
}

/** A segment that arrived on an interface, and whether it left again. */
export interface ArrivedSegment {
  readonly segment: CapturedSegment;
  /** the record number of the same segment leaving, or undefined when the kernel did not forward it */
  readonly forwardedAs: number | undefined;
  /** the segment as it left (translated by NAT, its payload rewritten by the FTP ALG), when it did */
  readonly leaving?: CapturedSegment;
  /**
   * the segment's addresses and ports in the terms its connection arrived in first: for a reply of a NATed
   * connection (the server's answer arriving from behind DNAT), the untranslated view the initiator has
   */
  readonly view: SegmentTuple;
}

function tupleKey(src: string, srcPort: number, dst: string, dstPort: number): string {
  return `${src}|${srcPort}|${dst}|${dstPort}`;
}

function ownTuple(s: CapturedSegment): SegmentTuple {
  return { src: s.src, srcPort: s.srcPort, dst: s.dst, dstPort: s.dstPort };
}

function reverse(t: SegmentTuple): SegmentTuple {
  return { src: t.dst, srcPort: t.dstPort, dst: t.src, dstPort: t.srcPort };
}

function keyOf(t: SegmentTuple): string {
  return tupleKey(t.src, t.srcPort, t.dst, t.dstPort);
}

function segmentKey(t: string, s: CapturedSegment, seq: number, ack: number): string {
  return `${t}|${s.flags}|${seq >>> 0}|${ack >>> 0}|${s.payloadLength}`;
}

/** Distance of two sequence numbers on the 32-bit circle. */
function seqDistance(a: number, b: number): number {
  const d = (a - b) >>> 0;
  return Math.min(d, 2 ** 32 - d);
}

interface Waiting {
  readonly index: number;
  readonly ifindex: number;
  readonly segment: CapturedSegment;
  done: boolean;
}

const TCP_SYN_BIT = 0x02;
const TCP_ACK_BIT = 0x10;

/**
 * Pairs each arriving segment with the first later copy leaving on another interface. Without NAT the copy is
 * identical (addresses, ports, flags, seq, ack, payload length). With NAT the copy's addresses and ports are
 * translated: a leaving SYN is paired with the arrived SYN of the same initial sequence number (NAT keeps it),
 * which teaches the translation of both directions; later copies are found through it. After the FTP ALG
 * changed a segment's length, seqadj shifts the later sequence (and the other direction's acknowledgement)
 * numbers: a translated copy not found exactly is paired with the closest waiting segment of the same
 * connection, direction and flags, and the shift it shows is applied to the next ones.
 */
export function matchForwarding(segments: readonly CapturedSegment[]): ArrivedSegment[] {
  const waiting = new Map<string, Waiting[]>();
  /** arrived tuple + flags → waiting segments, for the closest match after seqadj */
  const byTuple = new Map<string, Waiting[]>();
  /** arrived SYN: flags + seq → waiting SYNs, to learn a translation */
  const syns = new Map<string, Waiting[]>();
  /** leaving tuple → the tuple the same direction arrived with */
  const arrivedAs = new Map<string, SegmentTuple>();
  /** arrived tuple of a NATed reply → the untranslated view */
  const viewOf = new Map<string, SegmentTuple>();
  /** leaving tuple → what seqadj added to seq and ack */
  const shift = new Map<string, { seq: number; ack: number }>();
  const results: { segment: CapturedSegment; forwardedAs: number | undefined; leaving?: CapturedSegment; view: SegmentTuple }[] = [];
  const push = (map: Map<string, Waiting[]>, k: string, w: Waiting): void => {
    const list = map.get(k);
    if (list) list.push(w);
    else map.set(k, [w]);
  };
  const take = (list: Waiting[] | undefined, ifindex: number, pick?: (w: Waiting) => number): Waiting | undefined => {
    if (!list) return undefined;
    let best: Waiting | undefined;
    let bestScore = Infinity;
    for (let i = 0; i < list.length; i++) {
      const w = list[i]!;
      if (w.done) {
        list.splice(i--, 1);
        continue;
      }
      if (w.ifindex === ifindex) continue;
      const score = pick ? pick(w) : 0;
      if (score < bestScore) {
        best = w;
        bestScore = score;
        if (!pick) break;
      }
    }
    return best;
  };
  const pair = (w: Waiting, s: CapturedSegment): void => {
    w.done = true;
    results[w.index] = { ...results[w.index]!, forwardedAs: s.n, leaving: s };
  };
  for (const s of segments) {
    const own = keyOf(ownTuple(s));
    if (!s.outgoing) {
      const w: Waiting = { index: results.length, ifindex: s.ifindex, segment: s, done: false };
      push(waiting, segmentKey(own, s, s.seq, s.ack), w);
      push(byTuple, `${own}|${s.flags}`, w);
      if ((s.flags & (TCP_SYN_BIT | TCP_ACK_BIT)) === TCP_SYN_BIT) push(syns, `${s.flags}|${s.seq}`, w);
      results.push({ segment: s, forwardedAs: undefined, view: viewOf.get(own) ?? ownTuple(s) });
      continue;
    }
    const exact = take(waiting.get(segmentKey(own, s, s.seq, s.ack)), s.ifindex);
    if (exact) {
      pair(exact, s);
      continue;
    }
    if ((s.flags & (TCP_SYN_BIT | TCP_ACK_BIT)) === TCP_SYN_BIT) {
      const w = take(syns.get(`${s.flags}|${s.seq}`), s.ifindex);
      if (!w) continue;
      pair(w, s);
      const o = ownTuple(w.segment);
      const t = ownTuple(s);
      arrivedAs.set(keyOf(t), o);
      arrivedAs.set(keyOf(reverse(o)), reverse(t));
      viewOf.set(keyOf(reverse(t)), reverse(o));
      continue;
    }
    const arrived = arrivedAs.get(own);
    if (!arrived) continue;
    const d = shift.get(own) ?? { seq: 0, ack: 0 };
    const aKey = keyOf(arrived);
    const seq = (s.seq - d.seq) >>> 0;
    const ack = (s.ack - d.ack) >>> 0;
    const w = take(waiting.get(segmentKey(aKey, s, seq, ack)), s.ifindex) ?? take(byTuple.get(`${aKey}|${s.flags}`), s.ifindex, (x) => seqDistance(x.segment.seq, seq) + seqDistance(x.segment.ack, ack));
    if (!w) continue;
    pair(w, s);
    shift.set(own, { seq: (s.seq - w.segment.seq) >>> 0, ack: (s.ack - w.segment.ack) >>> 0 });
  }
  return results;
}
