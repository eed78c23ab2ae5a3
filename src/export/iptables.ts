/**
 * Exports a policy in iptables-restore format: IPv4 ACLs for `iptables-restore`,
 * IPv6 ACLs for `ip6tables-restore` (one family per call). The FORWARD chain
 * jumps to one chain per bound ACL (inbound checks, then outbound); with stateful
 * inspection the raw table attaches the FTP helper (`-j CT --helper ftp`).
 */
import { hasErrors, type Diagnostic, type Parsed } from '../diag/diagnostic.js';
import { formatIpv4, formatIpv6, ipv4Mask, type IpFamily } from '../net/address.js';
import { PROTO_ICMP, PROTO_ICMPV6, PROTO_TCP, PROTO_UDP } from '../net/packet.js';
import type { Acl, AddrMatch, Policy, PortMatch, Rule } from '../policy/model.js';
import {
  bindingComment,
  headerLines,
  inspectComment,
  planExport,
  quoteComment,
  refuse,
  ruleComment,
  ruleLabelShort,
  spanOfToken,
  validateRule,
  wantsLogging,
  type ExportOptions,
  type ExportPlan,
  v4Parts,
  SESSION_CT_MARK,
  sessionComment,
  defaultFor,
} from './plan.js';
import { algOff, natAddrRange, natComment, natFamily, natMatchAcl, natPortRange, type PlannedNat } from './nat.js';

/** Options of the iptables exporter: which family's ACLs to write (4: iptables, 6: ip6tables). */
export interface IptablesExportOptions extends ExportOptions {
  readonly family?: IpFamily;
}

/** The comment match takes at most 256 characters. */
const IPT_COMMENT_MAX = 256;
/** The LOG target's prefix takes at most 29 characters. */
const LOG_PREFIX_MAX = 29;

const TCP_FLAG_NAMES: readonly (readonly [number, string])[] = [
  [0x01, 'FIN'],
  [0x02, 'SYN'],
  [0x04, 'RST'],
  [0x08, 'PSH'],
  [0x10, 'ACK'],
  [0x20, 'URG'],
  [0x40, 'ECE'],
  [0x80, 'CWR'],
];

function iptFlags(bits: number): string {
  const names = TCP_FLAG_NAMES.filter(([bit]) => (bits & bit) !== 0).map(([, n]) => n);
  return names.length ? names.join(',') : 'NONE';
}

/** `-s 10.0.0.0/8`, `-s 192.168.0.1/255.255.0.255` (non-contiguous masks are exact in iptables too). */
function iptAddr(m: AddrMatch, flag: '-s' | '-d'): string {
  switch (m.kind) {
    case 'any':
      return '';
    case 'v4': {
      const { addr, keep, len } = v4Parts(m);
      return `${flag} ${addr}/${len ?? formatIpv4(keep)}`;
    }
    case 'v6': {
      const w = m.addr;
      const mk = (i: number): number => ipv4Mask(Math.max(0, Math.min(32, m.prefixLen - 32 * i)));
      const masked = [(w[0] & mk(0)) >>> 0, (w[1] & mk(1)) >>> 0, (w[2] & mk(2)) >>> 0, (w[3] & mk(3)) >>> 0] as const;
      return `${flag} ${formatIpv6(masked)}/${m.prefixLen}`;
    }
  }
}

/** `--dport 21`, `! --dport 21`, `--dport 1025:65535` (lt/gt as inclusive ranges). */
function iptPort(flag: '--sport' | '--dport', m: PortMatch): string {
  const [a = 0, b = a] = m.operands;
  switch (m.op) {
    case 'eq':
      return `${flag} ${a}`;
    case 'neq':
      return `! ${flag} ${a}`;
    case 'lt':
      return `${flag} 0:${a - 1}`;
    case 'gt':
      return `${flag} ${a + 1}:65535`;
    case 'range':
      return a === b ? `${flag} ${a}` : `${flag} ${a}:${b}`;
  }
}

