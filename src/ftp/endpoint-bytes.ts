/**
 * The endpoint parsers of text.ts read from a control line's bytes where they lie, for the
 * capture replay, which reads every PORT, EPRT, 227 and 229 line of a capture: no string, no
 * result object and no address object per line. They accept exactly what text.ts's parsers
 * accept, with the same values (test/ftp/endpoint-bytes.test.ts checks them against each other
 * over thousands of spellings), and say only yes or no: why a line is refused is text.ts's job.
 *
 * A line is the Latin-1 bytes b[start, end), CR LF removed. What was read goes to `scanned`
 * (reused): the address family, the IPv4 value or the four IPv6 words, and the port.
 */
import { parseIpv4, parseIpv6, plainDottedQuadBytes, plainIpv6Bytes, scannedIpv6, type IpFamily } from '../net/address.js';
import { latin1 } from '../wire/latin1.js';

/** What the last accepted line named; valid until the next call. */
export interface ScannedEndpoint {
  family: IpFamily;
  /** the IPv4 address (family 4) */
  ipv4: number;
  /** the IPv6 address's words (family 6) */
  readonly ipv6Words: Uint32Array;
  port: number;
}

/** The one ScannedEndpoint every parser here writes. */
export const scanned: ScannedEndpoint = { family: 4, ipv4: 0, ipv6Words: new Uint32Array(4), port: 0 };

const COMMA = 0x2c;
const LPAREN = 0x28;
const RPAREN = 0x29;

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** String.prototype.trim's white space among Latin-1 characters: TAB, LF, VT, FF, CR, SP, NBSP. */
function isTrimmed(c: number): boolean {
  return (c >= 0x09 && c <= 0x0d) || c === 0x20 || c === 0xa0;
}

/** The first index of b[start, end) that trim() keeps. */
function trimStart(b: Uint8Array, start: number, end: number): number {
  while (start < end && isTrimmed(b[start]!)) start++;
  return start;
}

/** One past the last index of b[start, end) that trim() keeps. */
function trimEnd(b: Uint8Array, start: number, end: number): number {
  while (end > start && isTrimmed(b[end - 1]!)) end--;
  return end;
}

/** The first index of byte `c` in b[from, end), or -1 (String.prototype.indexOf). */
function indexOf(b: Uint8Array, c: number, from: number, end: number): number {
  for (let i = from; i < end; i++) if (b[i] === c) return i;
  return -1;
}

/**
 * text.ts readHostPort: six comma-separated decimal numbers 0-255 of at most three digits from
 * `from`; the address and port go to `scanned`. Returns where the sixth number ended, or -1.
 */
function readHostPort(b: Uint8Array, from: number, end: number): number {
  let i = from;
  let v4 = 0;
  let port = 0;
  for (let k = 0; k < 6; k++) {
    const start = i;
    let n = 0;
    while (i < end && isDigit(b[i]!)) {
      n = n * 10 + (b[i]! - 0x30);
      i++;
      if (i - start > 3) return -1;
    }
    if (i === start || n > 255) return -1;
    if (k < 4) v4 = v4 * 256 + n;
    else port = port * 256 + n;
    if (k < 5) {
      if (i >= end || b[i] !== COMMA) return -1;
      i++;
    }
  }
  scanned.family = 4;
  scanned.ipv4 = v4;
  scanned.port = port;
  return i;
}

/** text.ts readTcpPort over b[from, to): 1 to 5 decimal digits, 1-65535; the port, or -1. */
function readTcpPort(b: Uint8Array, from: number, to: number): number {
  if (to <= from || to - from > 5) return -1;
  let port = 0;
  for (let i = from; i < to; i++) {
    const c = b[i]!;
    if (!isDigit(c)) return -1;
    port = port * 10 + (c - 0x30);
  }
  return port < 1 || port > 65535 ? -1 : port;
}

