/**
 * The FTP conntrack helper as nf_conntrack_ftp.c behaves (facts sheet sections 1-3, 7):
 * a per-direction search table (PORT, EPRT from the ORIGINAL side; `227 `, `229 `
 * from the REPLY side), each entry a parser named after its RFC that answers
 * match / none / partial; a segment is read only when its sequence number is a
 * remembered "just after a newline" position, and only at offset 0.
 * These are the kernel's scanners, not an FTP client's: they accept what the
 * kernel accepts (numbers above 255, empty fields) and refuse what it refuses.
 */
import { ipv4, ipv6, type IpAddress } from '../../../net/address.js';
import type { ExpectationTrigger } from '../expectations.js';
import { in6Pton } from './in6-pton.js';

/** A scanner's answer (find_pattern: 1, 0, -1). A match is valid until the next scan (one object, reused). */
export type FtpParse =
  | { readonly kind: 'none' }
  | { readonly kind: 'partial'; readonly why: string }
  | {
      readonly kind: 'match';
      readonly addr: IpAddress;
      readonly port: number;
      /** 0-based offset of the argument in the payload, and its length (matchoff, matchlen) */
      readonly matchOff: number;
      readonly matchLen: number;
      /** what the kernel's arithmetic did that a stricter parser would refuse (numbers above 255, a wrapped port) */
      readonly quirk?: string | undefined;
    };

const NONE: FtpParse = { kind: 'none' };

/** A match as the scanners return it; `quirk` is undefined when there is none. */
type FtpMatch = { kind: 'match'; addr: IpAddress; port: number; matchOff: number; matchLen: number; quirk: string | undefined };

/**
 * The one match object every scanner returns, overwritten by the next match (as the kernel's
 * find_pattern fills the `cmd` on help()'s stack): the helper reads it before it scans again, and
 * a replay's PORT, EPRT, 227 and 229 lines then make no result object each.
 */
const matched: FtpMatch = { kind: 'match', addr: ipv4(0), port: 0, matchOff: 0, matchLen: 0, quirk: undefined };

function match(addr: IpAddress, port: number, matchOff: number, matchLen: number, quirk: string | undefined): FtpParse {
  matched.addr = addr;
  matched.port = port;
  matched.matchOff = matchOff;
  matched.matchLen = matchLen;
  matched.quirk = quirk;
  return matched;
}

const SP = 0x20;
const CR = 0x0d;
const LF = 0x0a;
const COMMA = 0x2c;
const DOTC = 0x2e;
const LPAREN = 0x28;

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function lower(c: number): number {
  return c >= 0x41 && c <= 0x5a ? c | 0x20 : c;
}

function bytesOf(s: string): Uint8Array {
  return Uint8Array.from(s, (ch) => ch.charCodeAt(0));
}

/** The argument from `off` as messages quote it; built only on the way to a refusal. */
function argText(data: Uint8Array, off: number): string {
  return quoteBytes(data.subarray(off));
}

/** A short printable rendering of bytes for messages: `PORT 10,0,0,2,\r`. */
export function quoteBytes(data: Uint8Array, max = 48): string {
  let s = '';
  for (let i = 0; i < data.length && i < max; i++) {
    const c = data[i]!;
    s += c === CR ? '\\r' : c === LF ? '\\n' : c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : `\\x${c.toString(16).padStart(2, '0')}`;
  }
  return data.length > max ? `${s}…` : s;
}

const NO_MATCH = -1;
const SHORT = -2;
const NO_SKIP = -3;

/**
 * find_pattern's keyword step: case-insensitive compare at offset 0; a payload no
 * longer than the keyword that is a prefix of it is partial; then scan to the `skip`
 * byte anywhere later. Returns the argument offset, or NO_MATCH / SHORT / NO_SKIP.
 */
