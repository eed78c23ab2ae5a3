/**
 * Interfaces and what is applied on them, ASPF policies, and the global
 * packet-filter settings.
 *
 * Comware 7: `packet-filter [ipv6] {N | name X} {inbound|outbound} [hardware-count]` and
 * `aspf apply policy N {inbound|outbound}` in interface view; `packet-filter default deny`,
 * `aspf policy N` (view with `detect ftp`) and `port-mapping application ftp port N` in system view.
 * Comware 5: `packet-filter {inbound|outbound} ip-group N [rule R]` (switches),
 * `firewall packet-filter [ipv6] {N | name X} {inbound|outbound}`, `firewall aspf N {inbound|outbound}`
 * in interface view; `firewall enable`, `firewall default {permit|deny}`,
 * `firewall packet-filter default {permit|deny}`, `aspf-policy N`, `port-mapping ftp port N` in system view.
 */
import type { Direction } from '../../policy/model.js';
import type { IpFamily } from '../../net/address.js';
import { commandSpan, errorAt, numberToken, skipLine, warnAt, type ParseContext } from './context.js';
import { normalizeInterfaceName } from './keywords.js';
import type { Line, Token } from './lexer.js';
import type { H3cConfig, H3cInterface, H3cPacketFilter } from './vendor.js';

/** `interface TYPE NUMBER [mode …]` or `interface range A to B, C`: enters (or re-enters) the interface view. */
export function handleInterfaceHeader(ctx: ParseContext, line: Line): void {
  const t = line.tokens;
  if (t.length < 2) return errorAt(ctx, line, undefined, "expected an interface name after 'interface'");
  if (t[1]!.lower === 'range') return interfaceRange(ctx, line);
  const { name } = interfaceNameAt(line, 1);
  ctx.view = { kind: 'interface', iface: declareInterface(ctx, name, line) };
}

/** The interface declared by that name (created on first use). */
function declareInterface(ctx: ParseContext, name: string, line: Line): H3cInterface {
  // a name index kept beside the list, so re-entering or declaring N interfaces costs O(N), not O(N²)
  let index = interfaceIndex.get(ctx.config);
  if (!index) interfaceIndex.set(ctx.config, (index = new Map(ctx.config.interfaces.map((x) => [x.name, x]))));
  let iface = index.get(name);
  if (!iface) {
    iface = { name, at: commandSpan(line), packetFilters: [], aspf: [] };
    ctx.config.interfaces.push(iface);
    index.set(name, iface);
  }
  return iface;
}

/** Interfaces by name, per config being parsed. */
const interfaceIndex = new WeakMap<H3cConfig, Map<string, H3cInterface>>();

/**
 * The interface name at tokens[i]: `GigabitEthernet1/0/1`, or `GigabitEthernet 1/0/1` (type and
 * number apart). Words after the name (`interface Tunnel0 mode gre`) are options, never part of it.
 */
export function interfaceNameAt(line: Line, i: number): { name: string; used: number } {
  const a = line.tokens[i]!;
  const b = line.tokens[i + 1];
  // A type without a number (`GigabitEthernet`) takes the next word when it starts with a digit.
  if (!/\d/.test(a.text) && b && /^\d/.test(b.text)) return { name: normalizeInterfaceName(a.text + b.text), used: 2 };
  return { name: normalizeInterfaceName(a.text), used: 1 };
}

/** Most members one `interface range` may expand to (Comware lists up to 24 items; a `to` item spans a slot). */
const MAX_RANGE_MEMBERS = 4096;

