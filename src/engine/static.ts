/**
 * The static engine: an H3C-style packet filter. Each packet is checked against
 * the ACL bound inbound on its ingress interface, then the ACL bound outbound on
 * its egress interface; first match in the ACL's order, else the default action.
 */
import type { IpFamily } from '../net/address.js';
import type { Packet } from '../net/packet.js';
import { compileAcl, firstMatch, type CompiledAcl } from '../policy/compile.js';
import { bindingAt, findAcl, type Binding, type Direction, type Policy, type Rule } from '../policy/model.js';
import { activeTimeRanges, ruleInScope, usedTimeRanges, type RuleScope } from '../policy/time-range.js';
import { compiledRulesetOf, walkStatic } from './ruleset.js';
import type { AclCheck, Firewall, StepContext, StepResult, TraceEvent, Verdict } from './verdict.js';
import { checkZones, compileZones, type CompiledZones } from './zones.js';

/**
 * A policy with every bound ACL compiled, indexed by interface. Verdicts are
 * immutable, so each possible check result and each combination of an inbound
 * and an outbound check is built once and shared: the per-packet path
 * allocates nothing.
 */
export interface CompiledPolicy {
  readonly policy: Policy;
  /** per interface name (prefixed by the scope key when scoped): slots for inbound/outbound × IPv4/IPv6 */
  readonly interfaces: Map<string, InterfaceSlots>;
  /** some rule names a VPN instance or a time range: rules are filtered by the packet's scope */
  readonly scoped: boolean;
  /** `packet-filter … global`: slots met on every interface besides its own (interface '*') */
  readonly global?: InterfaceSlots;
  /** security zones: met between the ingress and the egress interface */
  readonly zones?: CompiledZones;
}

/** A RuleScope with a key naming it (VPN and active time ranges), for caching compiled ACLs per scope. */
export interface KeyedScope extends RuleScope {
  readonly key: string;
}

/** Builds a keyed scope. */
export function keyedScope(policy: Policy, vpn: string | undefined, activeRanges: ReadonlySet<string> | undefined): KeyedScope {
  const ranges = activeRanges ? [...activeRanges].sort().join(',') : '';
  return { vpn, activeRanges, switchVpnSemantics: policy.platform === 'switch', key: `${vpn ?? ''}|${ranges}` };
}

/**
 * Per-packet scopes of a firewall: the packet's VPN (StepContext.vpn) and the time ranges active at
 * wallClockStartMs + nowMs, recomputed once per minute of the device clock.
 */
export function createScopeTracker(policy: Policy, wallClockStartMs: number | undefined): (ctx: StepContext) => KeyedScope | undefined {
  const timed = usedTimeRanges(policy).length > 0;
  const scoped = timed || policy.acls.some((a) => a.rules.some((r) => r.vpnInstance !== undefined));
  let minute = NaN;
  let active: ReadonlySet<string> | undefined;
  const byVpn = new Map<string, KeyedScope>();
  return (ctx) => {
    if (!scoped && ctx.vpn === undefined) return undefined;
    if (timed) {
      const wallMs = (wallClockStartMs ?? 0) + ctx.nowMs;
      const m = Math.floor(wallMs / 60_000);
      if (m !== minute) {
        minute = m;
        active = activeTimeRanges(policy, wallMs);
        byVpn.clear();
      }
    }
    const k = ctx.vpn ?? '';
    let scope = byVpn.get(k);
    if (!scope) byVpn.set(k, (scope = keyedScope(policy, ctx.vpn, timed ? active : undefined)));
    return scope;
  };
}

/** What is bound on one interface, by direction and family. */
interface InterfaceSlots {
  readonly inbound4: Slot;
  readonly inbound6: Slot;
  readonly outbound4: Slot;
  readonly outbound6: Slot;
}

/** One interface, direction and family: the check results it can give. */
interface Slot {
  readonly compiled: CompiledAcl | undefined;
  /** Comware 5 normal fragment matching: the ACL with its layer-4 conditions dropped, for non-first fragments */
  readonly compiledL3?: CompiledAcl;
  /** the result when no ACL is bound, the bound ACL is missing, or no rule matched */
  readonly fallback: AclCheck;
  /** the result for each rule that can match, built on first use */
  readonly byRule: Map<Rule, AclCheck>;
  readonly iface: string;
  readonly direction: Direction;
  readonly family: IpFamily;
}

