/**
 * Operand parsers for rule options: addresses with wildcards or prefixes, port
 * operators, protocols. Each returns a value or a located diagnostic; none throws. The values are
 * frozen as they are made (they become parts of frozen rule states: a rule then needs only a shallow
 * freeze, acl-draft.ts), and equal ones may be shared. An IPv4 address, a plain object of numbers, is
 * frozen by Object.freeze itself: immer's freeze would first ask whether it is a draft, draftable, frozen.
 */
import { freeze } from 'immer';
import type { Diagnostic } from '../../diag/diagnostic.js';
import { suggest } from './suggest.js';
import { ipv4Mask, parseIpv4, parseIpv6, plainDottedQuad, type IpFamily, type Ipv6Words } from '../../net/address.js';
import { protocolNames, TCP_PORT_NAMES, UDP_PORT_NAMES } from './keywords.js';
import { allDigits, endSpan, rangeSpan, tokenSpan, type Line, type Token } from './lexer.js';
import type { H3cAddr, H3cPort } from './vendor.js';

/** A parse result: the value and how many tokens it used, or a diagnostic. */
export type Operand<T> = { readonly ok: true; readonly value: T; readonly used: number } | { readonly ok: false; readonly error: Diagnostic };

function fail<T>(line: Line, token: Token | undefined, message: string, suggestion?: string): Operand<T> {
  const span = token ? tokenSpan(line, token) : endSpan(line);
  return { ok: false, error: { severity: 'error', message, span, ...(suggestion ? { suggestion } : {}) } };
}

/** True when the word is a keyword that starts another option, so it cannot be an operand. */
export type IsKeyword = (lower: string) => boolean;

/**
 * Parses `any`, `addr wildcard`, `addr/len` (IPv4) or `any`, `addr/len`, `addr len` (IPv6)
 * starting at tokens[i]; `after` is the option word, for messages.
 */
export function parseAddress(line: Line, i: number, family: IpFamily, after: Token, isKeyword: IsKeyword): Operand<H3cAddr> {
  const t = line.tokens[i];
  if (!t || isKeyword(t.lower)) return fail(line, t, `expected an address or 'any' after '${after.text}'`);
  if (t.lower === 'any') return { ok: true, value: ANY, used: 1 };
  return family === 4 ? parseV4(line, i, t, isKeyword) : parseV6(line, i, t, isKeyword);
}

/** `any`, one frozen object for every rule. */
const ANY: H3cAddr = freeze({ kind: 'any' });

function parseV4(line: Line, i: number, t: Token, isKeyword: IsKeyword): Operand<H3cAddr> {
  // a plain dotted quad (most addresses) has no ':' and no '/': straight to the wildcard
  const plain = plainDottedQuad(t.text);
  if (plain !== undefined) return v4WithWildcard(line, i, t, plain, isKeyword);
  if (t.text.includes(':')) return fail(line, t, `'${t.text}' is an IPv6 address in an IPv4 ACL`, "use 'acl ipv6 advanced' for IPv6 rules");
  const slash = t.text.indexOf('/');
  if (slash >= 0) {
    const addr = parseIpv4(t.text.slice(0, slash));
    const lenText = t.text.slice(slash + 1);
    if (addr === undefined) return fail(line, t, `bad IPv4 address '${t.text.slice(0, slash)}'`);
    if (!/^\d{1,2}$/.test(lenText) || Number(lenText) > 32) return fail(line, t, `bad prefix length '${lenText}' (0-32)`);
    const wildcard = ~ipv4Mask(Number(lenText)) >>> 0;
    return { ok: true, value: Object.freeze({ kind: 'v4', addr: (addr & ~wildcard) >>> 0, wildcard }), used: 1 };
  }
  const addr = parseIpv4(t.text);
  if (addr === undefined) return fail(line, t, `bad IPv4 address '${t.text}'`);
  return v4WithWildcard(line, i, t, addr, isKeyword);
}

