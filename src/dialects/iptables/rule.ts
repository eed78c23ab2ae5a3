/**
 * One `-A CHAIN …` line of iptables-save into conditions and a target. Every option ftpwall cannot
 * simulate exactly is a located error, never skipped.
 */
import { spanAt, type Diagnostic, type SourceSpan } from '../../diag/diagnostic.js';
import type { IpFamily } from '../../net/address.js';
import type { PortMatch } from '../../policy/model.js';
import type { CtState, NfAddr, NfCond, NfTarget } from '../../policy/netfilter.js';
import {
  parseAddrPrefix,
  parseAddrRange,
  parseCtState,
  parsePortRange,
  parseProto,
  parseTcpFlagList,
  parseU32,
  portsMatch,
  type Word,
} from './values.js';

/** A NAT target as written, for the caller to turn into a NatRule. */
export interface NatTarget {
  readonly kind: 'dnat' | 'snat' | 'masquerade' | 'redirect';
  /** `--to-destination` / `--to-source` / `--to-ports` value */
  readonly to?: string;
  readonly at: SourceSpan;
}

/** What one rule line says. */
export interface ParsedRule {
  readonly conds: NfCond[];
  readonly target: NfTarget | { readonly kind: 'nat-pending'; readonly nat: NatTarget };
  readonly comment?: string;
  /** the chain a `-j`/`-g` names, with where, for the caller to check it exists */
  readonly jumpAt?: SourceSpan;
}

/** Where a rule line is, for spans. */
export interface LineRef {
  readonly file: string;
  readonly line: number;
  readonly text: string;
}

const SYN_MASK = 0x02 | 0x04 | 0x10 | 0x01; // SYN,RST,ACK,FIN