function slotFor(policy: Policy, iface: string, direction: Direction, family: IpFamily, b: Binding | undefined, cache: Map<string, CompiledAcl>, scope: KeyedScope | undefined): Slot {
  const def = family === 6 && policy.ipv6DefaultAction ? policy.ipv6DefaultAction : policy.defaultAction;
  const at = def.at ? { at: def.at } : {};
  if (!b)
    return { compiled: undefined, fallback: { action: 'permit', by: { kind: 'default', reason: 'no-binding', interface: iface, direction } }, byRule: new Map(), iface, direction, family };
  const acl = findAcl(policy, b.acl, b.family);
  let compiled: CompiledAcl | undefined;
  if (acl) {
    const k = `${acl.family}|${acl.name}${scope ? `|${scope.key}` : ''}`;
    compiled = cache.get(k) ?? compileAcl(scope ? { ...acl, rules: acl.rules.filter((r) => ruleInScope(r, scope)) } : acl);
    cache.set(k, compiled);
  }
  const reason = compiled ? 'no-match' : 'acl-missing';
  // Sheet 5.4 (3CR3000): "The standard matching matches layer 3 information … and neglects layer 4 information".
  const compiledL3 = compiled && b.fragmentMatch === 'normal' ? compileAcl({ ...compiled.acl, rules: compiled.acl.rules.map(layer3Only) }) : undefined;
  return {
    compiled,
    ...(compiledL3 ? { compiledL3 } : {}),
    fallback: { action: def.action, by: { kind: 'default', reason, interface: iface, direction, acl: b.acl, ...at } },
    byRule: new Map(),
    iface,
    direction,
    family,
  };
}

/** Compiles every ACL that a binding uses. */
export function compilePolicy(policy: Policy): CompiledPolicy {
  const scoped = policy.acls.some((a) => a.rules.some((r) => r.vpnInstance !== undefined || r.timeRange !== undefined));
  const zones = compileZones(policy);
  const globals = policy.globalBindings ?? [];
  if (globals.length === 0) return { policy, interfaces: new Map(), scoped, ...(zones ? { zones } : {}) };
  let cache = ACL_CACHE.get(policy);
  if (!cache) ACL_CACHE.set(policy, (cache = new Map()));
  const make = (direction: Direction, family: IpFamily): Slot => {
    const g = globals.filter((b) => b.direction === direction && b.family === family).at(-1);
    return slotFor(policy, 'global', direction, family, g ? { ...g, interface: 'global' } : undefined, cache, undefined);
  };
  const global = { inbound4: make('inbound', 4), inbound6: make('inbound', 6), outbound4: make('outbound', 4), outbound6: make('outbound', 6) };
  return { policy, interfaces: new Map(), scoped, global, ...(zones ? { zones } : {}) };
}

const ACL_CACHE = new WeakMap<Policy, Map<string, CompiledAcl>>();

function slotsOf(c: CompiledPolicy, iface: string, given: KeyedScope | undefined): InterfaceSlots {
  const scope = given ?? (c.scoped ? keyedScope(c.policy, undefined, new Set()) : undefined);
  const slotKey = scope ? `${scope.key}\u0000${iface}` : iface;
  let slots = c.interfaces.get(slotKey);
  if (slots) return slots;
  const policy = c.policy;
  let cache = ACL_CACHE.get(policy);
  if (!cache) ACL_CACHE.set(policy, (cache = new Map()));
  // Comware applies one ACL per interface, direction and family; a later binding replaces an earlier one.
  const find = (direction: Direction, family: IpFamily): Binding | undefined =>
    bindingAt(policy, iface, direction, family);
  const make = (direction: Direction, family: IpFamily): Slot => slotFor(policy, iface, direction, family, find(direction, family), cache, scope);
  slots = { inbound4: make('inbound', 4), inbound6: make('inbound', 6), outbound4: make('outbound', 4), outbound6: make('outbound', 6) };
  c.interfaces.set(slotKey, slots);
  return slots;
}

/** A rule without its layer-4 conditions (ports, TCP flags, ICMP type), keeping id, text and source. */
function layer3Only(r: Rule): Rule {
  const { srcPort: _s, dstPort: _d, established: _e, tcpFlags: _f, icmpType: _t, icmpCode: _c, ...rest } = r;
  return rest;
}

