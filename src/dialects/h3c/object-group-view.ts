/**
 * Comware 7 object groups: `object-group {ip address | ipv6 address | service | port} NAME` and
 * the members of their views (OG; port and service member syntax from SecPath configurations):
 * - address: `[N] network host address A`, `[N] network subnet A MASK` (IPv6: `A PREFIX-LENGTH`),
 *   `[N] network range A B`, `[N] network group-object X`;
 * - port: `[N] port {eq|lt|gt|neq} P`, `[N] port range A B`, `[N] port group-object X`;
 * - service: `[N] service {tcp|udp} [source OP P…] [destination OP P…]`, `[N] service icmp [TYPE [CODE]]`,
 *   `[N] service PROTOCOL`, `[N] service group-object X`.
 * Anything else in the view is refused as not supported yet (a silent skip could change a verdict).
 */
import { ipv4Mask, parseIpv4, parseIpv6, type IpFamily, type Ipv6Words } from '../../net/address.js';
import { commandSpan, errorAt, type ParseContext } from './context.js';
import type { Line, Token } from './lexer.js';
import { maskV6, parsePort, parseProtocol } from './operands.js';
import type { H3cAddr, H3cGroupMember, H3cObjectGroup } from './vendor.js';

/** Group names are case-insensitive on Comware: the lookup key. */
export function groupKey(name: string): string {
  return name.toLowerCase();
}

/** `object-group ip address NAME` …: enters (or re-enters) the group's view. */
export function handleObjectGroupHeader(ctx: ParseContext, line: Line): void {
  const t = line.tokens;
  let type: H3cObjectGroup['type'];
  let family: IpFamily | undefined;
  let i = 1;
  const w = t[1]?.lower;
  if ((w === 'ip' || w === 'ipv6') && t[2]?.lower === 'address') {
    type = 'address';
    family = w === 'ip' ? 4 : 6;
    i = 3;
  } else if (w === 'service' || w === 'port') {
    type = w;
    i = 2;
  } else {
    return errorAt(ctx, line, t[1], `'object-group ${t[1]?.text ?? ''}' is not supported yet: ftpwall reads 'ip address', 'ipv6 address', 'service' and 'port' object groups`);
  }
  const nameTok = t[i];
  if (!nameTok) return errorAt(ctx, line, undefined, 'expected an object group name');
  if (t[i + 1]) return errorAt(ctx, line, t[i + 1], `unexpected '${t[i + 1]!.text}' after the object group name`);
  const groups = ctx.config.c7.objectGroups;
  let group = groups.get(groupKey(nameTok.text));
  if (group && (group.type !== type || group.family !== family))
    return errorAt(ctx, line, t[1], `object group '${group.name}' already exists as a ${describeType(group)} group`);
  if (!group) {
    group = { type, ...(family !== undefined ? { family } : {}), name: nameTok.text, at: commandSpan(line), members: [] };
    groups.set(groupKey(nameTok.text), group);
  }
  ctx.view = { kind: 'object-group', group };
}

/** `ip address`, `ipv6 address`, `service`, `port`. */
export function describeType(g: Pick<H3cObjectGroup, 'type' | 'family'>): string {
  return g.type === 'address' ? (g.family === 6 ? 'ipv6 address' : 'ip address') : g.type;
}

/** A command in an object group view. */
export function handleObjectGroupCommand(ctx: ParseContext, line: Line, group: H3cObjectGroup): void {
  const t = line.tokens;
  if (t[0]!.lower === 'description' || t[0]!.lower === 'security-zone') return; // documentation / zone binding: no effect on matching
  // An optional object id comes first: `0 network host address 1.1.1.1`.
  const i = /^\d+$/.test(t[0]!.text) ? 1 : 0;
  const word = t[i];
  if (!word) return errorAt(ctx, line, undefined, 'expected a member after the object id');
  const at = commandSpan(line);
  const want = group.type === 'address' ? 'network' : group.type;
  if (word.lower !== want)
    return errorAt(ctx, line, word, `'${word.text}' is not supported yet in an ${describeType(group)} object group`, `members of this group start with '${want}'`);
  if (t[i + 1]?.lower === 'group-object') {
    const n = t[i + 2];
    if (!n) return errorAt(ctx, line, t[i + 1], "expected a group name after 'group-object'");
    group.members.push({ kind: 'group', name: n.text, at });
    return;
  }
  let member: H3cGroupMember | undefined;
  if (group.type === 'address') member = addressMember(ctx, line, i + 1, group.family ?? 4);
  else if (group.type === 'port') member = portMember(ctx, line, i + 1);
  else member = serviceMember(ctx, line, i + 1);
  if (member) group.members.push(member);
}

