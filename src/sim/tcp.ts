/**
 * TCP endpoint behaviour, simplified but real (RFC 9293): three-way handshake with
 * seq/ack arithmetic (SYN and FIN take one sequence number each), MSS-sized data
 * segments with PSH on the last of each write, a receive window, ACKs every second
 * segment or at the end of the tick (so a reply carries the ACK of the command),
 * FIN teardown, RST for a port nobody listens on, and retransmission with
 * exponential backoff: SYN (tcp_syn_retries), SYN-ACK (tcp_synack_retries) and data.
 */
import { formatEndpoint, type IpAddress } from '../net/address.js';
import { PROTO_TCP, TCP_ACK, TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN, type Packet } from '../net/packet.js';
import { formatDurationMs, type Timer } from './clock.js';
import type { HostStack, Listener } from './host-stack.js';
import type { Network } from './network.js';
import type { ByteSource } from './prng.js';

/** The window every simulated endpoint advertises (Linux's initial 64240 = 44 × 1460). */
export const TCP_WINDOW = 64240;
/** RFC 9293 3.7.1 with 20-byte IP and TCP headers on a 1500-byte MTU: 1460 (IPv4), 1440 (IPv6). */
export function mssFor(family: 4 | 6): number {
  return family === 4 ? 1460 : 1440;
}
/** Linux TCP_RTO_MIN is 200 ms: the first data retransmission after a loss on a fast path. */
export const DATA_INITIAL_RTO_MS = 200;
/** How often a data segment is retransmitted before the connection is given up (kept small: 6). */
export const DATA_RETRIES = 6;
/** Linux tcp_synack_retries default. */
export const SYNACK_RETRIES = 5;
/** Linux TCP_TIMEOUT_INIT: the first SYN-ACK retransmission after 1 s. */
export const SYNACK_INITIAL_RTO_MS = 1000;

/** Connection states (RFC 9293 3.3.2), lower case. */
export type TcpState =
  | 'closed'
  | 'syn-sent'
  | 'syn-recv'
  | 'established'
  | 'fin-wait-1'
  | 'fin-wait-2'
  | 'close-wait'
  | 'closing'
  | 'last-ack'
  | 'time-wait';

/** Why an active open failed. */
export interface ConnectFailure {
  /** timeout: no SYN-ACK after every retry; refused: RST in answer to the SYN */
  readonly kind: 'timeout' | 'refused';
  /** how many SYNs were sent */
  readonly syns: number;
  /** from the first SYN to the failure */
  readonly elapsedMs: number;
}

/** What the application hears from its socket. Set the ones it needs. */
export interface SocketHandlers {
  onConnected?(): void;
  onConnectFailed?(failure: ConnectFailure): void;
  onData?(data: Uint8Array): void;
  /** the peer's FIN arrived (all its data has been delivered) */
  onEnd?(): void;
  /** everything written (and the FIN, after close) has been acknowledged */
  onDrained?(): void;
  /** the connection died: RST, or no ACK after DATA_RETRIES retransmissions */
  onAborted?(reason: string): void;
}

/** Options of an active open. */
export interface ConnectOptions {
  /** names the endpoint in events: "client 10.0.0.2" */
  readonly who: string;
  readonly synRetries: number;
  readonly initialRtoMs: number;
  /** the interface towards the destination when no host has its address */
  readonly via?: string;
}

interface Segment {
  readonly seq: number;
  readonly data: Uint8Array;
  readonly psh: boolean;
  readonly fin: boolean;
  /** sequence space taken: data length, plus one for FIN */
  readonly len: number;
}

/** An empty payload. */
export const EMPTY = new Uint8Array(0);
/** Addition in sequence space (modulo 2^32). */
export const add = (a: number, b: number): number => (a + b) >>> 0;
/** Signed distance a - b in sequence space (RFC 9293 3.4 modulo-2^32 comparisons). */
const diff = (a: number, b: number): number => (a - b) | 0;

/** Builds a TCP packet. */
export function tcpPacket(
  src: IpAddress,
  srcPort: number,
  dst: IpAddress,
  dstPort: number,
  tcpFlags: number,
  seq: number,
  ack: number,
  payload: Uint8Array,
  window = TCP_WINDOW,
): Packet {
  return { src, dst, proto: PROTO_TCP, srcPort, dstPort, tcpFlags, seq: seq >>> 0, ack: ack >>> 0, window, payload, fragment: 'none' };
}

