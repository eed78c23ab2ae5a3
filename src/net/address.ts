/**
 * IP addresses as plain numbers for the hot path. This is the only module that
 * imports ip-num: it validates text at the edges, everything else uses numbers.
 */
// the Validator module alone: the package index loads every ip-num class (a tenth of a second at start-up)
import { Validator } from 'ip-num/dist/src/Validator.js';

/** IPv4 or IPv6. */
export type IpFamily = 4 | 6;

/** Four big-endian 32-bit words of an IPv6 address, each an unsigned integer. */
export type Ipv6Words = readonly [number, number, number, number];

/** The v6 field of every IPv4 address: unused, all zero. */
export const NO_V6: readonly [0, 0, 0, 0] = Object.freeze([0, 0, 0, 0] as const);

/**
 * An address: IPv4 as one uint32, IPv6 as four uint32 words. Both families carry both fields, in
 * the order family, v4, v6 (an IPv4 address has v6 = NO_V6, an IPv6 one v4 = 0), so every address
 * object has one shape: code that meets both families (hashes, lookups) then reads v4 as a plain
 * number. With two shapes, V8 boxed each v4 read there in a new heap number, about 40 bytes per
 * replayed packet. Build addresses with ipv4()/ipv6()/ipv6Of()/copyIp(), never with a literal of
 * another field order (test/net/address.test.ts checks the sources).
 */
export type IpAddress =
  | { readonly family: 4; readonly v4: number; readonly v6: typeof NO_V6 }
  | { readonly family: 6; readonly v4: 0; readonly v6: Ipv6Words };

/** Builds an IPv4 address from a uint32. */
export function ipv4(value: number): IpAddress {
  return { family: 4, v4: value >>> 0, v6: NO_V6 };
}

/** Builds an IPv6 address from four uint32 words. */
export function ipv6(w0: number, w1: number, w2: number, w3: number): IpAddress {
  return { family: 6, v4: 0, v6: [w0 >>> 0, w1 >>> 0, w2 >>> 0, w3 >>> 0] };
}

/** An IPv6 address holding `words` (four uint32 words the caller hands over). */
export function ipv6Of(words: Ipv6Words): IpAddress {
  return { family: 6, v4: 0, v6: words };
}

/** A copy of an address that the holder may keep (a decoder's reused packet overwrites its own). */
export function copyIp(a: IpAddress): IpAddress {
  return a.family === 4 ? { family: 4, v4: a.v4, v6: NO_V6 } : { family: 6, v4: 0, v6: [a.v6[0], a.v6[1], a.v6[2], a.v6[3]] };
}

/** Parses dotted-quad IPv4 text to a uint32, or undefined when it is not a valid address. */
export function parseIpv4(text: string): number | undefined {
  const plain = plainDottedQuad(text);
  if (plain !== undefined) return plain;
  if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(text)) return undefined;
  const [valid] = Validator.isValidIPv4String(text);
  if (!valid) return undefined;
  const parts = text.split('.').map(Number);
  return (((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0);
}

/** Text copied as Latin-1 bytes for the byte scanners below (long enough for any text they accept). */
const textBytes = new Uint8Array(40);

/**
 * Copies `text` into textBytes and returns its length, or -1 when it is longer than `max`. A
 * character above 0xff becomes 0, which no scanner accepts (`\u0661` must not pass as `a`).
 */
function toTextBytes(text: string, max: number): number {
  const n = text.length;
  if (n > max) return -1;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    textBytes[i] = c > 0xff ? 0 : c;
  }
  return n;
}

/**
 * The value of text that ip-num's Validator.isValidIPv4String certainly accepts, else undefined (then
 * parseIpv4 asks ip-num). ip-num 1.6 accepts exactly four dot-separated octets of ASCII digits, each
 * 0-255 without a leading zero (`010` is refused: inet_aton would read it as octal); this scan
 * accepts exactly those, so for a config's tens of thousands of addresses the validator is not
 * called for what it would accept anyway (a test checks the two agree).
 */
export function plainDottedQuad(text: string): number | undefined {
  const n = toTextBytes(text, 15);
  if (n < 0) return undefined;
  const v = plainDottedQuadBytes(textBytes, 0, n);
  return v < 0 ? undefined : v;
}

/** plainDottedQuad of the Latin-1 text b[start, end), read where it lies: the value, or -1. */
export function plainDottedQuadBytes(b: Uint8Array, start: number, end: number): number {
  const n = end - start;
  if (n < 7 || n > 15) return -1;
  let value = 0;
  let octets = 0;
  let i = start;
  while (i <= end) {
    const from = i;
    let octet = 0;
    while (i < end) {
      const c = b[i]!;
      if (c < 48 || c > 57) break;
      octet = octet * 10 + (c - 48);
      i++;
    }
    const digits = i - from;
    if (digits === 0 || digits > 3 || octet > 255 || (digits > 1 && b[from] === 48)) return -1;
    value = value * 256 + octet;
    octets++;
    if (i === end) break;
    if (b[i] !== 46 || octets === 4) return -1;
    i++;
  }
  return octets === 4 ? value : -1;
}

