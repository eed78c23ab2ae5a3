/**
 * Exports a policy as an nftables ruleset (`nft -f`): one `inet ftpwall` table,
 * a forward chain that jumps to one chain per bound ACL (inbound checks, then
 * outbound), and with stateful inspection conntrack plus explicit FTP helpers.
 */
import { hasErrors, type Diagnostic, type Parsed } from '../diag/diagnostic.js';
import { formatIpv4, formatIpv6, ipv4Mask, type Ipv6Words } from '../net/address.js';
import { PROTO_ICMP, PROTO_ICMPV6, PROTO_TCP, PROTO_UDP } from '../net/packet.js';
import type { Acl, AddrMatch, Policy, PortMatch, Rule } from '../policy/model.js';
import {
  bindingComment,
  headerLines,
  inspectComment,
  planExport,
  quoteComment,
  ruleComment,
  ruleLabelShort,
  validateRule,
  wantsLogging,
  type ExportOptions,
  type ExportPlan,
  v4Parts,
  SESSION_CT_MARK,
  sessionComment,
  defaultFor,
} from './plan.js';
import { algOff, helperCandidateMark, MAX_ALG_OFF_PORTS, NAT_CT_MARK, natAddrRange, natComment, natFamily, natMatchAcl, natPortRange, type PlannedNat } from './nat.js';

/** nft limits a comment to 128 characters. */
const NFT_COMMENT_MAX = 128;

/** The nft name of the table every export writes. */
export const NFT_TABLE = 'inet ftpwall';

/** TCP flag names in nft, by bit (RFC 793 / RFC 3168 order). */
const TCP_FLAG_NAMES: readonly (readonly [number, string])[] = [
  [0x01, 'fin'],
  [0x02, 'syn'],
  [0x04, 'rst'],
  [0x08, 'psh'],
  [0x10, 'ack'],
  [0x20, 'urg'],
  [0x40, 'ecn'],
  [0x80, 'cwr'],
];

/** `syn|ack` for a flag bit set, or `0x0` for none. */
export function nftTcpFlags(bits: number): string {
  const names = TCP_FLAG_NAMES.filter(([bit]) => (bits & bit) !== 0).map(([, n]) => n);
  return names.length === 0 ? '0x0' : names.join('|');
}


function maskV6(words: Ipv6Words, prefixLen: number): Ipv6Words {
  const m = (i: number): number => ipv4Mask(Math.max(0, Math.min(32, prefixLen - 32 * i)));
  return [(words[0] & m(0)) >>> 0, (words[1] & m(1)) >>> 0, (words[2] & m(2)) >>> 0, (words[3] & m(3)) >>> 0];
}

/** nft text of an address condition on `field` (saddr/daddr), or '' for any. */
function nftAddr(m: AddrMatch, field: 'saddr' | 'daddr'): string {
  switch (m.kind) {
    case 'any':
      return '';
    case 'v4': {
      const { addr, keep, len } = v4Parts(m);
      if (len === 32) return `ip ${field} ${addr}`;
      if (len !== undefined) return `ip ${field} ${addr}/${len}`;
      // H3C allows non-contiguous wildcards; nft matches them exactly with a bitwise AND.
      return `ip ${field} & ${formatIpv4(keep)} == ${addr}`;
    }
    case 'v6': {
      const addr = formatIpv6(maskV6(m.addr, m.prefixLen));
      return m.prefixLen === 128 ? `ip6 ${field} ${addr}` : `ip6 ${field} ${addr}/${m.prefixLen}`;
    }
  }
}

/** nft text of a port condition, e.g. `tcp dport > 1024`; H3C `neq` becomes `!=`. */
function nftPort(proto: string, field: 'sport' | 'dport', m: PortMatch): string {
  const [a, b] = m.operands;
  switch (m.op) {
    case 'eq':
      return `${proto} ${field} ${a}`;
    case 'neq':
      return `${proto} ${field} != ${a}`;
    case 'lt':
      return `${proto} ${field} < ${a}`;
    case 'gt':
      return `${proto} ${field} > ${a}`;
    case 'range':
      return a === b ? `${proto} ${field} ${a}` : `${proto} ${field} ${a}-${b}`;
  }
}

const L4_NAMES: ReadonlyMap<number, string> = new Map([
  [PROTO_TCP, 'tcp'],
  [PROTO_UDP, 'udp'],
  [PROTO_ICMP, 'icmp'],
  [PROTO_ICMPV6, 'icmpv6'],
]);

