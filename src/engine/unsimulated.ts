/**
 * What the engines cannot simulate exactly in a policy, as located errors: the NAT a Linux
 * ruleset asks for where the kernel's choice is not computed (a hash over an address range, a
 * random port), where the packet is delivered to the firewall itself (REDIRECT), or where the
 * kernel would refuse to load the rule (a translation at the wrong hook).
 */
import type { Diagnostic } from '../diag/diagnostic.js';
import type { Policy } from '../policy/model.js';
import type { NatRule } from '../policy/nat.js';
import type { NfChain } from '../policy/netfilter.js';
import { chainKey } from './ruleset.js';

const KIND_NAME: Readonly<Record<NatRule['kind'], string>> = { dnat: 'DNAT', snat: 'SNAT', masquerade: 'MASQUERADE', redirect: 'REDIRECT' };

/** The hooks at which each nat chain runs: its own, or those of the base chains that jump or go to it. */
function natChainHooks(chains: readonly NfChain[]): Map<NfChain, Set<string>> {
  const byName = new Map<string, NfChain>();
  for (const c of chains) byName.set(chainKey(c, c.name), c);
  const hooks = new Map<NfChain, Set<string>>();
  for (const base of chains) {
    if (!base.nat || !base.hook) continue;
    const seen = new Set<NfChain>();
    const todo: NfChain[] = [base];
    while (todo.length > 0) {
      const c = todo.pop()!;
      if (seen.has(c)) continue;
      seen.add(c);
      let set = hooks.get(c);
      if (!set) hooks.set(c, (set = new Set()));
      set.add(base.hook);
      for (const r of c.rules) {
        if (r.target.kind !== 'jump' && r.target.kind !== 'goto') continue;
        const next = byName.get(chainKey(c, r.target.chain));
        if (next) todo.push(next);
      }
    }
  }
  return hooks;
}

/** Located errors for the parts of a policy no engine simulates exactly (none for H3C configs). */
export function unsimulatedParts(policy: Policy): Diagnostic[] {
  const out: Diagnostic[] = [];
  const rs = policy.ruleset;
  if (!rs) return out;
  const nat = policy.nat ?? [];
  const setsMarks = rs.chains.some((c) => c.rules.some((r) => r.target.kind === 'ctmark-set'));
  const hooks = natChainHooks(rs.chains);
  for (const chain of rs.chains) {
    const at = hooks.get(chain);
    for (const rule of chain.rules) {
      if (rule.target.kind === 'nat' && !chain.nat) {
        out.push({ severity: 'error', message: `a NAT statement in chain ${chain.name}, which is not a nat chain: the kernel refuses it`, span: rule.at, suggestion: 'put it in a chain of type nat' });
        continue;
      }
      if (!chain.nat || !at) continue;
      if (setsMarks && rule.conds.some((c) => c.kind === 'ctmark'))
        out.push({ severity: 'error', message: `a nat rule that tests the connection mark, which other rules set: the mark a new connection has when it meets the nat chains is not simulated`, span: rule.at, suggestion: 'match the packets by address, port or interface instead' });
      if (rule.target.kind !== 'nat') continue;
      const r = nat[rule.target.index];
      if (!r) continue;
      const name = KIND_NAME[r.kind];
      const dst = r.kind === 'dnat' || r.kind === 'redirect';
      const wrong = [...at].filter((h) => (dst ? h !== 'prerouting' && h !== 'output' : h !== 'postrouting' && h !== 'input'));
      if (wrong.length > 0)
        out.push({ severity: 'error', message: `${name} in a chain that runs at ${wrong.join(', ')}: the kernel accepts ${dst ? 'destination NAT only at prerouting and output' : 'source NAT only at postrouting and input'}`, span: r.at });
      // nat chains that run only at output or input see the firewall's own traffic, never a forwarded packet
      if (!at.has('prerouting') && !at.has('postrouting')) continue;
      if (r.kind === 'redirect')
        out.push({ severity: 'error', message: 'REDIRECT delivers the packet to the firewall itself (its INPUT hook), and ftpwall simulates forwarded traffic only', span: r.at, suggestion: 'DNAT to the host that serves the port instead' });
      if ((r.kind === 'dnat' || r.kind === 'snat') && !r.toAddr)
        out.push({ severity: 'error', message: `${name} without an address to translate to: the kernel refuses it`, span: r.at, suggestion: r.kind === 'dnat' ? 'write --to-destination ADDRESS[:PORT] (nft: dnat to ADDRESS)' : 'write --to-source ADDRESS (nft: snat to ADDRESS)' });
      if (r.toAddr && r.toAddr.lo !== r.toAddr.hi)
        out.push({ severity: 'error', message: `${name} to the address range ${r.toAddr.lo}-${r.toAddr.hi}: the kernel picks one address by a hash of the connection's addresses (find_best_ips_proto), which ftpwall does not compute`, span: r.at, suggestion: 'translate to one address' });
      if ((r.kind === 'snat' || r.kind === 'masquerade') && r.toPorts)
        out.push({ severity: 'error', message: `${name} to ports ${r.toPorts[0]}-${r.toPorts[1]}: a source port outside the range gets a random one (nf_nat_l4proto_unique_tuple), which no simulation can predict`, span: r.at, suggestion: 'leave the ports out: the kernel then keeps the source port' });
    }
  }
  return out;
}