/** `addr wildcard` with the address tokens[i] (`t`) read as `addr`: the wildcard is tokens[i + 1]. */
function v4WithWildcard(line: Line, i: number, t: Token, addr: number, isKeyword: IsKeyword): Operand<H3cAddr> {
  const w = line.tokens[i + 1];
  if (!w || isKeyword(w.lower))
    return fail(line, w, `expected a wildcard mask after '${t.text}'`, `write '${t.text} 0' for one host, or a wildcard such as 0.0.0.255`);
  const wildcard = w.text === '0' ? 0 : parseIpv4(w.text);
  if (wildcard === undefined)
    return fail(line, w, `bad wildcard mask '${w.text}'`, 'a wildcard is a dotted quad such as 0.0.0.255 (1 bits mean "any value"), or 0 for one host');
  return { ok: true, value: Object.freeze({ kind: 'v4', addr: (addr & ~wildcard) >>> 0, wildcard }), used: 2 };
}

/** True when `w` is a subnet mask (ones then zeros) but not a plain wildcard (zeros then ones). */
export function looksLikeSubnetMask(w: number): boolean {
  const inv = ~w >>> 0;
  const isWildcardShape = ((w + 1) & w) === 0;
  const isMaskShape = ((inv + 1) & inv) === 0;
  return w !== 0 && w !== 0xffffffff && isMaskShape && !isWildcardShape;
}

function parseV6(line: Line, i: number, t: Token, isKeyword: IsKeyword): Operand<H3cAddr> {
  const slash = t.text.indexOf('/');
  let addrText = t.text;
  let lenText: string | undefined;
  let used = 1;
  if (slash >= 0) {
    addrText = t.text.slice(0, slash);
    lenText = t.text.slice(slash + 1);
  } else {
    const next = line.tokens[i + 1];
    if (!next || isKeyword(next.lower)) return fail(line, next, `expected a prefix length after '${t.text}'`, `write '${t.text}/128' for one host`);
    lenText = next.text;
    used = 2;
  }
  const addr = parseIpv6(addrText);
  if (!addr) {
    if (parseIpv4(addrText) !== undefined) return fail(line, t, `'${addrText}' is an IPv4 address in an IPv6 ACL`);
    return fail(line, t, `bad IPv6 address '${addrText}'`);
  }
  if (!/^\d{1,3}$/.test(lenText) || Number(lenText) > 128) {
    const where = used === 2 ? line.tokens[i + 1] : t;
    return fail(line, where, `bad prefix length '${lenText}' (0-128)`);
  }
  const prefixLen = Number(lenText);
  return { ok: true, value: freeze({ kind: 'v6', addr: freeze(maskV6(addr, prefixLen)), prefixLen }), used };
}

/** Clears the host bits of an IPv6 address beyond `prefixLen`. */
export function maskV6(addr: Ipv6Words, prefixLen: number): Ipv6Words {
  const out = addr.map((w, k) => {
    const bits = Math.max(0, Math.min(32, prefixLen - 32 * k));
    return (w & ipv4Mask(bits)) >>> 0;
  });
  return [out[0]!, out[1]!, out[2]!, out[3]!];
}

const OPERATORS = ['lt', 'gt', 'eq', 'neq', 'range'] as const;
const OPERATOR_SET: ReadonlySet<string> = new Set(OPERATORS);

