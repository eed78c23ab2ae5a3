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
}

/** The TCP segments of an SLL2 capture, or a description of why it cannot be read. */
export function readFirewallSegments(reader: CaptureReader): { segments: CapturedSegment[]; error?: string } {
  const segments: CapturedSegment[] = [];
  if (reader.fatal) return { segments, error: reader.diagnostics.map((d) => d.message).join('; ') };
  const decoder = new FrameDecoder(false);
  const c = reader.cursor;
  while (c.advance()) {
    if (c.linkType !== LINKTYPE_LINUX_SLL2) {
      reader.close();
      return { segments, error: `link type ${describeLinkType(c.linkType)}, expected LINUX_SLL2 (${LINKTYPE_LINUX_SLL2})` };
    }
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
      outgoing: b[c.dataStart + SLL2_PKTTYPE_OFFSET] === PACKET_OUTGOING,
      src: formatIp(p.src),
      dst: formatIp(p.dst),
      srcPort: p.srcPort,
      dstPort: p.dstPort,
      flags: p.tcpFlags,
      seq: p.seq,
      ack: p.ack,
      payloadLength: decoder.payloadLength,
    });
  }
  const cut = reader.diagnostics.find((d) => d.severity === 'error');
  return cut ? { segments, error: cut.message } : { segments };
}

/** `10.0.0.2:50000` or `[2001:db8::2]:50000`. */
export function endpointText(addr: string, port: number): string {
  return addr.includes(':') ? `[${addr}]:${port}` : `${addr}:${port}`;
}

/** A segment that arrived on an interface, and whether it left again. */
export interface ArrivedSegment {
  readonly segment: CapturedSegment;
  /** the record number of the same segment leaving, or undefined when the kernel did not forward it */
  readonly forwardedAs: number | undefined;
}

function segmentKey(s: CapturedSegment): string {
  return `${s.src}|${s.srcPort}|${s.dst}|${s.dstPort}|${s.flags}|${s.seq}|${s.ack}|${s.payloadLength}`;
}

/** Pairs each arriving segment with the first later identical segment leaving on another interface. */
export function matchForwarding(segments: readonly CapturedSegment[]): ArrivedSegment[] {
  const waiting = new Map<string, { index: number; ifindex: number }[]>();
  const forwardedAs: (number | undefined)[] = [];
  const arrived: CapturedSegment[] = [];
  for (const s of segments) {
    const key = segmentKey(s);
    if (!s.outgoing) {
      const list = waiting.get(key) ?? [];
      list.push({ index: arrived.length, ifindex: s.ifindex });
      waiting.set(key, list);
      arrived.push(s);
      forwardedAs.push(undefined);
      continue;
    }
    const list = waiting.get(key);
    const i = list?.findIndex((w) => w.ifindex !== s.ifindex) ?? -1;
    if (list && i >= 0) {
      forwardedAs[list[i]!.index] = s.n;
      list.splice(i, 1);
    }
  }
  return arrived.map((segment, i) => ({ segment, forwardedAs: forwardedAs[i] }));
}
