/** A NAT rule in neutral form (iptables nat table, nft nat chains, H3C nat server/outbound/static). */
export interface NatRule {
  readonly kind: 'dnat' | 'snat' | 'masquerade' | 'redirect';
  /** where it runs: DNAT/REDIRECT in prerouting (or output), SNAT/MASQUERADE in postrouting (a ruleset's user chain: its own hook is that of the chains that jump to it) */
  readonly hook: 'prerouting' | 'postrouting' | 'output';
  /**
   * the packet conditions, as a one-rule match in the neutral Rule form (action 'permit'). H3C: exactly
   * the rule's conditions. A Linux ruleset: its plain conditions, for display only; the engine walks the
   * nat chains (every condition, jumps, RETURN) and reaches this rule by its index (NfTarget 'nat').
   */
  readonly match: import('./model.js').Rule;
  readonly inInterface?: string;
  readonly outInterface?: string;
  /** translated address range (inclusive, same family), absent for masquerade/redirect */
  readonly toAddr?: { readonly family: 4 | 6; readonly lo: string; readonly hi: string };
  /** translated port range (inclusive) */
  readonly toPorts?: readonly [number, number];
  readonly at: import('../diag/diagnostic.js').SourceSpan;
}