/** The groups plainIpv6Bytes reads, reused (the scan runs for every EPRT and 229 line of a capture). */
const scanGroups = new Int32Array(8);
/** The words of the last address plainIpv6Bytes accepted, as unsigned 32-bit numbers. */
export const scannedIpv6 = new Uint32Array(4);

/**
 * The words of IPv6 text that ip-num's Validator.isValidIPv6String certainly accepts, else undefined
 * (then parseIpv6 asks ip-num). RFC 4291 2.2 forms 1 and 2 only: hex groups of one to four digits
 * separated by single colons, eight of them, or at most seven with one `::` standing for one or more
 * zero groups (a leading or trailing colon only as part of that `::`). A dotted IPv4 tail, a zone id or
 * anything else is left to ip-num. One pass, no strings made (a test checks it against ip-num).
 */
export function plainIpv6(text: string): Ipv6Words | undefined {
  const n = toTextBytes(text, 39);
  if (n < 0 || !plainIpv6Bytes(textBytes, 0, n)) return undefined;
  const w = scannedIpv6;
  return [w[0]!, w[1]!, w[2]!, w[3]!];
}

/** plainIpv6 of the Latin-1 text b[start, end), read where it lies: true with the words in scannedIpv6. */
export function plainIpv6Bytes(b: Uint8Array, start: number, end: number): boolean {
  const n = end - start;
  if (n < 2 || n > 39) return false;
  const groups = scanGroups;
  let count = 0;
  let gap = -1; // the group index where `::` stands
  let i = start;
  if (b[start] === 58) {
    // a leading colon only as `::`
    if (b[start + 1] !== 58) return false;
    gap = 0;
    i += 2;
  }
  // `::` alone reads no group
  if (i < end)
    for (;;) {
      let value = 0;
      let digits = 0;
      while (i < end && digits <= 4) {
        const c = b[i]!;
        const d = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1;
        if (d < 0) break;
        value = (value << 4) | d;
        digits++;
        i++;
      }
      if (digits === 0 || digits > 4 || count === 8) return false;
      groups[count++] = value;
      if (i === end) break;
      if (b[i] !== 58) return false; // a dot (IPv4 tail), '%' or other text: ip-num decides
      i++;
      if (i < end && b[i] === 58) {
        if (gap >= 0) return false; // a second `::`
        gap = count;
        i++;
        if (i === end) break;
      } else if (i === end) return false; // a single trailing colon
    }
  if (gap < 0 ? count !== 8 : count > 7) return false;
  const words = scannedIpv6.fill(0);
  const fill = 8 - count;
  for (let k = 0; k < count; k++) {
    const at = gap >= 0 && k >= gap ? k + fill : k;
    words[at >> 1] = words[at >> 1]! | ((at & 1) === 0 ? groups[k]! << 16 : groups[k]!);
  }
  return true;
}

/** Parses IPv6 text (RFC 4291 forms, `::`, trailing dotted IPv4) to four words, or undefined. */
export function parseIpv6(text: string): Ipv6Words | undefined {
  const plain = plainIpv6(text);
  if (plain !== undefined) return plain;
  if (text.includes('%')) return undefined; // zone ids are not addresses on the wire
  const [valid] = Validator.isValidIPv6String(text);
  if (!valid) return undefined;
  let head = text;
  let tailV4: number[] = [];
  const lastColon = text.lastIndexOf(':');
  const maybeV4 = text.slice(lastColon + 1);
  if (maybeV4.includes('.')) {
    const v4 = parseIpv4(maybeV4);
    if (v4 === undefined) return undefined;
    tailV4 = [v4 >>> 16, v4 & 0xffff];
    head = text.slice(0, lastColon + 1);
    if (head.endsWith(':') && !head.endsWith('::')) head = head.slice(0, -1);
  }
  const groupsWanted = 8 - tailV4.length;
  let groups: number[];
  const dbl = head.indexOf('::');
  const toNums = (s: string): number[] => (s === '' ? [] : s.split(':').map((g) => parseInt(g, 16)));
  if (dbl >= 0) {
    const left = toNums(head.slice(0, dbl));
    const right = toNums(head.slice(dbl + 2));
    const fill = groupsWanted - left.length - right.length;
    if (fill < 0) return undefined;
    groups = [...left, ...new Array<number>(fill).fill(0), ...right];
  } else {
    groups = toNums(head);
  }
  groups = [...groups, ...tailV4];
  if (groups.length !== 8 || groups.some((g) => !Number.isInteger(g) || g < 0 || g > 0xffff)) return undefined;
  const w = (i: number): number => ((groups[i]! << 16) | groups[i + 1]!) >>> 0;
  return [w(0), w(2), w(4), w(6)];
}

