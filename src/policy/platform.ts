/**
 * What changes with the kind of H3C device (facts sheet 1.1, 1.2, 5.2, 5.6): the tie-break of
 * `match-order auto` (routers and firewalls: the smaller rule id; switches: the rule configured
 * earlier), TCP flag conditions of one rule (routers: ORed, MSR-acl; the sheet says product-dependent
 * (C7-zh), so switches keep AND and firewalls, which share the router code base, OR), and VPN rules
 * (engine/static.ts via RuleScope).
 */
import { freeze, produce } from 'immer';
import type { SourceSpan } from '../diag/diagnostic.js';
import type { Acl, AddrMatch, Platform, Policy, PortMatch, Rule } from './model.js';

function careBits(m: AddrMatch): number {
  if (m.kind === 'any') return 0;
  if (m.kind === 'v6') return m.prefixLen;
  let care = ~m.wildcard >>> 0;
  let bits = 0;
  while (care !== 0) {
    care &= care - 1;
    bits++;
  }
  return bits;
}

function width(p: PortMatch | undefined): number {
  if (!p) return 65536;
  let n = 0;
  for (const [lo, hi] of p.ranges) n += hi - lo + 1;
  return n;
}

/**
 * Depth-first order (sheet 1.1): VPN instance first, a specific protocol before any, more care bits in the
 * source, then in the destination, the narrower source-port then destination-port range; then the
 * platform's tie-break: the smaller id (routers, firewalls) or the rule configured earlier (switches).
 */
export function depthFirstOrder(platform: Platform): (a: Rule, b: Rule) => number {
  return (a, b) =>
    Number(b.vpnInstance !== undefined) - Number(a.vpnInstance !== undefined) ||
    Number(b.protocol !== 'any') - Number(a.protocol !== 'any') ||
    careBits(b.src) - careBits(a.src) ||
    careBits(b.dst) - careBits(a.dst) ||
    width(a.srcPort) - width(b.srcPort) ||
    width(a.dstPort) - width(b.dstPort) ||
    (platform === 'switch' ? (a.seq ?? a.id) - (b.seq ?? b.id) : a.id - b.id);
}

/** The ACL's rules in auto order for the platform, or the ACL itself for config order. */
function reordered(acl: Acl, platform: Platform): readonly Rule[] {
  return acl.matchOrder === 'auto' ? [...acl.rules].sort(depthFirstOrder(platform)) : acl.rules;
}

/**
 * The policy as a device of that kind evaluates it: auto order tie-break and TCP flag semantics.
 * The next rules are computed outside the recipe and frozen before they go into the draft, so immer's
 * finalize finds frozen rules and does not walk them (a 100,000-rule config has as many); an ACL whose
 * rules keep their order and objects keeps its rules array.
 */
export function withPlatform(policy: Policy, platform: Platform): Policy {
  const next = policy.acls.map((acl) => {
    const order = reordered(acl, platform);
    let rules: Rule[] | undefined;
    order.forEach((r, k) => {
      if (!r.tcpFlags || r.tcpFlags.mask === 0) return;
      rules ??= order.slice();
      rules[k] = freeze({ ...r, tcpFlags: freeze({ mask: r.tcpFlags.mask, value: r.tcpFlags.value, ...(platform === 'switch' ? {} : { any: true }) }) }, true);
    });
    const out = rules ?? order;
    return out === acl.rules ? out : freeze(out, true);
  });
  return produce(policy, (draft) => {
    draft.platform = platform;
    draft.acls.forEach((acl, i) => {
      // a draft's own rules array read back is a draft: compare with the original to leave it alone
      if (next[i] !== policy.acls[i]!.rules) acl.rules = next[i] as unknown as typeof acl.rules;
    });
  });
}

/** Bits set in a flag mask. */
export function flagCount(mask: number): number {
  let n = 0;
  for (let m = mask; m !== 0; m &= m - 1) n++;
  return n;
}

/** Where the platform changes a verdict in this policy: the reasons and the first place each applies; empty when it does not matter. */
export function platformSensitivity(policy: Policy): { readonly text: string; readonly at: SourceSpan }[] {
  const out: { text: string; at: SourceSpan }[] = [];
  const flags = policy.acls.flatMap((a) => a.rules.filter((r) => r.tcpFlags && flagCount(r.tcpFlags.mask) > 1).map((r) => ({ r, name: `acl ${a.name} rule ${r.id}` })));
  if (flags.length > 0) out.push({ text: `TCP flag conditions combined in one rule (${flags.map((f) => f.name).join(', ')}) are ORed on routers and firewalls, ANDed on switches`, at: flags[0]!.r.at });
  for (const acl of policy.acls) {
    if (acl.matchOrder !== 'auto') continue;
    const router = reordered(acl, 'router').map((r) => r.id).join(',');
    const sw = reordered(acl, 'switch').map((r) => r.id).join(',');
    if (router !== sw) out.push({ text: `match-order auto of acl ${acl.name} breaks ties by the smaller id on routers and firewalls, by configuration order on switches`, at: acl.at });
  }
  const vpn = policy.acls.flatMap((a) => a.rules.filter((r) => r.vpnInstance !== undefined));
  if (vpn.length > 0)
    out.push({ text: 'vpn-instance rules match only their VPN on routers and firewalls (the other rules only public traffic), and do not take effect on switches', at: vpn[0]!.at });
  return out;
}