function addressMember(ctx: ParseContext, line: Line, i: number, family: IpFamily): H3cGroupMember | undefined {
  const t = line.tokens;
  const at = commandSpan(line);
  const kind = t[i];
  const a = t[i + 1];
  const b = t[i + 2];
  const bad = (tok: Token | undefined, what: string): undefined => {
    errorAt(ctx, line, tok, `expected ${what}`);
    return undefined;
  };
  switch (kind?.lower) {
    case 'host': {
      if (a?.lower !== 'address') {
        errorAt(ctx, line, a ?? kind, `'network host ${a?.text ?? ''}' is not supported yet: ftpwall reads 'network host address A'`);
        return undefined;
      }
      const addr = parseOne(b, family);
      if (addr === undefined) return bad(b, `an IPv${family} address after 'address'`);
      return { kind: 'addr', addrs: [hostAddr(addr, family)], at };
    }
    case 'subnet': {
      const addr = parseOne(a, family);
      if (addr === undefined) return bad(a, `an IPv${family} address after 'subnet'`);
      if (family === 4) {
        const mask = b ? parseIpv4(b.text) : undefined;
        const len = mask === undefined ? undefined : maskLength(mask);
        if (len === undefined) return bad(b ?? a, "a subnet mask such as 255.255.255.0 after the address");
        const wildcard = ~ipv4Mask(len) >>> 0;
        return { kind: 'addr', addrs: [{ kind: 'v4', addr: ((addr as number) & ~wildcard) >>> 0, wildcard }], at };
      }
      const len = b && /^\d{1,3}$/.test(b.text) && Number(b.text) <= 128 ? Number(b.text) : undefined;
      if (len === undefined) return bad(b ?? a, 'a prefix length (0-128) after the address');
      return { kind: 'addr', addrs: [{ kind: 'v6', addr: maskV6(addr as Ipv6Words, len), prefixLen: len }], at };
    }
    case 'range': {
      const lo = parseOne(a, family);
      const hi = parseOne(b, family);
      if (lo === undefined) return bad(a, `an IPv${family} address after 'range'`);
      if (hi === undefined) return bad(b ?? a, `a second IPv${family} address after '${a!.text}'`);
      const addrs = family === 4 ? rangeV4(lo as number, hi as number) : rangeV6(lo as Ipv6Words, hi as Ipv6Words);
      if (!addrs) return bad(b, `a range whose first address is not above the second ('${a!.text}' is above '${b!.text}')`);
      return { kind: 'addr', addrs, at };
    }
    default:
      errorAt(ctx, line, kind, `'network ${kind?.text ?? ''}' is not supported yet: ftpwall reads 'network host address', 'network subnet', 'network range' and 'network group-object'`);
      return undefined;
  }
}

function parseOne(t: Token | undefined, family: IpFamily): number | Ipv6Words | undefined {
  if (!t) return undefined;
  return family === 4 ? parseIpv4(t.text) : parseIpv6(t.text);
}

function hostAddr(a: number | Ipv6Words, family: IpFamily): H3cAddr {
  return family === 4 ? { kind: 'v4', addr: a as number, wildcard: 0 } : { kind: 'v6', addr: a as Ipv6Words, prefixLen: 128 };
}

/** The prefix length of a contiguous mask, or undefined. */
function maskLength(mask: number): number | undefined {
  for (let len = 0; len <= 32; len++) if (ipv4Mask(len) === mask >>> 0) return len;
  return undefined;
}

/** The fewest prefixes (as wildcard entries) that cover [lo, hi] exactly; undefined when lo > hi. */
export function rangeV4(lo: number, hi: number): H3cAddr[] | undefined {
  if (lo > hi) return undefined;
  const out: H3cAddr[] = [];
  let a = lo;
  while (a <= hi) {
    // the largest aligned block starting at a that stays within hi
    let size = 1;
    while (size < 2 ** 32 && a % (size * 2) === 0 && a + size * 2 - 1 <= hi) size *= 2;
    out.push({ kind: 'v4', addr: a >>> 0, wildcard: (size - 1) >>> 0 });
    a += size;
  }
  return out;
}