/** `interface range A [to B] [, C [to D]]…` (also space-separated): one view for every member. */
function interfaceRange(ctx: ParseContext, line: Line): void {
  const t = line.tokens.flatMap((x) => splitCommas(x));
  let i = 2;
  if (t[i]?.lower === 'name') {
    // `interface range name NAME [interface …]`: the name is a label; the members follow `interface`.
    i += 2;
    if (t[i]?.lower === 'interface') i++;
    else return errorAt(ctx, line, t[i - 1], "'interface range name' without its member list is not supported yet", "write the members: 'interface range GigabitEthernet1/0/1 to GigabitEthernet1/0/4'");
  }
  const names: string[] = [];
  while (i < t.length) {
    const start = interfaceNameAt({ ...line, tokens: t }, i);
    i += start.used;
    if (t[i]?.lower === 'to') {
      const endTok = t[i + 1];
      if (!endTok) return errorAt(ctx, line, t[i], "expected an interface after 'to'");
      const endRaw = interfaceNameAt({ ...line, tokens: t }, i + 1);
      // `GigabitEthernet1/0/1 to 1/0/4`: the end may omit the type
      const typeOf = (n: string): string => /^[^\d]*/.exec(n)![0];
      const end = /^\d/.test(endRaw.name) ? typeOf(start.name) + endRaw.name : endRaw.name;
      const span = expandRange(start.name, end);
      if (!span) return errorAt(ctx, line, endTok, `'${start.name} to ${end}' is not a range: the names must differ only in their last number, ascending`);
      if (names.length + span.length > MAX_RANGE_MEMBERS) return errorAt(ctx, line, endTok, `the range has more than ${MAX_RANGE_MEMBERS} members`);
      for (const n of span) names.push(n);
      i += 1 + endRaw.used;
    } else {
      names.push(start.name);
    }
  }
  if (names.length === 0) return errorAt(ctx, line, undefined, "expected interfaces after 'interface range'");
  const members = names.map((n) => declareInterface(ctx, n, line));
  ctx.view = { kind: 'interface', iface: members[0]!, members };
}

/** `GigabitEthernet1/0/1,` → two tokens, the comma dropped (columns kept). */
function splitCommas(t: Token): Token[] {
  if (!t.text.includes(',')) return [t];
  const out: Token[] = [];
  let col = t.column;
  for (const part of t.text.split(',')) {
    if (part !== '') out.push({ text: part, lower: part.toLowerCase(), column: col });
    col += part.length + 1;
  }
  return out;
}

/** `GigabitEthernet1/0/1` … `GigabitEthernet1/0/4` → the four names; undefined unless only the last number differs. */
function expandRange(a: string, b: string): string[] | undefined {
  const ma = /^(.*?)(\d+)$/.exec(a);
  const mb = /^(.*?)(\d+)$/.exec(b);
  if (!ma || !mb || ma[1] !== mb[1]) return undefined;
  const lo = Number(ma[2]);
  const hi = Number(mb[2]);
  if (hi < lo || hi - lo >= MAX_RANGE_MEMBERS) return undefined;
  const out: string[] = [];
  for (let k = lo; k <= hi; k++) out.push(`${ma[1]}${k}`);
  return out;
}

function direction(ctx: ParseContext, line: Line, t: Token | undefined, after: string): Direction | undefined {
  if (t?.lower === 'inbound' || t?.lower === 'outbound') return t.lower;
  errorAt(ctx, line, t, `expected 'inbound' or 'outbound' after '${after}'`);
  return undefined;
}

/** Parses `{N | name X}` at tokens[i]; returns the reference and the tokens used. */
export function aclRef(ctx: ParseContext, line: Line, i: number, after: string): { ref: H3cPacketFilter['ref']; used: number } | undefined {
  const t = line.tokens[i];
  if (t?.lower === 'name') {
    const n = line.tokens[i + 1];
    if (!n) {
      errorAt(ctx, line, undefined, "expected an ACL name after 'name'");
      return undefined;
    }
    return { ref: { name: n.text }, used: 2 };
  }
  const number = numberToken(ctx, line, t, 'an ACL number', 2000, 3999, after);
  return number === undefined ? undefined : { ref: { number }, used: 1 };
}

