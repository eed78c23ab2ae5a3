/**
 * The jumps between a ruleset's chains, checked when the ruleset is read, as the kernel checks them
 * when it is loaded (nf_tables, which nft and iptables-nft use): a jump or goto from a hooked chain
 * that comes back to a chain already on the way, and a chain reached through more than
 * NF_MAX_CHAIN_HOPS jumps and gotos, are refused ("Too many links"), at the rule that does it.
 * Chains no hooked chain reaches are not checked (the kernel loads those). Also refused: chains that
 * jump into the same chains (or test the same large sets) so often that one packet may be tested
 * against more than NF_MAX_WALK_RULES rules and set elements, which the simulation does not follow.
 */
import type { Diagnostic } from '../diag/diagnostic.js';
import { NF_MAX_CHAIN_HOPS, NF_MAX_WALK_RULES, type NfChain, type NfRule } from '../policy/netfilter.js';

interface Edge {
  readonly to: number;
  readonly rule: NfRule;
}

const TOO_MANY_LINKS = 'the kernel refuses the ruleset ("Too many links")';

/** What testing one rule may cost the walk: one, plus the addresses and port ranges it compares against (sets are scanned). */
function ruleCost(rule: NfRule): number {
  let n = 1;
  for (const c of rule.conds) {
    if (c.kind === 'src' || c.kind === 'dst') n += c.any.length;
    else if (c.kind === 'sport' || c.kind === 'dport') n += c.ports.ranges.length;
  }
  return n;
}

/** Problems with the chains' jumps: loops, too many hops, too much work; empty when the walk is exact and bounded. */
export function chainGraphProblems(chains: readonly NfChain[]): Diagnostic[] {
  const index = new Map<string, number>();
  chains.forEach((c, i) => index.set(`${c.family}\u0000${c.table}\u0000${c.name}`, i));
  const edges: Edge[][] = chains.map((c) => {
    const out: Edge[] = [];
    for (const rule of c.rules) {
      const t = rule.target;
      if (t.kind !== 'jump' && t.kind !== 'goto') continue;
      const to = index.get(`${c.family}\u0000${c.table}\u0000${t.chain}`);
      if (to !== undefined) out.push({ to, rule });
    }
    return out;
  });
  const out: Diagnostic[] = [];
  // depth-first from every hooked chain, without recursion: 0 unseen, 1 on the way, 2 done
  const state = new Uint8Array(chains.length);
  const order: number[] = [];
  for (let root = 0; root < chains.length; root++) {
    if (!chains[root]!.hook || state[root] !== 0) continue;
    const stack: { node: number; next: number }[] = [{ node: root, next: 0 }];
    state[root] = 1;
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const e = edges[top.node]![top.next++];
      if (!e) {
        state[top.node] = 2;
        order.push(top.node);
        stack.pop();
      } else if (state[e.to] === 1) {
        const from = stack.findIndex((f) => f.node === e.to);
        const path = stack.slice(from).map((f) => chains[f.node]!.name);
        path.push(chains[e.to]!.name);
        out.push({ severity: 'error', message: `this ${e.rule.target.kind} makes a loop (${path.join(' → ')}): ${TOO_MANY_LINKS}`, span: e.rule.at, suggestion: 'a chain may not jump back into a chain it was reached from' });
      } else if (state[e.to] === 0) {
        state[e.to] = 1;
        stack.push({ node: e.to, next: 0 });
      }
    }
  }
  if (out.length > 0) return out;
  // no loop: callees come first in `order`; each chain's longest way down and the most rules a walk from it tests
  const hops = new Float64Array(chains.length);
  const deepest: (Edge | undefined)[] = new Array<Edge | undefined>(chains.length);
  const work = new Float64Array(chains.length);
  for (const n of order) {
    let w = 0;
    for (const rule of chains[n]!.rules) w += ruleCost(rule);
    for (const e of edges[n]!) {
      if (hops[e.to]! + 1 > hops[n]!) {
        hops[n] = hops[e.to]! + 1;
        deepest[n] = e;
      }
      // capped, so the sums stay small numbers on hostile inputs
      w = Math.min(w + work[e.to]!, NF_MAX_WALK_RULES + 1);
    }
    work[n] = w;
  }
  for (let n = 0; n < chains.length; n++) {
    const c = chains[n]!;
    if (!c.hook || state[n] !== 2) continue;
    if (hops[n]! > NF_MAX_CHAIN_HOPS) {
      // the way down, to the jump that goes one too far
      const path = [c.name];
      let at = n;
      let e = deepest[at]!;
      for (let k = 0; k < NF_MAX_CHAIN_HOPS; k++) {
        path.push(chains[e.to]!.name);
        at = e.to;
        e = deepest[at]!;
      }
      path.push(chains[e.to]!.name);
      out.push({
        severity: 'error',
        message: `this ${e.rule.target.kind} reaches chain ${chains[e.to]!.name} through ${NF_MAX_CHAIN_HOPS + 1} jumps and gotos from the hooked chain ${c.name} (${path.join(' → ')}): ${TOO_MANY_LINKS}; ${NF_MAX_CHAIN_HOPS} at most`,
        span: e.rule.at,
        suggestion: 'flatten some of the chains',
      });
    } else if (work[n]! > NF_MAX_WALK_RULES)
      out.push({
        severity: 'error',
        message: `a packet's walk from chain ${c.name} may test more than ${NF_MAX_WALK_RULES.toLocaleString('en-US')} rules and set elements (its rules jump into the same chains, or test the same large sets, again and again): more than the simulation follows`,
        span: c.at,
        suggestion: 'jump into each chain, and test each large set, from fewer rules',
      });
  }
  return out;
}