/** One end of a TCP connection. */
export class TcpSocket {
  state: TcpState = 'closed';
  private iss = 0;
  private irs = 0;
  private sndUna = 0;
  private sndNxt = 0;
  /**
   * One past the highest sequence number ever sent. `sndNxt` steps back to `sndUna` after an
   * RTO; ACKs are still valid up to here (Linux tcp_ack checks against the highest sent,
   * BSD's snd_max), and pure ACKs carry it as their seq (BSD tcp_output, Linux tcp_acceptable_seq).
   */
  private sndMax = 0;
  private rcvNxt = 0;
  /** sequence number after the last byte (or FIN) cut into a segment */
  private queuedEnd = 0;
  /** written and not yet cut into segments, in order: byte ranges of what the application wrote, and the FIN (no `src`) */
  private unsplit: { readonly src: ByteSource | undefined; off: number; readonly end: number }[] = [];
  /**
   * Queued segments, in order: those before `head` are acknowledged (dropped in bulk when they
   * fill half the array, so a long transfer costs linear time, not a splice per ACK), those from
   * `head` to `nextIdx` are sent and unacknowledged, the rest unsent.
   */
  private segs: Segment[] = [];
  private head = 0;
  private nextIdx = 0;
  private finQueued = false;
  private timer: Timer | undefined;
  private rtoMs = DATA_INITIAL_RTO_MS;
  private retries = 0;
  /** after an RTO: send one segment per ACK until the lost one is acknowledged */
  private recovering = false;
  private retransmitBelow = 0;
  private retransmitNote = '';
  private synAttempts = 0;
  private synRetries = 0;
  private firstSynAtMs = 0;
  private needAck = false;
  private segsSinceAck = 0;
  private ackFlush: Timer | undefined;
  private listener: Listener | undefined;
  private readonly mss: number;

  constructor(
    readonly stack: HostStack,
    readonly localPort: number,
    readonly remote: IpAddress,
    readonly remotePort: number,
    readonly who: string,
    private readonly via: string | undefined,
    public handlers: SocketHandlers,
  ) {
    this.mss = mssFor(remote.family);
  }

  /** True while the application may still write (not closed, no FIN queued). */
  get writable(): boolean {
    return !this.finQueued && this.state !== 'closed';
  }

  /** `10.0.0.2:50000`-style text of the remote end. */
  get remoteText(): string {
    return formatEndpoint(this.remote, this.remotePort);
  }

  private get net(): Network {
    return this.stack.net;
  }

  private emit(flags: number, seq: number, payload: Uint8Array, note?: string): number | undefined {
    const ack = flags & TCP_ACK ? this.rcvNxt : 0;
    if (flags & TCP_ACK) {
      this.needAck = false;
      this.segsSinceAck = 0;
    }
    return this.net.transmit(tcpPacket(this.stack.addr, this.localPort, this.remote, this.remotePort, flags, seq, ack, payload), note, this.via);
  }

  /** Active open: SYN now, retransmitted `synRetries` times with backoff from `initialRtoMs`. */
  openActive(synRetries: number, initialRtoMs: number): void {
    this.state = 'syn-sent';
    this.iss = this.net.isnSource.nextUint32();
    this.sndUna = this.iss;
    this.sndNxt = add(this.iss, 1);
    this.sndMax = this.sndNxt;
    // nothing sent yet is a retransmission (a 0 here marked every sequence number past 2^31 as one)
    this.retransmitBelow = this.sndNxt;
    this.queuedEnd = this.sndNxt;
    this.synRetries = synRetries;
    this.rtoMs = initialRtoMs;
    this.synAttempts = 1;
    this.firstSynAtMs = this.net.queue.nowMs;
    this.emit(TCP_SYN, this.iss, EMPTY);
    this.timer = this.net.queue.after(this.rtoMs, () => this.onSynTimer());
  }