function toBig(w: Ipv6Words): bigint {
  return (BigInt(w[0]) << 96n) | (BigInt(w[1]) << 64n) | (BigInt(w[2]) << 32n) | BigInt(w[3]);
}

function fromBig(v: bigint): Ipv6Words {
  const m = 0xffffffffn;
  return [Number((v >> 96n) & m), Number((v >> 64n) & m), Number((v >> 32n) & m), Number(v & m)];
}

/** The fewest IPv6 prefixes that cover [lo, hi] exactly (at most 254); undefined when lo > hi. */
export function rangeV6(loW: Ipv6Words, hiW: Ipv6Words): H3cAddr[] | undefined {
  const lo = toBig(loW);
  const hi = toBig(hiW);
  if (lo > hi) return undefined;
  const out: H3cAddr[] = [];
  let a = lo;
  while (a <= hi) {
    let bits = 0n;
    while (bits < 128n && (a & ((1n << (bits + 1n)) - 1n)) === 0n && a + (1n << (bits + 1n)) - 1n <= hi) bits++;
    out.push({ kind: 'v6', addr: fromBig(a), prefixLen: 128 - Number(bits) });
    a += 1n << bits;
  }
  return out;
}


function portMember(ctx: ParseContext, line: Line, i: number): H3cGroupMember | undefined {
  const t = line.tokens;
  // A port group is protocol-neutral: numbers only are certain; names are read as TCP names.
  const p = parsePort(line, i, 6, t[i - 1]!, () => false);
  if (!p.ok) {
    ctx.diags.push(p.error);
    return undefined;
  }
  if (t[i + p.used]) {
    errorAt(ctx, line, t[i + p.used], `unexpected '${t[i + p.used]!.text}' in a port member`);
    return undefined;
  }
  return { kind: 'port', port: p.value, at: commandSpan(line) };
}

function serviceMember(ctx: ParseContext, line: Line, i: number): H3cGroupMember | undefined {
  return parseServiceAt(ctx, line, i);
}

/** `PROTOCOL [source OP P…] [destination OP P…]` or `icmp [TYPE [CODE]]` at tokens[i] (service members, security policy `service`). */
export function parseServiceAt(ctx: ParseContext, line: Line, i: number): Extract<H3cGroupMember, { kind: 'service' }> | undefined {
  const t = line.tokens;
  const at = commandSpan(line);
  const protoTok = t[i];
  const p = parseProtocol(line, protoTok, 4, t[i - 1]!);
  if (!p.ok) {
    ctx.diags.push(p.error);
    return undefined;
  }
  const protocol = p.value;
  let j = i + 1;
  if (protocol === 1) {
    if (!t[j]) return { kind: 'service', protocol, at };
    const type = Number(t[j]!.text);
    if (!/^\d+$/.test(t[j]!.text) || type > 255) {
      errorAt(ctx, line, t[j], `expected an ICMP type (0-255), got '${t[j]!.text}'`);
      return undefined;
    }
    const c = t[j + 1];
    if (c && (!/^\d+$/.test(c.text) || Number(c.text) > 255)) {
      errorAt(ctx, line, c, `expected an ICMP code (0-255), got '${c.text}'`);
      return undefined;
    }
    return { kind: 'service', protocol, icmp: { type, ...(c ? { code: Number(c.text) } : {}), written: c ? `${type} ${c.text}` : String(type) }, at };
  }
  let srcPort;
  let dstPort;
  while (j < t.length) {
    const w = t[j]!;
    if ((w.lower === 'source' || w.lower === 'destination') && (protocol === 6 || protocol === 17)) {
      const r = parsePort(line, j + 1, protocol, w, (x) => x === 'source' || x === 'destination');
      if (!r.ok) {
        ctx.diags.push(r.error);
        return undefined;
      }
      if (w.lower === 'source') srcPort = r.value;
      else dstPort = r.value;
      j += 1 + r.used;
    } else {
      errorAt(ctx, line, w, `unexpected '${w.text}' in a service${protocol === 6 || protocol === 17 ? '' : ' (ports apply only to tcp and udp)'}`);
      return undefined;
    }
  }
  return { kind: 'service', protocol, ...(srcPort ? { srcPort } : {}), ...(dstPort ? { dstPort } : {}), at };
}
