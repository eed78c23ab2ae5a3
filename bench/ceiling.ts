/**
 * The ceiling: the least stateful work issue 13's line-rate target implies, written as tightly as
 * Node allows, to measure what that target asks of this machine. It is a yardstick (like tshark in the
 * bench), not an engine: nothing in src/ uses it, and it knows only the bench capture's shape.
 *
 * Per packet it does what a stateful FTP firewall cannot skip, and nothing else:
 * - reads the file in 1 MiB chunks (classic pcap, little-endian, Ethernet) and decodes IPv4/IPv6 TCP in place;
 * - finds the connection by its 5-tuple in either direction: an open-addressing table of tuple slots
 *   (linear probing, deletion by backward shift) over entries in struct-of-arrays, no object per connection;
 * - moves a reduced TCP state machine (SYN_SENT, SYN_RECV, ESTABLISHED, FIN_WAIT, TIME_WAIT, CLOSE) and its
 *   timeout, on the capture's clock: timers in a typed-array heap, pushed only when a deadline comes nearer
 *   (or, with the `ftpwall` tracker, runs ftpwall's own TCP tracker instead: see CeilingTracker);
 * - admits a new connection by the bench policy (TCP to the server's port 21) or by an expectation;
 * - runs the FTP helper on control segments that start after a newline it saw (the kernel's seq_aft_nl):
 *   PORT, EPRT (client) and 227, 229 (server), each opening a one-shot expectation;
 * - counts packets and bytes per connection and folds them into totals when the connection goes.
 * It leaves out what ftpwall's replay also does: the kernel's whole TCP transition table and the parts of
 * tcp_in_window that choose a timeout (retransmissions, unacknowledged data, a zero window; all three are in
 * with the `ftpwall` tracker), ICMP and UDP,
 * fragments, NAT, ACL rule lookup, events and verdict records, the report's flow table, and its own reading of
 * the control lines (replies, the data connections each announced, the session's totals).
 *
 * One closure holds the whole state, so V8 keeps its typed arrays in registers and inlines the helpers.
 * The FTP text it reads is in ceiling-ftp.ts, its expectations in ceiling-expect.ts.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { announcement } from './ceiling-ftp.js';
import { CeilingExpectations, mix } from './ceiling-expect.js';
import { ConnRows } from '../src/engine/stateful/conn-rows.js';
import { LINUX_TCP_TIMEOUTS_SEC, TCP_ACCEPT, TCP_ESTABLISHED, TCP_REOPEN, tcpNew, tcpPacket, timeoutTableMs, type TcpResult } from '../src/engine/stateful/tcp-state.js';
import type { Packet } from '../src/net/packet.js';

/** What a ceiling run counted: the same totals the replay reports for the bench capture. */
export interface CeilingCounts {
  readonly packets: number;
  readonly connections: number;
  readonly linked: number;
  readonly denied: number;
  readonly peakLive: number;
  readonly bytesPassed: number;
}

const CHUNK = 1 << 20;
const MAX_ENTRIES = 1 << 18;
const SLOT_BITS = 20;
const SLOT_MASK = (1 << SLOT_BITS) - 1;
/** words of a tuple: source address (4), destination address (4), ports, family and protocol */
const W = 10;

const SYN_SENT = 1;
const SYN_RECV = 2;
const ESTABLISHED = 3;
const FIN_WAIT = 4;
const TIME_WAIT = 5;
const CLOSE = 6;
/** The reduced states' timeouts, ms: the kernel's (nf_conntrack_proto_tcp.c tcp_timeouts[], as the engine has them). */
const T = LINUX_TCP_TIMEOUTS_SEC;
const TIMEOUT_MS = [0, T.synSent, T.synRecv, T.established, T.finWait, T.timeWait, T.close].map((sec) => sec * 1000);

const F_HELPER = 1;
const F_FIN0 = 2;
const F_FIN1 = 4;
/** IPS_ASSURED, for ftpwall's tracker */
const F_ASSURED = 8;

/**
 * Which TCP tracker moves the connections: the ceiling's reduced state machine, or ftpwall's own
 * (the engine's tcpNew/tcpPacket over its struct-of-arrays rows: the kernel's transition table and the
 * timeouts tcp_in_window chooses), to measure what the kernel's tracking adds to the least work.
 */
export type CeilingTracker = 'reduced' | 'ftpwall';


