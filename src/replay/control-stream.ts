/**
 * One direction of an FTP control connection, reassembled in TCP sequence order
 * (RFC 9293 3.4: sequence numbers modulo 2^32) into lines. Retransmitted bytes
 * are skipped, segments that arrive early are held until the gap fills, all
 * within fixed bounds so a hostile capture cannot grow memory. A gap the
 * capture will never fill (the recording lost a segment the receiver got) is
 * skipped, so one lost segment does not silence the rest of the connection.
 */
import { TCP_SYN } from '../net/packet.js';

export { latin1 } from '../wire/latin1.js';

/** Longest control line kept (RFC 959 sets no limit; real lines are far shorter). */
export const MAX_LINE_BYTES = 64 * 1024;
/**
 * Segments that may arrive beyond a gap before the gap is taken as lost in the
 * capture and skipped; also the bound on segments held per direction. A real gap
 * fills with the sender's retransmission (RFC 6298: after at most one RTO), long
 * before this many segments follow it on a control connection.
 */
export const MAX_HELD_SEGMENTS = 8;
/** How far ahead of the next expected byte a held segment may start. */
export const MAX_HELD_AHEAD_BYTES = 64 * 1024;

const LF = 10;
const NO_BYTES = new Uint8Array(0);
/** A line buffer's first size: most control lines fit. */
const FIRST_LINE_BYTES = 256;
const CR = 13;

/**
 * Reads the complete lines of every stream it is given to: one object shared by all streams,
 * told the stream's owner and direction (no closure per stream). The line is bytes[start, end)
 * with CR LF removed, completed by packet `packet`; the bytes are valid only during the call
 * (latin1() makes a string of a line that is wanted).
 */
export interface LineReader<T> {
  line(owner: T, from: 0 | 1, bytes: Uint8Array, start: number, end: number, packet: number): void;
}

const STARTED = 1;
const OVERFLOW = 2;
const HAS_PEER_ACK = 4;
const FROM_SERVER = 8;

interface Held {
  readonly seq: number;
  readonly data: Uint8Array;
}

/**
 * What a stream needs only when a line spans segments, segments come out of order, or bytes are
 * retransmitted or lost: made at the first such segment, so an orderly control connection (one
 * line per segment, as most are) keeps four fields per direction.
 */
class Spill {
  /** the unfinished line: bytes are copied only while a line is incomplete at the end of a segment */
  buf: Uint8Array = NO_BYTES;
  used = 0;
  /** segments held beyond a gap; made when the first one is held */
  held: Held[] | undefined = undefined;
  /** segments that arrived beyond the current gap */
  gapSegments = 0;
  /** bytes skipped because they were already seen */
  retransmittedBytes = 0;
  /** bytes lost: gaps skipped, the unfinished lines they cut, and what a bound dropped */
  lostBytes = 0;
  /** gaps skipped because the capture would never fill them */
  skippedGaps = 0;
}

/**
 * A reassembly buffer for one direction of one control connection. Sequence numbers are kept
 * as int32 (`x | 0`: the wire's 32 bits, unboxed in V8); comparisons are serial ((a - b) | 0).
 */
export class ControlStream<T> {
  /** next expected sequence number, valid once started */
  private nextSeq = 0;
  /** STARTED | OVERFLOW | HAS_PEER_ACK | FROM_SERVER: yes/no facts in one field (a stream is made per control direction) */
  private bits: number;
  /** highest acknowledgment number the peer sent for this direction; valid when hasPeerAck */
  private peerAck = 0;
  /** the rarely needed state, made when first needed */
  private spill: Spill | undefined = undefined;

  constructor(
    private readonly reader: LineReader<T>,
    private readonly owner: T,
    /** 0 client → server, 1 server → client */
    from: 0 | 1,
  ) {
    this.bits = from === 1 ? FROM_SERVER : 0;
  }

  /** bytes skipped because they were already seen (retransmissions) */
  get retransmittedBytes(): number {
    return this.spill === undefined ? 0 : this.spill.retransmittedBytes;
  }

  /** bytes lost: gaps skipped, the unfinished lines they cut, and what a bound dropped */
  get lostBytes(): number {
    return this.spill === undefined ? 0 : this.spill.lostBytes;
  }