/** The match options of one rule, or why it cannot be exported exactly. */
export function iptRuleMatch(acl: Acl, rule: Rule): { text: string } | { errors: Diagnostic[] } {
  const errors = validateRule(acl, rule);
  for (const [m, op] of [
    [rule.srcPort, 'lt'],
    [rule.dstPort, 'lt'],
  ] as const) {
    if (m?.op === op && (m.operands[0] ?? 0) === 0) errors.push(refuse('lt 0 matches no port and has no iptables form', spanOfToken(rule.at, 'lt')));
  }
  if (rule.fragmentOnly && acl.family === 6)
    errors.push(refuse("ip6tables cannot match 'non-first fragment' (the frag match cannot negate --fragfirst); use the nft export", spanOfToken(rule.at, 'fragment')));
  if (errors.length) return { errors };
  const parts: string[] = [];
  const src = iptAddr(rule.src, '-s');
  const dst = iptAddr(rule.dst, '-d');
  if (src) parts.push(src);
  if (dst) parts.push(dst);
  const proto = rule.protocol;
  if (proto !== 'any') {
    const name = proto === PROTO_TCP ? 'tcp' : proto === PROTO_UDP ? 'udp' : proto === PROTO_ICMP && acl.family === 4 ? 'icmp' : proto === PROTO_ICMPV6 && acl.family === 6 ? 'ipv6-icmp' : String(proto);
    parts.push(`-p ${name}`);
    if (proto === PROTO_TCP || proto === PROTO_UDP) {
      const l4 = proto === PROTO_TCP ? 'tcp' : 'udp';
      const opts: string[] = [];
      if (rule.srcPort) opts.push(iptPort('--sport', rule.srcPort));
      if (rule.dstPort) opts.push(iptPort('--dport', rule.dstPort));
      // H3C `established`: ACK or RST set, i.e. not (ACK and RST both clear).
      if (rule.established) opts.push('! --tcp-flags ACK,RST NONE');
      if (opts.length) parts.push(`-m ${l4} ${opts.join(' ')}`);
      // A second tcp match instance: one instance takes one --tcp-flags.
      // ORed flags (H3C routers): not every flag of the mask has the opposite value.
      if (rule.tcpFlags && rule.tcpFlags.mask !== 0)
        parts.push(
          rule.tcpFlags.any
            ? `-m tcp ! --tcp-flags ${iptFlags(rule.tcpFlags.mask)} ${iptFlags(~rule.tcpFlags.value & rule.tcpFlags.mask)}`
            : `-m tcp --tcp-flags ${iptFlags(rule.tcpFlags.mask)} ${iptFlags(rule.tcpFlags.value)}`,
        );
    }
    if (rule.icmpType !== undefined) {
      const code = rule.icmpCode !== undefined ? `/${rule.icmpCode}` : '';
      parts.push(acl.family === 4 ? `-m icmp --icmp-type ${rule.icmpType}${code}` : `-m icmp6 --icmpv6-type ${rule.icmpType}${code}`);
    }
  }
  if (rule.fragmentOnly) parts.push('-f');
  return { text: parts.join(' ') };
}

const MARK = `0x${SESSION_CT_MARK.toString(16)}`;

/** The FORWARD chain's stateful head: everywhere, or CONNMARK on the first packet at each ASPF point (see nft.ts). */
function iptSessionLines(plan: ExportPlan): string[] {
  if (plan.sessions === 'everywhere')
    return ['-A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -m comment --comment "stateful inspection: tracked connections and FTP data expectations" -j ACCEPT'];
  const out: string[] = [];
  for (const s of plan.sessions) {
    const dev = `${s.direction === 'inbound' ? '-i' : '-o'} ${s.device}`;
    const comment = quoteComment(sessionComment(s), IPT_COMMENT_MAX);
    const name = (proto: number): string => (proto === PROTO_TCP ? 'tcp' : proto === PROTO_UDP ? 'udp' : String(proto));
    const matches = s.protocols
      ? s.protocols.map((p) => (p.dstPorts ? `-p ${name(p.proto)} -m multiport --dports ${p.dstPorts.join(',')} ` : `-p ${name(p.proto)} `))
      : [''];
    for (const m of matches) out.push(`-A FORWARD ${dev} ${m}-m conntrack --ctstate NEW -m comment --comment ${comment} -j CONNMARK --or-mark ${MARK}`);
  }
  if (plan.sessions.length > 0)
    out.push(`-A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -m connmark --mark ${MARK}/${MARK} -m comment --comment "ASPF sessions: packets of marked connections and their FTP data connections" -j ACCEPT`);
  return out;
}