function checkSlot(slot: Slot, p: Packet): AclCheck {
  if (!slot.compiled) return slot.fallback;
  const rule = firstMatch(p.fragment === 'later' && slot.compiledL3 ? slot.compiledL3 : slot.compiled, p);
  if (!rule) return slot.fallback;
  let check = slot.byRule.get(rule);
  if (!check) {
    check = {
      action: rule.action,
      by: {
        kind: 'rule',
        acl: slot.compiled.acl.name,
        family: slot.family,
        ruleId: rule.id,
        interface: slot.iface,
        direction: slot.direction,
        ruleText: rule.text,
        at: rule.at,
      },
    };
    slot.byRule.set(rule, check);
  }
  return check;
}

/** Checks one direction of one interface. */
export function checkInterface(c: CompiledPolicy, p: Packet, iface: string, direction: Direction, scope?: KeyedScope): AclCheck {
  const own = checkSlots(slotsOf(c, iface, scope), p, direction);
  // The global packet filter is met besides the interface's own: a packet passes when both permit
  // (3Com WX3000 / H3C: "the device will deny the packets if the actions defined in the two rules conflict").
  return c.global ? both(own, checkSlots(c.global, p, direction)) : own;
}

function checkSlots(slots: InterfaceSlots, p: Packet, direction: Direction): AclCheck {
  const v4 = p.src.family === 4;
  return checkSlot(direction === 'inbound' ? (v4 ? slots.inbound4 : slots.inbound6) : v4 ? slots.outbound4 : slots.outbound6, p);
}

/** Two checks met one after the other: the first deny, else the permit that says more. */
function both(a: AclCheck, b: AclCheck): AclCheck {
  if (a.action === 'deny') return a;
  if (b.action === 'deny') return b;
  return weight(b) > weight(a) ? b : a;
}

/** Verdicts by inbound check, then by outbound check (undefined: the inbound check denied). */
const VERDICTS = new WeakMap<AclCheck, Map<AclCheck | undefined, Verdict>>();

function verdictOf(inbound: AclCheck, outbound: AclCheck | undefined): Verdict {
  let inner = VERDICTS.get(inbound);
  if (!inner) VERDICTS.set(inbound, (inner = new Map()));
  let v = inner.get(outbound);
  if (!v) {
    if (!outbound) v = { action: 'deny', by: inbound.by, checks: [inbound] };
    else if (outbound.action === 'deny') v = { action: 'deny', by: outbound.by, checks: [inbound, outbound] };
    else v = { action: 'permit', by: weight(outbound) > weight(inbound) ? outbound.by : inbound.by, checks: [inbound, outbound] };
    inner.set(outbound, v);
  }
  return v;
}

/**
 * The packet filter's verdict: inbound on ingress, then outbound on egress.
 * A deny names the check that denied; a permit names the rule that permitted
 * (the inbound one when both were rules), or the default when no rule decided.
 */
export function checkAcls(c: CompiledPolicy, p: Packet, ingress: string, egress: string, scope?: KeyedScope): Verdict {
  const own = checkInterface(c, p, ingress, 'inbound', scope);
  // Between security zones the zone pair's filter (or the security policy) decides too.
  const inbound = c.zones && own.action === 'permit' ? both(own, checkZones(c.zones, p, ingress, egress)) : own;
  if (inbound.action === 'deny') return verdictOf(inbound, undefined);
  return verdictOf(inbound, checkInterface(c, p, egress, 'outbound', scope));
}

/** How much a check says about a permit: a rule, then a default of a bound ACL, then no binding at all. */
function weight(check: AclCheck): number {
  if (check.by.kind === 'rule' || check.by.kind === 'zone') return 2;
  return check.by.kind === 'default' && check.by.reason === 'no-binding' ? 0 : 1;
}

const NO_EVENTS: readonly TraceEvent[] = [];

/** The static engine as a Firewall: stateless, so advanceTo has nothing to do. */
export function createStaticFirewall(policy: Policy, options: { readonly wallClockStartMs?: number } = {}): Firewall {
  const compiled = compilePolicy(policy);
  const scopeOf = createScopeTracker(policy, options.wallClockStartMs);
  const rs = compiledRulesetOf(policy);
  if (rs)
    return {
      engine: 'static',
      step: (packet, ctx) => ({ verdict: walkStatic(rs, packet, ctx), events: NO_EVENTS }),
      advanceTo: () => NO_EVENTS,
    };
  return {
    engine: 'static',
    step(packet: Packet, ctx: StepContext): StepResult {
      return { verdict: checkAcls(compiled, packet, ctx.ingress, ctx.egress, scopeOf(ctx)), events: NO_EVENTS };
    },
    advanceTo(): readonly TraceEvent[] {
      return NO_EVENTS;
    },
  };
}