  /** gaps skipped because the capture would never fill them */
  get skippedGaps(): number {
    return this.spill === undefined ? 0 : this.spill.skippedGaps;
  }

  /** the SYN or the first data segment was seen */
  private get started(): boolean {
    return (this.bits & STARTED) !== 0;
  }

  private set started(on: boolean) {
    this.bits = on ? this.bits | STARTED : this.bits & ~STARTED;
  }

  /** true while skipping the rest of an over-long line */
  private get overflow(): boolean {
    return (this.bits & OVERFLOW) !== 0;
  }

  private set overflow(on: boolean) {
    this.bits = on ? this.bits | OVERFLOW : this.bits & ~OVERFLOW;
  }

  private get hasPeerAck(): boolean {
    return (this.bits & HAS_PEER_ACK) !== 0;
  }

  private spilled(): Spill {
    return (this.spill ??= new Spill());
  }

  /** bytes of the unfinished line buffered */
  private get used(): number {
    return this.spill === undefined ? 0 : this.spill.used;
  }

  /** Feeds one segment of this direction. */
  push(seq: number, flags: number, payload: Uint8Array, packet: number): void {
    seq |= 0;
    if (flags & TCP_SYN) {
      this.nextSeq = (seq + 1) | 0;
      this.started = true;
      if (payload.length === 0) return;
      seq = (seq + 1) | 0;
    }
    if (payload.length === 0) return;
    if (!this.started) {
      this.nextSeq = seq;
      this.started = true;
    }
    const ahead = (seq - this.nextSeq) | 0;
    if (ahead > 0) {
      const sp = this.spilled();
      sp.gapSegments++;
      if (!this.acked(seq) && sp.gapSegments < MAX_HELD_SEGMENTS && this.heldCount() < MAX_HELD_SEGMENTS) {
        this.hold(seq, ahead, payload);
        return;
      }
      // the gap will not fill: the peer acknowledged it, or too much came after it
      (sp.held ??= []).push({ seq, data: payload.slice() });
      this.skipGap();
    } else this.accept(0 - ahead, payload, packet); // not -ahead: -0 is no small integer (V8 boxes it), and `| 0` would turn -(-2^31) negative
    this.drain(packet);
  }

  /**
   * Notes the acknowledgment number of a segment the peer sent (ACK flag set).
   * A cumulative ACK (RFC 9293 3.4) beyond bytes this stream never saw means the
   * receiver got them and the capture did not: no retransmission will fill that gap.
   */
  peerAcked(ack: number, packet: number): void {
    ack |= 0;
    if (this.hasPeerAck && ((ack - this.peerAck) | 0) <= 0) return;
    this.peerAck = ack;
    this.bits |= HAS_PEER_ACK;
    if (this.heldCount() === 0 || !this.started) return;
    const lowest = this.lowestHeld();
    if (this.acked(lowest)) {
      this.skipGap();
      this.drain(packet);
    }
  }

  /** True when the peer acknowledged every byte before `seq` (and `seq` is past nextSeq). */
  private acked(seq: number): boolean {
    return this.hasPeerAck && ((this.peerAck - seq) | 0) >= 0 && ((this.peerAck - this.nextSeq) | 0) > 0;
  }

  /** The held segment that starts first after nextSeq (sequence space mod 2^32). */
  private lowestHeld(): number {
    const held = this.spill!.held!;
    let best = held[0]!.seq;
    for (const h of held) if (((h.seq - this.nextSeq) | 0) < ((best - this.nextSeq) | 0)) best = h.seq;
    return best;
  }

  /**
   * Gives up on the gap before the first held segment: its bytes and the line it
   * cut are lost; the stream goes on at that segment (the caller drains).
   */
  private skipGap(): void {
    const to = this.lowestHeld();
    const sp = this.spill!;
    sp.lostBytes += ((to - this.nextSeq) | 0) + (this.overflow ? 0 : sp.used);
    sp.used = 0;
    this.overflow = false;
    this.nextSeq = to;
    sp.skippedGaps++;
  }

