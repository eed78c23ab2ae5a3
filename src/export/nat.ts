/**
 * NAT in both Linux exports: which NAT rules are written, on which Linux
 * interfaces, and how the FTP helper is attached when the FTP ALG is off.
 *
 * Linux has one switch for the FTP ALG: with nf_nat_ftp present, every NATed control connection that has
 * the FTP helper is rewritten (facts sheet 9.1). H3C `undo nat alg ftp` keeps ASPF's FTP inspection but
 * neither rewrites nor opens pinholes on NATed control connections (the simulation makes no expectation
 * there), so the exports attach no helper to a connection that NAT translates: nft marks the candidates
 * and the NATed connections in the conntrack mark and attaches the helper only to the former without the
 * latter, before source NAT; iptables can only exclude destination NAT in its raw table.
 */
import type { Diagnostic } from '../diag/diagnostic.js';
import type { NatRule } from '../policy/nat.js';
import type { Acl, Policy } from '../policy/model.js';

/** One NAT rule with its Linux interfaces. */
export interface PlannedNat {
  readonly rule: NatRule;
  /** the Linux ingress interface (DNAT/REDIRECT), when the rule names one */
  readonly inDevice?: string;
  /** the Linux egress interface (SNAT/MASQUERADE), when the rule names one */
  readonly outDevice?: string;
}

/** The conntrack mark bit that says "NAT translates this connection" (ALG off: no FTP helper here). */
export const NAT_CT_MARK = 0x00000002;
/** The conntrack mark bit that says "the FTP helper for the i-th helper port would attach here" (ALG off). */
export function helperCandidateMark(index: number): number {
  return (0x00000004 << index) >>> 0;
}
/** Distinct helper ports the ALG-off form can carry (one mark bit each). */
export const MAX_ALG_OFF_PORTS = 8;

/** `nat server protocol tcp global 198.51.100.100 21 inside 192.168.10.10 21 rules/nat-server.cfg:23`. */
export function natComment(r: NatRule): string {
  return `${r.at.lineText.trim()} ${r.at.file}:${r.at.line}`;
}

/** A one-rule ACL of the NAT rule's family, so the ACL match translators take its conditions. */
export function natMatchAcl(r: NatRule): Acl {
  return { name: 'nat', category: 'advanced', family: r.toAddr?.family ?? (r.match.src.kind === 'v6' || r.match.dst.kind === 'v6' ? 6 : 4), matchOrder: 'config', step: 5, rules: [r.match], at: r.at };
}

/** The family of a NAT rule: its translated address's, else its match's, else IPv4. */
export function natFamily(r: NatRule): 4 | 6 {
  return natMatchAcl(r).family;
}

/** True when the policy has NAT rules and the FTP ALG is off (`undo nat alg ftp`). */
export function algOff(policy: Policy): boolean {
  return (policy.nat?.length ?? 0) > 0 && policy.natFtpAlg === false;
}

/** Refusals for NAT rules no export can carry exactly. */
export function refuseNat(r: NatRule): Diagnostic[] {
  if ((r.kind === 'dnat' || r.kind === 'snat') && !r.toAddr)
    return [{ severity: 'error', message: `cannot export ${r.kind.toUpperCase()} without a translated address`, span: r.at }];
  if (r.hook === 'output')
    return [{ severity: 'error', message: `cannot export ${r.kind.toUpperCase()} of locally generated packets (output): the exports filter forwarded traffic only`, span: r.at }];
  return [];
}

/** `192.168.10.10`, `192.168.10.10-192.168.10.20`: the translated address range as both rulesets write it. */
export function natAddrRange(r: NatRule, bracketV6: boolean): string | undefined {
  const a = r.toAddr;
  if (!a) return undefined;
  const b = (x: string): string => (a.family === 6 && bracketV6 ? `[${x}]` : x);
  return a.lo === a.hi ? b(a.lo) : `${b(a.lo)}-${b(a.hi)}`;
}

/** `21`, `50000-50100`: the translated port range, with the separator a ruleset uses. */
export function natPortRange(r: NatRule, sep: string): string | undefined {
  const p = r.toPorts;
  if (!p) return undefined;
  return p[0] === p[1] ? `${p[0]}` : `${p[0]}${sep}${p[1]}`;
}
