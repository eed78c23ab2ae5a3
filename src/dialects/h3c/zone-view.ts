/**
 * Comware 7 security zones (MSR/SecPath V7 and later):
 * - `security-zone name NAME` with `import interface IFACE [vlan …]`; `security-zone intra-zone default permit`;
 * - `zone-pair security source A destination B` with `packet-filter [ipv6] {N | name X}`;
 * - `security-policy {ip | ipv6}` with rules `rule [N] name X` and their conditions `action pass|drop`,
 *   `source-zone`, `destination-zone`, `source-ip NAME` (object group), `source-ip-host A`,
 *   `source-ip-subnet A M`, `source-ip-range A B` (and the destination forms), `service NAME`
 *   (object group or pre-defined service), `service-port PROTOCOL [source …] [destination …]`, `disable`.
 * A condition ftpwall cannot evaluate (application, user, time range, …) is refused as not
 * supported yet: skipping it would make a rule match more than it does on the device.
 */
import type { IpFamily } from '../../net/address.js';
import { commandSpan, errorAt, numberToken, warnAt, type ParseContext } from './context.js';
import { aclRef, interfaceNameAt } from './interface-view.js';
import type { Line } from './lexer.js';
import { rangeV4, rangeV6, parseServiceAt } from './object-group-view.js';
import { parseAddress } from './operands.js';
import type { H3cAddr, H3cPolicyAddr, H3cSecurityRule, H3cZone, H3cZonePair } from './vendor.js';
import { parseIpv4, parseIpv6, ipv4Mask, type Ipv6Words } from '../../net/address.js';

/** The zone by name, case-insensitively (Comware zone names are case-insensitive), from an index of `zones` built once (the first zone of each name). */
export function zoneFinder(zones: readonly H3cZone[]): (name: string) => H3cZone | undefined {
  const byName = new Map<string, H3cZone>();
  for (const z of zones) {
    const lower = z.name.toLowerCase();
    if (!byName.has(lower)) byName.set(lower, z);
  }
  return (name) => byName.get(name.toLowerCase());
}

/** `security-zone name NAME` (view) or `security-zone intra-zone default {permit|deny}`. */
export function handleZoneHeader(ctx: ParseContext, line: Line): void {
  const t = line.tokens;
  if (t[1]?.lower === 'intra-zone') {
    if (t[2]?.lower !== 'default' || (t[3]?.lower !== 'permit' && t[3]?.lower !== 'deny'))
      return errorAt(ctx, line, t[3] ?? t[2] ?? t[1], "expected 'security-zone intra-zone default permit' or '… deny'");
    if (t[3].lower === 'permit') ctx.config.c7.intraZonePermit = commandSpan(line);
    else delete ctx.config.c7.intraZonePermit;
    return;
  }
  if (t[1]?.lower !== 'name' || !t[2]) return errorAt(ctx, line, t[1], "expected 'security-zone name NAME'");
  const lower = t[2].text.toLowerCase();
  let zone = ctx.zones.zoneByName.get(lower);
  if (!zone) {
    zone = { name: t[2].text, at: commandSpan(line), interfaces: [] };
    ctx.config.c7.zones.push(zone);
    ctx.zones.zoneByName.set(lower, zone);
  }
  ctx.view = { kind: 'zone', zone };
}

/** A command in a security zone view. */
export function handleZoneCommand(ctx: ParseContext, line: Line, zone: H3cZone): void {
  const t = line.tokens;
  const w = t[0]!.lower;
  if (w === 'description' || w === 'priority') return;
  if (w === 'import' && t[1]?.lower === 'interface' && t[2]) {
    // H3C security zone command reference (`import interface`): "缺省的安全域Local中不允许添加任何接口"
    if (zone.name.toLowerCase() === 'local') return errorAt(ctx, line, t[0], 'the Local zone is the device itself: it takes no interface');
    const { name, used } = interfaceNameAt(line, 2);
    const rest = t[2 + used];
    if (rest?.lower === 'vlan')
      warnAt(ctx, line, rest, 'a Layer 2 interface-VLAN member is simulated as the whole interface: every VLAN on it is in the zone');
    else if (rest) return errorAt(ctx, line, rest, `unexpected '${rest.text}' after the interface name`);
    const z = ctx.zones.zoneOfInterface.get(name);
    if (z !== undefined && z !== zone) return errorAt(ctx, line, t[2], `${name} is already in security zone ${z.name}: an interface belongs to one zone only`);
    if (z !== undefined) return;
    zone.interfaces.push({ name, at: commandSpan(line) });
    ctx.zones.zoneOfInterface.set(name, zone);
    return;
  }
  errorAt(ctx, line, t[0], `'${t[0]!.text}' in a security zone view is not supported yet`, "ftpwall reads 'import interface NAME'");
}