/** Handles a command in interface view; returns false when it is not one ftpwall interprets. */
export function handleInterfaceCommand(ctx: ParseContext, line: Line, iface: H3cInterface): boolean {
  const t = line.tokens;
  const w0 = t[0]!.lower;
  if (w0 === 'packet-filter') {
    packetFilter(ctx, line, iface, 1, 'packet-filter');
    return true;
  }
  if (w0 === 'aspf' && t[1]?.lower === 'apply') {
    if (t[2]?.lower !== 'policy') {
      errorAt(ctx, line, t[2], "expected 'policy' after 'aspf apply'");
      return true;
    }
    aspfApply(ctx, line, iface, 3, 'aspf');
    return true;
  }
  if (w0 === 'firewall' && t[1]?.lower === 'packet-filter') {
    packetFilter(ctx, line, iface, 2, 'firewall');
    return true;
  }
  if (w0 === 'firewall' && t[1]?.lower === 'aspf') {
    aspfApply(ctx, line, iface, 2, 'firewall');
    return true;
  }
  if (w0 === 'undo' && t[1]?.lower === 'packet-filter') {
    // `undo packet-filter [ipv6] {N | name X} {inbound|outbound}`: removes that application.
    const family: IpFamily = t[2]?.lower === 'ipv6' ? 6 : 4;
    const dirTok = t[t.length - 1];
    const dir = direction(ctx, line, dirTok, t[t.length - 2]?.text ?? 'packet-filter');
    if (!dir) return true;
    const keep = iface.packetFilters.filter((p) => p.family !== family || p.direction !== dir);
    iface.packetFilters.length = 0;
    for (const f of keep) iface.packetFilters.push(f);
    return true;
  }
  return false;
}

function packetFilter(ctx: ParseContext, line: Line, iface: H3cInterface, i: number, form: 'packet-filter' | 'firewall'): void {
  const t = line.tokens;
  const at = commandSpan(line);
  const head = t.slice(0, i).map((x) => x.text).join(' ');
  // Comware 5 switches: `packet-filter {inbound|outbound} ip-group N [rule R]`.
  if (form === 'packet-filter' && (t[i]?.lower === 'inbound' || t[i]?.lower === 'outbound')) {
    const dir = t[i]!.lower as Direction;
    const group = t[i + 1];
    if (group?.lower === 'link-group' || group?.lower === 'user-group') {
      warnAt(ctx, line, group, `'${group.text}' filters on layer 2 or user-defined fields, which ftpwall does not simulate: ignored`);
      return;
    }
    if (group?.lower !== 'ip-group') return errorAt(ctx, line, group, `expected 'ip-group' after '${t[i]!.text}'`);
    const ref = aclRef(ctx, line, i + 2, 'ip-group');
    if (!ref) return;
    let j = i + 2 + ref.used;
    let ruleId: number | undefined;
    if (t[j]?.lower === 'rule') {
      ruleId = numberToken(ctx, line, t[j + 1], 'a rule id', 0, 65534, 'rule');
      if (ruleId === undefined) return;
      warnAt(ctx, line, t[j]!, `applying a single rule ('rule ${ruleId}') is not simulated: the whole ACL is applied`);
      j += 2;
    }
    if (t[j]) warnAt(ctx, line, t[j]!, `'${t[j]!.text}' and what follows are ignored`);
    iface.packetFilters.push({ direction: dir, family: 4, ref: ref.ref, form, at, ...(ruleId !== undefined ? { ruleId } : {}) });
    return;
  }
  let family: IpFamily = 4;
  if (t[i]?.lower === 'ipv6') {
    family = 6;
    i++;
  } else if (t[i]?.lower === 'mac') {
    warnAt(ctx, line, t[i]!, "'packet-filter mac' filters Ethernet frames, which ftpwall does not simulate: ignored");
    return;
  }
  if (t[i]?.lower === 'default') return errorAt(ctx, line, t[i], `'${head} default' is a system view command`, 'put it before any interface, or after quit');
  const ref = aclRef(ctx, line, i, t[i - 1]!.text);
  if (!ref) return;
  i += ref.used;
  const dir = direction(ctx, line, t[i], t[i - 1]!.text);
  if (!dir) return;
  i++;
  // Options: hardware-count does not change which packets are filtered; match-fragments does (sheet 5.4).
  let matchFragments: 'normally' | 'exactly' | undefined;
  while (i < t.length) {
    const w = t[i]!;
    if (w.lower === 'hardware-count') i++;
    else if (w.lower === 'match-fragments' && (t[i + 1]?.lower === 'normally' || t[i + 1]?.lower === 'exactly')) {
      matchFragments = t[i + 1]!.lower as 'normally' | 'exactly';
      i += 2;
    } else return errorAt(ctx, line, w, `unexpected '${w.text}' in ${head}`);
  }
  iface.packetFilters.push({ direction: dir, family, ref: ref.ref, form, at, ...(matchFragments ? { matchFragments } : {}) });
}

