/**
 * The walk of a Linux ruleset for one forwarded packet, in the kernel's hook order. This is the one
 * place that order is written down: raw (prerouting, before conntrack) → conntrack → mangle → nat
 * PREROUTING → filter FORWARD → nat POSTROUTING → confirm (where the helper runs, in the stateful
 * engine). The static engine walks the same chains with every conntrack condition unsatisfiable.
 * The nat chains are walked apart (walkNat): only a connection's first packet meets them, and the
 * stateful engine applies the binding they choose to every packet of the connection.
 */
import type { IpAddress } from '../net/address.js';
import { PROTO_ICMP, PROTO_ICMPV6, type Packet } from '../net/packet.js';
import { addrMatches, portMatches } from '../policy/compile.js';
import type { Policy } from '../policy/model.js';
import { NF_PRIORITY, type CtState, type NfAddr, type NfChain, type NfCond, type NfHook, type NfRule, type Ruleset } from '../policy/netfilter.js';
import type { Provenance, StepContext, Verdict } from './verdict.js';

/** One step of the forward path: a hook's base chains within a priority window, or the engine's own stage. */
export type PathStage =
  | { readonly kind: 'chains'; readonly hook: NfHook; readonly minPriority: number; readonly maxPriority: number }
  | { readonly kind: 'conntrack' }
  /** nf_nat's hook (NF_IP_PRI_NAT_DST / NF_IP_PRI_NAT_SRC): the nat chains choose a new connection's binding; every packet is translated here */
  | { readonly kind: 'nat'; readonly hook: 'prerouting' | 'postrouting' }
  | { readonly kind: 'confirm' };

/** The path of a forwarded packet through netfilter (net/netfilter/core.c hook order, NF_IP_PRI_*). */
export const FORWARD_PATH: readonly PathStage[] = [
  { kind: 'chains', hook: 'prerouting', minPriority: -Infinity, maxPriority: NF_PRIORITY.conntrack - 1 },
  { kind: 'conntrack' },
  { kind: 'chains', hook: 'prerouting', minPriority: NF_PRIORITY.conntrack, maxPriority: NF_PRIORITY.dstnat - 1 },
  { kind: 'nat', hook: 'prerouting' },
  { kind: 'chains', hook: 'prerouting', minPriority: NF_PRIORITY.dstnat, maxPriority: Infinity },
  { kind: 'chains', hook: 'forward', minPriority: -Infinity, maxPriority: Infinity },
  { kind: 'chains', hook: 'postrouting', minPriority: -Infinity, maxPriority: NF_PRIORITY.srcnat - 1 },
  { kind: 'nat', hook: 'postrouting' },
  { kind: 'chains', hook: 'postrouting', minPriority: NF_PRIORITY.srcnat, maxPriority: NF_PRIORITY.confirm - 1 },
  { kind: 'confirm' },
];

/** What conntrack knows of the packet; undefined in the static engine (every conntrack condition fails). */
export interface CtView {
  readonly state: CtState;
  readonly helper: string | undefined;
  readonly mark: number;
}

/** The outcome of walking some stages. */
export interface WalkResult {
  readonly verdict: Verdict;
  /** the helper a rule assigned (`CT --helper`, `ct helper set`) */
  readonly helper: string | undefined;
  readonly notrack: boolean;
  /** the connection mark after the walk */
  readonly mark: number;
}

/** A ruleset with its base chains sorted per hook and family, and its chains indexed for jumps. */
export interface CompiledRuleset {
  readonly ruleset: Ruleset;
  readonly base4: ReadonlyMap<NfHook, readonly NfChain[]>;
  readonly base6: ReadonlyMap<NfHook, readonly NfChain[]>;
  /** the nat base chains per hook and family, by priority */
  readonly nat4: ReadonlyMap<NfHook, readonly NfChain[]>;
  readonly nat6: ReadonlyMap<NfHook, readonly NfChain[]>;
  readonly byName: ReadonlyMap<string, NfChain>;
}

