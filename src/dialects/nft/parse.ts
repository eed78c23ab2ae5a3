/**
 * `nft list ruleset` (or an `nft -f` file in the same form) → the neutral Policy with a Ruleset:
 * tables inet/ip/ip6, base chains with hook, priority and policy, regular chains, `ct helper` objects,
 * named sets. NAT statements become NatRules. Never throws: every problem is a located Diagnostic.
 */
import { sortDiagnostics, type Diagnostic, type Parsed, type SourceSpan } from '../../diag/diagnostic.js';
import { formatIp, parseIp, type IpFamily } from '../../net/address.js';
import type { AddrMatch, Policy, PortMatch, Rule } from '../../policy/model.js';
import type { NatRule } from '../../policy/nat.js';
import { chainGraphProblems } from '../chain-graph.js';
import { NF_PRIORITY, rulesetPolicy, type NfChain, type NfCond, type NfHook, type NfRule, type NfTarget } from '../../policy/netfilter.js';
import { lexNft, tokenSpan, type NftToken } from './lexer.js';
import { parseNftRule, type NftNat } from './rule.js';

const HOOKS: readonly NfHook[] = ['prerouting', 'input', 'forward', 'output', 'postrouting'];
const PRIORITY_NAMES: Readonly<Record<string, number>> = { raw: NF_PRIORITY.raw, mangle: NF_PRIORITY.mangle, dstnat: NF_PRIORITY.dstnat, filter: NF_PRIORITY.filter, security: 50, srcnat: NF_PRIORITY.srcnat };

interface ChainDraft {
  table: string;
  family: 'ip' | 'ip6' | 'inet';
  name: string;
  hook?: NfHook;
  priority?: number;
  nat?: boolean;
  policy?: 'accept' | 'drop';
  rules: NfRule[];
  at: SourceSpan;
}

