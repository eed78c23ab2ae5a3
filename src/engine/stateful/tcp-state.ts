/**
 * The TCP connection tracker of nf_conntrack_proto_tcp: the state table
 * (tcp_conntracks[dir][index][state]), the valid-flags check (tcp_error), the
 * first-packet check (tcp_new) and the timeout choice of nf_conntrack_tcp_packet,
 * with Linux's default timeouts. Window bounds (tcp_in_window's four checks) are
 * not modelled: every segment counts as in window; only what the timeout choice
 * needs is kept (segment ends, unacknowledged data, retransmissions, last window).
 */
import { TCP_ACK, TCP_CWR, TCP_ECE, TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN, TCP_URG, payloadLength, type Packet } from '../../net/packet.js';

/** Conntrack TCP states, numbered as enum tcp_conntrack. */
export const TCP_NONE = 0;
export const TCP_SYN_SENT = 1;
export const TCP_SYN_RECV = 2;
export const TCP_ESTABLISHED = 3;
export const TCP_FIN_WAIT = 4;
export const TCP_CLOSE_WAIT = 5;
export const TCP_LAST_ACK = 6;
export const TCP_TIME_WAIT = 7;
export const TCP_CLOSE = 8;
export const TCP_SYN_SENT2 = 9;
const SIV = 10; // TCP_CONNTRACK_MAX: invalid
const SIG = 11; // TCP_CONNTRACK_IGNORE

/** State names as /proc/net/nf_conntrack prints them (tcp_conntrack_names). */
export const TCP_STATE_NAMES: readonly string[] = [
  'NONE', 'SYN_SENT', 'SYN_RECV', 'ESTABLISHED', 'FIN_WAIT', 'CLOSE_WAIT', 'LAST_ACK', 'TIME_WAIT', 'CLOSE', 'SYN_SENT2',
];

/** Which of SYN, SYN-ACK, FIN, ACK, RST, none a segment is (get_conntrack_index). */
export const IDX_SYN = 0;
export const IDX_SYNACK = 1;
export const IDX_FIN = 2;
export const IDX_ACK = 3;
export const IDX_RST = 4;
export const IDX_NONE = 5;

/** Per-state timeouts in seconds (nf_conntrack_tcp_timeout_* sysctls). */
export interface TcpTimeoutsSec {
  readonly synSent: number;
  readonly synRecv: number;
  readonly established: number;
  readonly finWait: number;
  readonly closeWait: number;
  readonly lastAck: number;
  readonly timeWait: number;
  readonly close: number;
  /** no sysctl in Linux; kept for completeness */
  readonly synSent2: number;
  /** nf_conntrack_tcp_timeout_max_retrans */
  readonly maxRetrans: number;
  readonly unacknowledged: number;
}

/** tcp_timeouts[] in nf_conntrack_proto_tcp.c (v6.17): 2 MINS, 60 SECS, 5 DAYS, 2 MINS, 60 SECS, 30 SECS, 2 MINS, 10 SECS, 2 MINS, 5 MINS, 5 MINS. */
export const LINUX_TCP_TIMEOUTS_SEC: TcpTimeoutsSec = {
  synSent: 120,
  synRecv: 60,
  established: 432000,
  finWait: 120,
  closeWait: 60,
  lastAck: 30,
  timeWait: 120,
  close: 10,
  synSent2: 120,
  maxRetrans: 300,
  unacknowledged: 300,
};

/** nf_conntrack_tcp_init_net: tcp_max_retrans = 3. */
const TCP_MAX_RETRANS = 3;

/** Timeouts indexed by state number, in ms, for the hot path. */
export function timeoutTableMs(t: TcpTimeoutsSec): Float64Array {
  const secs = [0, t.synSent, t.synRecv, t.established, t.finWait, t.closeWait, t.lastAck, t.timeWait, t.close, t.synSent2];
  return Float64Array.from(secs, (s) => s * 1000);
}

const sSS = TCP_SYN_SENT, sSR = TCP_SYN_RECV, sES = TCP_ESTABLISHED, sFW = TCP_FIN_WAIT;
const sCW = TCP_CLOSE_WAIT, sLA = TCP_LAST_ACK, sTW = TCP_TIME_WAIT, sCL = TCP_CLOSE, sS2 = TCP_SYN_SENT2;