function aspfApply(ctx: ParseContext, line: Line, iface: H3cInterface, i: number, form: 'aspf' | 'firewall'): void {
  const t = line.tokens;
  const policy = numberToken(ctx, line, t[i], 'an ASPF policy number', 1, 256, t[i - 1]!.text);
  if (policy === undefined) return;
  const dir = direction(ctx, line, t[i + 1], t[i]!.text);
  if (!dir) return;
  if (t[i + 2]) return errorAt(ctx, line, t[i + 2], `unexpected '${t[i + 2]!.text}' after '${t[i + 1]!.text}'`);
  iface.aspf.push({ policy, direction: dir, form, at: commandSpan(line) });
}

/** `aspf policy N` (Comware 7) or `aspf-policy N` (Comware 5): enters the ASPF policy view. */
export function handleAspfPolicyHeader(ctx: ParseContext, line: Line, numberIndex: number): void {
  const t = line.tokens;
  const n = numberToken(ctx, line, t[numberIndex], 'an ASPF policy number', 1, 256, t[numberIndex - 1]!.text);
  if (n === undefined) return;
  let policy = ctx.config.aspfPolicies.find((p) => p.number === n);
  if (!policy) {
    policy = { number: n, at: commandSpan(line), detect: new Map() };
    ctx.config.aspfPolicies.push(policy);
  }
  ctx.view = { kind: 'aspf', policy };
}

/** The global commands: `packet-filter default`, `firewall …`, `port-mapping …`. Returns false if not one. */
export function handleGlobalFilterCommand(ctx: ParseContext, line: Line): boolean {
  const t = line.tokens;
  const w0 = t[0]!.lower;
  const at = commandSpan(line);
  const setDefault = (i: number, key: 'defaultAction' | 'ipv6DefaultAction' = 'defaultAction'): void => {
    const a = t[i];
    if (a?.lower !== 'deny' && a?.lower !== 'permit') return errorAt(ctx, line, a, `expected 'deny' or 'permit' after '${t[i - 1]!.text}'`);
    ctx.config[key] = { action: a.lower, at, form: w0 === 'firewall' ? 'firewall' : 'packet-filter' };
  };
  if (w0 === 'packet-filter' && t[1]?.lower === 'default') {
    setDefault(2);
    return true;
  }
  if (w0 === 'packet-filter' && t.some((x) => x.lower === 'global' || x.lower === 'vlan')) {
    systemPacketFilter(ctx, line);
    return true;
  }
  if (w0 === 'firewall') {
    const w1 = t[1]?.lower;
    if (w1 === 'enable') ctx.config.firewallEnabled = at;
    else if (w1 === 'default') setDefault(2);
    else if (w1 === 'packet-filter' && t[2]?.lower === 'default') setDefault(3);
    else if (w1 === 'ipv6' && t[2]?.lower === 'default') setDefault(3, 'ipv6DefaultAction');
    else if (w1 === 'ipv6' && t[2]?.lower === 'enable') ctx.config.ipv6FirewallEnabled = at;
    else skipLine(ctx, line, 'firewall');
    return true;
  }
  if (w0 === 'port-mapping') {
    portMapping(ctx, line);
    return true;
  }
  return false;
}

