/**
 * The FTP helper's per-connection work (help() in nf_conntrack_ftp.c): which
 * segments it reads (seq_aft_nl positions, 2 remembered per direction), what it
 * does with a partial match (drop, position not advanced), plus ftpwall's model
 * of an encrypted control channel after AUTH TLS (the kernel knows no AUTH; it
 * reads ciphertext and in practice matches nothing, which "opaque" reproduces).
 */
import { ipv4, type IpAddress } from '../../../net/address.js';
import { FTP_SEARCH, type FtpParse, type FtpSearch } from './ftp.js';

/** struct nf_ct_ftp_master, plus the AUTH bookkeeping. */
export interface FtpHelperState {
  /** helper name as the kernel registers it: `ftp` for port 21, else `ftp-PORT` */
  readonly name: string;
  /** seq_aft_nl[dir][i] as int32 (the wire's 32 bits, unboxed): [0][0], [0][1], [1][0], [1][1] */
  nl00: number;
  nl01: number;
  nl10: number;
  nl11: number;
  /** seq_aft_nl_num[0] (bits 0-1) and [1] (bits 2-3), and OPAQUE: small facts in one field (an entry per control connection) */
  counts: number;
  /** the client's `AUTH …` line while its reply is awaited */
  authPending: string | undefined;
}

/** FtpHelperState.counts: the control channel went encrypted (AUTH TLS answered 234): the helper reads nothing more */
const OPAQUE = 16;

/** A fresh helper attachment (all zero: "0 means seq_match_aft_nl not set"). */
export function createFtpHelperState(controlPort: number): FtpHelperState {
  return {
    name: controlPort === 21 ? 'ftp' : `ftp-${controlPort}`,
    nl00: 0,
    nl01: 0,
    nl10: 0,
    nl11: 0,
    counts: 0,
    authPending: undefined,
  };
}

/** What the helper did with one segment (a match is valid until the next call: its object is reused). */
export type FtpHelpOutcome =
  | { readonly kind: 'accept' }
  | { readonly kind: 'drop'; readonly pattern: string; readonly why: string }
  | { readonly kind: 'match'; readonly entry: FtpSearch; readonly parse: Extract<FtpParse, { kind: 'match' }> }
  | { readonly kind: 'opaque'; readonly auth: string };

const ACCEPT: FtpHelpOutcome = { kind: 'accept' };
/** ftpHelp's match outcome, one object overwritten by the next match (read it before helping again) */
const MATCHED: { kind: 'match'; entry: FtpSearch; parse: Extract<FtpParse, { kind: 'match' }> } = {
  kind: 'match',
  entry: FTP_SEARCH[0]![0]!,
  parse: { kind: 'match', addr: ipv4(0), port: 0, matchOff: 0, matchLen: 0 },
};

/** seq_aft_nl[dir][i] */
function nlSeq(h: FtpHelperState, dir: number, i: number): number {
  return dir === 0 ? (i === 0 ? h.nl00 : h.nl01) : i === 0 ? h.nl10 : h.nl11;
}

function setNlSeq(h: FtpHelperState, dir: number, i: number, seq: number): void {
  if (dir === 0) {
    if (i === 0) h.nl00 = seq;
    else h.nl01 = seq;
  } else if (i === 0) h.nl10 = seq;
  else h.nl11 = seq;
}

function nlCount(h: FtpHelperState, dir: number): number {
  return (h.counts >>> (2 * dir)) & 3;
}

/** `seq` (int32) is a remembered position of direction `dir`. */
function findNlSeq(h: FtpHelperState, dir: number, seq: number): boolean {
  const n = nlCount(h, dir);
  for (let i = 0; i < n; i++) if (nlSeq(h, dir, i) === seq) return true;
  return false;
}

/** RFC 1982 serial compare (the kernel's before()/after()). */
function before(a: number, b: number): boolean {
  return ((a - b) | 0) < 0;
}

/** update_nl_seq: keep the two newest positions; an older one never replaces a newer one. `nlSeq` is int32. */
function updateNlSeq(h: FtpHelperState, dir: number, seq: number): void {
  const n = nlCount(h, dir);
  for (let i = 0; i < n; i++) if (nlSeq(h, dir, i) === seq) return;
  if (n < 2) {
    setNlSeq(h, dir, n, seq);
    h.counts = (h.counts & ~(3 << (2 * dir))) | ((n + 1) << (2 * dir));
    return;
  }
  const oldest = before(nlSeq(h, dir, 0), nlSeq(h, dir, 1)) ? 0 : 1;
  if (before(nlSeq(h, dir, oldest), seq)) setNlSeq(h, dir, oldest, seq);
}

function startsWithCi(data: Uint8Array, text: string): boolean {
  if (data.length < text.length) return false;
  for (let i = 0; i < text.length; i++) {
    const c = data[i]!;
    const l = c >= 0x41 && c <= 0x5a ? c | 0x20 : c;
    if (l !== text.charCodeAt(i)) return false;
  }
  return true;
}

function firstLine(data: Uint8Array): string {
  let s = '';
  for (let i = 0; i < data.length && i < 40; i++) {
    const c = data[i]!;
    if (c === 0x0d || c === 0x0a) break;
    s += String.fromCharCode(c);
  }
  return s.trim();
}

/**
 * Runs the helper on one ESTABLISHED segment with payload, sent in direction `dir`
 * by `sender` (the address the kernel presets into cmd.u3). The caller has checked
 * ctinfo and payload length.
 */
export function ftpHelp(h: FtpHelperState, payload: Uint8Array, seq: number, dir: 0 | 1, sender: IpAddress): FtpHelpOutcome {
  if ((h.counts & OPAQUE) !== 0) return ACCEPT;
  const len = payload.length;
  let outcome = ACCEPT;
  if (findNlSeq(h, dir, seq | 0)) {
    // scanFtp, without the object it returns
    const table = FTP_SEARCH[dir]!;
    for (let i = 0; i < table.length; i++) {
      const entry = table[i]!;
      const parse = entry.parse(payload, sender);
      if (parse.kind === 'none') continue;
      // "We don't usually drop packets. ... However, it is necessary for accurate tracking in this case."
      // goto out: the newline position is not recorded, so a retransmission is judged again.
      if (parse.kind === 'partial') return { kind: 'drop', pattern: entry.pattern, why: parse.why };
      MATCHED.entry = entry;
      MATCHED.parse = parse;
      outcome = MATCHED;
      break;
    }
  }
  // out_update_nl: any segment whose last byte is '\n' makes the next one readable
  if (payload[len - 1] === 0x0a) updateNlSeq(h, dir, (seq + len) | 0);

  // ftpwall's AUTH model (RFC 4217 4: AUTH TLS, answered 234, then TLS on the control channel)
  if (dir === 0) {
    if (startsWithCi(payload, 'auth tls') || startsWithCi(payload, 'auth ssl')) h.authPending = firstLine(payload).toUpperCase();
  } else if (h.authPending !== undefined && len >= 3 && payload[0]! >= 0x30 && payload[0]! <= 0x39) {
    const auth = h.authPending;
    h.authPending = undefined;
    if (startsWithCi(payload, '234')) {
      h.counts |= OPAQUE;
      if (outcome.kind === 'accept') return { kind: 'opaque', auth };
    }
  }
  return outcome;
}
