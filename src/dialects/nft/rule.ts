/**
 * One nft rule (the tokens of one statement) into conditions and a target. Every expression or
 * statement ftpwall cannot simulate exactly is a located error.
 */
import type { Diagnostic, SourceSpan } from '../../diag/diagnostic.js';
import type { IpFamily } from '../../net/address.js';
import { PROTO_ICMP, PROTO_ICMPV6, PROTO_TCP, PROTO_UDP } from '../../net/packet.js';
import type { PortMatch } from '../../policy/model.js';
import type { CtState, NfAddr, NfCond, NfTarget } from '../../policy/netfilter.js';
import { parseAddrPrefix, parseAddrRange, parseCtState, parsePortRange, parseProto, parseTcpFlagList, parseU32, portsMatch } from '../iptables/values.js';
import { ICMP_TYPES, ICMPV6_TYPES } from './icmp-types.js';
import type { NftToken } from './lexer.js';

/** A NAT statement as written. */
export interface NftNat {
  readonly kind: 'dnat' | 'snat' | 'masquerade' | 'redirect';
  readonly to?: string;
  readonly at: SourceSpan;
}

/** What one nft rule says. */
export interface NftParsedRule {
  readonly conds: NfCond[];
  /** statements that change the connection and let the rule go on (ct mark set, notrack), in order */
  readonly effects: readonly NfTarget[];
  /** the verdict (continue when none) */
  readonly target: NfTarget;
  readonly nat?: NftNat;
  /** `ct helper set "obj"`: the object name, resolved by the caller */
  readonly helperObject?: { readonly name: string; readonly at: SourceSpan };
  readonly comment?: string;
  readonly jumpAt?: SourceSpan;
  /** a verdict map: one alternative per element (expanded by the caller into one rule each) */
  readonly vmap?: readonly { readonly cond: NfCond; readonly target: NfTarget }[];
  readonly vmapJumps?: readonly { readonly chain: string; readonly at: SourceSpan }[];
}

/** Named sets of a table, by name: the values a `@name` reference stands for. */
export type NamedSets = ReadonlyMap<string, readonly string[]>;

