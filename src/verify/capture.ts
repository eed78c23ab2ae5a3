/**
 * Reads the firewall-side capture of a kernel run (classic pcap, LINKTYPE_LINUX_SLL2
 * from `tcpdump -i any -y LINUX_SLL2`) and decides, per TCP packet that arrived on an
 * interface, whether the kernel forwarded it: a packet is forwarded when the same
 * segment (addresses, ports, flags, seq, ack, payload length) later leaves on another
 * interface. Minimal on purpose (no options, no IPv6 extension headers); the full
 * decoders live in wire/.
 */
import { PROTO_TCP } from '../net/packet.js';

/** pcap magic numbers (microsecond and nanosecond timestamps), as read little-endian. */
const PCAP_MAGIC_US = 0xa1b2c3d4;
const PCAP_MAGIC_NS = 0xa1b23c4d;
/** LINKTYPE_LINUX_SLL2 (tcpdump.org link-layer header types). */
export const LINKTYPE_LINUX_SLL2 = 276;
/** SLL2 header length and the packet type meaning "sent by this host" (PACKET_OUTGOING). */
const SLL2_HEADER = 20;
const PACKET_OUTGOING = 4;
const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_IPV6 = 0x86dd;

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

/** The TCP segments of a capture, or a description of why it cannot be read. */
export function readSll2Capture(bytes: Uint8Array): { segments: CapturedSegment[]; error?: string } {
  const segments: CapturedSegment[] = [];
  if (bytes.length < 24) return { segments, error: `capture too short for a pcap header (${bytes.length} bytes)` };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magicLe = view.getUint32(0, true);
  const magicBe = view.getUint32(0, false);
  const le = magicLe === PCAP_MAGIC_US || magicLe === PCAP_MAGIC_NS;
  if (!le && magicBe !== PCAP_MAGIC_US && magicBe !== PCAP_MAGIC_NS) return { segments, error: 'not a classic pcap file' };
  const linkType = view.getUint32(20, le) & 0x0fffffff;
  if (linkType !== LINKTYPE_LINUX_SLL2) return { segments, error: `link type ${linkType}, expected LINUX_SLL2 (${LINKTYPE_LINUX_SLL2})` };
  let off = 24;
  for (let n = 1; off + 16 <= bytes.length; n++) {
    const capLen = view.getUint32(off + 8, le);
    const start = off + 16;
    if (start + capLen > bytes.length) return { segments, error: `record ${n} at byte ${off} is truncated` };
    const seg = decodeSll2(view, start, capLen, n);
    if (seg) segments.push(seg);
    off = start + capLen;
  }
  return { segments };
}

function decodeSll2(view: DataView, start: number, length: number, n: number): CapturedSegment | undefined {
  if (length < SLL2_HEADER) return undefined;
  const etherType = view.getUint16(start);
  const ifindex = view.getUint32(start + 4);
  const outgoing = view.getUint8(start + 10) === PACKET_OUTGOING;
  const ip = start + SLL2_HEADER;
  const end = start + length;
  let l4: number;
  let src: string;
  let dst: string;
  let ipEnd: number;
  if (etherType === ETHERTYPE_IPV4) {
    if (ip + 20 > end) return undefined;
    const ihl = (view.getUint8(ip) & 0x0f) * 4;
    if (view.getUint8(ip + 9) !== PROTO_TCP || (view.getUint16(ip + 6) & 0x1fff) !== 0) return undefined;
    ipEnd = Math.min(end, ip + view.getUint16(ip + 2));
    src = v4(view, ip + 12);
    dst = v4(view, ip + 16);
    l4 = ip + ihl;
  } else if (etherType === ETHERTYPE_IPV6) {
    if (ip + 40 > end || view.getUint8(ip + 6) !== PROTO_TCP) return undefined;
    ipEnd = Math.min(end, ip + 40 + view.getUint16(ip + 4));
    src = v6(view, ip + 8);
    dst = v6(view, ip + 24);
    l4 = ip + 40;
  } else return undefined;
  if (l4 + 20 > ipEnd) return undefined;
  const doff = (view.getUint8(l4 + 12) >> 4) * 4;
  return {
    n,
    ifindex,
    outgoing,
    src,
    dst,
    srcPort: view.getUint16(l4),
    dstPort: view.getUint16(l4 + 2),
    seq: view.getUint32(l4 + 4),
    ack: view.getUint32(l4 + 8),
    flags: view.getUint8(l4 + 13),
    payloadLength: Math.max(0, ipEnd - l4 - doff),
  };
}

function v4(view: DataView, at: number): string {
  return `${view.getUint8(at)}.${view.getUint8(at + 1)}.${view.getUint8(at + 2)}.${view.getUint8(at + 3)}`;
}

/** RFC 5952 text of the 16 bytes at `at`. */
function v6(view: DataView, at: number): string {
  const groups: number[] = [];
  for (let i = 0; i < 8; i++) groups.push(view.getUint16(at + 2 * i));
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j === i ? i + 1 : j;
  }
  const hex = (g: number[]): string => g.map((x) => x.toString(16)).join(':');
  return best < 0 ? hex(groups) : `${hex(groups.slice(0, best))}::${hex(groups.slice(best + bestLen))}`;
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
