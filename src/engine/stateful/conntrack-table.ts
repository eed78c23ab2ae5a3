/**
 * The conntrack table: one entry per connection, found by the 5-tuple of either
 * direction (the kernel's two tuplehash entries, ORIGINAL and REPLY). Keys are
 * short flat strings; timers live in a heap on the virtual clock.
 */
import { formatIp, ipEquals, type IpAddress } from '../../net/address.js';
import { PROTO_ICMP, PROTO_ICMPV6, PROTO_TCP, PROTO_UDP, protoName, type Packet } from '../../net/packet.js';
import type { ExpectationRef, Verdict } from '../verdict.js';
import type { Expectation } from './expectations.js';
import type { FtpHelperState } from './helpers/ftp-session.js';
import type { ConnNat } from './nat.js';
import type { TcpTrack } from './tcp-state.js';

/** Conntrack directions. */
export const DIR_ORIGINAL = 0;
export const DIR_REPLY = 1;

/** udp_timeouts[] (nf_conntrack_proto_udp.c): unreplied 30 s, replied ("stream") 120 s. */
export const UDP_TIMEOUT_SEC = 30;
export const UDP_STREAM_TIMEOUT_SEC = 120;
/** nf_conntrack_icmp_timeout / icmpv6: 30 s. */
export const ICMP_TIMEOUT_SEC = 30;
/** nf_conntrack_generic_timeout: 600 s for protocols without a tracker. */
export const GENERIC_TIMEOUT_SEC = 600;

/** One tracked connection (struct nf_conn, reduced). Mutable: the engine updates it per packet. */
export interface Conn {
  /** 1-based, in order of confirmation */
  readonly id: number;
  readonly proto: number;
  /** the ORIGINAL tuple */
  readonly src: IpAddress;
  readonly dst: IpAddress;
  readonly srcPort: number;
  readonly dstPort: number;
  /** the REPLY tuple's addresses: the ORIGINAL ones swapped, unless NAT translated the connection */
  readonly replySrc: IpAddress;
  readonly replyDst: IpAddress;
  /** the REPLY tuple's ports (ICMP: 0 and the reply type) */
  readonly replySrcPort: number;
  readonly replyDstPort: number;
  /** tupleHash of the ORIGINAL and REPLY tuples */
  readonly origHash: number;
  readonly replyHash: number;
  readonly createdMs: number;
  /** 1-based trace number of the packet that created it */
  readonly firstPacket: number;
  readonly tcp: TcpTrack | undefined;
  /** IPS_SEEN_REPLY */
  seenReply: boolean;
  /** IPS_ASSURED */
  assured: boolean;
  expiresMs: number;
  /** the timeout last set, ms (for messages) */
  timeoutMs: number;
  /** due time of this entry's live heap timer, Infinity when none */
  heapAtMs: number;
  /** udp: the end of the first 2 s (ct->proto.udp.stream_ts) */
  udpStreamMs: number;
  /** IPS_EXPECTED: created by an expectation; the reference for provenance */
  readonly related: ExpectationRef | undefined;
  readonly masterId: number | undefined;
  /** a session: its first packet crossed a session point (H3C ASPF; conntrack mark in the exports), so its state passes */
  readonly session: boolean;
  /** the FTP helper's per-connection data, when a helper is attached */
  readonly helper: FtpHelperState | undefined;
  /** the expectation this connection has outstanding (max_expected = 1) */
  pending: Expectation | undefined;
  /** the connection mark (ct mark, CONNMARK); an expected connection starts with its master's */
  mark: number;
  /** the verdict for its established packets, made once */
  established: Verdict | undefined;
  alive: boolean;
  /** NAT and sequence adjustment, when the connection is translated (always set, so every entry has one shape) */
  readonly nat: ConnNat | undefined;
}