  private onSynTimer(): void {
    if (this.synAttempts > this.synRetries) {
      this.destroy();
      this.handlers.onConnectFailed?.({ kind: 'timeout', syns: this.synAttempts, elapsedMs: this.net.queue.nowMs - this.firstSynAtMs });
      return;
    }
    this.synAttempts++;
    const waited = formatDurationMs(this.rtoMs);
    const n = this.emit(TCP_SYN, this.iss, EMPTY, `retransmission ${this.synAttempts - 1} (after ${waited})`);
    this.net.endpointEvent(`${this.who} retransmits SYN to ${this.remoteText} (attempt ${this.synAttempts}, after ${waited})`, n);
    this.rtoMs *= 2;
    this.timer = this.net.queue.after(this.rtoMs, () => this.onSynTimer());
  }

  /** Passive open from a listener: SYN-ACK now, retransmitted like Linux (tcp_synack_retries). */
  openPassive(syn: Packet, listener: Listener): void {
    this.state = 'syn-recv';
    this.listener = listener;
    this.irs = syn.seq;
    this.rcvNxt = add(syn.seq, 1);
    this.iss = this.net.isnSource.nextUint32();
    this.sndUna = this.iss;
    this.sndNxt = add(this.iss, 1);
    this.sndMax = this.sndNxt;
    // nothing sent yet is a retransmission (a 0 here marked every sequence number past 2^31 as one)
    this.retransmitBelow = this.sndNxt;
    this.queuedEnd = this.sndNxt;
    this.rtoMs = SYNACK_INITIAL_RTO_MS;
    this.synAttempts = 1;
    this.emit(TCP_SYN | TCP_ACK, this.iss, EMPTY);
    this.timer = this.net.queue.after(this.rtoMs, () => this.onSynAckTimer());
  }

  private onSynAckTimer(): void {
    if (this.synAttempts > SYNACK_RETRIES) {
      this.net.endpointEvent(`${this.who} drops the half-open connection from ${this.remoteText} after ${this.synAttempts} SYN-ACKs`);
      this.destroy();
      return;
    }
    this.synAttempts++;
    const waited = formatDurationMs(this.rtoMs);
    const n = this.emit(TCP_SYN | TCP_ACK, this.iss, EMPTY, `retransmission ${this.synAttempts - 1} (after ${waited})`);
    this.net.endpointEvent(`${this.who} retransmits SYN-ACK to ${this.remoteText} (attempt ${this.synAttempts}, after ${waited})`, n);
    this.rtoMs *= 2;
    this.timer = this.net.queue.after(this.rtoMs, () => this.onSynAckTimer());
  }

  /**
   * Queues data; `splitAt` cuts it into separate segments at those byte offsets (each with PSH).
   * The data is cut into segments only as they are sent, so a long write (a file made on demand)
   * holds no more than the unacknowledged window.
   */
  write(data: ByteSource, splitAt?: readonly number[]): void {
    if (this.finQueued) throw new Error('write after close');
    let from = 0;
    if (splitAt) {
      for (const c of splitAt) {
        if (c > 0 && c < data.length && c > from) {
          this.unsplit.push({ src: data, off: from, end: c });
          from = c;
        }
      }
    }
    if (data.length > from) this.unsplit.push({ src: data, off: from, end: data.length });
    this.output();
  }

  /** Cuts the next segment from the queued data (or the queued FIN); false when nothing is queued. */
  private cut(): boolean {
    const u = this.unsplit[0];
    if (!u) return false;
    if (!u.src) {
      this.segs.push({ seq: this.queuedEnd, data: EMPTY, psh: false, fin: true, len: 1 });
      this.queuedEnd = add(this.queuedEnd, 1);
      this.unsplit.shift();
      return true;
    }
    const end = Math.min(u.end, u.off + this.mss);
    this.segs.push({ seq: this.queuedEnd, data: u.src.subarray(u.off, end), psh: end === u.end, fin: false, len: end - u.off });
    this.queuedEnd = add(this.queuedEnd, end - u.off);
    u.off = end;
    if (u.off === u.end) this.unsplit.shift();
    return true;
  }

  /** Closes our direction: a FIN after the queued data. */
  close(): void {
    if (this.state === 'syn-sent' || this.state === 'syn-recv') {
      this.destroy();
      return;
    }
    if (this.finQueued || this.state === 'closed') return;
    this.finQueued = true;
    this.unsplit.push({ src: undefined, off: 0, end: 0 });
    if (this.state === 'established') this.state = 'fin-wait-1';
    else if (this.state === 'close-wait') this.state = 'last-ack';
    this.output();
  }