/** The target of a NAT rule: `DNAT --to-destination 192.168.10.10:21`, `MASQUERADE`, `REDIRECT --to-ports 8021`. */
function iptNatTarget(r: PlannedNat['rule']): string {
  const ports = natPortRange(r, '-');
  const addr = natAddrRange(r, ports !== undefined) ?? '';
  switch (r.kind) {
    case 'dnat':
      return `DNAT --to-destination ${addr}${ports !== undefined ? `:${ports}` : ''}`;
    case 'snat':
      return `SNAT --to-source ${addr}${ports !== undefined ? `:${ports}` : ''}`;
    case 'masquerade':
      return ports !== undefined ? `MASQUERADE --to-ports ${ports}` : 'MASQUERADE';
    case 'redirect':
      return ports !== undefined ? `REDIRECT --to-ports ${ports}` : 'REDIRECT';
  }
}

/** A NAT rule's interface and conditions as iptables options, or undefined after pushing errors. */
function iptNatMatch(n: PlannedNat, errors: Diagnostic[]): string | undefined {
  const m = iptRuleMatch(natMatchAcl(n.rule), n.rule.match);
  if ('errors' in m) {
    for (const e of m.errors) errors.push(e);
    return undefined;
  }
  return [n.inDevice !== undefined ? `-i ${n.inDevice}` : '', n.outDevice !== undefined ? `-o ${n.outDevice}` : '', m.text].filter((x) => x !== '').join(' ');
}

/** The nat table: DNAT/REDIRECT in PREROUTING, SNAT/MASQUERADE in POSTROUTING, this family's rules in policy order. */
function iptNatLines(plan: ExportPlan, family: IpFamily, errors: Diagnostic[]): string[] {
  const rules = plan.nat.filter((n) => natFamily(n.rule) === family);
  if (rules.length === 0) return [];
  const out = ['*nat', ':PREROUTING ACCEPT [0:0]', ':INPUT ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', ':POSTROUTING ACCEPT [0:0]'];
  for (const n of rules) {
    const match = iptNatMatch(n, errors);
    if (match === undefined) continue;
    const chain = n.rule.hook === 'prerouting' ? 'PREROUTING' : 'POSTROUTING';
    out.push(`-A ${chain} ${match ? `${match} ` : ''}-m comment --comment ${quoteComment(natComment(n.rule), IPT_COMMENT_MAX)} -j ${iptNatTarget(n.rule)}`);
  }
  out.push('COMMIT');
  return out;
}