function findKeyword(data: Uint8Array, pattern: Uint8Array, skip: number): number {
  const dlen = data.length;
  const plen = pattern.length;
  const n = dlen <= plen ? dlen : plen;
  for (let i = 0; i < n; i++) if (lower(data[i]!) !== lower(pattern[i]!)) return NO_MATCH;
  if (dlen <= plen) return SHORT;
  let i = plen;
  if (skip !== 0) {
    for (; data[i] !== skip; i++) if (i === dlen - 1) return NO_SKIP;
    i++;
  }
  return i;
}

function keywordFailure(code: number, data: Uint8Array, pattern: string, skip: number): FtpParse {
  if (code === NO_MATCH) return NONE;
  if (code === SHORT) return { kind: 'partial', why: `the segment is only \`${quoteBytes(data)}', a prefix of \`${pattern}'` };
  return { kind: 'partial', why: `no '${String.fromCharCode(skip)}' after \`${pattern}' in the segment` };
}

// try_number's output: u_int32_t slots, plus whether a field ever exceeded 255.
const nums = new Uint32Array(6);
let numsAbove255 = false;

/**
 * try_number: `count` decimal fields separated by `sep`, no range check (u32 wrap),
 * empty fields read 0; succeeds only on `term` (or any other byte if term is 0)
 * after exactly count-1 separators. Returns the length consumed before the terminator, 0 on failure.
 */
function tryNumber(data: Uint8Array, from: number, count: number, sep: number, term: number): number {
  nums.fill(0);
  numsAbove255 = false;
  let i = 0;
  for (let len = 0; from + len < data.length && i < count; len++) {
    const c = data[from + len]!;
    if (isDigit(c)) {
      nums[i] = nums[i]! * 10 + (c - 0x30);
      if (nums[i]! > 255) numsAbove255 = true;
    } else if (c === sep) {
      i++;
    } else {
      return (c === term || term === 0) && i === count - 1 ? len : 0;
    }
  }
  return 0;
}

/**
 * The IPv4 address `v4`: the preset itself when it is that address (a client announces its own
 * address nearly always, so the match then makes no address object).
 */
function v4Address(v4: number, preset: IpAddress): IpAddress {
  return preset.family === 4 && preset.v4 === v4 ? preset : ipv4(v4);
}

/** The IPv6 address of four words: the preset itself when it is that address. */
function v6Address(w0: number, w1: number, w2: number, w3: number, preset: IpAddress): IpAddress {
  const p = preset.v6;
  if (preset.family === 6 && p[0] === w0 && p[1] === w1 && p[2] === w2 && p[3] === w3) return preset;
  return ipv6(w0, w1, w2, w3);
}

/** The address try_rfc959 writes: the four numbers OR-ed into 32 bits; on IPv6 only the first word changes. */
function rfc959Address(preset: IpAddress): IpAddress {
  const v4 = ((nums[0]! << 24) | (nums[1]! << 16) | (nums[2]! << 8) | nums[3]!) >>> 0;
  if (preset.family === 4) return v4Address(v4, preset);
  return v6Address(v4, preset.v6[1], preset.v6[2], preset.v6[3], preset);
}

function rfc959Quirk(): string | undefined {
  if (!numsAbove255) return undefined;
  const big = Array.from(nums).filter((n) => n > 255);
  return `numbers above 255 (${big.join(', ')})`;
}

function rfc959Match(off: number, len: number, preset: IpAddress): FtpParse {
  const quirk = rfc959Quirk();
  const addr = rfc959Address(preset);
  const port = ((nums[4]! << 8) | nums[5]!) & 0xffff;
  return match(addr, port, off, len, quirk);
}

const PORT = bytesOf('PORT');
const EPRT = bytesOf('EPRT');
const R227 = bytesOf('227 ');
const R229 = bytesOf('229 ');

/**
 * `PORT h1,h2,h3,h4,p1,p2\r` (RFC 959 4.1.2; kernel try_rfc959 with skip ' ', term '\r').
 * `preset` is the sender's own address (cmd.u3 before parsing).
 */