  /** Stops everything without a packet (the application gave up, or a timer expired). */
  destroy(): void {
    this.state = 'closed';
    if (this.timer) this.timer.cancelled = true;
    if (this.ackFlush) this.ackFlush.cancelled = true;
    this.stack.remove(this);
  }

  private canSend(): boolean {
    const s = this.state;
    return s === 'established' || s === 'close-wait' || s === 'fin-wait-1' || s === 'last-ack' || s === 'closing';
  }

  private output(): void {
    if (!this.canSend()) return;
    while (this.nextIdx < this.segs.length || this.cut()) {
      const seg = this.segs[this.nextIdx]!;
      if (seg.data.length > 0 && diff(add(seg.seq, seg.data.length), this.sndUna) > TCP_WINDOW) break;
      const retransmission = diff(seg.seq, this.retransmitBelow) < 0;
      const flags = TCP_ACK | (seg.psh ? TCP_PSH : 0) | (seg.fin ? TCP_FIN : 0);
      this.emit(flags, seg.seq, seg.data, retransmission ? this.retransmitNote : undefined);
      this.sndNxt = add(seg.seq, seg.len);
      if (diff(this.sndNxt, this.sndMax) > 0) this.sndMax = this.sndNxt;
      this.nextIdx++;
      if (this.recovering) break;
    }
    if (!this.timer && this.sndMax !== this.sndUna) this.timer = this.net.queue.after(this.rtoMs, () => this.onRetransmitTimer());
  }

  private onRetransmitTimer(): void {
    this.timer = undefined;
    if (this.retries >= DATA_RETRIES) {
      this.net.endpointEvent(`${this.who} gives up the connection to ${this.remoteText}: no ACK after ${this.retries} retransmissions`);
      this.destroy();
      this.handlers.onAborted?.(`no ACK from ${this.remoteText} after ${this.retries} retransmissions`);
      return;
    }
    this.retries++;
    const waited = formatDurationMs(this.rtoMs);
    this.retransmitNote = `retransmission ${this.retries} (after ${waited})`;
    this.retransmitBelow = this.sndMax;
    this.net.endpointEvent(`${this.who} retransmits to ${this.remoteText} from seq ${this.sndUna} (retransmission ${this.retries}, after ${waited})`);
    // Go back to the first unacknowledged segment and resend it alone (cwnd = 1 after an RTO).
    this.sndNxt = this.sndUna;
    this.nextIdx = this.head;
    this.recovering = true;
    this.rtoMs *= 2;
    this.output();
  }

  private sendAck(): void {
    this.emit(TCP_ACK, this.sndMax, EMPTY);
  }

  private scheduleAck(): void {
    if (this.segsSinceAck >= 2) {
      this.sendAck();
      return;
    }
    // At the end of this instant, unless a reply carried the ACK (delayed ACK, RFC 9293 3.8.6.3).
    if (this.ackFlush && !this.ackFlush.cancelled) return;
    this.ackFlush = this.net.queue.after(0, () => {
      this.ackFlush = undefined;
      if (this.needAck && this.state !== 'closed') this.sendAck();
    });
  }

  private onAck(ack: number): void {
    // Acceptable: above sndUna and not above what was ever sent (RFC 9293 3.10.7.4, with
    // snd_max for SND.NXT as in Linux tcp_ack: after an RTO the peer may acknowledge
    // segments we are about to resend when only its ACKs were lost).
    if (diff(ack, this.sndUna) <= 0 || diff(ack, this.sndMax) > 0) return;
    this.sndUna = ack;
    const start = this.head;
    while (this.head < this.segs.length && diff(add(this.segs[this.head]!.seq, this.segs[this.head]!.len), ack) <= 0) this.head++;
    const finAcked = this.head > start && this.segs[this.head - 1]!.fin;
    if (diff(ack, this.sndNxt) > 0) {
      // The ACK covers segments not yet resent since the RTO: resume after them.
      this.sndNxt = ack;
      this.nextIdx = this.head;
    }
    if (this.nextIdx < this.head) this.nextIdx = this.head;
    if (this.head > this.segs.length >>> 1) {
      this.segs = this.segs.slice(this.head);
      this.nextIdx -= this.head;
      this.head = 0;
    }
    this.retries = 0;
    this.recovering = false;
    this.rtoMs = DATA_INITIAL_RTO_MS;
    if (this.timer) this.timer.cancelled = true;
    this.timer = undefined;
    if (finAcked) {
      if (this.state === 'fin-wait-1') this.state = 'fin-wait-2';
      else if (this.state === 'closing') this.state = 'time-wait';
      else if (this.state === 'last-ack') this.destroy();
    }
    this.output();
    if (this.head === this.segs.length && this.unsplit.length === 0) this.handlers.onDrained?.();
  }