/** Parses nft ruleset text. */
export function parseNftRuleset(text: string, file: string): Parsed<Policy> {
  const diags: Diagnostic[] = [];
  const lines = text.split(/\r?\n/);
  const toks = lexNft(text);
  const span = (t: NftToken): SourceSpan => tokenSpan(file, lines, t);
  const chains: ChainDraft[] = [];
  const nat: NatRule[] = [];
  const interfaces = new Set<string>();
  const jumps: { chain: ChainDraft; name: string; at: SourceSpan }[] = [];
  // a table or chain declared again is the same one (nft adds to it), also across `table` blocks
  const chainByKey = new Map<string, ChainDraft>();
  const tableObjects = new Map<string, { helpers: Map<string, string>; sets: Map<string, string[]> }>();
  let i = 0;
  const err = (t: NftToken, message: string, suggestion?: string): void => {
    diags.push({ severity: 'error', message, span: span(t), ...(suggestion ? { suggestion } : {}) });
  };
  /** Skips to the token after the `}` that closes the block whose `{` was just read. */
  const skipBlock = (): void => {
    let depth = 1;
    while (i < toks.length && depth > 0) {
      const k = toks[i++]!.kind;
      if (k === '{') depth++;
      else if (k === '}') depth--;
    }
  };
  /** The statements of a block as token lists (split at line ends and `;` outside braces), up to its `}`. */
  const statements = (): NftToken[][] => {
    const out: NftToken[][] = [];
    let cur: NftToken[] = [];
    let depth = 0;
    while (i < toks.length) {
      const t = toks[i++]!;
      if (t.kind === '}' && depth === 0) break;
      if (t.kind === '{') depth++;
      if (t.kind === '}') depth--;
      if ((t.kind === 'nl' || t.kind === ';') && depth === 0) {
        if (cur.length) out.push(cur);
        cur = [];
        continue;
      }
      cur.push(t);
    }
    if (cur.length) out.push(cur);
    return out;
  };

  while (i < toks.length) {
    const t = toks[i++]!;
    if (t.kind === 'nl' || t.kind === ';') continue;
    if (t.text !== 'table') {
      err(t, `'${t.text}' outside a table is not nft ruleset syntax`, 'give the output of nft list ruleset');
      while (i < toks.length && toks[i]!.kind !== 'nl') i++;
      continue;
    }
    const famTok = toks[i++];
    const nameTok = toks[i++];
    const open = toks[i++];
    if (!famTok || !nameTok || open?.kind !== '{') {
      err(famTok ?? t, 'a table needs a family, a name and {', 'table inet NAME {');
      break;
    }
    if (famTok.text !== 'inet' && famTok.text !== 'ip' && famTok.text !== 'ip6') {
      err(famTok, `tables of family ${famTok.text} are not simulated`, 'ftpwall reads inet, ip and ip6 tables');
      skipBlock();
      continue;
    }
    const family = famTok.text;
    const table = nameTok.text;
    const tableKey = `${family}\u0000${table}`;
    let objects = tableObjects.get(tableKey);
    if (!objects) tableObjects.set(tableKey, (objects = { helpers: new Map(), sets: new Map() }));
    const { helpers, sets } = objects;
    /** `again`: the chain was declared before this block (its statements add to it) */
    const pending: { chain: ChainDraft; stmts: NftToken[][]; again: boolean; nameTok: NftToken }[] = [];
    while (i < toks.length) {
      const b = toks[i++]!;
      if (b.kind === 'nl' || b.kind === ';') continue;
      if (b.kind === '}') break;
      if (b.text === 'chain' && toks[i + 1]?.kind === '{') {
        const name = toks[i]!;
        i += 2;
        const key = `${tableKey}\u0000${name.text}`;
        let chain = chainByKey.get(key);
        const again = chain !== undefined;
        if (!chain) {
          chain = { table, family, name: name.text, rules: [], at: span(name) };
          chains.push(chain);
          chainByKey.set(key, chain);
        }
        pending.push({ chain, stmts: statements(), again, nameTok: name });
      } else if ((b.text === 'set' || b.text === 'map') && toks[i + 1]?.kind === '{') {
        const name = toks[i]!;
        i += 2;
        const body = statements();
        if (b.text === 'map') {
          err(b, 'named maps are not simulated', 'write one rule per element');
          continue;
        }
        const el = body.find((s) => s[0]?.text === 'elements');
        const values = (el ?? []).filter((x) => x.kind === 'word' || x.kind === 'string').slice(1).map((x) => x.text).filter((x) => x !== '=');
        sets.set(name.text, values);
      } else if (b.text === 'ct' && toks[i]?.text === 'helper' && toks[i + 2]?.kind === '{') {
        const name = toks[i + 1]!;
        i += 3;
        const body = statements();
        const type = body.find((s) => s[0]?.text === 'type');
        if (!type || type[1]?.kind !== 'string') err(name, `ct helper ${name.text} has no type`, 'type "ftp" protocol tcp');
        else helpers.set(name.text, type[1].text);
      } else {
        err(b, `'${b.text}' in a table is not simulated`, 'ftpwall reads chains, sets and ct helper objects');
        while (i < toks.length && toks[i]!.kind !== 'nl' && toks[i]!.kind !== '{') i++;
        if (toks[i]?.kind === '{') {
          i++;
          skipBlock();
        }
      }
    }
    for (const { chain, stmts, again, nameTok } of pending) {
      // what the chain was before this declaration: a redeclared base chain must keep its type, hook and priority
      const before = again ? { hook: chain.hook, priority: chain.priority ?? (chain.hook ? 0 : undefined), nat: chain.nat === true } : undefined;
      for (const st of stmts) {
        const head = st[0]!;
        if (head.text === 'type' && st.some((x) => x.text === 'hook')) {
          if (before && before.hook === undefined) {
            err(nameTok, `chain ${chain.name} is declared again as a base chain, but it was declared as a regular chain (${chain.at.file}:${chain.at.line}): nft refuses that (Operation not supported)`, 'declare it as a base chain the first time');
            continue;
          }
          readChainType(chain, st, span, err);
          if (before && (chain.hook !== before.hook || (chain.priority ?? 0) !== before.priority || (chain.nat === true) !== before.nat)) {
            err(nameTok, `chain ${chain.name} is declared again with another type, hook or priority than at ${chain.at.file}:${chain.at.line}: nft refuses that (Operation not supported)`, 'a redeclaration may add rules or change the policy only');
            chain.hook = before.hook;
            chain.priority = before.priority;
            chain.nat = before.nat;
          }
          continue;
        }
        if (head.text === 'policy') {
          const v = st[1];
          if (v?.text === 'accept' || v?.text === 'drop') chain.policy = v.text;
          else err(v ?? head, 'a chain policy is accept or drop');
          continue;
        }
        if (head.text === 'comment' && st.length === 2) continue;
        const parsed = parseNftRule(st, span, sets, diags);
        if (!parsed) continue;
        const last = st[st.length - 1]!;
        const lineText = lines[head.line - 1] ?? '';
        const at: SourceSpan = { file, line: head.line, column: head.col, length: last.line === head.line ? last.col + last.len - head.col : lineText.length - head.col + 1, lineText };
        const text = lineText.trim();
        for (const c of parsed.conds) if ((c.kind === 'iif' || c.kind === 'oif') && !c.name.endsWith('*')) interfaces.add(c.name);
        const base = { conds: parsed.conds, ...(parsed.comment !== undefined ? { comment: parsed.comment } : {}), text, at };
        const effects: NfTarget[] = [...parsed.effects];
        if (parsed.helperObject) {
          const type = helpers.get(parsed.helperObject.name);
          if (!type) {
            diags.push({ severity: 'error', message: `no ct helper object named '${parsed.helperObject.name}' in table ${table}`, span: parsed.helperObject.at });
            continue;
          }
          effects.push({ kind: 'ct-helper', helper: type });
        }
        if (parsed.nat) {
          const r = natRule(parsed.nat, parsed.conds, chain.hook, at, diags);
          if (r) nat.push(r);
          effects.push({ kind: 'nat', index: nat.length - 1 });
        }
        if (effects.length > 0 && parsed.target.kind !== 'continue' && parsed.conds.some((c) => c.kind === 'ctmark')) {
          diags.push({ severity: 'error', message: 'a rule that tests and sets the connection mark and has a verdict is not simulated', span: at, suggestion: 'split it into two rules' });
          continue;
        }
        // statements run in order, then the verdict: one rule per statement with the same conditions
        for (const e of effects) chain.rules.push({ ...base, target: e });
        if (parsed.vmap) {
          for (const e of parsed.vmap) chain.rules.push({ ...base, conds: [...parsed.conds, e.cond], target: e.target });
          for (const j of parsed.vmapJumps ?? []) jumps.push({ chain, name: j.chain, at: j.at });
        } else if (parsed.target.kind !== 'continue' || effects.length === 0) chain.rules.push({ ...base, target: parsed.target });
        if ((parsed.target.kind === 'jump' || parsed.target.kind === 'goto') && parsed.jumpAt) jumps.push({ chain, name: parsed.target.chain, at: parsed.jumpAt });
      }
      if (chain.hook && chain.priority === undefined) chain.priority = 0;
    }
  }
  const names = new Set(chains.map((c) => `${c.family}\u0000${c.table}\u0000${c.name}`));
  for (const j of jumps)
    if (!names.has(`${j.chain.family}\u0000${j.chain.table}\u0000${j.name}`))
      diags.push({ severity: 'error', message: `no chain named '${j.name}' in table ${j.chain.family} ${j.chain.table}`, span: j.at });
  const out: NfChain[] = chains.map((c) => ({ ...c }));
  for (const d of chainGraphProblems(out)) diags.push(d);
  const policy = rulesetPolicy(file, { dialect: 'nft', chains: out }, interfaces, nat);
  return { value: policy, diagnostics: sortDiagnostics(diags) };
}