export function parsePortRfc959(data: Uint8Array, preset: IpAddress): FtpParse {
  const off = findKeyword(data, PORT, SP);
  if (off < 0) return keywordFailure(off, data, 'PORT', SP);
  const len = tryNumber(data, off, 6, COMMA, CR);
  if (len === 0) return { kind: 'partial', why: `\`${quoteBytes(data.subarray(off))}' is not six comma-separated numbers ended by \\r` };
  return rfc959Match(off, len, preset);
}

/**
 * `227 ` reply (RFC 1123 4.1.2.6: scan for the first digit; parentheses optional;
 * kernel try_rfc1123): six numbers from the first digit after `227 `, ended by any non-digit.
 */
export function parsePasvRfc1123(data: Uint8Array, preset: IpAddress): FtpParse {
  const off = findKeyword(data, R227, 0);
  if (off < 0) return keywordFailure(off, data, '227 ', 0);
  let i = off;
  while (i < data.length && !isDigit(data[i]!)) i++;
  if (i === data.length) return { kind: 'partial', why: `no digit after \`227 ' in \`${quoteBytes(data)}'` };
  const len = tryNumber(data, i, 6, COMMA, 0);
  if (len === 0) return { kind: 'partial', why: `\`${quoteBytes(data.subarray(i))}' does not start with six comma-separated numbers` };
  return rfc959Match(i, len, preset);
}

// get_port's output
let portValue = 0;
let portRaw = 0;

/** get_port: decimal digits into a u16 up to the delimiter; 0 fails; returns the index after the delimiter, 0 on failure. */
function getPort(data: Uint8Array, base: number, start: number, dlen: number, delim: number): number {
  let port = 0;
  let raw = 0;
  for (let i = start; i < dlen; i++) {
    const c = data[base + i]!;
    if (c === delim) {
      if (port === 0) return 0;
      portValue = port;
      portRaw = raw;
      return i + 1;
    }
    if (!isDigit(c)) return 0;
    port = (port * 10 + (c - 0x30)) & 0xffff;
    raw = Math.min(raw * 10 + (c - 0x30), Number.MAX_SAFE_INTEGER);
  }
  return 0;
}

function delimiterOk(c: number): boolean {
  // RFC 2428: "one of the ASCII characters in range 33-126 inclusive"; the kernel also forbids digits
  return !isDigit(c) && c >= 33 && c <= 126;
}

function portQuirk(): string | undefined {
  return portRaw > 0xffff ? `port ${portRaw} wraps to ${portValue}` : undefined;
}

const v6scratch = new Uint8Array(16);

/** The big-endian 32-bit word at byte k of the address in6Pton wrote. */
function v6Word(k: number): number {
  return ((v6scratch[k]! << 24) | (v6scratch[k + 1]! << 16) | (v6scratch[k + 2]! << 8) | v6scratch[k + 3]!) >>> 0;
}

/**
 * `EPRT |af|addr|port|` (RFC 2428 2; kernel try_eprt). The family digit must be the
 * control connection's (1 on IPv4, 2 on IPv6); IPv4 addresses are read by try_number
 * (no range check), IPv6 by in6_pton. Nothing after the closing delimiter is checked.
 */
