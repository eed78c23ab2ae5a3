/**
 * FTP control text that names a data endpoint, formatted and parsed the way
 * real clients and servers do: PORT and 227 (RFC 959, read leniently as RFC 1123
 * 4.1.2.12 asks), EPRT and 229 (RFC 2428). These are the endpoints' own parsers,
 * lenient where RFCs ask for leniency; the kernel helper's stricter scanners live
 * in engine/stateful/helpers.
 */
import { formatIpv4, formatIpv6, ipv4, ipv6Of, parseIpv4, parseIpv6, type IpAddress } from '../net/address.js';

/** An address and port named in control text. */
export interface DataEndpoint {
  readonly addr: IpAddress;
  readonly port: number;
}

/** A parse result: the endpoint, or why the text is not one. */
export type EndpointParse = { readonly ok: true; readonly value: DataEndpoint } | { readonly ok: false; readonly reason: string };

/** A port result for 229, which carries no address. */
export type PortParse = { readonly ok: true; readonly port: number } | { readonly ok: false; readonly reason: string };

function fail(reason: string): { ok: false; reason: string } {
  return { ok: false, reason };
}

/** RFC 959 4.1.2 host-port: `h1,h2,h3,h4,p1,p2`, the port as p1 * 256 + p2. */
export function formatHostPort(addr: IpAddress, port: number): string {
  if (addr.family !== 4) throw new Error('RFC 959 host-port carries only IPv4 addresses');
  const v = addr.v4;
  return `${v >>> 24},${(v >>> 16) & 255},${(v >>> 8) & 255},${v & 255},${port >>> 8},${port & 255}`;
}

/** The PORT command line, without CRLF: `PORT 10,0,0,2,195,81`. */
export function formatPort(addr: IpAddress, port: number): string {
  return `PORT ${formatHostPort(addr, port)}`;
}

/** The 227 reply line, without CRLF, in the common form: `227 Entering Passive Mode (192,168,10,1,195,81).` */
export function formatPasvReply(addr: IpAddress, port: number): string {
  return `227 Entering Passive Mode (${formatHostPort(addr, port)}).`;
}

/** RFC 2428 2: `af` is 1 for IPv4, 2 for IPv6. */
function eprtFamily(addr: IpAddress): 1 | 2 {
  return addr.family === 4 ? 1 : 2;
}

/** The EPRT command line, without CRLF: `EPRT |1|10.0.0.2|50001|`, `EPRT |2|2001:db8:1::2|50001|`. */
export function formatEprt(addr: IpAddress, port: number): string {
  const text = addr.family === 4 ? formatIpv4(addr.v4) : formatIpv6(addr.v6);
  return `EPRT |${eprtFamily(addr)}|${text}|${port}|`;
}

/** The 229 reply line, without CRLF: `229 Entering Extended Passive Mode (|||50021|)`. */
export function formatEpsvReply(port: number): string {
  return `229 Entering Extended Passive Mode (|||${port}|)`;
}

/** The six numbers readHostPort reads, reused (it runs for every PORT and 227 line of a capture). */
const hostPortNums = new Int32Array(6);

/** Reads six comma-separated decimal numbers 0-255 starting at `from`; returns the endpoint and where it ended. */
function readHostPort(text: string, from: number): { value: DataEndpoint; end: number } | string {
  const nums = hostPortNums;
  let i = from;
  for (let k = 0; k < 6; k++) {
    const start = i;
    let n = 0;
    while (i < text.length && text.charCodeAt(i) >= 48 && text.charCodeAt(i) <= 57) {
      n = n * 10 + (text.charCodeAt(i) - 48);
      i++;
      if (i - start > 3) return `number ${k + 1} has more than three digits`;
    }
    if (i === start) return `expected number ${k + 1} of 6 at column ${i + 1}`;
    if (n > 255) return `number ${k + 1} (${n}) is above 255`;
    nums[k] = n;
    if (k < 5) {
      if (text[i] !== ',') return `expected ',' after number ${k + 1}`;
      i++;
    }
  }
  const v4 = ((nums[0]! << 24) | (nums[1]! << 16) | (nums[2]! << 8) | nums[3]!) >>> 0;
  const p1 = nums[4]!;
  const p2 = nums[5]!;
  return { value: { addr: ipv4(v4), port: p1 * 256 + p2 }, end: i };
}

/** Parses the argument of PORT (RFC 959 4.1.2): exactly `h1,h2,h3,h4,p1,p2`, surrounding blanks ignored. */
export function parsePortArgument(arg: string): EndpointParse {
  const text = arg.trim();
  const r = readHostPort(text, 0);
  if (typeof r === 'string') return fail(r);
  if (r.end !== text.length) return fail(`unexpected text after the port: '${text.slice(r.end)}'`);
  return { ok: true, value: r.value };
}