/** The reply type of an ICMP/ICMPv6 query (nf_conntrack_proto_icmp invmap), or -1 when the type cannot open a connection. */
export function icmpReplyType(proto: number, type: number): number {
  if (proto === PROTO_ICMP) {
    switch (type) {
      case 8: return 0; // echo
      case 13: return 14; // timestamp
      case 15: return 16; // information
      case 17: return 18; // address mask
      default: return -1;
    }
  }
  switch (type) {
    case 128: return 129; // echo request
    case 139: return 140; // node information query
    default: return -1;
  }
}

/** The port-like tuple parts: TCP/UDP ports; ICMP (0, type); others (0, 0). Written into `out`. */
export function tuplePorts(p: Packet, out: [number, number]): [number, number] {
  if ((p.proto === PROTO_TCP || p.proto === PROTO_UDP) && p.fragment !== 'later') {
    out[0] = p.srcPort;
    out[1] = p.dstPort;
  } else if (p.proto === PROTO_ICMP || p.proto === PROTO_ICMPV6) {
    out[0] = 0;
    out[1] = p.icmpType ?? 0;
  } else {
    out[0] = 0;
    out[1] = 0;
  }
  return out;
}

function mix(h: number, x: number): number {
  h = Math.imul(h ^ x, 0x85ebca6b);
  return h ^ (h >>> 13);
}

/** A 30-bit hash of one direction's tuple (a small integer key: no string per packet). */
export function tupleHash(proto: number, src: IpAddress, srcPort: number, dst: IpAddress, dstPort: number): number {
  let h = mix(0x9e3779b1, proto);
  if (src.family === 4) h = mix(h, src.v4);
  else for (let i = 0; i < 4; i++) h = mix(h, src.v6[i]!);
  if (dst.family === 4) h = mix(h, dst.v4);
  else for (let i = 0; i < 4; i++) h = mix(h, dst.v6[i]!);
  h = mix(h, (srcPort << 16) | dstPort);
  return h & 0x3fffffff;
}

/** `tcp 10.0.0.2:50000 → 192.168.10.1:21`, `icmp 10.0.0.2 → 192.168.10.1 type 8`. */
export function describeConn(c: Pick<Conn, 'proto' | 'src' | 'dst' | 'srcPort' | 'dstPort'>): string {
  const name = protoName(c.proto);
  const end = (a: IpAddress, port: number): string => (a.family === 4 ? `${formatIp(a)}:${port}` : `[${formatIp(a)}]:${port}`);
  if (c.proto === PROTO_TCP || c.proto === PROTO_UDP) return `${name} ${end(c.src, c.srcPort)} → ${end(c.dst, c.dstPort)}`;
  if (c.proto === PROTO_ICMP || c.proto === PROTO_ICMPV6) return `${name} ${formatIp(c.src)} → ${formatIp(c.dst)} type ${c.dstPort}`;
  return `${name} ${formatIp(c.src)} → ${formatIp(c.dst)}`;
}

/**
 * early_drop looks at this many hash buckets, starting at the new tuple's
 * (net/netfilter/nf_conntrack_core.c: `#define NF_CT_EVICTION_RANGE 8`).
 */
export const NF_CT_EVICTION_RANGE = 8;

/** The table: lookups by either direction's tuple, at most `max` entries (nf_conntrack_max). */
export interface ConntrackTable {
  /** The connection whose ORIGINAL or REPLY tuple this is; the direction is left in `lastDir`. */
  find(proto: number, src: IpAddress, srcPort: number, dst: IpAddress, dstPort: number): Conn | undefined;
  /** DIR_ORIGINAL or DIR_REPLY: the direction of the tuple the last successful find() matched */
  readonly lastDir: 0 | 1;
  byId(id: number): Conn | undefined;
  insert(c: Conn): void;
  remove(c: Conn): void;
  /**
   * early_drop's choice for a new tuple of hash `hash` (nf_conntrack_core.c early_drop,
   * early_drop_list): the buckets from the tuple's own onwards, at most NF_CT_EVICTION_RANGE
   * of them, until one holds entries that are not ASSURED; all of those go into `out`
   * (cleared first). Bounded work: never a scan of the table.
   */
  evictionVictims(hash: number, out: Conn[]): void;
  readonly size: number;
  readonly max: number;
  /** hash buckets (nf_conntrack_buckets): the kernel's boot-time default makes it equal to max */
  readonly buckets: number;
  /** live connections in id order (O(size): for views and rebuilds, never per packet) */
  list(): Conn[];
}