/** Parses one rule's tokens; pushes errors and returns undefined on any. */
export function parseNftRule(tokens: readonly NftToken[], span: (t: NftToken) => SourceSpan, sets: NamedSets, diags: Diagnostic[]): NftParsedRule | undefined {
  const conds: NfCond[] = [];
  let target: NfTarget = { kind: 'continue' };
  let nat: NftNat | undefined;
  let helperObject: NftParsedRule['helperObject'];
  let comment: string | undefined;
  let jumpAt: SourceSpan | undefined;
  const effects: NfTarget[] = [];
  let vmap: { cond: NfCond; target: NfTarget }[] | undefined;
  const vmapJumps: { chain: string; at: SourceSpan }[] = [];
  let i = 0;
  let failed = false;
  const fail = (t: NftToken | undefined, message: string, suggestion?: string): undefined => {
    const at = t ?? tokens[tokens.length - 1]!;
    diags.push({ severity: 'error', message, span: span(at), ...(suggestion ? { suggestion } : {}) });
    failed = true;
    return undefined;
  };
  const peek = (): NftToken | undefined => tokens[i];
  const next = (): NftToken | undefined => tokens[i++];
  const word = (w: string): boolean => {
    if (tokens[i]?.text === w && tokens[i]!.kind === 'word') {
      i++;
      return true;
    }
    return false;
  };
  /** The operator before a value: `!=` negates; `==` is plain; `<`, `>`, `<=`, `>=` compare (ports). */
  const op = (): string => {
    const t = peek();
    if (t && t.kind === 'word' && ['!=', '==', '<', '>', '<=', '>=', 'eq', 'ne', 'lt', 'gt', 'le', 'ge'].includes(t.text)) {
      i++;
      return ({ eq: '==', ne: '!=', lt: '<', gt: '>', le: '<=', ge: '>=' } as Record<string, string>)[t.text] ?? t.text;
    }
    return '==';
  };
  /** A value, an anonymous set `{ a, b }`, or `@set`: the element texts, with the first token. */
  const values = (): { texts: readonly string[]; at: NftToken; set?: readonly string[] } | undefined => {
    const t = next();
    if (!t) return fail(undefined, 'a value is missing at the end of the rule');
    if (t.kind === '{') {
      const texts: string[] = [];
      for (;;) {
        const e = next();
        if (!e) return fail(t, 'an anonymous set is not closed', "add '}'");
        if (e.kind === '}') break;
        if (e.kind === ',' || e.kind === 'nl') continue;
        texts.push(e.text);
      }
      return { texts, at: t };
    }
    if (t.kind === 'word' && t.text.startsWith('@')) {
      const s = sets.get(t.text.slice(1));
      if (!s) return fail(t, `no set named '${t.text.slice(1)}' in this table`);
      // the set's own array, not a copy: its parsed form is kept once per set (fromSet)
      return { texts: s, at: t, set: s };
    }
    // `established,related`: a comma list outside braces (ct state)
    if (t.kind === 'word' || t.kind === 'string') {
      const texts = [t.text];
      while (tokens[i]?.kind === ',' && tokens[i + 1]?.kind === 'word') {
        texts.push(tokens[i + 1]!.text);
        i += 2;
      }
      return { texts, at: t };
    }
    return fail(t, `a value was expected, not '${t.text}'`);
  };
  const addrs = (family: IpFamily): readonly NfAddr[] | undefined => {
    const v = values();
    if (!v) return undefined;
    const r = fromSet(v.set, `addr ${family}`, () => parseAddrs(v.texts, family));
    return typeof r === 'string' ? fail(v.at, `not an IPv${family} address: '${r}'`) : r;
  };
  const ports = (o: string): PortMatch | undefined => {
    const v = values();
    if (!v) return undefined;
    const r = fromSet(v.set, `ports ${o}`, () => parsePorts(v.texts, o));
    return typeof r === 'string' ? fail(v.at, `not a port or port range: '${r}'`, 'write PORT or FIRST-LAST') : r;
  };
  const neg = (o: string): { not?: true } => (o === '!=' ? { not: true } : {});
  /**
   * `KEY vmap { E : VERDICT, … }`: one alternative per element. Elements of a map never overlap, so
   * at most one holds and the expansion into one rule per element is exact.
   */
  const vmapOf = (key: (text: string, at: NftToken) => NfCond | undefined): boolean => {
    if (peek()?.text !== 'vmap') return false;
    const v = next()!;
    const open = next();
    if (open?.kind !== '{') {
      fail(open ?? v, open?.text.startsWith('@') ? 'named verdict maps are not simulated' : 'vmap needs { ELEMENT : VERDICT, … }', 'write the elements inline');
      return true;
    }
    const out: { cond: NfCond; target: NfTarget }[] = [];
    for (;;) {
      const k = next();
      if (!k) return fail(open, 'a verdict map is not closed', "add '}'") ?? true;
      if (k.kind === '}') break;
      if (k.kind === ',' || k.kind === 'nl') continue;
      const colon = next();
      const verdict = next();
      if (colon?.text !== ':' || !verdict) return fail(colon ?? k, 'a verdict map element is KEY : VERDICT') ?? true;
      let target: NfTarget;
      if (verdict.text === 'accept' || verdict.text === 'drop' || verdict.text === 'return' || verdict.text === 'continue') target = verdict.text === 'continue' ? { kind: 'continue' } : { kind: verdict.text };
      else if (verdict.text === 'jump' || verdict.text === 'goto') {
        const c = next();
        if (!c) return fail(verdict, `${verdict.text} needs a chain`) ?? true;
        target = { kind: verdict.text, chain: c.text };
        vmapJumps.push({ chain: c.text, at: span(c) });
      } else return fail(verdict, `'${verdict.text}' is not a verdict`) ?? true;
      const cond = key(k.text, k);
      if (!cond) return true;
      out.push({ cond, target });
    }
    vmap = out;
    return true;
  };

  while (i < tokens.length && !failed) {
    const t = next()!;
    if (t.kind === 'nl') continue;
    const w = t.text;
    if (w === 'ip' || w === 'ip6') {
      const family: IpFamily = w === 'ip' ? 4 : 6;
      const f = next();
      if ((f?.text === 'saddr' || f?.text === 'daddr') && peek()?.text === 'vmap') {
        conds.push({ kind: 'family', family });
        const kind = f.text === 'saddr' ? 'src' : 'dst';
        vmapOf((text, at) => {
          const r = text.includes('-') ? parseAddrRange(text) : undefined;
          if (r && r.family === family) return { kind, any: [r.addr] };
          const a = parseAddrPrefix(text);
          if (!a || a.family !== family) return fail(at, `not an IPv${family} address: '${text}'`);
          return { kind, any: [{ kind: 'prefix', match: a.match }] };
        });
      } else if (f?.text === 'saddr' || f?.text === 'daddr') {
        const o = op();
        const a = addrs(family);
        if (a) conds.push({ kind: f.text === 'saddr' ? 'src' : 'dst', any: a, ...neg(o) });
        if (a) conds.push({ kind: 'family', family });
      } else if (f?.text === 'protocol' || f?.text === 'nexthdr') {
        const o = op();
        const v = values();
        const p = v && v.texts.length === 1 ? parseProto(v.texts[0]!) : undefined;
        if (p === undefined) return fail(v?.at ?? f, `not a protocol: '${v?.texts.join(',') ?? ''}'`);
        conds.push({ kind: 'family', family }, { kind: 'proto', proto: p, ...neg(o) });
      } else if (w === 'ip' && f?.text === 'frag-off' && tokens[i]?.text === '&' && /^(8191|0x1fff)$/.test(tokens[i + 1]?.text ?? '')) {
        i += 2;
        const o = op();
        const v = next();
        if (v?.text !== '0') return fail(v, 'only `ip frag-off & 0x1fff != 0` (a non-first fragment) is simulated');
        conds.push({ kind: 'fragment', ...(o === '==' ? { not: true } : {}) });
      } else return fail(f ?? t, `'${w} ${f?.text ?? ''}' is not simulated`, 'ftpwall simulates saddr, daddr, protocol/nexthdr');
    } else if (w === 'tcp' || w === 'udp') {
      const f = next();
      const proto = w === 'tcp' ? PROTO_TCP : PROTO_UDP;
      if ((f?.text === 'dport' || f?.text === 'sport') && peek()?.text === 'vmap') {
        conds.push({ kind: 'proto', proto });
        const kind = f.text;
        vmapOf((text, at) => {
          const r = parsePortRange(text, '-');
          return r ? { kind, ports: portsMatch([r]) } : fail(at, `not a port or port range: '${text}'`);
        });
      } else if (f?.text === 'dport' || f?.text === 'sport') {
        const o = op();
        const pm = ports(o);
        if (pm) conds.push({ kind: 'proto', proto }, { kind: f.text, ports: pm, ...neg(o === '!=' ? '!=' : '==') });
      } else if (w === 'tcp' && f?.text === 'flags') {
        // `tcp flags & (a|b) == c`, `tcp flags & (a|b) != 0`, `tcp flags syn / fin,syn,rst,ack`, `tcp flags syn`
        let mask = 0xff;
        if (peek()?.text === '&') {
          i++;
          let text = '';
          while (peek() && peek()!.kind === 'word' && !['==', '!='].includes(peek()!.text)) text += next()!.text;
          const m = parseTcpFlagList(text.replace(/[()]/g, '').replace(/\|/g, ','));
          if (m === undefined) return fail(f, `not TCP flags: '${text}'`);
          mask = m;
        }
        const o = op();
        let vtext = '';
        // nft 1.0 lists flag sets with commas (`syn,ack`), which the lexer makes separate tokens
        const flagWord = (t: NftToken | undefined): boolean => t?.kind === 'word' && t.text !== '/' && /^[a-z0-9|()x]+$/i.test(t.text) && !isKeyword(t.text);
        while (flagWord(peek()) || (vtext !== '' && peek()?.kind === ',' && flagWord(tokens[i + 1]))) vtext += next()!.text;
        const value = vtext === '0' || vtext === '0x0' ? 0 : parseTcpFlagList(vtext.replace(/[()]/g, '').replace(/\|/g, ','));
        if (value === undefined) return fail(f, `not TCP flags: '${vtext}'`);
        if (peek()?.text === '/') {
          i++;
          const m = next();
          let mtext = m?.text ?? '';
          while (peek()?.kind === ',' && flagWord(tokens[i + 1])) {
            mtext += `,${tokens[i + 1]!.text}`;
            i += 2;
          }
          const mm = m ? parseTcpFlagList(mtext) : undefined;
          if (mm === undefined) return fail(m, 'not TCP flags');
          mask = mm;
        } else if (mask === 0xff && o === '==' && vtext !== '') {
          // `tcp flags syn`: at least one of these flags set
          conds.push({ kind: 'proto', proto }, { kind: 'tcpflags', mask: value, value: 0, not: true });
          continue;
        }
        conds.push({ kind: 'proto', proto }, { kind: 'tcpflags', mask, value: value & mask, ...neg(o) });
      } else return fail(f ?? t, `'${w} ${f?.text ?? ''}' is not simulated`, 'ftpwall simulates sport, dport and tcp flags');
    } else if (w === 'icmp' || w === 'icmpv6') {
      const family: IpFamily = w === 'icmp' ? 4 : 6;
      const f = next();
      if (f?.text !== 'type' && f?.text !== 'code') return fail(f ?? t, `'${w} ${f?.text ?? ''}' is not simulated`);
      const o = op();
      const v = values();
      if (!v || v.texts.length !== 1 || o !== '==') return fail(v?.at ?? f, 'an ICMP type or code is simulated as one value');
      const names = family === 4 ? ICMP_TYPES : ICMPV6_TYPES;
      const n = /^\d{1,3}$/.test(v.texts[0]!) ? Number(v.texts[0]) : f.text === 'type' ? names.get(v.texts[0]!) : undefined;
      if (n === undefined || n > 255) return fail(v.at, `not an ICMP ${f.text}: '${v.texts[0]}'`);
      const prev = conds.find((c) => c.kind === 'icmp') as Extract<NfCond, { kind: 'icmp' }> | undefined;
      if (f.text === 'code') {
        if (!prev) return fail(f, `${w} code needs ${w} type before it`);
        conds[conds.indexOf(prev)] = { ...prev, code: n };
      } else conds.push({ kind: 'proto', proto: family === 4 ? PROTO_ICMP : PROTO_ICMPV6 }, { kind: 'icmp', family, type: n });
    } else if (w === 'meta' && (peek()?.text === 'l4proto' || peek()?.text === 'nfproto')) {
      const f = next()!;
      const o = op();
      const v = values();
      if (!v || v.texts.length !== 1) return fail(v?.at ?? f, `meta ${f.text} is simulated with one value`);
      if (f.text === 'nfproto') {
        if (v.texts[0] !== 'ipv4' && v.texts[0] !== 'ipv6') return fail(v.at, `not a family: '${v.texts[0]}'`);
        conds.push({ kind: 'family', family: v.texts[0] === 'ipv4' ? 4 : 6, ...neg(o) });
      } else {
        const p = parseProto(v.texts[0]!);
        if (p === undefined) return fail(v.at, `not a protocol: '${v.texts[0]}'`);
        conds.push({ kind: 'proto', proto: p, ...neg(o) });
      }
    } else if ((w === 'iifname' || w === 'oifname') && peek()?.text === 'vmap') {
      vmapOf((text) => ({ kind: w === 'iifname' ? 'iif' : 'oif', name: text }));
    } else if (w === 'iifname' || w === 'oifname') {
      const o = op();
      const v = values();
      if (!v) break;
      if (v.texts.length !== 1) return fail(v.at, `a set of interface names is not simulated`, `write one ${w} per rule`);
      conds.push({ kind: w === 'iifname' ? 'iif' : 'oif', name: v.texts[0]!, ...neg(o) });
    } else if (w === 'ct') {
      const f = next();
      if (f?.text === 'state' && peek()?.text === 'vmap') {
        vmapOf((text, at) => {
          const st = parseCtState(text);
          return st ? { kind: 'ctstate', states: [st] } : fail(at, `unknown conntrack state '${text}'`);
        });
      } else if (f?.text === 'state') {
        const o = op();
        const v = values();
        if (!v) break;
        const states: CtState[] = [];
        for (const s of v.texts.flatMap((x) => x.split(','))) {
          const st = parseCtState(s);
          if (!st) return fail(v.at, `unknown conntrack state '${s}'`, 'new, established, related, invalid or untracked');
          // five states at most, however long the set
          if (!states.includes(st)) states.push(st);
        }
        conds.push({ kind: 'ctstate', states, ...neg(o) });
      } else if (f?.text === 'helper' && peek()?.text === 'set') {
        i++;
        const v = next();
        if (!v || (v.kind !== 'string' && v.kind !== 'word')) return fail(f, 'ct helper set needs a helper object name');
        helperObject = { name: v.text, at: span(v) };
      } else if (f?.text === 'helper') {
        const o = op();
        const v = next();
        if (!v) return fail(f, 'ct helper needs a helper name');
        conds.push({ kind: 'helper', name: v.text, ...neg(o) });
      } else if (f?.text === 'mark' && peek()?.text === 'set') {
        i++;
        // `ct mark set ct mark | V`, `ct mark set V`
        if (peek()?.text === 'ct' && tokens[i + 1]?.text === 'mark' && tokens[i + 2]?.text === '|') {
          i += 3;
          const v = next();
          const n = v ? parseU32(v.text) : undefined;
          if (n === undefined) return fail(v, 'not a mark');
          effects.push({ kind: 'ctmark-set', clear: n, xor: n });
        } else {
          const v = next();
          const n = v ? parseU32(v.text) : undefined;
          if (n === undefined) return fail(v, 'only `ct mark set VALUE` and `ct mark set ct mark | VALUE` are simulated');
          effects.push({ kind: 'ctmark-set', clear: 0xffffffff, xor: n });
        }
      } else if (f?.text === 'mark') {
        let mask = 0xffffffff;
        if (peek()?.text === '&') {
          i++;
          const m = next();
          const n = m ? parseU32(m.text) : undefined;
          if (n === undefined) return fail(m, 'not a mark mask');
          mask = n;
        }
        const o = op();
        const v = next();
        const n = v ? parseU32(v.text) : undefined;
        if (n === undefined || (o !== '==' && o !== '!=')) return fail(v, 'not a mark value');
        conds.push({ kind: 'ctmark', mask, value: (n & mask) >>> 0, ...neg(o) });
      } else return fail(f ?? t, `'ct ${f?.text ?? ''}' is not simulated`, 'ftpwall simulates ct state, ct helper, ct helper set, ct mark');
    } else if (w === 'counter') {
      if (peek()?.text === 'packets') i += 4; // counter packets N bytes M
    } else if (w === 'log') {
      while (peek() && ['prefix', 'level', 'flags', 'group'].includes(peek()!.text)) i += 2;
    } else if (w === 'comment') {
      const v = next();
      if (!v) return fail(t, 'comment needs a text');
      comment = v.text;
    } else if (w === 'accept' || w === 'drop' || w === 'return' || w === 'continue') {
      target = w === 'continue' ? { kind: 'continue' } : { kind: w };
    } else if (w === 'reject') {
      if (peek()?.text === 'with') i += 3; // reject with icmp type X / tcp reset (3 words at most)
      target = { kind: 'reject' };
    } else if (w === 'jump' || w === 'goto') {
      const v = next();
      if (!v) return fail(t, `${w} needs a chain`);
      target = { kind: w, chain: v.text };
      jumpAt = span(v);
    } else if (w === 'notrack') {
      effects.push({ kind: 'notrack' });
    } else if (w === 'dnat' || w === 'snat' || w === 'redirect') {
      if (peek()?.text === 'ip' || peek()?.text === 'ip6') i++;
      if (!word('to')) return fail(peek() ?? t, `${w} needs 'to ADDRESS'`);
      const v = next();
      if (!v) return fail(t, `${w} to needs an address`);
      nat = { kind: w, to: v.text, at: span(t) };
    } else if (w === 'masquerade') {
      nat = { kind: 'masquerade', at: span(t) };
      if (word('to')) {
        const v = next();
        if (v) nat = { ...nat, to: v.text.replace(/^:/, '') };
      }
    } else return fail(t, `'${w}' is not simulated`, 'see the README for the nft syntax ftpwall reads');
    // a verdict map after a key expression: `tcp dport vmap { 21 : accept, 22 : drop }`
    if (peek()?.text === 'vmap') return fail(peek(), 'verdict maps are not simulated', 'write one rule per element');
  }
  if (failed) return undefined;
  if (vmap && target.kind !== 'continue') return fail(tokens[tokens.length - 1], 'a verdict map and a verdict in one rule are not simulated');
  return { conds, effects, target, ...(vmap ? { vmap, vmapJumps } : {}), ...(nat ? { nat } : {}), ...(helperObject ? { helperObject } : {}), ...(comment !== undefined ? { comment } : {}), ...(jumpAt ? { jumpAt } : {}) };
}