/** Parses `op port [port]` after `source-port` / `destination-port`, names per `protocol` (6 tcp, 17 udp). */
export function parsePort(line: Line, i: number, protocol: number, after: Token, isKeyword: IsKeyword): Operand<H3cPort> {
  const opTok = line.tokens[i];
  const op = opTok !== undefined && OPERATOR_SET.has(opTok.lower) ? (opTok.lower as (typeof OPERATORS)[number]) : undefined;
  if (!opTok || !op) {
    const near = opTok ? suggest(opTok.lower, OPERATORS) : undefined;
    return fail(line, opTok, `expected an operator (lt, gt, eq, neq, range) after '${after.text}'`, near ? `did you mean '${near}'?` : undefined);
  }
  if (op === 'eq') {
    const known = EQ_PORTS.get(line.tokens[i + 1]?.text ?? '');
    if (known) return { ok: true, value: known, used: 2 };
  }
  const count = op === 'range' ? 2 : 1;
  const operands: number[] = [];
  const written: string[] = [];
  for (let k = 0; k < count; k++) {
    const p = line.tokens[i + 1 + k];
    const prev = line.tokens[i + k]!;
    if (!p || isKeyword(p.lower)) return fail(line, p, `expected a port after '${prev.text}'`);
    const n = portNumber(line, p, protocol);
    if (!n.ok) return n;
    operands.push(n.value);
    written.push(p.text);
  }
  if (op === 'range' && operands[0]! > operands[1]!) {
    const a = line.tokens[i + 1]!;
    const b = line.tokens[i + 2]!;
    return {
      ok: false,
      error: {
        severity: 'error',
        message: `range ${written[0]} ${written[1]} is empty: the first port must not exceed the second`,
        span: rangeSpan(line, a, b),
        suggestion: `write 'range ${written[1]} ${written[0]}'`,
      },
    };
  }
  const value: H3cPort = freeze({ op, operands: freeze(operands), written: freeze(written) });
  if (op === 'eq' && /^\d{1,5}$/.test(written[0]!)) EQ_PORTS.set(written[0]!, value);
  return { ok: true, value, used: 1 + count };
}

/**
 * `eq N` with N written as a number (at most 5 digits, so at most 100,000 entries), by the number's text:
 * the same for tcp and udp, so every rule with `eq 443` shares one frozen port operand.
 */
const EQ_PORTS = new Map<string, H3cPort>();

function portNumber(line: Line, t: Token, protocol: number): Operand<number> {
  if (/^\d+$/.test(t.text)) {
    const n = Number(t.text);
    if (n > 65535) return fail(line, t, `port ${t.text} is out of range (0-65535)`);
    return { ok: true, value: n, used: 1 };
  }
  const table = protocol === 17 ? UDP_PORT_NAMES : TCP_PORT_NAMES;
  const n = table.get(t.lower);
  if (n !== undefined) return { ok: true, value: n, used: 1 };
  const proto = protocol === 17 ? 'udp' : 'tcp';
  const other = (protocol === 17 ? TCP_PORT_NAMES : UDP_PORT_NAMES).get(t.lower);
  if (other !== undefined) return fail(line, t, `'${t.text}' is not a ${proto} port name`, `write the number ${other}`);
  const near = suggest(t.lower, [...table.keys()]);
  return fail(line, t, `unknown ${proto} port name '${t.text}'`, near ? `did you mean '${near}'?` : undefined);
}

/** Parses a protocol name or number for an ACL of `family`. */
export function parseProtocol(line: Line, t: Token | undefined, family: IpFamily, after: Token): Operand<number | 'any'> {
  if (!t) return fail(line, t, `expected a protocol after '${after.text}'`, `use '${family === 4 ? 'ip' : 'ipv6'}' for any protocol`);
  if (allDigits(t.text)) {
    const n = Number(t.text);
    if (n > 255) return fail(line, t, `protocol ${t.text} is out of range (0-255)`);
    return { ok: true, value: n, used: 1 };
  }
  const names = protocolNames(family);
  const p = names.get(t.lower);
  if (p !== undefined) return { ok: true, value: p, used: 1 };
  if (family === 6 && t.lower === 'ip') return fail(line, t, "unknown protocol 'ip' in an IPv6 ACL", "did you mean 'ipv6'?");
  if (family === 6 && t.lower === 'icmp') return fail(line, t, "unknown protocol 'icmp' in an IPv6 ACL", "did you mean 'icmpv6'?");
  const near = suggest(t.lower, [...names.keys()]);
  return fail(line, t, `unknown protocol '${t.text}'`, near ? `did you mean '${near}'?` : undefined);
}
