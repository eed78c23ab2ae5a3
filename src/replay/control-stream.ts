/**
 * One direction of an FTP control connection, reassembled in TCP sequence order
 * (RFC 9293 3.4: sequence numbers modulo 2^32) into lines. Retransmitted bytes
 * are skipped, segments that arrive early are held until the gap fills, all
 * within fixed bounds so a hostile capture cannot grow memory. A gap the
 * capture will never fill (the recording lost a segment the receiver got) is
 * skipped, so one lost segment does not silence the rest of the connection.
 */
import { TCP_SYN } from '../net/packet.js';

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

/** Receives each complete line (without CR LF) and the packet number that completed it. */
export type LineSink = (line: string, packet: number) => void;

/**
 * Says from a complete line's bytes (bytes[0, length), CR LF removed) whether the sink wants
 * it; a line it refuses is never made into a string. Default: every line.
 */
export type LineFilter = (bytes: Uint8Array, length: number) => boolean;

interface Held {
  readonly seq: number;
  readonly data: Uint8Array;
}

/** A reassembly buffer for one direction of one control connection. */
export class ControlStream {
  /** next expected sequence number; -1 until the SYN or first data segment is seen */
  private nextSeq = -1;
  /** the unfinished line; allocated at its first byte (a SYN flood to port 21 costs no buffers) */
  private buf: Uint8Array = NO_BYTES;
  private used = 0;
  /** true while skipping the rest of an over-long line */
  private overflow = false;
  private held: Held[] = [];
  /** segments that arrived beyond the current gap */
  private gapSegments = 0;
  /** highest acknowledgment number the peer sent for this direction; valid when hasPeerAck */
  private peerAck = 0;
  private hasPeerAck = false;
  /** bytes skipped because they were already seen (retransmissions) */
  retransmittedBytes = 0;
  /** bytes lost: gaps skipped, the unfinished lines they cut, and what a bound dropped */
  lostBytes = 0;
  /** gaps skipped because the capture would never fill them */
  skippedGaps = 0;

  constructor(
    private readonly sink: LineSink,
    private readonly wanted?: LineFilter,
  ) {}

  /** Feeds one segment of this direction. */
  push(seq: number, flags: number, payload: Uint8Array, packet: number): void {
    if (flags & TCP_SYN) {
      this.nextSeq = (seq + 1) >>> 0;
      if (payload.length === 0) return;
      seq = (seq + 1) >>> 0;
    }
    if (payload.length === 0) return;
    if (this.nextSeq < 0) this.nextSeq = seq;
    const ahead = (seq - this.nextSeq) | 0;
    if (ahead > 0) {
      this.gapSegments++;
      if (!this.acked(seq) && this.gapSegments < MAX_HELD_SEGMENTS && this.held.length < MAX_HELD_SEGMENTS) {
        this.hold(seq, ahead, payload);
        return;
      }
      // the gap will not fill: the peer acknowledged it, or too much came after it
      this.held.push({ seq, data: payload.slice() });
      this.skipGap();
    } else this.accept(-ahead, payload, packet);
    this.drain(packet);
  }

  /**
   * Notes the acknowledgment number of a segment the peer sent (ACK flag set).
   * A cumulative ACK (RFC 9293 3.4) beyond bytes this stream never saw means the
   * receiver got them and the capture did not: no retransmission will fill that gap.
   */
  peerAcked(ack: number, packet: number): void {
    if (this.hasPeerAck && ((ack - this.peerAck) | 0) <= 0) return;
    this.peerAck = ack >>> 0;
    this.hasPeerAck = true;
    if (this.held.length === 0 || this.nextSeq < 0) return;
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
    let best = this.held[0]!.seq;
    for (const h of this.held) if (((h.seq - this.nextSeq) | 0) < ((best - this.nextSeq) | 0)) best = h.seq;
    return best;
  }

  /**
   * Gives up on the gap before the first held segment: its bytes and the line it
   * cut are lost; the stream goes on at that segment (the caller drains).
   */
  private skipGap(): void {
    const to = this.lowestHeld();
    this.lostBytes += ((to - this.nextSeq) | 0) + (this.overflow ? 0 : this.used);
    this.used = 0;
    this.overflow = false;
    this.nextSeq = to;
    this.skippedGaps++;
  }

  /** Appends payload[skip..] (skip = bytes already seen) and moves nextSeq. */
  private accept(skip: number, payload: Uint8Array, packet: number): void {
    if (skip >= payload.length) {
      this.retransmittedBytes += payload.length;
      return;
    }
    this.retransmittedBytes += skip;
    this.nextSeq = (this.nextSeq + payload.length - skip) >>> 0;
    for (let i = skip; i < payload.length; i++) this.byte(payload[i]!, packet);
  }

  private hold(seq: number, ahead: number, payload: Uint8Array): void {
    if (ahead > MAX_HELD_AHEAD_BYTES) {
      this.lostBytes += payload.length;
      return;
    }
    // a copy: the payload is a view of a capture chunk the reader may drop
    this.held.push({ seq, data: payload.slice() });
  }

  /** Moves held segments that now start at or before nextSeq into the stream. */
  private drain(packet: number): void {
    let progress = true;
    while (progress && this.held.length > 0) {
      progress = false;
      for (let i = 0; i < this.held.length; i++) {
        const h = this.held[i]!;
        const ahead = (h.seq - this.nextSeq) | 0;
        if (ahead > 0) continue;
        this.held.splice(i, 1);
        this.accept(-ahead, h.data, packet);
        progress = true;
        break;
      }
    }
    // what is still held lies beyond a new gap: it has waited this many segments already
    this.gapSegments = this.held.length;
  }

  private byte(c: number, packet: number): void {
    if (c === LF) {
      if (!this.overflow) {
        let end = this.used;
        if (end > 0 && this.buf[end - 1] === CR) end--;
        if (this.wanted === undefined || this.wanted(this.buf, end)) this.sink(latin1(this.buf, end), packet);
      }
      this.used = 0;
      this.overflow = false;
      return;
    }
    if (this.overflow) return;
    if (this.used === this.buf.length) {
      if (this.buf.length >= MAX_LINE_BYTES) {
        this.overflow = true;
        this.lostBytes += this.used;
        this.used = 0;
        return;
      }
      const bigger = new Uint8Array(this.buf.length === 0 ? FIRST_LINE_BYTES : Math.min(MAX_LINE_BYTES, this.buf.length * 4));
      bigger.set(this.buf);
      this.buf = bigger;
    }
    this.buf[this.used++] = c;
  }

  /** Bytes held for later (out-of-order segments and the unfinished line). */
  heldBytes(): number {
    let n = this.used;
    for (const h of this.held) n += h.data.length;
    return n;
  }
}

function latin1(b: Uint8Array, end: number): string {
  // Buffer's latin1 decoder: one call, no per-byte work in JS
  return Buffer.from(b.buffer, b.byteOffset, end).toString('latin1');
}