/**
 * Parsed forms of named sets, once per set and use: a set of thousands of elements referenced by
 * thousands of rules is parsed once and shared by them (a copy per rule took minutes and gigabytes).
 */
const SET_VALUES = new WeakMap<readonly string[], Map<string, unknown>>();

/** `make()` for an inline value; for a named set, its result kept with the set under `key`. */
function fromSet<T>(set: readonly string[] | undefined, key: string, make: () => T): T {
  if (!set) return make();
  let forSet = SET_VALUES.get(set);
  if (!forSet) SET_VALUES.set(set, (forSet = new Map()));
  if (!forSet.has(key)) forSet.set(key, make());
  return forSet.get(key) as T;
}

/** Addresses, prefixes and ranges of one family; the first text that is none, as a string. */
function parseAddrs(texts: readonly string[], family: IpFamily): readonly NfAddr[] | string {
  const out: NfAddr[] = [];
  for (const text of texts) {
    const r = text.includes('-') ? parseAddrRange(text) : undefined;
    if (r && r.family === family) {
      out.push(r.addr);
      continue;
    }
    const a = parseAddrPrefix(text);
    if (!a || a.family !== family) return text;
    out.push({ kind: 'prefix', match: a.match });
  }
  return out;
}

/** Ports and ranges after the operator `o` (`<`, `>`… make ranges); the first text that is none, as a string. */
function parsePorts(texts: readonly string[], o: string): PortMatch | string {
  const ranges: (readonly [number, number])[] = [];
  for (const text of texts) {
    const r = parsePortRange(text, '-');
    if (!r) return text;
    if (o === '>' || o === '>=') ranges.push([o === '>' ? r[0] + 1 : r[0], 65535]);
    else if (o === '<' || o === '<=') ranges.push([0, o === '<' ? r[0] - 1 : r[0]]);
    else ranges.push(r);
  }
  return portsMatch(ranges.filter((r) => r[0] <= r[1]));
}

function isKeyword(w: string): boolean {
  return ['counter', 'accept', 'drop', 'return', 'jump', 'goto', 'comment', 'ct', 'ip', 'ip6', 'tcp', 'udp', 'meta', 'iifname', 'oifname', 'log', 'reject'].includes(w);
}