/** Parses the words after `-A CHAIN`; pushes errors into `diags` and returns undefined on any. */
export function parseRuleWords(words: readonly Word[], ref: LineRef, family: IpFamily, table: string, diags: Diagnostic[]): ParsedRule | undefined {
  const conds: NfCond[] = [];
  let target: ParsedRule['target'] = { kind: 'continue' };
  let comment: string | undefined;
  let jumpAt: SourceSpan | undefined;
  let module: string | undefined;
  let targetName: string | undefined;
  let failed = false;
  const span = (w: Word): SourceSpan => spanAt(ref.file, ref.text, ref.line, w.col, w.len);
  const fail = (w: Word, message: string, suggestion?: string): undefined => {
    diags.push({ severity: 'error', message, span: span(w), ...(suggestion ? { suggestion } : {}) });
    failed = true;
    return undefined;
  };
  let i = 0;
  const value = (opt: Word): Word | undefined => {
    const v = words[i++];
    if (!v) fail(opt, `${opt.text} needs a value`);
    return v;
  };
  const addr = (v: Word): NfAddr | undefined => {
    const a = parseAddrPrefix(v.text);
    if (!a) return fail(v, `not an address: '${v.text}'`, 'write ADDRESS[/PREFIXLEN] or ADDRESS/MASK');
    if (a.family !== family) return fail(v, `an IPv${a.family} address in an ${family === 4 ? 'iptables' : 'ip6tables'} ruleset`);
    return { kind: 'prefix', match: a.match };
  };
  const ports = (v: Word, sep: ':' | '-', list: boolean): PortMatch | undefined => {
    const parts = list ? v.text.split(',') : [v.text];
    const ranges: (readonly [number, number])[] = [];
    for (const part of parts) {
      const r = parsePortRange(part, sep);
      if (!r) return fail(v, `not a port or port range: '${part}'`, 'write PORT or FIRST:LAST');
      ranges.push(r);
    }
    return portsMatch(ranges);
  };
  while (i < words.length && !failed) {
    let not = false;
    let w = words[i++]!;
    if (w.text === '!') {
      not = true;
      const next = words[i++];
      if (!next) return fail(w, "'!' must be followed by an option");
      w = next;
    }
    const neg = not ? { not: true } : {};
    switch (w.text) {
      case '-s':
      case '--source':
      case '-d':
      case '--destination': {
        const v = value(w);
        const a = v && addr(v);
        if (a) conds.push({ kind: w.text.startsWith('-s') || w.text === '--source' ? 'src' : 'dst', any: [a], ...neg });
        break;
      }
      case '-i':
      case '--in-interface':
      case '-o':
      case '--out-interface': {
        const v = value(w);
        if (v) conds.push({ kind: w.text === '-i' || w.text === '--in-interface' ? 'iif' : 'oif', name: v.text, ...neg });
        break;
      }
      case '-p':
      case '--protocol': {
        const v = value(w);
        if (!v) break;
        if (v.text === 'all' || v.text === '0') break;
        const p = parseProto(v.text);
        if (p === undefined) return fail(v, `unknown protocol '${v.text}'`, 'use tcp, udp, icmp, ipv6-icmp or a number');
        conds.push({ kind: 'proto', proto: p, ...neg });
        break;
      }
      case '-f':
      case '--fragment':
        conds.push({ kind: 'fragment', ...neg });
        break;
      case '-m':
      case '--match': {
        const v = value(w);
        if (!v) break;
        module = v.text;
        if (!['tcp', 'udp', 'icmp', 'icmp6', 'multiport', 'iprange', 'conntrack', 'state', 'helper', 'comment', 'connmark'].includes(module))
          return fail(v, `match '${module}' is not simulated`, 'ftpwall simulates tcp, udp, icmp, icmp6, multiport, iprange, conntrack, state, helper, comment and connmark');
        break;
      }
      case '--sport':
      case '--source-port':
      case '--dport':
      case '--destination-port': {
        if (module !== 'tcp' && module !== 'udp') return fail(w, `${w.text} needs -m tcp or -m udp before it`);
        const v = value(w);
        const pm = v && ports(v, ':', false);
        if (pm) conds.push({ kind: w.text === '--sport' || w.text === '--source-port' ? 'sport' : 'dport', ports: pm, ...neg });
        break;
      }
      case '--sports':
      case '--source-ports':
      case '--dports':
      case '--destination-ports': {
        if (module !== 'multiport') return fail(w, `${w.text} needs -m multiport before it`);
        const v = value(w);
        const pm = v && ports(v, ':', true);
        if (pm) conds.push({ kind: w.text.startsWith('--s') ? 'sport' : 'dport', ports: pm, ...neg });
        break;
      }
      case '--tcp-flags': {
        const m = value(w);
        const c = m && value(w);
        if (!m || !c) break;
        const mask = parseTcpFlagList(m.text);
        const comp = parseTcpFlagList(c.text);
        if (mask === undefined) return fail(m, `unknown TCP flag in '${m.text}'`);
        if (comp === undefined) return fail(c, `unknown TCP flag in '${c.text}'`);
        conds.push({ kind: 'tcpflags', mask, value: comp & mask, ...neg });
        break;
      }
      case '--syn':
        conds.push({ kind: 'tcpflags', mask: SYN_MASK, value: 0x02, ...neg });
        break;
      case '--icmp-type':
      case '--icmpv6-type': {
        const v = value(w);
        if (!v) break;
        const m = /^(\d{1,3})(?:\/(\d{1,3}))?$/.exec(v.text);
        if (!m || Number(m[1]) > 255 || (m[2] !== undefined && Number(m[2]) > 255))
          return fail(v, `ICMP type '${v.text}' is not simulated by name`, 'write the type as a number, as iptables-save does (8, 8/0)');
        conds.push({ kind: 'icmp', family: w.text === '--icmp-type' ? 4 : 6, type: Number(m[1]), ...(m[2] !== undefined ? { code: Number(m[2]) } : {}), ...neg });
        break;
      }
      case '--src-range':
      case '--dst-range': {
        const v = value(w);
        if (!v) break;
        const r = parseAddrRange(v.text);
        if (!r) return fail(v, `not an address range: '${v.text}'`, 'write FIRST-LAST');
        if (r.family !== family) return fail(v, `an IPv${r.family} range in an ${family === 4 ? 'iptables' : 'ip6tables'} ruleset`);
        conds.push({ kind: w.text === '--src-range' ? 'src' : 'dst', any: [r.addr], ...neg });
        break;
      }
      case '--ctstate':
      case '--state': {
        const v = value(w);
        if (!v) break;
        const states: CtState[] = [];
        for (const name of v.text.split(',')) {
          const s = parseCtState(name);
          if (!s) return fail(v, `unknown conntrack state '${name}'`, 'NEW, ESTABLISHED, RELATED, INVALID or UNTRACKED');
          states.push(s);
        }
        conds.push({ kind: 'ctstate', states, ...neg });
        break;
      }
      case '--helper': {
        const v = value(w);
        if (!v) break;
        if (module === 'helper') conds.push({ kind: 'helper', name: v.text, ...neg });
        else if (targetName === 'CT') target = { kind: 'ct-helper', helper: v.text };
        else return fail(w, '--helper needs -m helper (a condition) or -j CT (an assignment) before it');
        break;
      }
      case '--comment': {
        const v = value(w);
        if (v) comment = v.text;
        break;
      }
      case '--mark': {
        if (module !== 'connmark') return fail(w, `${w.text} of the packet mark is not simulated`, 'ftpwall simulates the connection mark (-m connmark)');
        const v = value(w);
        if (!v) break;
        const [val, mask] = v.text.split('/');
        const value32 = parseU32(val ?? '');
        const mask32 = mask === undefined ? 0xffffffff : parseU32(mask);
        if (value32 === undefined || mask32 === undefined) return fail(v, `not a mark: '${v.text}'`, 'write VALUE[/MASK]');
        conds.push({ kind: 'ctmark', mask: mask32, value: (value32 & mask32) >>> 0, ...neg });
        break;
      }
      case '-j':
      case '--jump':
      case '-g':
      case '--goto': {
        const v = value(w);
        if (!v) break;
        targetName = v.text;
        const t = parseTarget(v, w.text === '-g' || w.text === '--goto', table);
        if (typeof t === 'string') return fail(v, t);
        target = t;
        if (t.kind === 'jump' || t.kind === 'goto') jumpAt = span(v);
        if (t.kind === 'nat-pending') target = { kind: 'nat-pending', nat: { ...t.nat, at: span(v) } };
        break;
      }
      default: {
        const opt = targetOption(w, words, i, target);
        if (opt === undefined) return fail(w, `option '${w.text}' is not simulated`, 'see the README for the iptables-save syntax ftpwall reads');
        if (typeof opt === 'string') return fail(w, opt);
        i = opt.next;
        target = opt.target;
      }
    }
  }
  if (failed) return undefined;
  return { conds, target, ...(comment !== undefined ? { comment } : {}), ...(jumpAt ? { jumpAt } : {}) };
}