/** `zone-pair security source A destination B`: enters the zone pair view. */
export function handleZonePairHeader(ctx: ParseContext, line: Line): void {
  const t = line.tokens;
  if (t[1]?.lower !== 'security' || t[2]?.lower !== 'source' || !t[3] || t[4]?.lower !== 'destination' || !t[5])
    return errorAt(ctx, line, t[1], "expected 'zone-pair security source ZONE destination ZONE'");
  if (t[6]) return errorAt(ctx, line, t[6], `unexpected '${t[6].text}' after the destination zone`);
  // zone names are one word: a space cannot make two pairs' keys alike
  const key = `${t[3].text.toLowerCase()} ${t[5].text.toLowerCase()}`;
  let pair = ctx.zones.pairByZones.get(key);
  if (!pair) {
    pair = { source: t[3].text, destination: t[5].text, at: commandSpan(line), packetFilters: [] };
    ctx.config.c7.zonePairs.push(pair);
    ctx.zones.pairByZones.set(key, pair);
  }
  ctx.view = { kind: 'zone-pair', pair };
}

/** A command in a zone pair view: `packet-filter [ipv6] {N | name X}`. */
export function handleZonePairCommand(ctx: ParseContext, line: Line, pair: H3cZonePair): void {
  const t = line.tokens;
  const w = t[0]!.lower;
  if (w === 'description') return;
  if (w === 'packet-filter') {
    let i = 1;
    let family: IpFamily = 4;
    if (t[1]?.lower === 'ipv6') {
      family = 6;
      i = 2;
    }
    const ref = aclRef(ctx, line, i, t[i - 1]!.text);
    if (!ref) return;
    const extra = t[i + ref.used];
    if (extra) return errorAt(ctx, line, extra, `unexpected '${extra.text}' in a zone pair packet-filter`);
    // One ACL per family: a later one replaces an earlier one, as on an interface.
    const k = pair.packetFilters.findIndex((p) => p.family === family);
    if (k >= 0) pair.packetFilters.splice(k, 1);
    pair.packetFilters.push({ family, ref: ref.ref, at: commandSpan(line) });
    return;
  }
  errorAt(ctx, line, t[0], `'${t.slice(0, 2).map((x) => x.text).join(' ')}' in a zone pair is not supported yet`, "ftpwall reads 'packet-filter N' in a zone pair");
}

/** `security-policy ip` / `security-policy ipv6`: enters the security policy view. */
export function handleSecurityPolicyHeader(ctx: ParseContext, line: Line): void {
  const t = line.tokens;
  const w = t[1]?.lower;
  if (w !== 'ip' && w !== 'ipv6') return errorAt(ctx, line, t[1], "expected 'security-policy ip' or 'security-policy ipv6'");
  if (t[2]) return errorAt(ctx, line, t[2], `unexpected '${t[2].text}' after 'security-policy ${t[1]!.text}'`);
  ctx.view = { kind: 'security-policy', family: w === 'ip' ? 4 : 6 };
}

/** Conditions accepted without effect on matching. */
const NEUTRAL = new Set(['logging', 'counting', 'description', 'session', 'track', 'parent-group']);

/** A command in a security policy view or one of its rules. */
export function handleSecurityPolicyCommand(ctx: ParseContext, line: Line): void {
  const view = ctx.view;
  if (view.kind !== 'security-policy' && view.kind !== 'security-rule') return;
  const t = line.tokens;
  const w = t[0]!.lower;
  if (w === 'rule') return ruleHeader(ctx, line, view.family);
  if (view.kind !== 'security-rule') return errorAt(ctx, line, t[0], `'${t[0]!.text}' in a security policy view is not supported yet`, "ftpwall reads 'rule N name X' and its conditions");
  const rule = view.rule;
  const at = commandSpan(line);
  switch (w) {
    case 'action':
      if (t[1]?.lower !== 'pass' && t[1]?.lower !== 'drop') return errorAt(ctx, line, t[1], "expected 'pass' or 'drop' after 'action'");
      rule.action = t[1].lower;
      return;
    case 'disable':
      rule.disabled = true;
      return;
    case 'enable':
      rule.disabled = false;
      return;
    case 'source-zone':
    case 'destination-zone':
      if (!t[1]) return errorAt(ctx, line, undefined, `expected a zone after '${t[0]!.text}'`);
      (w === 'source-zone' ? rule.sourceZones : rule.destinationZones).push({ name: t[1].text, at });
      return;
    case 'source-ip':
    case 'destination-ip':
      if (!t[1]) return errorAt(ctx, line, undefined, `expected an address object group after '${t[0]!.text}'`);
      (w === 'source-ip' ? rule.sourceIp : rule.destinationIp).push({ group: t[1].text, at });
      return;
    case 'source-ip-host':
    case 'source-ip-subnet':
    case 'source-ip-range':
    case 'destination-ip-host':
    case 'destination-ip-subnet':
    case 'destination-ip-range': {
      const addrs = inlineAddress(ctx, line, rule.family);
      if (!addrs) return;
      const list = w.startsWith('source') ? rule.sourceIp : rule.destinationIp;
      for (const addr of addrs) list.push({ addr, at } as H3cPolicyAddr);
      return;
    }
    case 'service':
      if (!t[1]) return errorAt(ctx, line, undefined, "expected a service name after 'service'");
      rule.services.push({ group: t[1].text, at });
      return;
    case 'service-port': {
      const member = parseServiceAt(ctx, line, 1);
      if (member) rule.services.push({ member });
      return;
    }
    default:
      if (NEUTRAL.has(w)) return;
      errorAt(ctx, line, t[0], `'${t[0]!.text}' in a security policy rule is not supported yet`, 'ftpwall cannot evaluate it, and skipping it would make the rule match more than on the device');
  }
}