/** tcp_conntracks[dir][index][state], flattened: dir * 60 + index * 10 + state. Columns: sNO sSS sSR sES sFW sCW sLA sTW sCL sS2. */
const TABLE = Uint8Array.from([
  // ORIGINAL
  /* syn    */ sSS, sSS, SIG, SIG, SIG, SIG, SIG, sSS, sSS, sS2,
  /* synack */ SIV, SIV, sSR, SIV, SIV, SIV, SIV, SIV, SIV, sSR,
  /* fin    */ SIV, SIV, sFW, sFW, sLA, sLA, sLA, sTW, sCL, SIV,
  /* ack    */ sES, SIV, sES, sES, sCW, sCW, sTW, sTW, sCL, SIV,
  /* rst    */ SIV, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL,
  /* none   */ SIV, SIV, SIV, SIV, SIV, SIV, SIV, SIV, SIV, SIV,
  // REPLY
  /* syn    */ SIV, sS2, SIV, SIV, SIV, SIV, SIV, sSS, SIV, sS2,
  /* synack */ SIV, sSR, SIG, SIG, SIG, SIG, SIG, SIG, SIG, sSR,
  /* fin    */ SIV, SIV, sFW, sFW, sLA, sLA, sLA, sTW, sCL, SIV,
  /* ack    */ SIV, SIG, sSR, sES, sCW, sCW, sTW, sTW, sCL, SIG,
  /* rst    */ SIV, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL,
  /* none   */ SIV, SIV, SIV, SIV, SIV, SIV, SIV, SIV, SIV, SIV,
]);

/** get_conntrack_index: RST first, then SYN(-ACK), FIN, ACK. */
export function tcpIndex(flags: number): number {
  if (flags & TCP_RST) return IDX_RST;
  if (flags & TCP_SYN) return flags & TCP_ACK ? IDX_SYNACK : IDX_SYN;
  if (flags & TCP_FIN) return IDX_FIN;
  if (flags & TCP_ACK) return IDX_ACK;
  return IDX_NONE;
}

/** tcp_error's tcp_valid_flags[]: the combinations of FIN/SYN/RST/ACK/URG conntrack accepts (PSH, ECE, CWR ignored). */
export function tcpFlagsValid(flags: number): boolean {
  const f = flags & ~(TCP_ECE | TCP_CWR | TCP_PSH) & 0xff;
  switch (f) {
    case TCP_SYN:
    case TCP_SYN | TCP_URG:
    case TCP_SYN | TCP_ACK:
    case TCP_RST:
    case TCP_RST | TCP_ACK:
    case TCP_FIN | TCP_ACK:
    case TCP_FIN | TCP_ACK | TCP_URG:
    case TCP_ACK:
    case TCP_ACK | TCP_URG:
      return true;
    default:
      return false;
  }
}

/**
 * The per-connection TCP tracking data (struct ip_ct_tcp, reduced), in scalar fields (no small
 * array per direction): direction 0 = ORIGINAL, 1 = REPLY. Sequence and acknowledgment numbers
 * are kept as int32 (`x | 0`, the same 32 bits as the wire's u32): V8 keeps int32 values
 * unboxed, where a u32 above 2^31 would be a heap number allocated on every store. Serial
 * comparisons ((a - b) | 0) and equality work the same on both forms.
 */
export interface TcpTrack {
  state: number;
  /** highest seq + len (+SYN, +FIN) seen, ORIGINAL then REPLY (read with tdEnd()) */
  tdEnd0: number;
  tdEnd1: number;
  /** per direction d: KNOWN << d (td_end is set), UNACKED << d (data not yet acknowledged), CLOSE_INIT << d (IP_CT_TCP_FLAG_CLOSE_INIT: d sent the first FIN) */
  bits: number;
  lastIndex: number;
  lastDir: number;
  lastSeq: number;
  lastAck: number;
  lastEnd: number;
  lastWin: number;
  retrans: number;
  simultaneousOpen: boolean;
  challengeAck: boolean;
}

const KNOWN = 1;
const UNACKED = 4;
const CLOSE_INIT = 16;

/** td_end of direction `dir`. */
export function tdEnd(t: TcpTrack, dir: number): number {
  return dir === 0 ? t.tdEnd0 : t.tdEnd1;
}

function setTdEnd(t: TcpTrack, dir: number, end: number): void {
  if (dir === 0) t.tdEnd0 = end;
  else t.tdEnd1 = end;
}