function render(plan: ExportPlan, options: ExportOptions, family: IpFamily): { text: string; errors: Diagnostic[] } {
  const errors: Diagnostic[] = [];
  const tool = family === 4 ? 'iptables-restore' : 'ip6tables-restore';
  const natFamilyRules = plan.nat.filter((n) => natFamily(n.rule) === family);
  const tables = natFamilyRules.length > 0 ? 'raw, nat and filter' : 'raw and filter';
  const out: string[] = headerLines(plan, options, `${tool} (IPv${family} ACLs only; replaces the ${tables} tables unless --noflush)`).map((l) => `# ${l}`);
  if (plan.helpers.length) {
    out.push('*raw', ':PREROUTING ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]');
    if (algOff(plan.policy)) {
      // `undo nat alg ftp`: no helper where NAT translates. The raw table sees the packet before routing, so it
      // can leave out what destination NAT will translate (same conditions), never what source NAT will.
      const snat = natFamilyRules.find((n) => n.rule.hook === 'postrouting');
      if (snat)
        errors.push(
          refuse(
            "with 'undo nat alg ftp' the FTP helper must stay off connections that source NAT translates, but iptables attaches helpers in the raw table before routing picks the egress interface; the nft export can",
            snat.rule.at,
          ),
        );
      for (const n of natFamilyRules) {
        if (n.rule.hook !== 'prerouting') continue;
        const match = iptNatMatch(n, errors);
        if (match !== undefined) out.push(`-A PREROUTING ${match ? `${match} ` : ''}-m comment --comment ${quoteComment(`no FTP ALG: no helper on what ${natComment(n.rule)} translates`, IPT_COMMENT_MAX)} -j RETURN`);
      }
    }
    for (const h of plan.helpers) {
      if (h.direction === 'outbound') {
        errors.push(
          refuse(
            `iptables attaches helpers only in the raw table's PREROUTING chain, before routing: inspection outbound on ${h.inspection.interface} cannot be exported (the nft export can)`,
            h.inspection.at,
          ),
        );
        continue;
      }
      const dev = h.device === undefined ? '' : `-i ${h.device} `;
      // The kernel helper is named "ftp" for every port unless the module's ports= list names others (facts 6.4).
      out.push(`-A PREROUTING ${dev}-p tcp -m tcp --dport ${h.port} -m comment --comment ${quoteComment(inspectComment(h), IPT_COMMENT_MAX)} -j CT --helper ftp`);
    }
    out.push('COMMIT');
  }
  for (const l of iptNatLines(plan, family, errors)) out.push(l);
  out.push('*filter', ':INPUT ACCEPT [0:0]', ':FORWARD ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]');
  for (const { chain } of plan.chains) out.push(`:${chain} - [0:0]`);
  if (options.stateful) for (const l of iptSessionLines(plan)) out.push(l);
  const p = plan.policy;
  for (const c of plan.checks) {
    const dir = c.binding.direction === 'inbound' ? '-i' : '-o';
    const comment = quoteComment(bindingComment(c.binding), IPT_COMMENT_MAX);
    if (c.chain) out.push(`-A FORWARD ${dir} ${c.device} -m comment --comment ${comment} -j ${c.chain}`);
    else if (defaultFor(p, family).action === 'deny')
      out.push(`-A FORWARD ${dir} ${c.device} -m comment --comment ${quoteComment(`${bindingComment(c.binding)}: ACL not defined, default deny`, IPT_COMMENT_MAX)} -j DROP`);
  }
  const def = defaultFor(p, family);
  const defaultTarget = def.action === 'permit' ? 'RETURN' : 'DROP';
  const defaultWhere = def.at ? ` ${def.at.file}:${def.at.line}` : '';
  for (const { acl, chain } of plan.chains) {
    for (const rule of acl.rules) {
      const m = iptRuleMatch(acl, rule);
      if ('errors' in m) {
        for (const e of m.errors) errors.push(e);
        continue;
      }
      const match = m.text ? `${m.text} ` : '';
      const comment = ruleComment(acl, rule);
      if (wantsLogging(rule)) {
        // LOG does not end evaluation; the rule's own verdict follows on the same match.
        const prefix = quoteComment(`${ruleLabelShort(acl, rule)}: `, LOG_PREFIX_MAX);
        out.push(`-A ${chain} ${match}-j LOG --log-prefix ${prefix}`);
      }
      out.push(`-A ${chain} ${match}-m comment --comment ${quoteComment(comment, IPT_COMMENT_MAX)} -j ${rule.action === 'permit' ? 'RETURN' : 'DROP'}`);
    }
    out.push(`-A ${chain} -m comment --comment ${quoteComment(`acl ${acl.family === 6 ? 'ipv6 ' : ''}${acl.name}: no rule matched, default ${def.action}${defaultWhere}`, IPT_COMMENT_MAX)} -j ${defaultTarget}`);
  }
  out.push('COMMIT', '');
  return { text: out.join('\n'), errors };
}

/**
 * Translates the policy's IPv4 (default) or IPv6 ACLs into iptables-restore input.
 * Refuses, with located errors and an empty value, what iptables cannot express exactly.
 */
export function exportIptables(policy: Policy, options: IptablesExportOptions): Parsed<string> {
  const family = options.family ?? 4;
  const { plan, diagnostics } = planExport(policy, options, [family]);
  const { text, errors } = render(plan, options, family);
  const all = [...diagnostics, ...errors];
  return { value: hasErrors(all) ? '' : text, diagnostics: all };
}

/** The IPv6 half: input for ip6tables-restore. */
export function exportIp6tables(policy: Policy, options: ExportOptions): Parsed<string> {
  return exportIptables(policy, { ...options, family: 6 });
}