/** The key of a chain for jumps: jumps stay inside one table of one family. */
export function chainKey(c: { readonly family: string; readonly table: string }, name: string): string {
  return `${c.family}\u0000${c.table}\u0000${name}`;
}

/** Indexes a ruleset once per policy. */
export function compileRuleset(ruleset: Ruleset): CompiledRuleset {
  const byName = new Map<string, NfChain>();
  for (const c of ruleset.chains) byName.set(chainKey(c, c.name), c);
  const sorted = (family: 4 | 6, nat: boolean): Map<NfHook, NfChain[]> => {
    const m = new Map<NfHook, NfChain[]>();
    for (const c of ruleset.chains) {
      if (!c.hook || (c.nat ?? false) !== nat) continue;
      if ((family === 4 && c.family === 'ip6') || (family === 6 && c.family === 'ip')) continue;
      let list = m.get(c.hook);
      if (!list) m.set(c.hook, (list = []));
      list.push(c);
    }
    // same priority: the order of registration, which is the order in the file (a stable sort)
    for (const list of m.values()) list.sort((a, b) => (a.priority ?? 0) - (b.priority ?? 0));
    return m;
  };
  return { ruleset, base4: sorted(4, false), base6: sorted(6, false), nat4: sorted(4, true), nat6: sorted(6, true), byName };
}

const COMPILED = new WeakMap<Ruleset, CompiledRuleset>();

/** The compiled form of a policy's ruleset, built on first use. */
export function compiledRulesetOf(policy: Policy): CompiledRuleset | undefined {
  const r = policy.ruleset;
  if (!r) return undefined;
  let c = COMPILED.get(r);
  if (!c) COMPILED.set(r, (c = compileRuleset(r)));
  return c;
}

function ifaceMatches(pattern: string, name: string): boolean {
  const last = pattern[pattern.length - 1];
  if (last === '+' || last === '*') return name.startsWith(pattern.slice(0, -1));
  return pattern === name;
}

function cmpAddr(a: IpAddress, b: IpAddress): number {
  if (a.family === 4 && b.family === 4) return a.v4 - b.v4;
  if (a.family === 6 && b.family === 6) {
    for (let i = 0; i < 4; i++) if (a.v6[i] !== b.v6[i]) return a.v6[i]! - b.v6[i]!;
    return 0;
  }
  return NaN;
}

function addrIn(list: readonly NfAddr[], a: IpAddress): boolean {
  for (const m of list) {
    if (m.kind === 'prefix') {
      if (addrMatches(m.match, a)) return true;
    } else if (m.family === a.family && cmpAddr(a, m.lo) >= 0 && cmpAddr(a, m.hi) <= 0) return true;
  }
  return false;
}

/** Does one condition hold? Conntrack conditions and layer-4 conditions on later fragments never hold. */
function condHolds(c: NfCond, p: Packet, ctx: StepContext, ct: CtView | undefined, mark: number): boolean {
  let r: boolean;
  switch (c.kind) {
    case 'family':
      r = p.src.family === c.family;
      break;
    case 'proto':
      r = p.proto === c.proto;
      break;
    case 'fragment':
      r = p.fragment === 'later';
      break;
    case 'src':
      r = addrIn(c.any, p.src);
      break;
    case 'dst':
      r = addrIn(c.any, p.dst);
      break;
    case 'sport':
    case 'dport':
      if (p.fragment === 'later') return false;
      r = portMatches(c.ports, c.kind === 'sport' ? p.srcPort : p.dstPort);
      break;
    case 'tcpflags':
      if (p.fragment === 'later') return false;
      r = (p.tcpFlags & c.mask) === c.value;
      break;
    case 'icmp':
      if (p.fragment === 'later' || p.proto !== (c.family === 4 ? PROTO_ICMP : PROTO_ICMPV6)) return false;
      r = p.icmpType === c.type && (c.code === undefined || p.icmpCode === c.code);
      break;
    case 'iif':
      r = ifaceMatches(c.name, ctx.ingress);
      break;
    case 'oif':
      r = ifaceMatches(c.name, ctx.egress);
      break;
    case 'ctstate':
      if (!ct) return false;
      r = c.states.includes(ct.state);
      break;
    case 'helper':
      if (!ct) return false;
      r = ct.helper === c.name;
      break;
    case 'ctmark':
      if (!ct) return false;
      r = (mark & c.mask) >>> 0 === c.value >>> 0;
      break;
  }
  return c.not ? !r : r;
}