/** `type filter hook forward priority filter` (+ `policy` in the same statement list). */
function readChainType(chain: ChainDraft, st: readonly NftToken[], span: (t: NftToken) => SourceSpan, err: (t: NftToken, m: string, s?: string) => void): void {
  const type = st[1];
  if (type?.text !== 'filter' && type?.text !== 'nat') {
    err(type ?? st[0]!, `chains of type ${type?.text ?? '?'} are not simulated`, 'ftpwall reads filter and nat chains');
    return;
  }
  const h = st.findIndex((x) => x.text === 'hook');
  const hook = st[h + 1];
  if (!hook || !(HOOKS as readonly string[]).includes(hook.text)) {
    err(hook ?? st[h]!, `hook ${hook?.text ?? '?'} is not simulated`, 'prerouting, input, forward, output or postrouting');
    return;
  }
  chain.hook = hook.text as NfHook;
  if (type.text === 'nat') chain.nat = true;
  const p = st.findIndex((x) => x.text === 'priority');
  if (p >= 0) {
    const words = st.slice(p + 1).map((x) => x.text);
    const base = PRIORITY_NAMES[words[0] ?? ''] ?? (/^-?\d+$/.test(words[0] ?? '') ? Number(words[0]) : undefined);
    if (base === undefined) {
      err(st[p + 1] ?? st[p]!, `not a chain priority: '${words[0] ?? ''}'`, 'a number or raw, mangle, dstnat, filter, security, srcnat');
      return;
    }
    const off = (words[1] === '+' || words[1] === '-') && /^\d+$/.test(words[2] ?? '') ? (words[1] === '-' ? -1 : 1) * Number(words[2]) : 0;
    chain.priority = base + off;
  }
  void span;
}