  /** A packet for this connection arrives. */
  receive(p: Packet): void {
    const f = p.tcpFlags;
    if (f & TCP_RST) {
      if (this.state === 'syn-sent') {
        if (f & TCP_ACK && p.ack === this.sndNxt) {
          this.destroy();
          this.handlers.onConnectFailed?.({ kind: 'refused', syns: this.synAttempts, elapsedMs: this.net.queue.nowMs - this.firstSynAtMs });
        }
        return;
      }
      if (this.state === 'closed' || this.state === 'time-wait') return;
      this.destroy();
      this.handlers.onAborted?.(`reset by ${this.remoteText}`);
      return;
    }
    if (this.state === 'syn-sent') {
      if ((f & (TCP_SYN | TCP_ACK)) === (TCP_SYN | TCP_ACK) && p.ack === this.sndNxt) {
        this.irs = p.seq;
        this.rcvNxt = add(p.seq, 1);
        this.sndUna = p.ack;
        this.state = 'established';
        if (this.timer) this.timer.cancelled = true;
        this.timer = undefined;
        this.rtoMs = DATA_INITIAL_RTO_MS;
        this.sendAck();
        this.handlers.onConnected?.();
        this.output();
      }
      return;
    }
    if (this.state === 'syn-recv') {
      if ((f & (TCP_SYN | TCP_ACK)) === TCP_SYN && p.seq === this.irs) {
        // Linux answers a repeated SYN with the SYN-ACK again (tcp_check_req → inet_rtx_syn_ack).
        this.emit(TCP_SYN | TCP_ACK, this.iss, EMPTY, 'retransmission (answer to a repeated SYN)');
        return;
      }
      if (!(f & TCP_ACK) || p.ack !== this.sndNxt) return;
      this.state = 'established';
      this.sndUna = p.ack;
      if (this.timer) this.timer.cancelled = true;
      this.timer = undefined;
      this.rtoMs = DATA_INITIAL_RTO_MS;
      const l = this.listener;
      this.listener = undefined;
      l?.onAccept(this);
      // fall through: the ACK may carry data
    }
    if (this.state === 'closed') return;
    if (f & TCP_SYN) {
      // Our handshake ACK was lost and the peer repeats its SYN-ACK: acknowledge again.
      if (p.seq === this.irs) this.sendAck();
      return;
    }
    if (f & TCP_ACK) this.onAck(p.ack);
    const len = p.payload.length + (f & TCP_FIN ? 1 : 0);
    if (len === 0) return;
    if (p.seq !== this.rcvNxt || this.state === 'time-wait' || this.state === 'close-wait' || this.state === 'last-ack' || this.state === 'closing') {
      // Out of order, a duplicate, or after the peer's FIN: a duplicate ACK (RFC 9293 3.10.7.4).
      this.sendAck();
      return;
    }
    this.rcvNxt = add(this.rcvNxt, len);
    this.needAck = true;
    // Delayed ACK counts data segments: every second one is acknowledged at once (RFC 9293 3.8.6.3).
    if (p.payload.length > 0) this.segsSinceAck++;
    const fin = (f & TCP_FIN) !== 0;
    if (fin) {
      if (this.state === 'established') this.state = 'close-wait';
      else if (this.state === 'fin-wait-1') this.state = 'closing';
      else if (this.state === 'fin-wait-2') this.state = 'time-wait';
    }
    this.scheduleAck();
    if (p.payload.length > 0) this.handlers.onData?.(p.payload);
    if (fin) this.handlers.onEnd?.();
  }
}
