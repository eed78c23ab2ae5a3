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
    this.state = grown8(this.state, size);
    this.bits = grown8(this.bits, size);
    this.lastIndex = grown8(this.lastIndex, size);
    this.lastDir = grown8(this.lastDir, size);
    this.tdEnd0 = grown32(this.tdEnd0, size);
    this.tdEnd1 = grown32(this.tdEnd1, size);
    this.lastSeq = grown32(this.lastSeq, size);
    this.lastAck = grown32(this.lastAck, size);
    this.lastEnd = grown32(this.lastEnd, size);
    this.lastWin = grown32(this.lastWin, size);
    this.retrans = grown32(this.retrans, size);
    this.expiresMs = grown64(this.expiresMs, size);
    this.timeoutMs = grown64(this.timeoutMs, size);
    this.heapAtMs = grown64(this.heapAtMs, size);
    this.udpStreamMs = grown64(this.udpStreamMs, size);
    this.rows = size;
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

function grown8(a: Uint8Array<ArrayBuffer>, n: number): Uint8Array<ArrayBuffer> {
  const b = new Uint8Array(n);
  b.set(a);
  return b;
}

function grown32(a: Int32Array<ArrayBuffer>, n: number): Int32Array<ArrayBuffer> {
  const b = new Int32Array(n);
  b.set(a);
  return b;
}

function grown64(a: Float64Array<ArrayBuffer>, n: number): Float64Array<ArrayBuffer> {
  const b = new Float64Array(n);
  b.set(a);
  return b;
}