/** A target name into a target (options follow as separate words). */
function parseTarget(v: Word, isGoto: boolean, table: string): NfTarget | { kind: 'nat-pending'; nat: NatTarget } | string {
  const name = v.text;
  if (isGoto) return { kind: 'goto', chain: name };
  switch (name) {
    case 'ACCEPT':
      return { kind: 'accept' };
    case 'DROP':
      return { kind: 'drop' };
    case 'REJECT':
      return { kind: 'reject' };
    case 'RETURN':
      return { kind: 'return' };
    case 'LOG':
      return { kind: 'continue' };
    case 'NOTRACK':
      return table === 'raw' ? { kind: 'notrack' } : 'NOTRACK is only valid in the raw table';
    case 'CT':
      return table === 'raw' ? { kind: 'continue' } : 'CT is only valid in the raw table';
    case 'CONNMARK':
      return { kind: 'ctmark-set', clear: 0, xor: 0 };
    case 'DNAT':
    case 'SNAT':
    case 'MASQUERADE':
    case 'REDIRECT':
      if (table !== 'nat') return `${name} is only valid in the nat table`;
      return { kind: 'nat-pending', nat: { kind: name.toLowerCase() as NatTarget['kind'], at: { file: '', line: 0, column: 0, length: 0, lineText: '' } } };
    default:
      if (/^[A-Z][A-Z0-9_]*$/.test(name) && !/^[a-z]/.test(name) && KNOWN_UNSIMULATED.has(name)) return `target ${name} is not simulated`;
      return { kind: 'jump', chain: name };
  }
}

const KNOWN_UNSIMULATED = new Set(['MARK', 'TCPMSS', 'NFQUEUE', 'NFLOG', 'TPROXY', 'SET', 'AUDIT', 'CLASSIFY', 'DSCP', 'TOS', 'TTL', 'HL', 'TEE', 'NETMAP', 'SECMARK', 'CONNSECMARK', 'SYNPROXY', 'CHECKSUM', 'ULOG']);

/** Options that belong to the target given before them; undefined when `w` is none. */
function targetOption(w: Word, words: readonly Word[], i: number, target: ParsedRule['target']): { next: number; target: ParsedRule['target'] } | string | undefined {
  const v = words[i];
  switch (w.text) {
    case '--log-prefix':
    case '--log-level':
    case '--reject-with':
      if (!v) return `${w.text} needs a value`;
      return { next: i + 1, target };
    case '--log-uid':
    case '--log-tcp-sequence':
    case '--log-tcp-options':
    case '--log-ip-options':
      return { next: i, target };
    case '--notrack':
      return { next: i, target: { kind: 'notrack' } };
    case '--to-destination':
    case '--to-source':
    case '--to-ports':
      if (!v) return `${w.text} needs a value`;
      if (target.kind !== 'nat-pending') return `${w.text} belongs to a NAT target`;
      return { next: i + 1, target: { kind: 'nat-pending', nat: { ...target.nat, to: v.text } } };
    case '--set-xmark':
    case '--set-mark':
    case '--or-mark':
    case '--and-mark':
    case '--xor-mark': {
      if (!v) return `${w.text} needs a value`;
      if (target.kind !== 'ctmark-set') return `${w.text} belongs to -j CONNMARK`;
      const [a, b] = v.text.split('/');
      const val = parseU32(a ?? '');
      const mask = b === undefined ? 0xffffffff : parseU32(b);
      if (val === undefined || mask === undefined) return `not a mark: '${v.text}'`;
      // libxt_CONNMARK: every form is a set-xmark value/mask: ctmark = (ctmark & ~mask) ^ value
      let t: NfTarget;
      if (w.text === '--set-xmark') t = { kind: 'ctmark-set', clear: mask, xor: val };
      else if (w.text === '--set-mark') t = { kind: 'ctmark-set', clear: (mask | val) >>> 0, xor: val };
      else if (w.text === '--or-mark') t = { kind: 'ctmark-set', clear: val, xor: val };
      else if (w.text === '--and-mark') t = { kind: 'ctmark-set', clear: ~val >>> 0, xor: 0 };
      else t = { kind: 'ctmark-set', clear: 0, xor: val };
      return { next: i + 1, target: t };
    }
    default:
      return undefined;
  }
}
