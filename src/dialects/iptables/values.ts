/**
 * Values of Linux rulesets shared by the iptables-save and nft readers: addresses with prefixes or
 * masks, ranges, ports and port ranges, protocol names, conntrack states, words with their columns.
 */
import { parseIp, parseIpv4, parseIpv6, type IpAddress, type IpFamily } from '../../net/address.js';
import { PROTO_ICMP, PROTO_ICMPV6, PROTO_TCP, PROTO_UDP } from '../../net/packet.js';
import type { AddrMatch, PortMatch } from '../../policy/model.js';
import type { CtState, NfAddr } from '../../policy/netfilter.js';

/** A word of a line and its 1-based column. */
export interface Word {
  readonly text: string;
  readonly col: number;
  /** the length as written (with quotes) */
  readonly len: number;
}

/**
 * Splits a line into words: blanks separate, double quotes group (iptables-save and nft quote
 * comments and names; `\"` and `\\` inside quotes). An unterminated quote runs to the line's end.
 */
export function splitWords(line: string): Word[] {
  const out: Word[] = [];
  let i = 0;
  while (i < line.length) {
    const ch = line[i]!;
    if (ch === ' ' || ch === '\t') {
      i++;
      continue;
    }
    const start = i;
    let text = '';
    while (i < line.length && line[i] !== ' ' && line[i] !== '\t') {
      if (line[i] === '"') {
        i++;
        while (i < line.length && line[i] !== '"') {
          if (line[i] === '\\' && i + 1 < line.length) i++;
          text += line[i];
          i++;
        }
        i++;
      } else {
        text += line[i];
        i++;
      }
    }
    out.push({ text, col: start + 1, len: Math.min(i, line.length) - start });
  }
  return out;
}

/** Protocol names as /etc/protocols and the tools spell them. */
const PROTOCOLS: ReadonlyMap<string, number> = new Map([
  ['tcp', PROTO_TCP],
  ['udp', PROTO_UDP],
  ['icmp', PROTO_ICMP],
  ['ipv6-icmp', PROTO_ICMPV6],
  ['icmpv6', PROTO_ICMPV6],
  ['gre', 47],
  ['esp', 50],
  ['ah', 51],
  ['sctp', 132],
]);

/** A protocol name or number, or undefined. */
export function parseProto(text: string): number | undefined {
  const named = PROTOCOLS.get(text.toLowerCase());
  if (named !== undefined) return named;
  if (!/^\d{1,3}$/.test(text)) return undefined;
  const n = Number(text);
  return n <= 255 ? n : undefined;
}

/** Service names the tools may print instead of numbers (iptables-save prints numbers). */
const SERVICES: ReadonlyMap<string, number> = new Map([
  ['ftp-data', 20],
  ['ftp', 21],
  ['ssh', 22],
  ['telnet', 23],
  ['smtp', 25],
  ['domain', 53],
  ['http', 80],
  ['https', 443],
]);

/** One port number or service name, or undefined. */
export function parsePortNumber(text: string): number | undefined {
  const named = SERVICES.get(text.toLowerCase());
  if (named !== undefined) return named;
  if (!/^\d{1,5}$/.test(text)) return undefined;
  const n = Number(text);
  return n <= 65535 ? n : undefined;
}

/** A port condition from inclusive ranges (sorted and merged). */
export function portsMatch(ranges: readonly (readonly [number, number])[]): PortMatch {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const [lo, hi] of sorted) {
    const last = merged[merged.length - 1];
    if (last && lo <= last[1] + 1) last[1] = Math.max(last[1], hi);
    else merged.push([lo, hi]);
  }
  const operands = merged.length === 1 && merged[0]![0] === merged[0]![1] ? [merged[0]![0]] : merged.flat();
  return { op: operands.length === 1 ? 'eq' : 'range', operands, ranges: merged };
}

/** `21`, `1024:65535` / `1024-65535` (sep), `:1023`, `1024:`; undefined when malformed or lo > hi. */
export function parsePortRange(text: string, sep: ':' | '-'): readonly [number, number] | undefined {
  const at = text.indexOf(sep);
  if (at < 0) {
    const n = parsePortNumber(text);
    return n === undefined ? undefined : [n, n];
  }
  const lo = at === 0 ? 0 : parsePortNumber(text.slice(0, at));
  const hi = at === text.length - 1 ? 65535 : parsePortNumber(text.slice(at + 1));
  if (lo === undefined || hi === undefined || lo > hi) return undefined;
  return [lo, hi];
}