function ruleHolds(rule: NfRule, p: Packet, ctx: StepContext, ct: CtView | undefined, mark: number): boolean {
  for (const c of rule.conds) if (!condHolds(c, p, ctx, ct, mark)) return false;
  return true;
}

/** Jumps deeper than this are a loop (the kernel refuses loops when the ruleset is loaded). */
const MAX_DEPTH = 64;

interface ChainOutcome {
  readonly accept: boolean;
  readonly by: Provenance;
  /** a NAT target ended the chain: the index of its rule in Policy.nat */
  readonly nat?: number;
}

/** What rules did to the connection on the way (targets that do not end the walk). */
interface Effects {
  helper: string | undefined;
  notrack: boolean;
  mark: number;
}

const NO_CHAIN: Verdict = { action: 'permit', by: { kind: 'netfilter', reason: 'no-chain', table: '', chain: '' } };

/** One base chain with the user chains it jumps to, for one packet; the first deciding rule ends it. */
function runChain(rs: CompiledRuleset, start: NfChain, p: Packet, ctx: StepContext, ct: CtView | undefined, fx: Effects): ChainOutcome {
  const stack: { chain: NfChain; next: number }[] = [];
  let chain = start;
  let i = 0;
  for (;;) {
    if (i >= chain.rules.length) {
      const back = stack.pop();
      if (!back) break;
      chain = back.chain;
      i = back.next;
      continue;
    }
    const rule = chain.rules[i]!;
    i++;
    if (!ruleHolds(rule, p, ctx, ct, fx.mark)) continue;
    const t = rule.target;
    const by = (): Provenance => ({ kind: 'netfilter', reason: 'rule', table: chain.table, chain: chain.name, rule: chain.rules.indexOf(rule) + 1, ruleText: rule.text, at: rule.at });
    switch (t.kind) {
      case 'accept':
        return { accept: true, by: by() };
      case 'drop':
      case 'reject':
        return { accept: false, by: by() };
      case 'return': {
        const back = stack.pop();
        if (!back) return policyOf(start);
        chain = back.chain;
        i = back.next;
        break;
      }
      case 'jump':
      case 'goto': {
        const target = rs.byName.get(chainKey(chain, t.chain));
        if (!target || stack.length >= MAX_DEPTH) return { accept: false, by: by() };
        if (t.kind === 'jump') stack.push({ chain, next: i });
        chain = target;
        i = 0;
        break;
      }
      case 'ct-helper':
        fx.helper = t.helper;
        break;
      case 'notrack':
        fx.notrack = true;
        break;
      case 'ctmark-set':
        fx.mark = ((fx.mark & ~t.clear) ^ t.xor) >>> 0;
        break;
      case 'nat':
        // DNAT, SNAT, MASQUERADE, REDIRECT and nft's dnat/snat/masquerade/redirect end the chain (NF_ACCEPT)
        return { accept: true, by: by(), nat: t.index };
      case 'continue':
        break;
    }
  }
  return policyOf(start);
}

/**
 * The packet as each stage sees it, when NAT changes it on the way: chains before the nat
 * PREROUTING stage see `beforeDnat`, chains after the nat POSTROUTING stage see `afterSnat`,
 * every other chain the packet given to walkStages.
 */