  /** Appends payload[skip..] (skip = bytes already seen) and moves nextSeq. */
  private accept(skip: number, payload: Uint8Array, packet: number): void {
    const len = payload.length;
    if (skip >= len) {
      this.spilled().retransmittedBytes += len;
      return;
    }
    if (skip > 0) this.spilled().retransmittedBytes += skip;
    this.nextSeq = (this.nextSeq + len - skip) | 0;
    let from = skip;
    for (let i = skip; i < len; i++) {
      if (payload[i] !== LF) continue;
      this.lineEnd(payload, from, i, packet);
      from = i + 1;
    }
    if (from < len) this.append(payload, from, len);
  }

  /** A line feed at payload[to]: the line is what is buffered plus payload[from, to). */
  private lineEnd(payload: Uint8Array, from: number, to: number, packet: number): void {
    const sp = this.spill;
    if (this.overflow) {
      // the rest of an over-long line: skipped, as its start was
      this.overflow = false;
      sp!.used = 0;
      return;
    }
    if (sp === undefined || sp.used === 0) {
      if (to - from > MAX_LINE_BYTES) {
        this.spilled().lostBytes += MAX_LINE_BYTES;
        return;
      }
      this.emit(payload, from, to, packet);
      return;
    }
    this.append(payload, from, to);
    if (this.overflow) {
      this.overflow = false;
      sp.used = 0;
      return;
    }
    this.emit(sp.buf, 0, sp.used, packet);
    sp.used = 0;
  }

  /** A complete line bytes[start, end) (its LF removed; a CR before it is removed here). */
  private emit(bytes: Uint8Array, start: number, end: number, packet: number): void {
    if (end > start && bytes[end - 1] === CR) end--;
    this.reader.line(this.owner, (this.bits & FROM_SERVER) !== 0 ? 1 : 0, bytes, start, end, packet);
  }

  /**
   * Buffers payload[from, to) of an unfinished line. A line longer than MAX_LINE_BYTES is
   * dropped: its first MAX_LINE_BYTES count as lost, the rest is skipped up to its LF.
   */
  private append(payload: Uint8Array, from: number, to: number): void {
    if (this.overflow) return;
    const sp = this.spilled();
    const n = to - from;
    const need = sp.used + n;
    if (need > MAX_LINE_BYTES) {
      this.overflow = true;
      sp.lostBytes += MAX_LINE_BYTES;
      sp.used = 0;
      return;
    }
    if (need > sp.buf.length) {
      let size = sp.buf.length === 0 ? FIRST_LINE_BYTES : sp.buf.length;
      while (size < need) size = Math.min(MAX_LINE_BYTES, size * 4);
      const bigger = new Uint8Array(size);
      for (let i = 0; i < sp.used; i++) bigger[i] = sp.buf[i]!;
      sp.buf = bigger;
    }
    const buf = sp.buf;
    let at = sp.used;
    for (let i = from; i < to; i++) buf[at++] = payload[i]!;
    sp.used = at;
  }

  private hold(seq: number, ahead: number, payload: Uint8Array): void {
    const sp = this.spilled();
    if (ahead > MAX_HELD_AHEAD_BYTES) {
      sp.lostBytes += payload.length;
      return;
    }
    // a copy: the payload is a view of a capture chunk the reader may drop
    (sp.held ??= []).push({ seq, data: payload.slice() });
  }

  private heldCount(): number {
    const held = this.spill === undefined ? undefined : this.spill.held;
    return held === undefined ? 0 : held.length;
  }

  /** Moves held segments that now start at or before nextSeq into the stream. */
  private drain(packet: number): void {
    const sp = this.spill;
    const held = sp === undefined ? undefined : sp.held;
    if (held === undefined) return;
    let progress = true;
    while (progress && held.length > 0) {
      progress = false;
      for (let i = 0; i < held.length; i++) {
        const h = held[i]!;
        const ahead = (h.seq - this.nextSeq) | 0;
        if (ahead > 0) continue;
        held.splice(i, 1);
        this.accept(0 - ahead, h.data, packet);
        progress = true;
        break;
      }
    }
    // what is still held lies beyond a new gap: it has waited this many segments already
    sp!.gapSegments = held.length;
  }

  /** Bytes held for later (out-of-order segments and the unfinished line). */
  heldBytes(): number {
    let n = this.used;
    const held = this.spill === undefined ? undefined : this.spill.held;
    if (held !== undefined) for (const h of held) n += h.data.length;
    return n;
  }
}