/** The match part of one rule in nft syntax, or the reasons it cannot be exported exactly. */
export function nftRuleMatch(acl: Acl, rule: Rule): { text: string } | { errors: Diagnostic[] } {
  const errors = validateRule(acl, rule);
  if (errors.length) return { errors };
  const parts: string[] = [];
  const proto = rule.protocol;
  const name = proto === 'any' ? undefined : L4_NAMES.get(proto);
  const needsTransport = rule.srcPort !== undefined || rule.dstPort !== undefined;
  const needsTcp = rule.established === true || (rule.tcpFlags !== undefined && rule.tcpFlags.mask !== 0);
  const needsIcmp = rule.icmpType !== undefined || rule.icmpCode !== undefined;
  // The protocol: implied by tcp/udp/icmp expressions, else an explicit meta l4proto (both families).
  if (proto !== 'any' && !needsTransport && !needsTcp && !needsIcmp) parts.push(`meta l4proto ${name ?? proto}`);
  const src = nftAddr(rule.src, 'saddr');
  const dst = nftAddr(rule.dst, 'daddr');
  if (src) parts.push(src);
  if (dst) parts.push(dst);
  // H3C `fragment`: only non-first fragments (fragment offset ≠ 0).
  if (rule.fragmentOnly) parts.push(acl.family === 4 ? 'ip frag-off & 0x1fff != 0' : 'frag frag-off != 0');
  if (rule.srcPort && name) parts.push(nftPort(name, 'sport', rule.srcPort));
  if (rule.dstPort && name) parts.push(nftPort(name, 'dport', rule.dstPort));
  if (rule.established) parts.push('tcp flags & (ack|rst) != 0');
  // ORed flags (H3C routers): at least one flag has its value, i.e. not every flag has the opposite one.
  if (rule.tcpFlags && rule.tcpFlags.mask !== 0)
    parts.push(
      rule.tcpFlags.any
        ? `tcp flags & (${nftTcpFlags(rule.tcpFlags.mask)}) != ${wrapFlags(nftTcpFlags(~rule.tcpFlags.value & rule.tcpFlags.mask))}`
        : `tcp flags & (${nftTcpFlags(rule.tcpFlags.mask)}) == ${wrapFlags(nftTcpFlags(rule.tcpFlags.value))}`,
    );
  if (rule.icmpType !== undefined) parts.push(`${name} type ${rule.icmpType}`);
  if (rule.icmpCode !== undefined) parts.push(`${name} code ${rule.icmpCode}`);
  return { text: parts.join(' ') };
}

function wrapFlags(flags: string): string {
  return flags.includes('|') ? `(${flags})` : flags;
}

/** One ACL rule as a full nft rule line: match, counter, optional log, verdict, comment. */
function nftRuleLine(acl: Acl, rule: Rule, match: string): string {
  const comment = ruleComment(acl, rule);
  const log = wantsLogging(rule) ? `log prefix ${quoteComment(`${ruleLabelShort(acl, rule)}: `, 60)} ` : '';
  // Permit in an ACL means "this check passes": return to the forward chain for the next check.
  const verdict = rule.action === 'permit' ? 'return' : 'drop';
  return `${match ? `${match} ` : ''}${log}counter ${verdict} comment ${quoteComment(comment, NFT_COMMENT_MAX)}`;
}

const MARK = `0x${SESSION_CT_MARK.toString(16).padStart(8, '0')}`;

/**
 * The forward chain's stateful head. Everywhere (Linux): every tracked connection passes. With ASPF
 * points: the first packet crossing a point marks its connection; only marked connections' established
 * and related packets pass, the rest meet the packet filters.
 */
function nftSessionLines(plan: ExportPlan): string[] {
  if (plan.sessions === 'everywhere') return ['\t\tct state established,related accept comment "stateful inspection: tracked connections and FTP data expectations"'];
  const out: string[] = [];
  for (const s of plan.sessions) {
    const dev = `${s.direction === 'inbound' ? 'iifname' : 'oifname'} "${s.device}"`;
    const comment = quoteComment(sessionComment(s), NFT_COMMENT_MAX);
    const matches = s.protocols ? s.protocols.map((p) => (p.dstPorts ? `${L4_NAMES.get(p.proto) ?? p.proto} dport { ${p.dstPorts.join(', ')} }` : `meta l4proto ${L4_NAMES.get(p.proto) ?? p.proto}`)) : [''];
    for (const m of matches) out.push(`\t\tct state new ${dev} ${m ? `${m} ` : ''}ct mark set ct mark | ${MARK} comment ${comment}`);
  }
  if (plan.sessions.length === 0) out.push('\t\t# no ASPF application: no connection is a session, every packet meets the packet filters');
  else out.push(`\t\tct state established,related ct mark & ${MARK} == ${MARK} accept comment "ASPF sessions: packets of marked connections and their FTP data connections"`);
  return out;
}

/** `0x00000002`: a mark as the ruleset writes it. */
function hexMark(bits: number): string {
  return `0x${(bits >>> 0).toString(16).padStart(8, '0')}`;
}