/** A NAT statement with its conditions into a NatRule; conditions a Rule cannot say are an error. */
function natRule(t: NftNat, conds: readonly NfCond[], hook: NfHook | undefined, at: SourceSpan, diags: Diagnostic[]): NatRule | undefined {
  let protocol: Rule['protocol'] = 'any';
  let src: AddrMatch = { kind: 'any' };
  let dst: AddrMatch = { kind: 'any' };
  let srcPort: PortMatch | undefined;
  let dstPort: PortMatch | undefined;
  let inInterface: string | undefined;
  let outInterface: string | undefined;
  let family: IpFamily | undefined;
  // the engine walks the nat chains themselves (any condition, jumps, return); `match` keeps the plain conditions for display
  for (const c of conds) {
    if (c.not) continue;
    if (c.kind === 'proto') protocol = c.proto;
    else if (c.kind === 'family') family = c.family;
    else if ((c.kind === 'src' || c.kind === 'dst') && c.any.length === 1 && c.any[0]!.kind === 'prefix') {
      if (c.kind === 'src') src = c.any[0]!.match;
      else dst = c.any[0]!.match;
    } else if (c.kind === 'sport') srcPort = c.ports;
    else if (c.kind === 'dport') dstPort = c.ports;
    else if (c.kind === 'iif') inInterface = c.name;
    else if (c.kind === 'oif') outInterface = c.name;
  }
  let toAddr: NatRule['toAddr'];
  let toPorts: NatRule['toPorts'];
  if (t.to !== undefined) {
    const m = /^(?:\[([^\]]+)\]|([^:]*|[0-9a-f:]+))(?::(\d{1,5})(?:-(\d{1,5}))?)?$/i.exec(t.to);
    const addrText = m ? (m[1] ?? m[2] ?? '') : '';
    if (addrText !== '') {
      const [loT, hiT] = addrText.split('-');
      const lo = parseIp(loT ?? '');
      const hi = hiT === undefined ? lo : parseIp(hiT);
      if (!lo || !hi || lo.family !== hi.family) return bad(`the address '${t.to}'`);
      toAddr = { family: lo.family, lo: formatIp(lo), hi: formatIp(hi) };
      family ??= lo.family;
    }
    if (m && m[3] !== undefined) toPorts = [Number(m[3]), Number(m[4] ?? m[3])];
    if (!m) return bad(`the address '${t.to}'`);
  }
  void family;
  const nhook = hook === 'postrouting' ? 'postrouting' : hook === 'output' ? 'output' : 'prerouting';
  const match: Rule = { id: 0, action: 'permit', protocol, src, dst, ...(srcPort ? { srcPort } : {}), ...(dstPort ? { dstPort } : {}), text: at.lineText.trim(), at };
  return { kind: t.kind, hook: nhook, match, ...(inInterface ? { inInterface } : {}), ...(outInterface ? { outInterface } : {}), ...(toAddr ? { toAddr } : {}), ...(toPorts ? { toPorts } : {}), at };

  function bad(what: string): undefined {
    diags.push({ severity: 'error', message: `a NAT rule with ${what} is not simulated`, span: t.at });
    return undefined;
  }
}