/** Parses either family; undefined when the text is no address. */
export function parseIp(text: string): IpAddress | undefined {
  if (text.includes(':')) {
    const w = parseIpv6(text);
    return w ? ipv6Of(w) : undefined;
  }
  const v4 = parseIpv4(text);
  return v4 === undefined ? undefined : ipv4(v4);
}

/** Formats a uint32 as dotted-quad text. */
export function formatIpv4(value: number): string {
  return `${value >>> 24}.${(value >>> 16) & 255}.${(value >>> 8) & 255}.${value & 255}`;
}

/** Formats IPv6 words in the RFC 5952 canonical text form (lower case, longest zero run as `::`). */
export function formatIpv6(words: Ipv6Words): string {
  const groups: number[] = [];
  for (const w of words) groups.push(w >>> 16, w & 0xffff);
  let bestStart = -1;
  let bestLen = 1; // RFC 5952 4.2.2: a single 16-bit 0 field is not shortened
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (gs: number[]): string => gs.map((g) => g.toString(16)).join(':');
  if (bestStart < 0) return hex(groups);
  return `${hex(groups.slice(0, bestStart))}::${hex(groups.slice(bestStart + bestLen))}`;
}

/** Formats an address as text. */
export function formatIp(addr: IpAddress): string {
  return addr.family === 4 ? formatIpv4(addr.v4) : formatIpv6(addr.v6);
}

/** Formats an endpoint: `10.0.0.2:50000`, `[2001:db8::2]:50000`. */
export function formatEndpoint(addr: IpAddress, port: number): string {
  return addr.family === 4 ? `${formatIpv4(addr.v4)}:${port}` : `[${formatIpv6(addr.v6)}]:${port}`;
}

/** True when both are the same address. */
export function ipEquals(a: IpAddress, b: IpAddress): boolean {
  if (a.family === 4) return b.family === 4 && a.v4 === b.v4;
  return b.family === 6 && a.v6[0] === b.v6[0] && a.v6[1] === b.v6[1] && a.v6[2] === b.v6[2] && a.v6[3] === b.v6[3];
}

/** A flat string key for an address (maps, sets). */
export function ipKey(addr: IpAddress): string {
  return addr.family === 4 ? String(addr.v4) : `${addr.v6[0]}.${addr.v6[1]}.${addr.v6[2]}.${addr.v6[3]}`;
}

/** The 16 bytes of an IPv6 address or 4 of an IPv4 one, network order. */
export function ipBytes(addr: IpAddress): Uint8Array {
  if (addr.family === 4) {
    const v = addr.v4;
    return Uint8Array.of(v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255);
  }
  const out = new Uint8Array(16);
  addr.v6.forEach((w, i) => {
    out[i * 4] = w >>> 24;
    out[i * 4 + 1] = (w >>> 16) & 255;
    out[i * 4 + 2] = (w >>> 8) & 255;
    out[i * 4 + 3] = w & 255;
  });
  return out;
}

/** A CIDR prefix or a single address, parsed from `addr/len` or `addr`. */
export interface IpPrefix {
  readonly addr: IpAddress;
  readonly prefixLen: number;
}

/** Parses `10.0.0.0/24`, `2001:db8::/32` or a bare address (full-length prefix). */
export function parsePrefix(text: string): IpPrefix | undefined {
  const slash = text.indexOf('/');
  const addr = parseIp(slash < 0 ? text : text.slice(0, slash));
  if (!addr) return undefined;
  const max = addr.family === 4 ? 32 : 128;
  if (slash < 0) return { addr, prefixLen: max };
  const lenText = text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(lenText)) return undefined;
  const prefixLen = Number(lenText);
  return prefixLen <= max ? { addr, prefixLen } : undefined;
}

/** The uint32 netmask of an IPv4 prefix length (0..32). */
export function ipv4Mask(prefixLen: number): number {
  return prefixLen === 0 ? 0 : (0xffffffff << (32 - prefixLen)) >>> 0;
}

/** True when `addr` lies in `prefix`. */
export function prefixContains(prefix: IpPrefix, addr: IpAddress): boolean {
  if (prefix.addr.family !== addr.family) return false;
  if (prefix.addr.family === 4 && addr.family === 4) {
    const m = ipv4Mask(prefix.prefixLen);
    return ((prefix.addr.v4 ^ addr.v4) & m) === 0;
  }
  if (prefix.addr.family === 6 && addr.family === 6) {
    let bits = prefix.prefixLen;
    for (let i = 0; i < 4; i++, bits -= 32) {
      const m = bits >= 32 ? 0xffffffff : ipv4Mask(Math.max(0, bits));
      if (((prefix.addr.v6[i]! ^ addr.v6[i]!) & m) !== 0) return false;
    }
    return true;
  }
  return false;
}
