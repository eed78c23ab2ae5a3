/**
 * The firewall's ruleset in a kernel run: loading it (nft -f or iptables-restore), the kernel's own listing
 * of it (for the read-back), and the nft rule counters after the run.
 */
import { must } from './exec.js';

/** The ruleset a kernel run loads on the firewall: nft text (`nft -f`) or iptables-restore input. */
export type KernelRuleset = { readonly nft: string } | { readonly iptables: string };

/** The firewall's ruleset as the kernel lists it after loading: `nft list ruleset` or `iptables-save`. */
export interface KernelListing {
  readonly dialect: 'nft' | 'iptables';
  readonly text: string;
}

/** A counter of one commented nft rule after the run. */
export interface NftCounter {
  readonly chain: string;
  readonly comment: string;
  readonly packets: number;
  readonly bytes: number;
}

/** Parses `nft -j list ruleset` into the counters of commented rules. */
export function nftCounters(json: string): NftCounter[] {
  const out: NftCounter[] = [];
  let doc: { nftables?: { rule?: { chain: string; comment?: string; expr?: { counter?: { packets: number; bytes: number } }[] } }[] };
  try {
    doc = JSON.parse(json) as typeof doc;
  } catch {
    return out;
  }
  for (const item of doc.nftables ?? []) {
    const r = item.rule;
    const c = r?.expr?.find((e) => e.counter)?.counter;
    if (r && c && r.comment) out.push({ chain: r.chain, comment: r.comment, packets: c.packets, bytes: c.bytes });
  }
  return out;
}

/** Loads the ruleset on the firewall and returns the kernel's own listing of it. */
export async function loadRuleset(fw: string, ruleset: KernelRuleset): Promise<KernelListing> {
  if ('nft' in ruleset) {
    await must('ip', ['netns', 'exec', fw, 'nft', '-f', '-'], 10_000, ruleset.nft);
    return { dialect: 'nft', text: await must('ip', ['netns', 'exec', fw, 'nft', 'list', 'ruleset'], 10_000) };
  }
  await must('ip', ['netns', 'exec', fw, 'iptables-restore'], 10_000, ruleset.iptables);
  return { dialect: 'iptables', text: await must('ip', ['netns', 'exec', fw, 'iptables-save'], 10_000) };
}