/** A NAT rule's match (interface, family, conditions) in nft syntax, or undefined after pushing errors. */
function nftNatMatch(n: PlannedNat, errors: Diagnostic[]): string | undefined {
  const m = nftRuleMatch(natMatchAcl(n.rule), n.rule.match);
  if ('errors' in m) {
    for (const e of m.errors) errors.push(e);
    return undefined;
  }
  const parts: string[] = [];
  if (n.inDevice !== undefined) parts.push(`iifname "${n.inDevice}"`);
  if (n.outDevice !== undefined) parts.push(`oifname "${n.outDevice}"`);
  // without an address condition the family must be said: a NAT statement translates one family
  if (!/\bip6? [sd]addr\b/.test(m.text)) parts.push(`meta nfproto ipv${natFamily(n.rule)}`);
  if (m.text) parts.push(m.text);
  return parts.join(' ');
}

/** The NAT statement: `dnat ip to 192.168.10.10:21`, `snat ip to 198.51.100.1`, `masquerade`, `redirect to :8021`. */
function nftNatStatement(r: PlannedNat['rule']): string {
  const fam = natFamily(r) === 6 ? 'ip6' : 'ip';
  const ports = natPortRange(r, '-');
  const addr = natAddrRange(r, ports !== undefined);
  switch (r.kind) {
    case 'dnat':
    case 'snat':
      return `${r.kind} ${fam} to ${addr ?? ''}${ports !== undefined ? `:${ports}` : ''}`;
    case 'masquerade':
    case 'redirect':
      return ports !== undefined ? `${r.kind} to :${ports}` : r.kind;
  }
}

/** The nat chains: DNAT/REDIRECT before routing (dstnat), SNAT/MASQUERADE after it (srcnat), in policy order. */
function nftNatLines(plan: ExportPlan, errors: Diagnostic[]): string[] {
  const out: string[] = [];
  for (const [hook, priority] of [
    ['prerouting', 'dstnat'],
    ['postrouting', 'srcnat'],
  ] as const) {
    const rules = plan.nat.filter((n) => n.rule.hook === hook);
    if (rules.length === 0) continue;
    out.push(`	chain nat_${hook} {`, `		type nat hook ${hook} priority ${priority}; policy accept;`);
    for (const n of rules) {
      const match = nftNatMatch(n, errors);
      if (match === undefined) continue;
      out.push(`		${match} counter ${nftNatStatement(n.rule)} comment ${quoteComment(natComment(n.rule), NFT_COMMENT_MAX)}`);
    }
    out.push('	}', '');
  }
  return out;
}

/**
 * The FTP helper attachments. With the ALG on (or no NAT): `ct helper set` on the control connection's
 * first packet, in prerouting for inbound inspection and postrouting for outbound. With the ALG off and
 * NAT rules: the same places only mark candidates, the NAT rules' matches mark translated connections
 * (before dstnat, and before srcnat), and the helper attaches, still before srcnat, to new candidates
 * that carry no NAT mark (see nat.ts).
 */
function nftHelperLines(plan: ExportPlan, helperPorts: readonly number[], errors: Diagnostic[]): string[] {
  const out: string[] = [];
  const off = algOff(plan.policy) && plan.helpers.length > 0;
  if (off && helperPorts.length > MAX_ALG_OFF_PORTS) {
    errors.push({ severity: 'error', message: `with 'undo nat alg ftp' the nft export marks each FTP control port in the conntrack mark, at most ${MAX_ALG_OFF_PORTS} ports (this config inspects ${helperPorts.length})`, span: plan.policy.nat![0]!.at });
    return out;
  }
  const natMark = hexMark(NAT_CT_MARK);
  if (off) {
    const pre = plan.nat.filter((n) => n.rule.hook === 'prerouting');
    if (pre.length > 0) {
      out.push('	chain ftp_nat_mark_prerouting {', '		type filter hook prerouting priority mangle; policy accept;');
      for (const n of pre) {
        const match = nftNatMatch(n, errors);
        if (match !== undefined) out.push(`		ct state new ${match} ct mark set ct mark | ${natMark} comment ${quoteComment(`no FTP ALG: NATed by ${natComment(n.rule)}`, NFT_COMMENT_MAX)}`);
      }
      out.push('	}', '');
    }
  }
  for (const hook of ['prerouting', 'postrouting'] as const) {
    const hs = plan.helpers.filter((h) => (h.direction === 'inbound') === (hook === 'prerouting'));
    const post = off && hook === 'postrouting' ? plan.nat.filter((n) => n.rule.hook === 'postrouting') : [];
    if (hs.length === 0 && !(off && hook === 'postrouting')) continue;
    // After conntrack (-200) so the new conntrack exists, before confirmation, on the first packet only.
    out.push(`	chain ftp_helper_${hook} {`, `		type filter hook ${hook} priority filter; policy accept;`);
    for (const n of post) {
      const match = nftNatMatch(n, errors);
      if (match !== undefined) out.push(`		ct state new ${match} ct mark set ct mark | ${natMark} comment ${quoteComment(`no FTP ALG: NATed by ${natComment(n.rule)}`, NFT_COMMENT_MAX)}`);
    }
    for (const h of hs) {
      const dev = h.device === undefined ? '' : `${h.direction === 'inbound' ? 'iifname' : 'oifname'} "${h.device}" `;
      const c = quoteComment(inspectComment(h), NFT_COMMENT_MAX);
      const action = off ? `ct mark set ct mark | ${hexMark(helperCandidateMark(helperPorts.indexOf(h.port)))}` : `ct helper set "ftp-${h.port}"`;
      out.push(`		${dev}tcp dport ${h.port} ${action} comment ${c}`);
    }
    if (off && hook === 'postrouting')
      for (const [i, port] of helperPorts.entries()) {
        const cand = helperCandidateMark(i);
        const c = quoteComment(`undo nat alg ftp: the FTP helper only on control connections NAT does not translate`, NFT_COMMENT_MAX);
        out.push(`		ct state new ct mark & ${hexMark(cand | NAT_CT_MARK)} == ${hexMark(cand)} ct helper set "ftp-${port}" comment ${c}`);
      }
    out.push('	}', '');
  }
  return out;
}

