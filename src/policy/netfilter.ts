/**
 * Linux netfilter rulesets in neutral form (iptables-save, nft list ruleset): tables of chains,
 * rules with conditions (packet fields, interfaces, conntrack state, helper, connection mark) and a
 * target. Plain readonly data; the engine walks it in the kernel's hook order.
 */
import type { SourceSpan } from '../diag/diagnostic.js';
import type { IpAddress, IpFamily } from '../net/address.js';
import type { AddrMatch, Policy, PortMatch } from './model.js';
import type { NatRule } from './nat.js';

/** A conntrack state a rule can test (`--ctstate`, `ct state`). */
export type CtState = 'new' | 'established' | 'related' | 'invalid' | 'untracked';

/** The netfilter hooks a forwarded packet meets (input/output are for the device's own traffic). */
export type NfHook = 'prerouting' | 'input' | 'forward' | 'output' | 'postrouting';

/** An address condition: a prefix/wildcard, or an inclusive range (`-m iprange`, nft `a-b`). */
export type NfAddr =
  | { readonly kind: 'prefix'; readonly match: AddrMatch }
  | { readonly kind: 'range'; readonly family: IpFamily; readonly lo: IpAddress; readonly hi: IpAddress };

/** One condition of a rule; `not` inverts it (`!`, `!=`). */
export type NfCond = (
  | { readonly kind: 'family'; readonly family: IpFamily }
  | { readonly kind: 'proto'; readonly proto: number }
  /** `-f`: a non-first fragment */
  | { readonly kind: 'fragment' }
  | { readonly kind: 'src' | 'dst'; readonly any: readonly NfAddr[] }
  | { readonly kind: 'sport' | 'dport'; readonly ports: PortMatch }
  | { readonly kind: 'tcpflags'; readonly mask: number; readonly value: number }
  | { readonly kind: 'icmp'; readonly family: IpFamily; readonly type: number; readonly code?: number }
  /** interface name; a trailing `+` (iptables) or `*` (nft) matches any suffix */
  | { readonly kind: 'iif' | 'oif'; readonly name: string }
  | { readonly kind: 'ctstate'; readonly states: readonly CtState[] }
  | { readonly kind: 'helper'; readonly name: string }
  /** connection mark: `(ctmark & mask) === value` */
  | { readonly kind: 'ctmark'; readonly mask: number; readonly value: number }
) & { readonly not?: boolean };

/** What a rule does when its conditions hold. */
export type NfTarget =
  | { readonly kind: 'accept' | 'drop' | 'reject' | 'return' }
  | { readonly kind: 'jump' | 'goto'; readonly chain: string }
  /** LOG, counter-only, comment-only rules: the walk continues */
  | { readonly kind: 'continue' }
  /** `-j CT --helper ftp`, `ct helper set "name"`: the helper (by its kernel name) for a new connection */
  | { readonly kind: 'ct-helper'; readonly helper: string }
  /** `-j CT --notrack`, `notrack`: the packet is not tracked */
  | { readonly kind: 'notrack' }
  /** `-j CONNMARK --or-mark`, `ct mark set ct mark | v`: `mark = (mark & ~clear) ^ xor` (iptables' form) */
  | { readonly kind: 'ctmark-set'; readonly clear: number; readonly xor: number }
  /** DNAT/SNAT/MASQUERADE/REDIRECT: the rule is in Policy.nat (index), not simulated by the filter walk */
  | { readonly kind: 'nat'; readonly index: number };

/** One rule of a chain. */
export interface NfRule {
  readonly conds: readonly NfCond[];
  readonly target: NfTarget;
  readonly comment?: string;
  /** the rule as written (one line) */
  readonly text: string;
  readonly at: SourceSpan;
}

/** The iptables tables (nft tables are named freely; their chains carry the hook and priority). */
export type NfTableKind = 'raw' | 'mangle' | 'nat' | 'filter';

/** A chain: a base chain has a hook, a priority and a policy; a user chain has neither. */
export interface NfChain {
  /** `filter`, `raw`…, or the nft table name */
  readonly table: string;
  /** ip (IPv4 only), ip6 (IPv6 only), inet (both) */
  readonly family: 'ip' | 'ip6' | 'inet';
  readonly name: string;
  readonly hook?: NfHook;
  /** lower runs first at the same hook (raw -300, conntrack -200, mangle -150, dstnat -100, filter 0, srcnat 100) */
  readonly priority?: number;
  /** a nat chain (type nat): its rules select a translation, they do not filter */
  readonly nat?: boolean;
  readonly policy?: 'accept' | 'drop';
  readonly rules: readonly NfRule[];
  readonly at: SourceSpan;
}

/** A whole netfilter ruleset (one or several files' worth of tables). */
export interface Ruleset {
  readonly dialect: 'iptables' | 'nft';
  readonly chains: readonly NfChain[];
}

/**
 * The most jumps and gotos a walk may take from a hooked chain to reach a chain: nf_tables (nft, and
 * iptables-nft) refuse a ruleset that reaches a chain through 16 ("Too many links", its jump stack
 * NFT_JUMP_STACK_SIZE is 16); seen with nft 1.0 and iptables-restore 1.8.9 (nf_tables) on Linux 6.
 */
export const NF_MAX_CHAIN_HOPS = 15;
/** The most rules and set elements one packet's walk from one base chain may test; a ruleset that may test more is refused when it is read. */
export const NF_MAX_WALK_RULES = 1_000_000;

/** Priorities of the kernel's hook functions (include/uapi/linux/netfilter_ipv4.h NF_IP_PRI_*). */
export const NF_PRIORITY = { raw: -300, conntrack: -200, mangle: -150, dstnat: -100, filter: 0, srcnat: 100, confirm: 2147483647 } as const;

/** The policy of a Linux ruleset: its chains decide; no H3C ACLs, bindings or inspections. */
export function rulesetPolicy(file: string, ruleset: Ruleset, interfaces: ReadonlySet<string>, nat: readonly NatRule[]): Policy {
  return {
    source: file,
    acls: [],
    bindings: [],
    defaultAction: { action: 'permit' },
    inspections: [],
    interfaces: [...interfaces].sort(),
    ruleset,
    ...(nat.length > 0 ? { nat } : {}),
  };
}
