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
import type { H3cInterface, H3cPacketFilter } from './vendor.js';

/** `interface TYPE NUMBER`: enters (or re-enters) the interface view. */
export function handleInterfaceHeader(ctx: ParseContext, line: Line): void {
  const rest = line.tokens.slice(1);
  if (rest.length === 0) return errorAt(ctx, line, undefined, "expected an interface name after 'interface'");
  const name = normalizeInterfaceName(rest.map((x) => x.text).join(' '));
  let iface = ctx.config.interfaces.find((x) => x.name === name);
  if (!iface) {
    iface = { name, at: commandSpan(line), packetFilters: [], aspf: [] };
    ctx.config.interfaces.push(iface);
  }
  ctx.view = { kind: 'interface', iface };
}

function direction(ctx: ParseContext, line: Line, t: Token | undefined, after: string): Direction | undefined {
  if (t?.lower === 'inbound' || t?.lower === 'outbound') return t.lower;
  errorAt(ctx, line, t, `expected 'inbound' or 'outbound' after '${after}'`);
  return undefined;
}

/** Parses `{N | name X}` at tokens[i]; returns the reference and the tokens used. */
function aclRef(ctx: ParseContext, line: Line, i: number, after: string): { ref: H3cPacketFilter['ref']; used: number } | undefined {
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
  // Options that do not change which packets are filtered.
  while (i < t.length) {
    const w = t[i]!;
    if (w.lower === 'hardware-count') i++;
    else if (w.lower === 'match-fragments' && (t[i + 1]?.lower === 'normally' || t[i + 1]?.lower === 'exactly')) i += 2;
    else return errorAt(ctx, line, w, `unexpected '${w.text}' in ${head}`);
  }
  iface.packetFilters.push({ direction: dir, family, ref: ref.ref, form, at });
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
  const setDefault = (i: number): void => {
    const a = t[i];
    if (a?.lower !== 'deny' && a?.lower !== 'permit') return errorAt(ctx, line, a, `expected 'deny' or 'permit' after '${t[i - 1]!.text}'`);
    ctx.config.defaultAction = { action: a.lower, at };
  };
  if (w0 === 'packet-filter' && t[1]?.lower === 'default') {
    setDefault(2);
    return true;
  }
  if (w0 === 'firewall') {
    const w1 = t[1]?.lower;
    if (w1 === 'enable') ctx.config.firewallEnabled = at;
    else if (w1 === 'default') setDefault(2);
    else if (w1 === 'packet-filter' && t[2]?.lower === 'default') setDefault(3);
    else if (w1 === 'ipv6' && t[2]?.lower === 'default')
      warnAt(ctx, line, t[1]!, 'a separate IPv6 default action is not simulated: IPv6 packets get the same default as IPv4');
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