/** Runs the ceiling over a pcap file the bench generated. */
export function ceilingRun(file: string, tracker: CeilingTracker = 'reduced'): CeilingCounts {
  const ftpwallTcp = tracker === 'ftpwall';
  const fd = openSync(file, 'r');
  let buf = new Uint8Array(CHUNK);
  let spare = new Uint8Array(CHUNK);
  let pos = 0;
  let end = 0;
  let filePos = 0;
  const fill = (need: number): boolean => {
    const keep = end - pos;
    if (keep >= need) return true;
    const next = spare;
    next.set(buf.subarray(pos, end), 0);
    let filled = keep;
    while (filled < CHUNK) {
      const got = readSync(fd, next, filled, CHUNK - filled, filePos);
      if (got === 0) break;
      filled += got;
      filePos += got;
    }
    spare = buf;
    buf = next;
    pos = 0;
    end = filled;
    return filled >= need;
  };
  // entries, struct of arrays
  const tup = new Int32Array(MAX_ENTRIES * W);
  const state = new Uint8Array(MAX_ENTRIES);
  const flags = new Uint8Array(MAX_ENTRIES);
  const expMs = new Float64Array(MAX_ENTRIES);
  const heapAt = new Float64Array(MAX_ENTRIES);
  const nlSeq = new Int32Array(MAX_ENTRIES * 4);
  const nlNum = new Uint8Array(MAX_ENTRIES * 2);
  const pkts = new Int32Array(MAX_ENTRIES);
  const bytes = new Float64Array(MAX_ENTRIES);
  const pendingExp = new Int32Array(MAX_ENTRIES).fill(-1);
  const free = new Int32Array(MAX_ENTRIES);
  for (let i = 0; i < MAX_ENTRIES; i++) free[i] = MAX_ENTRIES - 1 - i;
  let freeTop = MAX_ENTRIES;
  let live = 0;
  // tuple slots: (entry << 1 | direction) + 1, 0 empty; and the tuple's hash
  const slot = new Int32Array(1 << SLOT_BITS);
  const slotHash = new Int32Array(1 << SLOT_BITS);
  // timers: a binary heap of (due ms, entry)
  const hAt = new Float64Array(MAX_ENTRIES * 2);
  const hId = new Int32Array(MAX_ENTRIES * 2);
  let hSize = 0;
  // expectations, each master's in pendingExp
  const expectations = new CeilingExpectations(pendingExp);
  // the packet's tuple, and a copy while an entry's own words use it
  const t = new Int32Array(W);
  const saved = new Int32Array(W);
  // ftpwall's tracker: its rows (row e + 1 for entry e; row 0 is the entry being made), and a reused packet view
  const rows = new ConnRows();
  if (ftpwallTcp) rows.ensure(MAX_ENTRIES + 1);
  const stateMs = timeoutTableMs(LINUX_TCP_TIMEOUTS_SEC);
  const tcpOut: TcpResult = { code: 0, oldState: 0, newState: 0, timeoutMs: -1, kill: false, assured: false };
  const seenReply = new Uint8Array(MAX_ENTRIES);
  const pk = { proto: 6, fragment: 'none', tcpFlags: 0, seq: 0, ack: 0, window: 0, payloadLen: 0 };
  const view = pk as unknown as Packet;
  let packets = 0;
  let connections = 0;
  let linked = 0;
  let denied = 0;
  let peakLive = 0;
  let bytesPassed = 0;

  const tupleHash = (src: number, dst: number, ports: number): number => {
    let h = mix(0x9e3779b1, t[9]!);
    for (let i = 0; i < 4; i++) h = mix(h, t[src + i]!);
    for (let i = 0; i < 4; i++) h = mix(h, t[dst + i]!);
    return mix(h, ports) | 0;
  };
  const heapPush = (at: number, id: number): void => {
    if (hSize === hAt.length) throw new Error('ceiling: timer heap full');
    let i = hSize++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (hAt[parent]! <= at) break;
      hAt[i] = hAt[parent]!;
      hId[i] = hId[parent]!;
      i = parent;
    }
    hAt[i] = at;
    hId[i] = id;
  };
  const heapPop = (): void => {
    const last = --hSize;
    const at = hAt[last]!;
    const id = hId[last]!;
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= last) break;
      if (c + 1 < last && hAt[c + 1]! < hAt[c]!) c++;
      if (hAt[c]! >= at) break;
      hAt[i] = hAt[c]!;
      hId[i] = hId[c]!;
      i = c;
    }
    hAt[i] = at;
    hId[i] = id;
  };
  const setTimeout = (e: number, st: number, nowMs: number): void => {
    state[e] = st;
    setDue(e, TIMEOUT_MS[st]!, nowMs);
  };
  const setDue = (e: number, timeoutMs: number, nowMs: number): void => {
    const due = nowMs + timeoutMs;
    expMs[e] = due;
    if (due < heapAt[e]!) {
      heapAt[e] = due;
      heapPush(due, e);
    }
  };
  const slotInsert = (h: number, v: number): void => {
    let i = h & SLOT_MASK;
    while (slot[i] !== 0) i = (i + 1) & SLOT_MASK;
    slot[i] = v;
    slotHash[i] = h;
  };
  const slotDelete = (h: number, v: number): void => {
    let i = h & SLOT_MASK;
    while (slot[i] !== v) i = (i + 1) & SLOT_MASK;
    // backward shift: move later members of the cluster into the hole when their home allows
    for (let j = (i + 1) & SLOT_MASK; slot[j] !== 0; j = (j + 1) & SLOT_MASK) {
      const home = slotHash[j]! & SLOT_MASK;
      if (((j - home) & SLOT_MASK) >= ((j - i) & SLOT_MASK)) {
        slot[i] = slot[j]!;
        slotHash[i] = slotHash[j]!;
        i = j;
      }
    }
    slot[i] = 0;
  };
  /** the hash of entry e's tuple in direction d (its words copied into t first) */
  const entryHash = (e: number, d: number): number => {
    const b = e * W;
    for (let i = 0; i < 8; i++) t[i] = tup[b + i]!;
    t[8] = tup[b + 8]!;
    t[9] = tup[b + 9]!;
    const ports = t[8]!;
    return d === 0 ? tupleHash(0, 4, ports) : tupleHash(4, 0, ((ports & 0xffff) << 16) | (ports >>> 16));
  };
  const destroy = (e: number): void => {
    saved.set(t);
    slotDelete(entryHash(e, 0), ((e << 1) | 0) + 1);
    slotDelete(entryHash(e, 1), ((e << 1) | 1) + 1);
    t.set(saved);
    if (pendingExp[e]! >= 0) expectations.remove(pendingExp[e]!);
    bytesPassed += bytes[e]!;
    state[e] = 0;
    free[freeTop++] = e;
    live--;
  };
  const expire = (nowMs: number): void => {
    while (hSize > 0 && hAt[0]! <= nowMs) {
      const at = hAt[0]!;
      const e = hId[0]!;
      heapPop();
      if (state[e] === 0 || heapAt[e] !== at) continue;
      if (expMs[e]! > at) {
        heapAt[e] = expMs[e]!;
        heapPush(expMs[e]!, e);
        continue;
      }
      heapAt[e] = Infinity;
      destroy(e);
    }
    // expectations: few, checked when one is looked up (below) or replaced
  };
  const addrA = new Int32Array(4);
  const addrB = new Int32Array(4);
  const help = (e: number, d: number, seq: number, p0: number, p1: number, nowMs: number): void => {
    const nl = e * 4 + d * 2;
    const count = nlNum[e * 2 + d]!;
    let found = false;
    for (let i = 0; i < count; i++) if (nlSeq[nl + i] === seq) found = true;
    if (found) {
      const port = announcement(buf, p0, p1, d, t, addrA);
      if (port > 0) {
        // from the announcer's peer: the packet's destination
        for (let k = 0; k < 4; k++) addrB[k] = t[4 + k]!;
        expectations.add(e, addrB, addrA, port, t[9]!, nowMs);
      }
    }
    if (buf[p1 - 1] === 10) {
      const after = (seq + (p1 - p0)) | 0;
      for (let i = 0; i < count; i++) if (nlSeq[nl + i] === after) return;
      if (count < 2) {
        nlSeq[nl + count] = after;
        nlNum[e * 2 + d] = count + 1;
      } else {
        const oldest = ((nlSeq[nl]! - nlSeq[nl + 1]!) | 0) < 0 ? 0 : 1;
        if (((nlSeq[nl + oldest]! - after) | 0) < 0) nlSeq[nl + oldest] = after;
      }
    }
  };

  try {
    if (!fill(24)) throw new Error('ceiling: no pcap header');
    const magic = buf[0]! | (buf[1]! << 8) | (buf[2]! << 16) | (buf[3]! << 24);
    if (magic !== (0xa1b2c3d4 | 0) || (buf[20]! | (buf[21]! << 8)) !== 1) throw new Error('ceiling: a little-endian microsecond Ethernet pcap only');
    pos = 24;
    for (;;) {
      if (!fill(16)) break;
      const caplen = buf[pos + 8]! | (buf[pos + 9]! << 8) | (buf[pos + 10]! << 16) | (buf[pos + 11]! << 24);
      if (!fill(16 + caplen)) break;
      const sec = buf[pos]! | (buf[pos + 1]! << 8) | (buf[pos + 2]! << 16) | (buf[pos + 3]! << 24);
      const usec = buf[pos + 4]! | (buf[pos + 5]! << 8) | (buf[pos + 6]! << 16) | (buf[pos + 7]! << 24);
      const nowMs = sec * 1000 + usec / 1000;
      const frame = pos + 16;
      pos = frame + caplen;
      packets++;
      let ip = frame + 14;
      let ethertype = (buf[frame + 12]! << 8) | buf[frame + 13]!;
      if (ethertype === 0x8100) {
        ethertype = (buf[frame + 16]! << 8) | buf[frame + 17]!;
        ip += 4;
      }
      let l4: number;
      let stop: number;
      if (ethertype === 0x0800) {
        if (buf[ip + 9] !== 6 || ((buf[ip + 6]! & 0x3f) | buf[ip + 7]!) !== 0) continue;
        l4 = ip + (buf[ip]! & 15) * 4;
        stop = ip + ((buf[ip + 2]! << 8) | buf[ip + 3]!);
        t[0] = 0;
        t[1] = 0;
        t[2] = 0;
        t[3] = (buf[ip + 12]! << 24) | (buf[ip + 13]! << 16) | (buf[ip + 14]! << 8) | buf[ip + 15]!;
        t[4] = 0;
        t[5] = 0;
        t[6] = 0;
        t[7] = (buf[ip + 16]! << 24) | (buf[ip + 17]! << 16) | (buf[ip + 18]! << 8) | buf[ip + 19]!;
        t[9] = (4 << 8) | 6;
      } else if (ethertype === 0x86dd) {
        if (buf[ip + 6] !== 6) continue;
        l4 = ip + 40;
        stop = l4 + ((buf[ip + 4]! << 8) | buf[ip + 5]!);
        for (let k = 0; k < 8; k++) {
          const a = ip + 8 + 4 * k;
          t[k] = (buf[a]! << 24) | (buf[a + 1]! << 16) | (buf[a + 2]! << 8) | buf[a + 3]!;
        }
        t[9] = (6 << 8) | 6;
      } else continue;
      if (stop > pos) stop = pos;
      const sport = (buf[l4]! << 8) | buf[l4 + 1]!;
      const dport = (buf[l4 + 2]! << 8) | buf[l4 + 3]!;
      const seq = (buf[l4 + 4]! << 24) | (buf[l4 + 5]! << 16) | (buf[l4 + 6]! << 8) | buf[l4 + 7]!;
      const tcpFlags = buf[l4 + 13]!;
      const p0 = l4 + (buf[l4 + 12]! >> 4) * 4;
      const len = stop > p0 ? stop - p0 : 0;
      t[8] = (sport << 16) | dport;
      expire(nowMs);
      // find the connection by this direction's tuple
      const h = tupleHash(0, 4, t[8]!);
      let e = -1;
      let d = 0;
      for (let i = h & SLOT_MASK; slot[i] !== 0; i = (i + 1) & SLOT_MASK) {
        if (slotHash[i] !== h) continue;
        const v = slot[i]! - 1;
        const c = v >> 1;
        const b = c * W;
        if (tup[b + 9] !== t[9]) continue;
        const dir = v & 1;
        const ps = tup[b + 8]!;
        if (dir === 0 ? ps !== t[8] : ((ps & 0xffff) << 16 | (ps >>> 16)) !== t[8]) continue;
        const s = dir === 0 ? 0 : 4;
        const dd = 4 - s;
        let same = true;
        for (let k = 0; k < 4 && same; k++) same = tup[b + s + k] === t[k] && tup[b + dd + k] === t[4 + k];
        if (!same) continue;
        e = c;
        d = dir;
        break;
      }
      const syn = (tcpFlags & 0x12) === 0x02;
      if (ftpwallTcp) {
        pk.tcpFlags = tcpFlags;
        pk.seq = seq;
        pk.ack = (buf[l4 + 8]! << 24) | (buf[l4 + 9]! << 16) | (buf[l4 + 10]! << 8) | buf[l4 + 11]!;
        pk.window = (buf[l4 + 14]! << 8) | buf[l4 + 15]!;
        pk.payloadLen = len;
      }
      if (e >= 0) {
        if (ftpwallTcp) {
          const r = tcpPacket(rows, e + 1, view, d as 0 | 1, seenReply[e] !== 0, (flags[e]! & F_ASSURED) !== 0, stateMs, LINUX_TCP_TIMEOUTS_SEC, tcpOut);
          if (r.code === TCP_REOPEN) {
            heapAt[e] = Infinity;
            destroy(e);
            e = -1;
          } else if (r.code !== TCP_ACCEPT) {
            denied++;
            continue;
          } else {
            if (d === 1) seenReply[e] = 1;
            if (r.assured) flags[e] = flags[e]! | F_ASSURED;
            pkts[e] = pkts[e]! + 1;
            bytes[e] = bytes[e]! + len;
            if (r.kill) {
              heapAt[e] = Infinity;
              destroy(e);
              continue;
            }
            if (r.timeoutMs >= 0) setDue(e, r.timeoutMs, nowMs);
            if (len > 0 && (flags[e]! & F_HELPER) !== 0 && rows.state[e + 1] === TCP_ESTABLISHED) help(e, d, seq, p0, p0 + len, nowMs);
            continue;
          }
        } else if (syn && state[e]! >= TIME_WAIT) {
          heapAt[e] = Infinity;
          destroy(e);
          e = -1;
        } else {
          pkts[e] = pkts[e]! + 1;
          bytes[e] = bytes[e]! + len;
          const st = state[e]!;
          if (tcpFlags & 0x04) setTimeout(e, CLOSE, nowMs);
          else if (st === SYN_SENT) {
            if (d === 1 && (tcpFlags & 0x12) === 0x12) setTimeout(e, SYN_RECV, nowMs);
            else setTimeout(e, st, nowMs);
          } else if (st === SYN_RECV && d === 0 && (tcpFlags & 0x10) !== 0) setTimeout(e, ESTABLISHED, nowMs);
          else if (tcpFlags & 0x01) {
            flags[e] = flags[e]! | (d === 0 ? F_FIN0 : F_FIN1);
            setTimeout(e, (flags[e]! & (F_FIN0 | F_FIN1)) === (F_FIN0 | F_FIN1) ? TIME_WAIT : FIN_WAIT, nowMs);
          } else setTimeout(e, st, nowMs);
          if (len > 0 && (flags[e]! & F_HELPER) !== 0 && state[e] === ESTABLISHED) help(e, d, seq, p0, p0 + len, nowMs);
          continue;
        }
      }
      // a new connection: a SYN, admitted by the bench policy (TCP to the server's port 21) or an expectation
      if (!syn || freeTop === 0 || (ftpwallTcp && !tcpNew(view, rows))) {
        denied++;
        continue;
      }
      const x = expectations.find(t, nowMs);
      const server = t[9] === ((4 << 8) | 6) ? t[7] === (0xc0a80a01 | 0) : t[4] === (0x20010db8 | 0) && t[5] === 0x100000 && t[6] === 0 && t[7] === 1;
      if (x < 0 && !(dport === 21 && server)) {
        denied++;
        continue;
      }
      e = free[--freeTop]!;
      const b = e * W;
      for (let k = 0; k < W; k++) tup[b + k] = t[k]!;
      flags[e] = x < 0 ? F_HELPER : 0;
      if (x >= 0) {
        expectations.remove(x);
        linked++;
      }
      nlNum[e * 2] = 0;
      nlNum[e * 2 + 1] = 0;
      pkts[e] = 1;
      bytes[e] = 0;
      heapAt[e] = Infinity;
      slotInsert(h, ((e << 1) | 0) + 1);
      slotInsert(entryHash(e, 1), ((e << 1) | 1) + 1);
      t[8] = (sport << 16) | dport;
      connections++;
      if (++live > peakLive) peakLive = live;
      if (ftpwallTcp) {
        seenReply[e] = 0;
        state[e] = SYN_SENT; // live (the tracker's own state is in its rows)
        rows.copy(0, e + 1);
        const r = tcpPacket(rows, e + 1, view, 0, false, false, stateMs, LINUX_TCP_TIMEOUTS_SEC, tcpOut);
        setDue(e, r.timeoutMs >= 0 ? r.timeoutMs : stateMs[SYN_SENT]!, nowMs);
      } else setTimeout(e, SYN_SENT, nowMs);
    }
    // what is still live goes at the end of the capture
    for (let e = 0; e < MAX_ENTRIES; e++) if (state[e] !== 0) bytesPassed += bytes[e]!;
  } finally {
    closeSync(fd);
  }
  return { packets, connections, linked, denied, peakLive, bytesPassed };
}
