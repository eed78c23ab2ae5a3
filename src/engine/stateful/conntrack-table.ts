/**
 * The conntrack table: one entry per connection, found by the 5-tuple of either
 * direction (the kernel's two tuplehash entries, ORIGINAL and REPLY). Keys are
 * short flat strings; timers live in a heap on the virtual clock.
 */
import { IntMap } from '../../collections/hash-index.js';
import { grown } from '../../collections/typed-grow.js';
import { formatIp, type IpAddress } from '../../net/address.js';
import { PROTO_ICMP, PROTO_ICMPV6, PROTO_TCP, PROTO_UDP, protoName, type Packet } from '../../net/packet.js';
import type { ExpectationRef, Verdict } from '../verdict.js';
import type { Expectation } from './expectations.js';
import type { FtpHelperState } from './helpers/ftp-session.js';
import type { ConnNat } from './nat.js';
import { ConnRows, SCRATCH_ROW } from './conn-rows.js';

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
  /** IPS_SEEN_REPLY */
  seenReply: boolean;
  /** IPS_ASSURED (its timer and TCP tracking data are in the table's rows: connRow) */
  assured: boolean;
  /** IPS_EXPECTED: created by an expectation; the reference for provenance */
  readonly related: ExpectationRef | undefined;
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
  /** the table's slot while the entry is in it, else -1 (set by the table) */
  slot: number;
  /** NAT and sequence adjustment, when the connection is translated (always set, so every entry has one shape) */
  readonly nat: ConnNat | undefined;
}

/** The row of `c` in table.rows: its slot's, or the scratch row while it is being made (slot -1). */
export function connRow(c: Conn): number {
  return c.slot + 1;
}

/** The TCP state number of `c` (TCP_STATE_NAMES), or -1 when it is not a TCP entry. */
export function tcpStateOf(rows: ConnRows, c: Conn): number {
  return c.proto === PROTO_TCP ? rows.state[connRow(c)]! : -1;
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
  /** Adds `c`; its numbers (timer, TCP tracking) move from the scratch row into its own. */
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
  /** each entry's timer and TCP tracking data, in row connRow(c) */
  readonly rows: ConnRows;
  /** hash buckets (nf_conntrack_buckets): the kernel's boot-time default makes it equal to max */
  readonly buckets: number;
  /** live connections in id order (O(size): for views, never per packet) */
  list(): Conn[];
  /** calls `fn` on each live connection in id order, making no array (timer rebuilds) */
  forEach(fn: (c: Conn) => void): void;
}

/**
 * Physical bucket heads kept at most: past this many kernel buckets (an `--conntrack-max` in the
 * millions) several kernel buckets share a physical chain, and each node remembers its own.
 */
const MAX_PHYSICAL_BUCKETS = 1 << 20;
/** Connection slots allocated at first; doubled as the table fills. */
const FIRST_SLOTS = 256;
/** IPv4 tuples store their address in the first word of four. */
const WORDS_PER_ADDR = 4;

/**
 * Creates an empty table for at most `max` connections, in `max` hash buckets (facts 8.3:
 * max_factor 1). Struct-of-arrays, as the kernel's hlist of tuplehash entries: connection `s`
 * (a slot) has two tuple nodes, 2s (ORIGINAL) and 2s + 1 (REPLY), each chained in its kernel
 * bucket (hash % buckets) in insertion order. The tuple parts (protocol, ports, address words,
 * families) sit in typed arrays by node, so a lookup compares integers and allocates nothing; the
 * Conn object keeps the rest of the entry. Slots are reused; live connections are also linked in
 * id order (views, timer rebuilds).
 */