/** seq + payload + SYN + FIN (segment_seq_plus_len), as int32 (see TcpTrack). */
export function segmentEnd(p: Packet): number {
  return (p.seq + payloadLength(p) + (p.tcpFlags & TCP_SYN ? 1 : 0) + (p.tcpFlags & TCP_FIN ? 1 : 0)) | 0;
}

/** RFC 1982 serial-number compare, as the kernel's after(). */
function after(a: number, b: number): boolean {
  return ((b - a) | 0) < 0;
}

/**
 * tcp_new: whether a first packet can create a conntrack. SYN gives SYN_SENT; with
 * nf_conntrack_tcp_loose = 1 (the default) an ACK picks up a connection mid-stream;
 * SYN-ACK, FIN, RST and flagless segments are "invalid new". Returns the initial tracking data or undefined.
 */
export function tcpNew(p: Packet): TcpTrack | undefined {
  if (!tcpFlagsValid(p.tcpFlags)) return undefined;
  const s = TABLE[tcpIndex(p.tcpFlags) * 10 + TCP_NONE]!;
  if (s >= SIV) return undefined;
  return {
    state: TCP_NONE,
    tdEnd0: segmentEnd(p),
    tdEnd1: 0,
    bits: KNOWN,
    lastIndex: IDX_NONE,
    lastDir: 0,
    lastSeq: 0,
    lastAck: 0,
    lastEnd: 0,
    lastWin: 0,
    retrans: 0,
    simultaneousOpen: false,
    challengeAck: false,
  };
}

/** What nf_conntrack_tcp_packet decided. */
export const TCP_ACCEPT = 0; // in window: state and timer updated
export const TCP_IGNORED = 1; // accepted, conntrack unchanged (sIG)
export const TCP_INVALID = 2; // no conntrack for this packet (ct state invalid)
export const TCP_REOPEN = 3; // a SYN reopens a closed connection: destroy and look up again

/** Reusable output of tcpPacket (no allocation per packet). */
export interface TcpResult {
  code: number;
  oldState: number;
  newState: number;
  /** the timeout to set, ms; -1 = leave the timer as it is */
  timeoutMs: number;
  /** RST while no reply was seen: the kernel deletes the entry at once (nf_ct_kill_acct) */
  kill: boolean;
  /** the connection became ASSURED */
  assured: boolean;
}