/** The text of an nft ruleset for a plan whose rules all translate; undefined plus errors otherwise. */
function render(plan: ExportPlan, options: ExportOptions): { text: string; errors: Diagnostic[] } {
  const errors: Diagnostic[] = [];
  const out: string[] = headerLines(plan, options, 'nftables (nft -f)').map((l) => `# ${l}`);
  const p = plan.policy;
  out.push(`table ${NFT_TABLE} {`);
  const helperPorts = [...new Set(plan.helpers.map((h) => h.port))].sort((a, b) => a - b);
  for (const port of helperPorts) {
    // Since Linux 6.0 helpers are attached only by the ruleset (facts sheet 6.5); one object per control port.
    out.push(`\tct helper ftp-${port} {`, '\t\ttype "ftp" protocol tcp', '\t\tl3proto inet', '\t}', '');
  }
  for (const l of nftHelperLines(plan, helperPorts, errors)) out.push(l);
  for (const l of nftNatLines(plan, errors)) out.push(l);
  out.push('\tchain forward {', '\t\ttype filter hook forward priority filter; policy accept;');
  if (options.stateful) for (const l of nftSessionLines(plan)) out.push(l);
  for (const c of plan.checks) {
    const dir = c.binding.direction === 'inbound' ? 'iifname' : 'oifname';
    const head = `\t\t${dir} "${c.device}" meta nfproto ipv${c.binding.family}`;
    const comment = quoteComment(bindingComment(c.binding), NFT_COMMENT_MAX);
    if (c.chain) out.push(`${head} jump ${c.chain} comment ${comment}`);
    else {
      // Binding to an ACL the config does not define: the default action applies (as in engine/static.ts).
      const def = defaultFor(p, c.binding.family);
      const verdict = def.action === 'deny' ? ' drop' : '';
      out.push(`${head} counter${verdict} comment ${quoteComment(`${bindingComment(c.binding)}: ACL not defined, default ${def.action}`, NFT_COMMENT_MAX)}`);
    }
  }
  out.push('\t}');
  for (const { acl, chain } of plan.chains) {
    const def = defaultFor(p, acl.family);
    const defaultVerdict = def.action === 'permit' ? 'return' : 'drop';
    const defaultWhere = def.at ? ` ${def.at.file}:${def.at.line}` : '';
    out.push('', `\tchain ${chain} {`);
    for (const rule of acl.rules) {
      const m = nftRuleMatch(acl, rule);
      if ('errors' in m) for (const e of m.errors) errors.push(e);
      else out.push(`\t\t${nftRuleLine(acl, rule, m.text)}`);
    }
    out.push(`\t\tcounter ${defaultVerdict} comment ${quoteComment(`acl ${acl.family === 6 ? 'ipv6 ' : ''}${acl.name}: no rule matched, default ${def.action}${defaultWhere}`, NFT_COMMENT_MAX)}`);
    out.push('\t}');
  }
  out.push('}', '');
  return { text: out.join('\n'), errors };
}

/**
 * Translates a policy into an nftables ruleset. Every rule carries a comment naming its H3C source;
 * a construct that cannot be translated exactly is refused with a located error and the value is ''.
 */
export function exportNft(policy: Policy, options: ExportOptions): Parsed<string> {
  const { plan, diagnostics } = planExport(policy, options, [4, 6]);
  const { text, errors } = render(plan, options);
  const all = [...diagnostics, ...errors];
  return { value: hasErrors(all) ? '' : text, diagnostics: all };
}

