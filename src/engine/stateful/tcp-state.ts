/**
 * The TCP connection tracker of nf_conntrack_proto_tcp: the state table
 * (tcp_conntracks[dir][index][state]), the valid-flags check (tcp_error), the
 * first-packet check (tcp_new) and the timeout choice of nf_conntrack_tcp_packet,
 * with Linux's default timeouts. Window bounds (tcp_in_window's four checks) are
 * not modelled: every segment counts as in window; only what the timeout choice
 * needs is kept (segment ends, unacknowledged data, retransmissions, last window).
 */
import { CHALLENGE_ACK, CLOSE_INIT, KNOWN, SCRATCH_ROW, SIMULTANEOUS_OPEN, UNACKED, type ConnRows } from './conn-rows.js';
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

/** td_end of direction `dir` in row `i`. */
export function tdEnd(t: ConnRows, i: number, dir: number): number {
  return dir === 0 ? t.tdEnd0[i]! : t.tdEnd1[i]!;
}

function setTdEnd(t: ConnRows, i: number, dir: number, end: number): void {
  if (dir === 0) t.tdEnd0[i] = end;
  else t.tdEnd1[i] = end;
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
 * SYN-ACK, FIN, RST and flagless segments are "invalid new". When it can, the initial tracking
 * data is written into the scratch row (the entry has no slot yet) and true is returned.
 */
export function tcpNew(p: Packet, t: ConnRows): boolean {
  if (!tcpFlagsValid(p.tcpFlags)) return false;
  const s = TABLE[tcpIndex(p.tcpFlags) * 10 + TCP_NONE]!;
  if (s >= SIV) return false;
  const i = SCRATCH_ROW;
  t.state[i] = TCP_NONE;
  t.bits[i] = KNOWN;
  t.tdEnd0[i] = segmentEnd(p);
  t.tdEnd1[i] = 0;
  t.lastIndex[i] = IDX_NONE;
  t.lastDir[i] = 0;
  t.lastSeq[i] = 0;
  t.lastAck[i] = 0;
  t.lastEnd[i] = 0;
  t.lastWin[i] = 0;
  t.retrans[i] = 0;
  return true;
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
  t: ConnRows,
  i: number,
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
  let oldState = t.state[i]!;
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
    if ((t.bits[i]! & (CLOSE_INIT * 3)) !== 0 || (t.lastDir[i]! === dir && t.lastIndex[i]! === IDX_RST)) {
      out.code = TCP_REOPEN;
      return out;
    }
    newState = SIG;
  }
  if (newState === SIG) {
    if (index === IDX_SYNACK && t.lastIndex[i]! === IDX_SYN && t.lastDir[i]! !== dir && (p.ack | 0) === t.lastEnd[i]!) {
      // the SYN-ACK answers a SYN we ignored: client and server are in sync, we catch up
      oldState = TCP_SYN_SENT;
      newState = TCP_SYN_RECV;
      setTdEnd(t, i, 1 - dir, t.lastEnd[i]!);
      t.bits[i] = (t.bits[i]! | (KNOWN << (1 - dir))) & ~(KNOWN << dir);
      t.bits[i] = t.bits[i]! & ~CHALLENGE_ACK;
    } else {
      t.lastIndex[i] = index;
      t.lastDir[i] = dir;
      t.lastSeq[i] = p.seq | 0;
      t.lastEnd[i] = end;
      t.lastWin[i] = p.window;
      if (index === IDX_SYN && dir === 0) t.bits[i] = oldState === TCP_LAST_ACK ? t.bits[i]! | CHALLENGE_ACK : t.bits[i]! & ~CHALLENGE_ACK;
      if (oldState === TCP_SYN_SENT && index === IDX_ACK && dir === 1) t.lastAck[i] = p.ack | 0;
      out.code = TCP_IGNORED;
      return out;
    }
  } else if (newState === SIV) {
    out.code = TCP_INVALID;
    return out;
  } else if (newState === TCP_TIME_WAIT) {
    if (oldState === TCP_LAST_ACK && index === IDX_ACK && t.lastDir[i]! !== dir && t.lastIndex[i]! === IDX_SYN && (t.bits[i]! & CHALLENGE_ACK) !== 0) {
      // RFC 5961 challenge ACK answering a SYN: not the last ACK of the close
      t.bits[i] = t.bits[i]! & ~CHALLENGE_ACK;
      out.code = TCP_IGNORED;
      return out;
    }
  } else if (newState === TCP_SYN_SENT2) {
    t.bits[i] = t.bits[i]! | SIMULTANEOUS_OPEN;
  } else if (newState === TCP_SYN_RECV) {
    if (dir === 1 && index === IDX_ACK && (t.bits[i]! & SIMULTANEOUS_OPEN) !== 0) newState = TCP_ESTABLISHED;
  }
  trackWindow(t, i, p, dir, index, end, oldState);

  t.lastIndex[i] = index;
  t.lastDir[i] = dir;
  t.state[i] = newState;
  if (oldState !== newState && newState === TCP_FIN_WAIT) t.bits[i] = t.bits[i]! | (CLOSE_INIT << dir);

  const stateTimeoutMs = stateMs[newState]!;
  const retransMs = limits.maxRetrans * 1000;
  const unackMs = limits.unacknowledged * 1000;
  let timeoutMs: number;
  if (t.retrans[i]! >= TCP_MAX_RETRANS && stateTimeoutMs > retransMs) timeoutMs = retransMs;
  else if (index === IDX_RST) timeoutMs = limits.close * 1000;
  else if ((t.bits[i]! & (UNACKED * 3)) !== 0 && stateTimeoutMs > unackMs) timeoutMs = unackMs;
  else if (t.lastWin[i]! === 0 && stateTimeoutMs > retransMs) timeoutMs = retransMs;
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
function trackWindow(t: ConnRows, i: number, p: Packet, dir: 0 | 1, index: number, end: number, state: number): void {
  const other = (1 - dir) as 0 | 1;
  const syn = (p.tcpFlags & TCP_SYN) !== 0;
  const hasAck = (p.tcpFlags & TCP_ACK) !== 0;
  if ((t.bits[i]! & (KNOWN << dir)) === 0) {
    t.bits[i] = t.bits[i]! | (KNOWN << dir);
    setTdEnd(t, i, dir, end);
    if (syn && !hasAck) return; // simultaneous open
  } else if (syn && after(end, tdEnd(t, i, dir)) && (state === TCP_SYN_SENT || state === TCP_SYN_RECV)) {
    setTdEnd(t, i, dir, end); // re-initialised SYN (RFC 793: larger sequence numbers)
    if (dir === 1 && !hasAck) return;
  }
  // no ACK (or a broken RST+ACK with ack 0): "just pretend it was set and OK"
  const ack = !hasAck || ((p.tcpFlags & TCP_RST) !== 0 && p.ack === 0) ? tdEnd(t, i, other) : p.ack | 0;
  if (after(end, tdEnd(t, i, dir))) {
    setTdEnd(t, i, dir, end);
    t.bits[i] = t.bits[i]! | (UNACKED << dir);
  }
  if (ack === tdEnd(t, i, other)) t.bits[i] = t.bits[i]! & ~(UNACKED << other);
  if (index === IDX_ACK) {
    const seq = p.seq | 0;
    if (t.lastDir[i]! === dir && t.lastSeq[i]! === seq && t.lastAck[i]! === ack && t.lastEnd[i]! === end && t.lastWin[i]! === p.window) {
      t.retrans[i] = t.retrans[i]! + 1;
    } else {
      t.lastDir[i] = dir;
      t.lastSeq[i] = seq;
      t.lastAck[i] = ack;
      t.lastEnd[i] = end;
      t.lastWin[i] = p.window;
      t.retrans[i] = 0;
    }
  }
}
