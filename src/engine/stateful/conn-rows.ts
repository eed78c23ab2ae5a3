/**
 * The numbers of every conntrack entry that change as its packets pass: its timer and the TCP
 * tracking data (struct ip_ct_tcp, reduced), as struct-of-arrays, one row per connection slot.
 * A packet reads and writes them in place: no object per connection for them, and no boxed
 * double per time field (an object's double fields are each a separate heap number in V8).
 * Row 0 is the scratch row of the entry being made (tcp_new and the first timer run before the
 * entry has a slot); the conntrack table copies it into the entry's row at insert. Sequence and
 * acknowledgment numbers are int32 (`x | 0`, the wire's 32 bits): serial comparisons
 * ((a - b) | 0) and equality work the same as on the u32.
 */

import { grown } from '../../collections/typed-grow.js';

/** The row of the entry being made, before it has a slot. */
export const SCRATCH_ROW = 0;

/** Flag bits per direction d: KNOWN << d (td_end is set), UNACKED << d (data not yet acknowledged), CLOSE_INIT << d (d sent the first FIN). */
export const KNOWN = 1;
export const UNACKED = 4;
export const CLOSE_INIT = 16;
/** a SYN answered a SYN (TCP_SYN_SENT2 was passed) */
export const SIMULTANEOUS_OPEN = 64;
/** a SYN in LAST_ACK: the next ACK from the other side may be an RFC 5961 challenge ACK */
export const CHALLENGE_ACK = 128;

/** nf_conntrack_udp_packet: a reply after the first 2 s makes a UDP entry a stream (ct->proto.udp.stream_ts). */
const UDP_STREAM_WINDOW_MS = 2000;

/** Rows allocated at first (the scratch row and the table's first 256 slots); doubled as needed. */
const FIRST_ROWS = 257;

/** The columns; row `slot + 1` belongs to the entry in table slot `slot` (connRow). */
export class ConnRows {
  rows = 0;
  state = new Uint8Array(0);
  /** the flag bits above */
  bits = new Uint8Array(0);
  /** highest seq + len (+SYN, +FIN) seen, ORIGINAL then REPLY */
  tdEnd0 = new Int32Array(0);
  tdEnd1 = new Int32Array(0);
  lastIndex = new Uint8Array(0);
  lastDir = new Uint8Array(0);
  lastSeq = new Int32Array(0);
  lastAck = new Int32Array(0);
  lastEnd = new Int32Array(0);
  lastWin = new Int32Array(0);
  retrans = new Int32Array(0);
  /** when the entry times out (virtual clock) */
  expiresMs = new Float64Array(0);
  /** the timeout last set (for messages) */
  timeoutMs = new Float64Array(0);
  /** due time of the entry's live heap timer, Infinity when none */
  heapAtMs = new Float64Array(0);
  /** udp: the end of the first 2 s (ct->proto.udp.stream_ts) */
  udpStreamMs = new Float64Array(0);

  constructor() {
    this.ensure(FIRST_ROWS);
  }

  /** Makes room for rows [0, n). */
  ensure(n: number): void {
    if (n <= this.rows) return;
    let size = Math.max(this.rows, FIRST_ROWS);
    while (size < n) size *= 2;
    this.state = grown(this.state, size);
    this.bits = grown(this.bits, size);
    this.lastIndex = grown(this.lastIndex, size);
    this.lastDir = grown(this.lastDir, size);
    this.tdEnd0 = grown(this.tdEnd0, size);
    this.tdEnd1 = grown(this.tdEnd1, size);
    this.lastSeq = grown(this.lastSeq, size);
    this.lastAck = grown(this.lastAck, size);
    this.lastEnd = grown(this.lastEnd, size);
    this.lastWin = grown(this.lastWin, size);
    this.retrans = grown(this.retrans, size);
    this.expiresMs = grown(this.expiresMs, size);
    this.timeoutMs = grown(this.timeoutMs, size);
    this.heapAtMs = grown(this.heapAtMs, size);
    this.udpStreamMs = grown(this.udpStreamMs, size);
    this.rows = size;
  }

  /** Starts the scratch row's timer for the entry being made: no timeout yet, no heap timer; a UDP stream window from `nowMs`. */
  startScratchTimer(nowMs: number): void {
    this.expiresMs[SCRATCH_ROW] = Infinity;
    this.timeoutMs[SCRATCH_ROW] = 0;
    this.heapAtMs[SCRATCH_ROW] = Infinity;
    this.udpStreamMs[SCRATCH_ROW] = nowMs + UDP_STREAM_WINDOW_MS;
  }

  /** Copies row `from` into row `to`. */
  copy(from: number, to: number): void {
    this.state[to] = this.state[from]!;
    this.bits[to] = this.bits[from]!;
    this.tdEnd0[to] = this.tdEnd0[from]!;
    this.tdEnd1[to] = this.tdEnd1[from]!;
    this.lastIndex[to] = this.lastIndex[from]!;
    this.lastDir[to] = this.lastDir[from]!;
    this.lastSeq[to] = this.lastSeq[from]!;
    this.lastAck[to] = this.lastAck[from]!;
    this.lastEnd[to] = this.lastEnd[from]!;
    this.lastWin[to] = this.lastWin[from]!;
    this.retrans[to] = this.retrans[from]!;
    this.expiresMs[to] = this.expiresMs[from]!;
    this.timeoutMs[to] = this.timeoutMs[from]!;
    this.heapAtMs[to] = this.heapAtMs[from]!;
    this.udpStreamMs[to] = this.udpStreamMs[from]!;
  }
}