export function parseEprtRfc2428(data: Uint8Array, preset: IpAddress): FtpParse {
  const off = findKeyword(data, EPRT, SP);
  if (off < 0) return keywordFailure(off, data, 'EPRT', SP);
  const dlen = data.length - off;
  if (dlen <= 3) return { kind: 'partial', why: `\`${argText(data, off)}' is too short for |af|addr|port|` };
  const delim = data[off]!;
  if (!delimiterOk(delim) || data[off + 2] !== delim)
    return { kind: 'partial', why: `\`${argText(data, off)}' does not start with a delimiter, a family digit and the delimiter again` };
  const af = data[off + 1]!;
  if ((preset.family === 4 && af !== 0x31) || (preset.family === 6 && af !== 0x32))
    return { kind: 'partial', why: `\`${argText(data, off)}' names address family ${String.fromCharCode(af)} on an IPv${preset.family} control connection` };
  let addr: IpAddress;
  let length: number;
  let quirk: string | undefined;
  if (af === 0x31) {
    length = tryNumber(data, off + 3, 4, DOTC, delim);
    if (length === 0) return { kind: 'partial', why: `\`${argText(data, off)}' has no dotted IPv4 address ended by the delimiter` };
    addr = v4Address(((nums[0]! << 24) | (nums[1]! << 16) | (nums[2]! << 8) | nums[3]!) >>> 0, preset);
    if (numsAbove255) quirk = `numbers above 255 (${Array.from(nums.subarray(0, 4)).filter((n) => n > 255).join(', ')})`;
  } else {
    const end = in6Pton(data, off + 3, Math.min(dlen - 3, 0xffff), delim, v6scratch);
    if (end < 0) return { kind: 'partial', why: `\`${argText(data, off)}' has no IPv6 address ended by the delimiter` };
    length = end - (off + 3);
    addr = v6Address(v6Word(0), v6Word(4), v6Word(8), v6Word(12), preset);
  }
  const numlen = getPort(data, off, 3 + length + 1, dlen, delim);
  if (numlen === 0) return { kind: 'partial', why: `\`${argText(data, off)}' has no port from 1 to 65535 ended by the delimiter` };
  const pq = portQuirk();
  const q = quirk && pq ? `${quirk}; ${pq}` : (quirk ?? pq);
  return match(addr, portValue, off, numlen, q);
}

/**
 * `229 … (|||port|)` (RFC 2428 3; kernel try_epsv_response after the first '(').
 * The reply names no address: the expectation uses the sender's (`preset`).
 */
export function parseEpsvResponseRfc2428(data: Uint8Array, preset: IpAddress): FtpParse {
  const off = findKeyword(data, R229, LPAREN);
  if (off < 0) return keywordFailure(off, data, '229 ', LPAREN);
  const dlen = data.length - off;
  if (dlen <= 3) return { kind: 'partial', why: `\`${argText(data, off)}' is too short for |||port|` };
  const delim = data[off]!;
  if (!delimiterOk(delim) || data[off + 1] !== delim || data[off + 2] !== delim)
    return { kind: 'partial', why: `\`${argText(data, off)}' does not start with three equal delimiters` };
  const numlen = getPort(data, off, 3, dlen, delim);
  if (numlen === 0) return { kind: 'partial', why: `\`${argText(data, off)}' has no port from 1 to 65535 ended by the delimiter` };
  const pq = portQuirk();
  return match(preset, portValue, off, numlen, pq);
}

/** One entry of the search table (struct ftp_search). */
export interface FtpSearch {
  /** the pattern as the kernel logs it: `PORT`, `EPRT`, `227 `, `229 ` */
  readonly pattern: string;
  readonly trigger: ExpectationTrigger;
  readonly parse: (data: Uint8Array, preset: IpAddress) => FtpParse;
}

/** search[IP_CT_DIR_MAX][2]: tried in order, the first non-none answer wins. Index 0 = ORIGINAL, 1 = REPLY. */
export const FTP_SEARCH: readonly (readonly FtpSearch[])[] = [
  [
    { pattern: 'PORT', trigger: 'PORT', parse: parsePortRfc959 },
    { pattern: 'EPRT', trigger: 'EPRT', parse: parseEprtRfc2428 },
  ],
  [
    { pattern: '227 ', trigger: '227', parse: parsePasvRfc1123 },
    { pattern: '229 ', trigger: '229', parse: parseEpsvResponseRfc2428 },
  ],
];

/** Scans one payload with the table of direction `dir`; returns the entry that answered (undefined for none). */
export function scanFtp(data: Uint8Array, dir: 0 | 1, preset: IpAddress): { readonly entry: FtpSearch; readonly parse: FtpParse } | undefined {
  for (const entry of FTP_SEARCH[dir]!) {
    const parse = entry.parse(data, preset);
    if (parse.kind !== 'none') return { entry, parse };
  }
  return undefined;
}