type Bucket = Conn | Conn[];

/** Creates an empty table for at most `max` connections, in `max` hash buckets (facts 8.3: max_factor 1). */
export function createConntrackTable(max: number): ConntrackTable {
  const bucketCount = Math.max(1, Math.floor(max));
  // bucket index → connection(s); each connection sits in the bucket of its ORIGINAL and of its REPLY hash
  const buckets = new Map<number, Bucket>();
  const ids = new Map<number, Conn>();
  let lastDir: 0 | 1 = DIR_ORIGINAL;
  const add = (h: number, c: Conn): void => {
    const i = h % bucketCount;
    const b = buckets.get(i);
    if (b === undefined) buckets.set(i, c);
    else if (Array.isArray(b)) b.push(c);
    else buckets.set(i, [b, c]);
  };
  const drop = (h: number, c: Conn): void => {
    const i = h % bucketCount;
    const b = buckets.get(i);
    if (b === c) buckets.delete(i);
    else if (Array.isArray(b)) {
      const rest = b.filter((x) => x !== c);
      // a connection whose ORIGINAL and REPLY hashes share a bucket sits twice in it: both go
      if (rest.length === 0) buckets.delete(i);
      else if (rest.length === 1) buckets.set(i, rest[0]!);
      else buckets.set(i, rest);
    }
  };
  /** 0 = ORIGINAL, 1 = REPLY, -1 = neither */
  const matches = (c: Conn, proto: number, src: IpAddress, sp: number, dst: IpAddress, dp: number): number => {
    if (c.proto !== proto) return -1;
    if (sp === c.srcPort && dp === c.dstPort && ipEquals(src, c.src) && ipEquals(dst, c.dst)) return DIR_ORIGINAL;
    if (sp === c.replySrcPort && dp === c.replyDstPort && ipEquals(src, c.replySrc) && ipEquals(dst, c.replyDst)) return DIR_REPLY;
    return -1;
  };
  const unassuredInto = (c: Conn, out: Conn[]): void => {
    if (!c.assured && !out.includes(c)) out.push(c);
  };
  return {
    find(proto, src, sp, dst, dp): Conn | undefined {
      const b = buckets.get(tupleHash(proto, src, sp, dst, dp) % bucketCount);
      if (b === undefined) return undefined;
      if (!Array.isArray(b)) {
        const d = matches(b, proto, src, sp, dst, dp);
        if (d < 0) return undefined;
        lastDir = d as 0 | 1;
        return b;
      }
      for (const c of b) {
        const d = matches(c, proto, src, sp, dst, dp);
        if (d >= 0) {
          lastDir = d as 0 | 1;
          return c;
        }
      }
      return undefined;
    },
    get lastDir(): 0 | 1 {
      return lastDir;
    },
    byId: (id) => ids.get(id),
    insert(c: Conn): void {
      add(c.origHash, c);
      add(c.replyHash, c);
      ids.set(c.id, c);
    },
    remove(c: Conn): void {
      if (!c.alive) return;
      c.alive = false;
      drop(c.origHash, c);
      drop(c.replyHash, c);
      ids.delete(c.id);
    },
    evictionVictims(hash: number, out: Conn[]): void {
      out.length = 0;
      const first = hash % bucketCount;
      for (let i = 0; i < NF_CT_EVICTION_RANGE; i++) {
        const b = buckets.get((first + i) % bucketCount);
        if (b === undefined) continue;
        if (Array.isArray(b)) for (const c of b) unassuredInto(c, out);
        else unassuredInto(b, out);
        if (out.length > 0) return;
      }
    },
    get size(): number {
      return ids.size;
    },
    max,
    buckets: bucketCount,
    // ids are inserted in increasing order and never reinserted, so insertion order is id order
    list: () => [...ids.values()],
  };
}