/** Runs one segment through the tracker: nf_conntrack_tcp_packet without the window bounds. */
export function tcpPacket(
  t: TcpTrack,
  p: Packet,
  dir: 0 | 1,
  seenReply: boolean,
  assured: boolean,
  stateMs: Float64Array,
  limits: TcpTimeoutsSec,
  out: TcpResult,
): TcpResult {
  const index = tcpIndex(p.tcpFlags);
  out.kill = false;
  out.assured = false;
  out.timeoutMs = -1;
  let oldState = t.state;
  let newState = TABLE[dir * 60 + index * 10 + oldState]!;
  out.oldState = oldState;
  out.newState = oldState;
  if (!tcpFlagsValid(p.tcpFlags)) {
    out.code = TCP_INVALID;
    return out;
  }
  const end = segmentEnd(p);
  if (newState === TCP_SYN_SENT && oldState >= TCP_TIME_WAIT) {
    // RFC 1122 reopen from TIME_WAIT/CLOSE: only after a FIN, or after an RST from this side.
    if ((t.bits & (CLOSE_INIT * 3)) !== 0 || (t.lastDir === dir && t.lastIndex === IDX_RST)) {
      out.code = TCP_REOPEN;
      return out;
    }
    newState = SIG;
  }
  if (newState === SIG) {
    if (index === IDX_SYNACK && t.lastIndex === IDX_SYN && t.lastDir !== dir && (p.ack | 0) === t.lastEnd) {
      // the SYN-ACK answers a SYN we ignored: client and server are in sync, we catch up
      oldState = TCP_SYN_SENT;
      newState = TCP_SYN_RECV;
      setTdEnd(t, 1 - dir, t.lastEnd);
      t.bits = (t.bits | (KNOWN << (1 - dir))) & ~(KNOWN << dir);
      t.challengeAck = false;
    } else {
      t.lastIndex = index;
      t.lastDir = dir;
      t.lastSeq = p.seq | 0;
      t.lastEnd = end;
      t.lastWin = p.window;
      if (index === IDX_SYN && dir === 0) t.challengeAck = oldState === TCP_LAST_ACK;
      if (oldState === TCP_SYN_SENT && index === IDX_ACK && dir === 1) t.lastAck = p.ack | 0;
      out.code = TCP_IGNORED;
      return out;
    }
  } else if (newState === SIV) {
    out.code = TCP_INVALID;
    return out;
  } else if (newState === TCP_TIME_WAIT) {
    if (oldState === TCP_LAST_ACK && index === IDX_ACK && t.lastDir !== dir && t.lastIndex === IDX_SYN && t.challengeAck) {
      // RFC 5961 challenge ACK answering a SYN: not the last ACK of the close
      t.challengeAck = false;
      out.code = TCP_IGNORED;
      return out;
    }
  } else if (newState === TCP_SYN_SENT2) {
    t.simultaneousOpen = true;
  } else if (newState === TCP_SYN_RECV) {
    if (dir === 1 && index === IDX_ACK && t.simultaneousOpen) newState = TCP_ESTABLISHED;
  }
  trackWindow(t, p, dir, index, end, oldState);

  t.lastIndex = index;
  t.lastDir = dir;
  t.state = newState;
  if (oldState !== newState && newState === TCP_FIN_WAIT) t.bits |= CLOSE_INIT << dir;

  const stateTimeoutMs = stateMs[newState]!;
  const retransMs = limits.maxRetrans * 1000;
  const unackMs = limits.unacknowledged * 1000;
  let timeoutMs: number;
  if (t.retrans >= TCP_MAX_RETRANS && stateTimeoutMs > retransMs) timeoutMs = retransMs;
  else if (index === IDX_RST) timeoutMs = limits.close * 1000;
  else if ((t.bits & (UNACKED * 3)) !== 0 && stateTimeoutMs > unackMs) timeoutMs = unackMs;
  else if (t.lastWin === 0 && stateTimeoutMs > retransMs) timeoutMs = retransMs;
  else timeoutMs = stateTimeoutMs;

  out.code = TCP_ACCEPT;
  out.oldState = oldState;
  out.newState = newState;
  if (!seenReply) {
    if (p.tcpFlags & TCP_RST) {
      out.kill = true; // "If only reply is a RST, we can consider ourselves not to have an established connection"
      return out;
    }
    if (index === IDX_SYN && oldState === TCP_SYN_SENT) return out; // a SYN retransmit does not renew the timer
    if (newState === TCP_ESTABLISHED && timeoutMs > unackMs) timeoutMs = unackMs; // mid-stream pick-up
  } else if (!assured && (oldState === TCP_SYN_RECV || oldState === TCP_ESTABLISHED) && newState === TCP_ESTABLISHED) {
    out.assured = true;
  }
  out.timeoutMs = timeoutMs;
  return out;
}

/** The parts of tcp_in_window that feed the timeout choice: segment ends, unacknowledged data, retransmissions. */
function trackWindow(t: TcpTrack, p: Packet, dir: 0 | 1, index: number, end: number, state: number): void {
  const other = (1 - dir) as 0 | 1;
  const syn = (p.tcpFlags & TCP_SYN) !== 0;
  const hasAck = (p.tcpFlags & TCP_ACK) !== 0;
  if ((t.bits & (KNOWN << dir)) === 0) {
    t.bits |= KNOWN << dir;
    setTdEnd(t, dir, end);
    if (syn && !hasAck) return; // simultaneous open
  } else if (syn && after(end, tdEnd(t, dir)) && (state === TCP_SYN_SENT || state === TCP_SYN_RECV)) {
    setTdEnd(t, dir, end); // re-initialised SYN (RFC 793: larger sequence numbers)
    if (dir === 1 && !hasAck) return;
  }
  // no ACK (or a broken RST+ACK with ack 0): "just pretend it was set and OK"
  const ack = !hasAck || ((p.tcpFlags & TCP_RST) !== 0 && p.ack === 0) ? tdEnd(t, other) : p.ack | 0;
  if (after(end, tdEnd(t, dir))) {
    setTdEnd(t, dir, end);
    t.bits |= UNACKED << dir;
  }
  if (ack === tdEnd(t, other)) t.bits &= ~(UNACKED << other);
  if (index === IDX_ACK) {
    const seq = p.seq | 0;
    if (t.lastDir === dir && t.lastSeq === seq && t.lastAck === ack && t.lastEnd === end && t.lastWin === p.window) {
      t.retrans++;
    } else {
      t.lastDir = dir;
      t.lastSeq = seq;
      t.lastAck = ack;
      t.lastEnd = end;
      t.lastWin = p.window;
      t.retrans = 0;
    }
  }
}