function portMapping(ctx: ParseContext, line: Line): void {
  const t = line.tokens;
  // Comware 7 `port-mapping application NAME port N …`; Comware 5 `port-mapping NAME port N …`.
  let i = 1;
  if (t[i]?.lower === 'application') i++;
  const app = t[i];
  if (!app) return errorAt(ctx, line, undefined, "expected an application name after 'port-mapping'");
  if (app.lower !== 'ftp') return skipLine(ctx, line, 'port-mapping');
  if (t[i + 1]?.lower !== 'port') return errorAt(ctx, line, t[i + 1], "expected 'port' after 'ftp'");
  const port = numberToken(ctx, line, t[i + 2], 'a port', 0, 65535, 'port');
  if (port === undefined) return;
  let j = i + 3;
  if (t[j]?.lower === 'protocol') {
    if (t[j + 1]?.lower !== 'tcp') return errorAt(ctx, line, t[j + 1], "FTP control runs over tcp: expected 'tcp' after 'protocol'");
    j += 2;
  }
  if (t[j]) warnAt(ctx, line, t[j]!, `a port mapping limited by '${t[j]!.text}' is not simulated: port ${port} is treated as FTP for every host`);
  ctx.config.portMappings.push({ application: 'ftp', port, at: commandSpan(line) });
}

/**
 * `packet-filter [ipv6] {N | name X} global {inbound|outbound} [hardware-count]` and
 * `packet-filter [ipv6] {N | name X} vlan VLAN-LIST {inbound|outbound}` (C7-sw-en, C7-zh), system view.
 */
function systemPacketFilter(ctx: ParseContext, line: Line): void {
  const t = line.tokens;
  let i = 1;
  let family: IpFamily = 4;
  if (t[i]?.lower === 'ipv6') {
    family = 6;
    i++;
  } else if (t[i]?.lower === 'mac') {
    return warnAt(ctx, line, t[i]!, "'packet-filter mac' filters Ethernet frames, which ftpwall does not simulate: ignored");
  }
  const ref = aclRef(ctx, line, i, t[i - 1]!.text);
  if (!ref) return;
  i += ref.used;
  let vlans: number[] | undefined;
  if (t[i]?.lower === 'global') {
    i++;
  } else if (t[i]?.lower === 'vlan') {
    vlans = [];
    i++;
    // `vlan 10`, `vlan 10 to 20`, `vlan 10 20 30`
    while (t[i] && /^\d+$/.test(t[i]!.text)) {
      const lo = numberToken(ctx, line, t[i], 'a VLAN id', 1, 4094, 'vlan');
      if (lo === undefined) return;
      let hi = lo;
      if (t[i + 1]?.lower === 'to') {
        const h = numberToken(ctx, line, t[i + 2], 'a VLAN id', lo, 4094, 'to');
        if (h === undefined) return;
        hi = h;
        i += 2;
      }
      for (let v = lo; v <= hi; v++) vlans.push(v);
      i++;
    }
    if (vlans.length === 0) return errorAt(ctx, line, t[i], "expected a VLAN id after 'vlan'");
  } else {
    return errorAt(ctx, line, t[i], `expected 'global' or 'vlan' after '${t[i - 1]!.text}'`);
  }
  const dir = direction(ctx, line, t[i], t[i - 1]!.text);
  if (!dir) return;
  i++;
  while (i < t.length) {
    const w = t[i]!;
    if (w.lower === 'hardware-count') i++;
    else return errorAt(ctx, line, w, `unexpected '${w.text}' in packet-filter`);
  }
  ctx.config.c7.systemFilters.push({ direction: dir, family, ref: ref.ref, form: 'packet-filter', at: commandSpan(line), ...(vlans ? { vlans } : {}) });
}