export function createConntrackTable(max: number): ConntrackTable {
  const bucketCount = Math.max(1, Math.floor(max));
  const physical = Math.min(bucketCount, MAX_PHYSICAL_BUCKETS);
  const head = new Int32Array(physical).fill(-1);
  const tail = new Int32Array(physical).fill(-1);
  let slots = 0; // allocated slot capacity
  let next = new Int32Array(0); // node → next node in its chain, -1 at the end
  let nodeBucket = new Float64Array(0); // node → its kernel bucket (buckets may pass 2^31)
  let nodePorts = new Int32Array(0); // node → (srcPort << 16) | dstPort
  let nodeProto = new Uint8Array(0);
  let nodeFamily = new Uint8Array(0); // 4 or 6, both addresses of the node's tuple
  let nodeWords = new Int32Array(0); // node → src words [0, 4), dst words [4, 8)
  let ordPrev = new Int32Array(0); // slot → previous live slot in id order
  let ordNext = new Int32Array(0);
  const conns: (Conn | undefined)[] = [];
  const free: number[] = [];
  let used = 0; // slots ever handed out
  let first = -1; // live slots in id order
  let last = -1;
  let size = 0;
  // by id (the timers name entries by id): an open-addressing table, which allocates only to grow, not a Map
  const ids = new IntMap<Conn>();
  let lastDir: 0 | 1 = DIR_ORIGINAL;
  const rows = new ConnRows();

  const grow = (): void => {
    const n = slots === 0 ? FIRST_SLOTS : slots * 2;
    next = grown(next, n * 2);
    nodePorts = grown(nodePorts, n * 2);
    nodeWords = grown(nodeWords, n * 2 * 2 * WORDS_PER_ADDR);
    ordPrev = grown(ordPrev, n);
    ordNext = grown(ordNext, n);
    nodeBucket = grown(nodeBucket, n * 2);
    nodeProto = grown(nodeProto, n * 2);
    nodeFamily = grown(nodeFamily, n * 2);
    rows.ensure(n + 1);
    slots = n;
  };

  const putAddr = (node: number, which: 0 | 1, a: IpAddress): void => {
    const at = node * 2 * WORDS_PER_ADDR + which * WORDS_PER_ADDR;
    if (a.family === 4) {
      nodeWords[at] = a.v4 | 0;
      nodeWords[at + 1] = 0;
      nodeWords[at + 2] = 0;
      nodeWords[at + 3] = 0;
    } else for (let i = 0; i < 4; i++) nodeWords[at + i] = a.v6[i]! | 0;
  };

  const sameAddr = (at: number, a: IpAddress): boolean => {
    if (a.family === 4) return nodeWords[at] === (a.v4 | 0);
    return nodeWords[at] === (a.v6[0]! | 0) && nodeWords[at + 1] === (a.v6[1]! | 0) && nodeWords[at + 2] === (a.v6[2]! | 0) && nodeWords[at + 3] === (a.v6[3]! | 0);
  };

  /** Links `node` (tuple of hash `h`) at the end of its bucket's chain. */
  const link = (node: number, h: number): void => {
    const bucket = h % bucketCount;
    const p = bucket % physical;
    nodeBucket[node] = bucket;
    next[node] = -1;
    const end = tail[p]!;
    if (end < 0) head[p] = node;
    else next[end] = node;
    tail[p] = node;
  };

  const unlink = (node: number): void => {
    const p = nodeBucket[node]! % physical;
    let prev = -1;
    for (let k = head[p]!; k >= 0; k = next[k]!) {
      if (k !== node) {
        prev = k;
        continue;
      }
      if (prev < 0) head[p] = next[k]!;
      else next[prev] = next[k]!;
      if (tail[p] === k) tail[p] = prev;
      return;
    }
  };

  const unassuredInto = (c: Conn, out: Conn[]): void => {
    if (!c.assured && !out.includes(c)) out.push(c);
  };

  return {
    find(proto, src, sp, dst, dp): Conn | undefined {
      const bucket = tupleHash(proto, src, sp, dst, dp) % bucketCount;
      const ports = (sp << 16) | dp;
      const family = src.family;
      for (let k = head[bucket % physical]!; k >= 0; k = next[k]!) {
        if (nodeBucket[k] !== bucket || nodePorts[k] !== ports || nodeProto[k] !== proto || nodeFamily[k] !== family) continue;
        const at = k * 2 * WORDS_PER_ADDR;
        if (!sameAddr(at, src) || !sameAddr(at + WORDS_PER_ADDR, dst)) continue;
        lastDir = (k & 1) as 0 | 1;
        return conns[k >> 1];
      }
      return undefined;
    },
    get lastDir(): 0 | 1 {
      return lastDir;
    },
    byId: (id) => ids.get(id),
    insert(c: Conn): void {
      let s = free.pop();
      if (s === undefined) {
        if (used === slots) grow();
        s = used++;
      }
      c.slot = s;
      conns[s] = c;
      rows.copy(SCRATCH_ROW, s + 1);
      const o = 2 * s;
      const r = o + 1;
      nodeProto[o] = nodeProto[r] = c.proto;
      nodePorts[o] = (c.srcPort << 16) | c.dstPort;
      nodePorts[r] = (c.replySrcPort << 16) | c.replyDstPort;
      nodeFamily[o] = c.src.family;
      nodeFamily[r] = c.replySrc.family;
      putAddr(o, 0, c.src);
      putAddr(o, 1, c.dst);
      putAddr(r, 0, c.replySrc);
      putAddr(r, 1, c.replyDst);
      // the tuple hashes are made here, once: the entry keeps only what later packets read
      link(o, tupleHash(c.proto, c.src, c.srcPort, c.dst, c.dstPort));
      link(r, tupleHash(c.proto, c.replySrc, c.replySrcPort, c.replyDst, c.replyDstPort));
      // ids only grow: the new entry is the last in id order
      ordPrev[s] = last;
      ordNext[s] = -1;
      if (last < 0) first = s;
      else ordNext[last] = s;
      last = s;
      ids.set(c.id, c);
      size++;
    },
    remove(c: Conn): void {
      if (!c.alive) return;
      c.alive = false;
      const s = c.slot;
      unlink(2 * s);
      unlink(2 * s + 1);
      const before = ordPrev[s]!;
      const after = ordNext[s]!;
      if (before < 0) first = after;
      else ordNext[before] = after;
      if (after < 0) last = before;
      else ordPrev[after] = before;
      conns[s] = undefined;
      free.push(s);
      c.slot = -1;
      ids.delete(c.id);
      size--;
    },
    evictionVictims(hash: number, out: Conn[]): void {
      out.length = 0;
      const firstBucket = hash % bucketCount;
      for (let i = 0; i < NF_CT_EVICTION_RANGE; i++) {
        const bucket = (firstBucket + i) % bucketCount;
        for (let k = head[bucket % physical]!; k >= 0; k = next[k]!) if (nodeBucket[k] === bucket) unassuredInto(conns[k >> 1]!, out);
        if (out.length > 0) return;
      }
    },
    get size(): number {
      return size;
    },
    max,
    rows,
    buckets: bucketCount,
    list(): Conn[] {
      const out: Conn[] = [];
      for (let s = first; s >= 0; s = ordNext[s]!) out.push(conns[s]!);
      return out;
    },
    forEach(fn: (c: Conn) => void): void {
      for (let s = first; s >= 0; s = ordNext[s]!) fn(conns[s]!);
    },
  };
}