export interface NatViews {
  readonly beforeDnat: Packet;
  readonly afterSnat?: Packet;
}

/**
 * Walks the base chains of the stages from `from` to `to` (indices into FORWARD_PATH, inclusive) for one
 * packet. A drop anywhere ends the walk; a permit names the last base chain's decision.
 */
export function walkStages(rs: CompiledRuleset, from: number, to: number, p: Packet, ctx: StepContext, ct: CtView | undefined, views?: NatViews): WalkResult {
  const base = p.src.family === 4 ? rs.base4 : rs.base6;
  const fx: Effects = { helper: undefined, notrack: false, mark: ct?.mark ?? 0 };
  let last: Verdict = NO_CHAIN;
  let seen: Packet = views ? views.beforeDnat : p;
  for (let s = from; s <= to; s++) {
    const stage = FORWARD_PATH[s]!;
    if (stage.kind === 'nat') seen = stage.hook === 'prerouting' ? p : (views?.afterSnat ?? p);
    if (stage.kind !== 'chains') continue;
    const chains = base.get(stage.hook);
    if (!chains) continue;
    for (const chain of chains) {
      const prio = chain.priority ?? 0;
      if (prio < stage.minPriority || prio > stage.maxPriority) continue;
      const out = runChain(rs, chain, seen, ctx, ct, fx);
      if (!out.accept) return { verdict: { action: 'deny', by: out.by }, helper: fx.helper, notrack: fx.notrack, mark: fx.mark };
      last = { action: 'permit', by: out.by };
    }
  }
  return { verdict: last, helper: fx.helper, notrack: fx.notrack, mark: fx.mark };
}

/** What the nat chains of one hook chose for a connection's first packet. */
export type NatChoice =
  /** no NAT rule matched: the connection keeps its addresses at this hook (a null binding) */
  | { readonly kind: 'none' }
  /** the rule Policy.nat[index] translates it */
  | { readonly kind: 'rule'; readonly index: number; readonly by: Provenance }
  /** a nat chain dropped the packet (its policy or a drop rule) */
  | { readonly kind: 'drop'; readonly by: Provenance };

/**
 * The nat chains of `hook` for the first packet of a connection (nf_nat_inet_fn: the nat chains run
 * by priority until one chooses a binding). `p` is the packet as it reaches the hook.
 */
export function walkNat(rs: CompiledRuleset, hook: 'prerouting' | 'postrouting', p: Packet, ctx: StepContext, ct: CtView | undefined): NatChoice {
  const chains = (p.src.family === 4 ? rs.nat4 : rs.nat6).get(hook);
  if (!chains) return { kind: 'none' };
  const fx: Effects = { helper: undefined, notrack: false, mark: ct?.mark ?? 0 };
  for (const chain of chains) {
    const out = runChain(rs, chain, p, ctx, ct, fx);
    if (!out.accept) return { kind: 'drop', by: out.by };
    if (out.nat !== undefined) return { kind: 'rule', index: out.nat, by: out.by };
  }
  return { kind: 'none' };
}

function policyOf(chain: NfChain): ChainOutcome {
  return { accept: chain.policy !== 'drop', by: { kind: 'netfilter', reason: 'policy', table: chain.table, chain: chain.name, at: chain.at } };
}

/** Index of the conntrack stage in FORWARD_PATH. */
export const CONNTRACK_STAGE = FORWARD_PATH.findIndex((s) => s.kind === 'conntrack');
/** Index of the last stage (confirm). */
export const LAST_STAGE = FORWARD_PATH.length - 1;

/** The whole forward path as the static engine sees it: conntrack conditions unsatisfiable. */
export function walkStatic(rs: CompiledRuleset, p: Packet, ctx: StepContext): Verdict {
  return walkStages(rs, 0, LAST_STAGE, p, ctx, undefined).verdict;
}