/** `10.0.0.0/8`, `10.0.0.1`, `192.168.0.0/255.255.0.0`, `2001:db8::/32`; undefined when malformed. */
export function parseAddrPrefix(text: string): { readonly family: IpFamily; readonly match: AddrMatch } | undefined {
  const slash = text.indexOf('/');
  const addrText = slash < 0 ? text : text.slice(0, slash);
  const lenText = slash < 0 ? undefined : text.slice(slash + 1);
  const v4 = parseIpv4(addrText);
  if (v4 !== undefined) {
    let mask = 0xffffffff;
    if (lenText !== undefined) {
      if (/^\d{1,2}$/.test(lenText) && Number(lenText) <= 32) mask = Number(lenText) === 0 ? 0 : (0xffffffff << (32 - Number(lenText))) >>> 0;
      else {
        const m = parseIpv4(lenText);
        if (m === undefined) return undefined;
        mask = m >>> 0;
      }
    }
    const wildcard = ~mask >>> 0;
    return { family: 4, match: { kind: 'v4', addr: (v4 & mask) >>> 0, wildcard } };
  }
  const v6 = parseIpv6(addrText);
  if (!v6) return undefined;
  let prefixLen = 128;
  if (lenText !== undefined) {
    if (!/^\d{1,3}$/.test(lenText) || Number(lenText) > 128) return undefined;
    prefixLen = Number(lenText);
  }
  return { family: 6, match: { kind: 'v6', addr: v6, prefixLen } };
}

/** `a-b` of one family, lo ≤ hi; undefined when malformed. */
export function parseAddrRange(text: string): { readonly family: IpFamily; readonly addr: NfAddr } | undefined {
  const dash = text.indexOf('-');
  if (dash < 0) return undefined;
  const lo = parseIp(text.slice(0, dash));
  const hi = parseIp(text.slice(dash + 1));
  if (!lo || !hi || lo.family !== hi.family || cmp(lo, hi) > 0) return undefined;
  return { family: lo.family, addr: { kind: 'range', family: lo.family, lo, hi } };
}

function cmp(a: IpAddress, b: IpAddress): number {
  if (a.family === 4 && b.family === 4) return a.v4 - b.v4;
  if (a.family === 6 && b.family === 6) for (let i = 0; i < 4; i++) if (a.v6[i] !== b.v6[i]) return a.v6[i]! - b.v6[i]!;
  return 0;
}

/** Conntrack state names (`--ctstate`, `--state`, `ct state`), upper or lower case. */
export function parseCtState(text: string): CtState | undefined {
  switch (text.toLowerCase()) {
    case 'new':
      return 'new';
    case 'established':
      return 'established';
    case 'related':
      return 'related';
    case 'invalid':
      return 'invalid';
    case 'untracked':
      return 'untracked';
    default:
      return undefined;
  }
}

/** TCP flag names of `--tcp-flags` and nft `tcp flags`. */
export const TCP_FLAG_BITS: ReadonlyMap<string, number> = new Map([
  ['fin', 0x01],
  ['syn', 0x02],
  ['rst', 0x04],
  ['psh', 0x08],
  ['ack', 0x10],
  ['urg', 0x20],
  ['ece', 0x40],
  ['cwr', 0x80],
  ['all', 0xff],
  ['none', 0],
]);

/** `SYN,ACK` → bits, or undefined when a name is unknown. */
export function parseTcpFlagList(text: string): number | undefined {
  let bits = 0;
  for (const name of text.split(',')) {
    const b = TCP_FLAG_BITS.get(name.toLowerCase());
    if (b === undefined) return undefined;
    bits |= b;
  }
  return bits;
}

/** A 32-bit number in decimal or 0x hex, or undefined. */
export function parseU32(text: string): number | undefined {
  if (!/^(0x[0-9a-f]{1,8}|\d{1,10})$/i.test(text)) return undefined;
  const n = Number(text);
  return n <= 0xffffffff ? n >>> 0 : undefined;
}