function ruleHeader(ctx: ParseContext, line: Line, family: IpFamily): void {
  const t = line.tokens;
  let i = 1;
  const all = ctx.config.c7.securityRules;
  let index = ctx.zones.rules.get(family);
  if (!index) ctx.zones.rules.set(family, (index = { byId: new Map(), byName: new Map(), nextId: 0 }));
  let id: number;
  if (t[1] && /^\d+$/.test(t[1].text)) {
    const n = numberToken(ctx, line, t[1], 'a rule id', 0, 65534, 'rule');
    if (n === undefined) return;
    id = n;
    i = 2;
  } else {
    id = index.nextId; // one above the family's highest id
  }
  let name: string | undefined;
  if (t[i]?.lower === 'name') {
    if (!t[i + 1]) return errorAt(ctx, line, t[i], "expected a rule name after 'name'");
    name = t[i + 1]!.text;
    i += 2;
  }
  if (t[i]) return errorAt(ctx, line, t[i], `unexpected '${t[i]!.text}' in a security policy rule header`);
  // the first rule of the family, in creation order, with that id or that name
  const byId = index.byId.get(id);
  const byName = name === undefined ? undefined : index.byName.get(name.toLowerCase());
  const at = byId === undefined ? byName : byName === undefined ? byId : Math.min(byId, byName);
  let rule = at === undefined ? undefined : all[at];
  if (!rule) {
    rule = { family, id, ...(name !== undefined ? { name } : {}), sourceZones: [], destinationZones: [], sourceIp: [], destinationIp: [], services: [], at: commandSpan(line) };
    index.byId.set(id, all.length);
    if (name !== undefined && !index.byName.has(name.toLowerCase())) index.byName.set(name.toLowerCase(), all.length);
    if (id + 1 > index.nextId) index.nextId = id + 1;
    all.push(rule);
  }
  ctx.view = { kind: 'security-rule', family, rule };
}

/** `source-ip-host A`, `source-ip-subnet A M|LEN`, `source-ip-range A B` → address conditions. */
function inlineAddress(ctx: ParseContext, line: Line, family: IpFamily): H3cAddr[] | undefined {
  const t = line.tokens;
  const kind = t[0]!.lower.replace(/^(source|destination)-ip-/, '');
  const a = t[1];
  if (!a) {
    errorAt(ctx, line, undefined, `expected an address after '${t[0]!.text}'`);
    return undefined;
  }
  if (kind === 'host') {
    const p = parseAddress({ ...line, tokens: [...t.slice(0, 2), { text: family === 4 ? '0' : '128', lower: '0', column: a.column }] }, 1, family, t[0]!, () => false);
    if (!p.ok) {
      ctx.diags.push(p.error);
      return undefined;
    }
    return [p.value];
  }
  if (kind === 'subnet') {
    const m = t[2];
    if (!m) {
      errorAt(ctx, line, undefined, 'expected a mask or prefix length after the address');
      return undefined;
    }
    let len: number | undefined = /^\d{1,3}$/.test(m.text) ? Number(m.text) : undefined;
    if (len === undefined && family === 4) {
      const mask = parseIpv4(m.text);
      for (let k = 0; k <= 32 && mask !== undefined; k++) if (ipv4Mask(k) === mask) len = k;
    }
    if (len === undefined || len > (family === 4 ? 32 : 128)) {
      errorAt(ctx, line, m, `bad mask '${m.text}'`);
      return undefined;
    }
    const p = parseAddress({ ...line, tokens: [t[0]!, { ...a, text: `${a.text}/${len}`, lower: `${a.lower}/${len}` }] }, 1, family, t[0]!, () => false);
    if (!p.ok) {
      ctx.diags.push(p.error);
      return undefined;
    }
    return [p.value];
  }
  // range
  const b = t[2];
  const lo = family === 4 ? parseIpv4(a.text) : parseIpv6(a.text);
  const hi = b ? (family === 4 ? parseIpv4(b.text) : parseIpv6(b.text)) : undefined;
  if (lo === undefined || hi === undefined) {
    errorAt(ctx, line, lo === undefined ? a : b, `expected two IPv${family} addresses after '${t[0]!.text}'`);
    return undefined;
  }
  const out = family === 4 ? rangeV4(lo as number, hi as number) : rangeV6(lo as Ipv6Words, hi as Ipv6Words);
  if (!out) errorAt(ctx, line, b, `the range is empty: '${a.text}' is above '${b!.text}'`);
  return out;
}