/**
 * Parses a 227 reply line. RFC 1123 4.1.2.12: the format "is not well standardized"; a
 * User-FTP program "must scan the reply for the first digit of the host and port numbers",
 * so parentheses, the text before them and what follows are all optional.
 */
export function parsePasvReply(line: string): EndpointParse {
  if (!line.startsWith('227')) return fail('not a 227 reply');
  let i = 3;
  while (i < line.length && !(line.charCodeAt(i) >= 48 && line.charCodeAt(i) <= 57)) i++;
  if (i === line.length) return fail('no host-port numbers in the 227 reply');
  const r = readHostPort(line, i);
  return typeof r === 'string' ? fail(r) : { ok: true, value: r.value };
}

/** Reads an RFC 2428 tcp-port from text[from, to): 1 to 5 decimal digits, 1-65535. */
function readTcpPort(text: string, from: number, to: number): number | string {
  let port = 0;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57 || to - from > 5) return `'${text.slice(from, to)}' is not a TCP port`;
    port = port * 10 + (c - 48);
  }
  if (to === from) return `'' is not a TCP port`;
  if (port < 1 || port > 65535) return `port ${port} is out of range 1-65535`;
  return port;
}

/**
 * Parses the argument of EPRT (RFC 2428 2): `<d><net-prt><d><net-addr><d><tcp-port><d>`,
 * where d is any printable ASCII character (33-126), `|` recommended.
 */
export function parseEprtArgument(arg: string): EndpointParse {
  const text = arg.trim();
  const d = text[0];
  if (d === undefined) return fail('empty EPRT argument');
  const code = d.charCodeAt(0);
  if (code < 33 || code > 126) return fail('the delimiter must be a printable ASCII character');
  // "|1|10.0.0.2|50001|": delimiters at 0, d1, d2, d3 = the last character, and no other
  const d1 = text.indexOf(d, 1);
  const d2 = d1 < 0 ? -1 : text.indexOf(d, d1 + 1);
  const d3 = d2 < 0 ? -1 : text.indexOf(d, d2 + 1);
  if (d3 !== text.length - 1) return fail(`expected ${d}af${d}address${d}port${d}`);
  const port = readTcpPort(text, d2 + 1, d3);
  if (typeof port === 'string') return fail(port);
  const afCode = d1 === 2 ? text.charCodeAt(1) : -1;
  const addrText = text.slice(d1 + 1, d2);
  if (afCode === 49) {
    const v4 = parseIpv4(addrText);
    return v4 === undefined ? fail(`'${addrText}' is not an IPv4 address`) : { ok: true, value: { addr: ipv4(v4), port } };
  }
  if (afCode === 50) {
    const v6 = parseIpv6(addrText);
    return v6 === undefined ? fail(`'${addrText}' is not an IPv6 address`) : { ok: true, value: { addr: ipv6Of(v6), port } };
  }
  const af = text.slice(1, d1);
  return fail(`unknown network protocol '${af}' (RFC 2428: 1 = IPv4, 2 = IPv6)`);
}

/**
 * Parses a 229 reply line (RFC 2428 3): the text in parentheses is
 * `<d><d><d><tcp-port><d>`, the same delimiter four times, no address.
 */
export function parseEpsvReply(line: string): PortParse {
  if (!line.startsWith('229')) return fail('not a 229 reply');
  const open = line.indexOf('(', 3);
  if (open < 0) return fail("no '(' in the 229 reply");
  const d = line[open + 1];
  if (d === undefined || line[open + 2] !== d || line[open + 3] !== d) return fail('expected three equal delimiters after (');
  const end = line.indexOf(d, open + 4);
  if (end < 0) return fail('no closing delimiter after the port');
  const port = readTcpPort(line, open + 4, end);
  if (typeof port === 'string') return fail(port);
  if (line[end + 1] !== ')') return fail("no ')' after the closing delimiter");
  return { ok: true, port };
}

/** A reply line split into its code and text; undefined when the line does not start with three digits. */
export interface ReplyLine {
  readonly code: number;
  /** true for `123-` (the first line of a multi-line reply, RFC 959 4.2) */
  readonly continued: boolean;
  readonly text: string;
}

/** Splits `226 Transfer complete.` into code 226 and its text. */
export function parseReplyLine(line: string): ReplyLine | undefined {
  if (!/^[1-5]\d\d([ -]|$)/.test(line)) return undefined;
  return { code: Number(line.slice(0, 3)), continued: line[3] === '-', text: line.slice(4) };
}

/** Splits a command line into its verb (upper-cased) and argument: `RETR a b` → ['RETR', 'a b']. */
export function splitCommand(line: string): { readonly verb: string; readonly arg: string } {
  const sp = line.indexOf(' ');
  if (sp < 0) return { verb: line.toUpperCase(), arg: '' };
  return { verb: line.slice(0, sp).toUpperCase(), arg: line.slice(sp + 1) };
}
