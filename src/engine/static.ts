/**
 * The static engine: an H3C-style packet filter. Each packet is checked against
 * the ACL bound inbound on its ingress interface, then the ACL bound outbound on
 * its egress interface; first match in the ACL's order, else the default action.
 */
import type { IpFamily } from '../net/address.js';
import type { Packet } from '../net/packet.js';
import { compileAcl, firstMatch, type CompiledAcl } from '../policy/compile.js';
import type { Binding, Direction, Policy } from '../policy/model.js';
import type { AclCheck, Firewall, StepContext, StepResult, TraceEvent, Verdict } from './verdict.js';

/** A policy with every bound ACL compiled, indexed by interface, direction and family. */
export interface CompiledPolicy {
  readonly policy: Policy;
  /** key: `${direction}|${family}|${interface}` */
  readonly bound: ReadonlyMap<string, BoundAcl>;
}

/** One binding with its compiled ACL (undefined when the bound ACL is not defined). */
interface BoundAcl {
  readonly binding: Binding;
  readonly compiled: CompiledAcl | undefined;
}

function bindingKey(direction: Direction, family: IpFamily, iface: string): string {
  return `${direction}|${family}|${iface}`;
}

/** Compiles every ACL that a binding uses. */
export function compilePolicy(policy: Policy): CompiledPolicy {
  const cache = new Map<string, CompiledAcl>();
  const bound = new Map<string, BoundAcl>();
  for (const b of policy.bindings) {
    const acl = policy.acls.find((a) => a.name === b.acl && a.family === b.family);
    let compiled: CompiledAcl | undefined;
    if (acl) {
      const k = `${acl.family}|${acl.name}`;
      compiled = cache.get(k) ?? compileAcl(acl);
      cache.set(k, compiled);
    }
    // Comware applies one ACL per interface, direction and family; a later binding replaces an earlier one.
    bound.set(bindingKey(b.direction, b.family, b.interface), { binding: b, compiled });
  }
  return { policy, bound };
}

/** Checks one direction of one interface. */
export function checkInterface(c: CompiledPolicy, p: Packet, iface: string, direction: Direction): AclCheck {
  const family = p.src.family;
  const b = c.bound.get(bindingKey(direction, family, iface));
  if (!b) return { action: 'permit', by: { kind: 'default', reason: 'no-binding', interface: iface, direction } };
  const def = c.policy.defaultAction;
  if (!b.compiled) {
    return {
      action: def.action,
      by: { kind: 'default', reason: 'acl-missing', interface: iface, direction, acl: b.binding.acl, ...(def.at ? { at: def.at } : {}) },
    };
  }
  const rule = firstMatch(b.compiled, p);
  if (!rule) {
    return {
      action: def.action,
      by: { kind: 'default', reason: 'no-match', interface: iface, direction, acl: b.binding.acl, ...(def.at ? { at: def.at } : {}) },
    };
  }
  return {
    action: rule.action,
    by: {
      kind: 'rule',
      acl: b.compiled.acl.name,
      family,
      ruleId: rule.id,
      interface: iface,
      direction,
      ruleText: rule.text,
      at: rule.at,
    },
  };
}

/**
 * The packet filter's verdict: inbound on ingress, then outbound on egress.
 * A deny names the check that denied; a permit names the rule that permitted
 * (the outbound one when both were rules), or the default when no rule decided.
 */
export function checkAcls(c: CompiledPolicy, p: Packet, ingress: string, egress: string): Verdict {
  const inbound = checkInterface(c, p, ingress, 'inbound');
  if (inbound.action === 'deny') return { action: 'deny', by: inbound.by, checks: [inbound] };
  const outbound = checkInterface(c, p, egress, 'outbound');
  if (outbound.action === 'deny') return { action: 'deny', by: outbound.by, checks: [inbound, outbound] };
  const by = weight(outbound) > weight(inbound) ? outbound.by : inbound.by;
  return { action: 'permit', by, checks: [inbound, outbound] };
}

/** How much a check says about a permit: a rule, then a default of a bound ACL, then no binding at all. */
function weight(check: AclCheck): number {
  if (check.by.kind === 'rule') return 2;
  return check.by.kind === 'default' && check.by.reason === 'no-binding' ? 0 : 1;
}

const NO_EVENTS: readonly TraceEvent[] = [];

/** The static engine as a Firewall: stateless, so advanceTo has nothing to do. */
export function createStaticFirewall(policy: Policy): Firewall {
  const compiled = compilePolicy(policy);
  return {
    engine: 'static',
    step(packet: Packet, ctx: StepContext): StepResult {
      return { verdict: checkAcls(compiled, packet, ctx.ingress, ctx.egress), events: NO_EVENTS };
    },
    advanceTo(): readonly TraceEvent[] {
      return NO_EVENTS;
    },
  };
}