/** text.ts parseIpv4 of b[start, end) into `scanned`; false when it is no IPv4 address. */
function readIpv4(b: Uint8Array, start: number, end: number): boolean {
  let v = plainDottedQuadBytes(b, start, end);
  // only the rare address the plain scan leaves to ip-num becomes text
  if (v < 0) {
    const slow = parseIpv4(latin1(b, start, end));
    if (slow === undefined) return false;
    v = slow;
  }
  scanned.family = 4;
  scanned.ipv4 = v;
  return true;
}

/** text.ts parseIpv6 of b[start, end) into `scanned`; false when it is no IPv6 address. */
function readIpv6(b: Uint8Array, start: number, end: number): boolean {
  const w = scanned.ipv6Words;
  if (plainIpv6Bytes(b, start, end)) w.set(scannedIpv6);
  else {
    const slow = parseIpv6(latin1(b, start, end));
    if (slow === undefined) return false;
    for (let k = 0; k < 4; k++) w[k] = slow[k]!;
  }
  scanned.family = 6;
  scanned.ipv4 = 0;
  return true;
}

/** parsePortArgument of the argument b[start, end): true with the endpoint in `scanned`. */
export function scanPortArgument(b: Uint8Array, start: number, end: number): boolean {
  const from = trimStart(b, start, end);
  const to = trimEnd(b, from, end);
  return readHostPort(b, from, to) === to;
}

/** parsePasvReply of the line b[start, end): true with the endpoint in `scanned`. */
export function scanPasvReply(b: Uint8Array, start: number, end: number): boolean {
  if (end - start < 3 || b[start] !== 0x32 || b[start + 1] !== 0x32 || b[start + 2] !== 0x37) return false;
  // RFC 1123 4.1.2.12: scan for the first digit
  let i = start + 3;
  while (i < end && !isDigit(b[i]!)) i++;
  return i < end && readHostPort(b, i, end) >= 0;
}

/** parseEprtArgument of the argument b[start, end): true with the endpoint in `scanned`. */
export function scanEprtArgument(b: Uint8Array, start: number, end: number): boolean {
  const from = trimStart(b, start, end);
  const to = trimEnd(b, from, end);
  if (from === to) return false;
  const d = b[from]!;
  if (d < 33 || d > 126) return false;
  // RFC 2428 2: <d><net-prt><d><net-addr><d><tcp-port><d>, the last delimiter the last character
  const d1 = indexOf(b, d, from + 1, to);
  const d2 = d1 < 0 ? -1 : indexOf(b, d, d1 + 1, to);
  const d3 = d2 < 0 ? -1 : indexOf(b, d, d2 + 1, to);
  if (d3 !== to - 1) return false;
  const port = readTcpPort(b, d2 + 1, d3);
  if (port < 0) return false;
  const af = d1 === from + 2 ? b[from + 1] : -1;
  const ok = af === 0x31 ? readIpv4(b, d1 + 1, d2) : af === 0x32 ? readIpv6(b, d1 + 1, d2) : false;
  if (ok) scanned.port = port;
  return ok;
}

/** parseEpsvReply of the line b[start, end): true with the port in `scanned.port`. */
export function scanEpsvReply(b: Uint8Array, start: number, end: number): boolean {
  if (end - start < 3 || b[start] !== 0x32 || b[start + 1] !== 0x32 || b[start + 2] !== 0x39) return false;
  const open = indexOf(b, LPAREN, start + 3, end);
  if (open < 0 || open + 3 >= end) return false;
  // RFC 2428 3: (<d><d><d><tcp-port><d>)
  const d = b[open + 1]!;
  if (b[open + 2] !== d || b[open + 3] !== d) return false;
  const close = indexOf(b, d, open + 4, end);
  if (close < 0) return false;
  const port = readTcpPort(b, open + 4, close);
  if (port < 0 || close + 1 >= end || b[close + 1] !== RPAREN) return false;
  scanned.port = port;
  return true;
}
