/**
 * Normalised text of vendor-model rules and ACL labels, as the device would
 * display them: single spaces, keywords lower-case, addresses masked, host
 * wildcards as `0`, `any` omitted, port names kept as written.
 */
import { formatIpv4, formatIpv6, type IpFamily } from '../../net/address.js';
import { protocolText } from './keywords.js';
import type { Token } from './lexer.js';
import type { H3cAcl, H3cAddr, H3cPort, H3cRule } from './vendor.js';

/** The text of an address operand as Comware displays it (`10.0.0.0 0.0.0.255`, `2001:db8::/64`, `any`). */
export { addrText };

/** `acl 3000`, `acl ipv6 3001`, `acl name web-in`: how messages name an ACL. */
export function describeAcl(acl: Pick<H3cAcl, 'family' | 'number' | 'name'>): string {
  const v6 = acl.family === 6 ? 'ipv6 ' : '';
  return acl.number !== undefined ? `acl ${v6}${acl.number}` : `acl ${v6}name ${acl.name ?? '?'}`;
}

function addrText(a: H3cAddr): string {
  switch (a.kind) {
    case 'any':
      return 'any';
    case 'v4':
      return `${formatIpv4(a.addr)} ${a.wildcard === 0 ? '0' : formatIpv4(a.wildcard)}`;
    case 'v6':
      return `${formatIpv6(a.addr)}/${a.prefixLen}`;
  }
}

/** Pushes the words of an address operand as addrText writes them (`10.0.0.0 0.0.0.255`: two words). */
function addrWords(a: H3cAddr, out: string[]): void {
  if (a.kind === 'v4') out.push(formatIpv4(a.addr), a.wildcard === 0 ? '0' : formatIpv4(a.wildcard));
  else out.push(addrText(a));
}

/** Pushes `eq ftp` as written (lower case), or with `numeric` `eq 21`. */
function portWords(p: H3cPort, numeric: boolean, out: string[]): void {
  out.push(p.op);
  if (numeric) for (const n of p.operands) out.push(String(n));
  else for (const w of p.written) out.push(w.toLowerCase());
}

/** The rule without `rule N`: `permit tcp source 192.168.10.1 0 source-port eq 21 …`. */
export function ruleBody(r: H3cRule, family: IpFamily, category: 'basic' | 'advanced' = 'advanced'): string {
  return joined(r, family, category, false, undefined);
}

/**
 * The rule's statement for duplicate detection: ports and ICMP types as numbers, so `eq ftp` and `eq 21`
 * are the same statement (sheet 2.6: Comware refuses a rule identical to an existing one).
 */
export function ruleStatementKey(r: H3cRule, family: IpFamily): string {
  return joined(r, family, 'advanced', true, undefined);
}

/**
 * ruleBody(r, family, category) as a slice of the rule's own line (r.at) when the line ends with exactly that
 * text, as in most dumps: the config text is kept anyway (every span holds its line), so the kept text then
 * costs a slice. With the line's tokens (`words`), the rule's words are compared with them (wordsOfLine), not joined.
 */
export function ruleBodyOfLine(r: H3cRule, family: IpFamily, category: 'basic' | 'advanced' = 'advanced', words?: readonly Token[]): string {
  return joined(r, family, category, false, undefined, r.at.lineText, words);
}

/** The whole normalised rule: `rule 5 permit tcp …`. */
export function ruleText(r: H3cRule, family: IpFamily, category: 'basic' | 'advanced' = 'advanced'): string {
  return joined(r, family, category, false, r.id);
}

/** ruleText from the rule's id and its ruleBody, as one flat string. */
export function ruleTextOfBody(id: number, body: string): string {
  const w = WORDS;
  w.length = 0;
  w.push('rule', String(id), body);
  const text = w.join(' ');
  w.length = 0;
  return text;
}

/**
 * ruleTextOfBody(r.id, body) as a slice of the rule's own line (r.at) when the line, from the span's column to its
 * end, is exactly that text, as in most dumps: the config text is kept anyway (every span holds its line), so the
 * rule's text then costs no copy. Otherwise the flat string ruleTextOfBody joins.
 */
export function ruleTextOfLine(r: Pick<H3cRule, 'id' | 'at'>, body: string): string {
  const line = r.at.lineText;
  const start = r.at.column - 1;
  const id = String(r.id);
  const bodyAt = start + RULE_WORD.length + id.length + 1;
  if (start >= 0 && line.length === bodyAt + body.length && line.startsWith(RULE_WORD, start) && line.startsWith(id, start + RULE_WORD.length) && line.charCodeAt(bodyAt - 1) === SPACE && line.endsWith(body))
    return line.slice(start);
  return ruleTextOfBody(r.id, body);
}

const RULE_WORD = 'rule ';
const SPACE = 32;

/**
 * The statement key of a rule whose ruleBody in an ACL of `category` is `body`: the body itself when the
 * two coincide (an advanced ACL's rule with its ports and ICMP type written as plain numbers, as most are),
 * so such a rule is rendered once.
 */
export function statementKeyOfBody(r: H3cRule, family: IpFamily, category: 'basic' | 'advanced', body: string): string {
  const icmpNumeric = !r.icmp || r.icmp.written === (r.icmp.code === undefined ? String(r.icmp.type) : `${r.icmp.type} ${r.icmp.code}`);
  return category === 'advanced' && writtenAsNumbers(r.srcPort) && writtenAsNumbers(r.dstPort) && icmpNumeric ? body : ruleStatementKey(r, family);
}

/** True when there is no port operand, or its ports are written as the plain numbers they are. */
function writtenAsNumbers(p: H3cPort | undefined): boolean {
  if (!p) return true;
  if (p.written.length !== p.operands.length) return false;
  for (let k = 0; k < p.written.length; k++) if (p.written[k] !== String(p.operands[k])) return false;
  return true;
}

/**
 * The words of a rule (after `rule N` when `id` is given) joined by single spaces. Every rule of a
 * config is rendered (its statement key when parsed, its text when converted), and the texts are
 * kept: one join makes one flat string, where `+=` would keep a tree of a dozen string pieces per rule.
 * With `line`, a slice of it when it ends with the words so joined; with its `tokens` too, the words are first
 * compared with the line's last tokens (wordsOfLine). A word may hold a space (`3 1`, an ICMP type and code): no
 * token is then alike, and the words are joined.
 */
function joined(r: H3cRule, family: IpFamily, category: 'basic' | 'advanced', numeric: boolean, id: number | undefined, line?: string, tokens?: readonly Token[]): string {
  const w = WORDS;
  w.length = 0;
  if (id !== undefined) w.push('rule', String(id));
  w.push(r.action);
  if (category === 'advanced') w.push(protocolText(r.protocol, family));
  if (r.srcGroup !== undefined) w.push('source', 'object-group', r.srcGroup);
  else if (r.src && r.src.kind !== 'any') {
    w.push('source');
    addrWords(r.src, w);
  }
  if (r.srcPortGroup !== undefined) w.push('source-port', 'object-group', r.srcPortGroup);
  else if (r.srcPort) {
    w.push('source-port');
    portWords(r.srcPort, numeric, w);
  }
  if (r.dstGroup !== undefined) w.push('destination', 'object-group', r.dstGroup);
  else if (r.dst && r.dst.kind !== 'any') {
    w.push('destination');
    addrWords(r.dst, w);
  }
  if (r.dstPortGroup !== undefined) w.push('destination-port', 'object-group', r.dstPortGroup);
  else if (r.dstPort) {
    w.push('destination-port');
    portWords(r.dstPort, numeric, w);
  }
  if (r.icmp) w.push(family === 4 ? 'icmp-type' : 'icmp6-type', !numeric ? r.icmp.written : r.icmp.code === undefined ? String(r.icmp.type) : `${r.icmp.type} ${r.icmp.code}`);
  if (r.established) w.push('established');
  for (const [flag, v] of r.flags ?? []) w.push(flag, String(v));
  for (const [k, v] of r.qos ?? []) w.push(k, v);
  if (r.fragment) w.push('fragment');
  if (r.logging) w.push('logging');
  if (r.counting) w.push('counting');
  if (r.flowLogging) w.push('flow-logging');
  if (r.timeRange !== undefined) w.push('time-range', r.timeRange);
  if (r.vpnInstance !== undefined) w.push('vpn-instance', r.vpnInstance);
  const ofTokens = line !== undefined && tokens !== undefined ? wordsOfLine(line, w, tokens) : undefined;
  if (ofTokens !== undefined) {
    w.length = 0;
    return ofTokens;
  }
  const joinedText = w.join(' ');
  // the line's own copy of the text when it ends so (the joined copy is then dropped young)
  const text = line !== undefined && line.length > joinedText.length && line.endsWith(joinedText) ? line.slice(line.length - joinedText.length) : joinedText;
  w.length = 0;
  return text;
}

/** The words of the rule being rendered (one array reused: rendering does not nest). */
const WORDS: string[] = [];

/**
 * The slice of `line` from its last `words.length` tokens to its end when those tokens are the words, one space
 * apart, and the last one ends the line: the words joined by single spaces, as the line's own text. Else undefined.
 */
function wordsOfLine(line: string, words: readonly string[], tokens: readonly Token[]): string | undefined {
  const first = tokens.length - words.length;
  if (first < 0) return undefined;
  let end = 0;
  for (let k = 0; k < words.length; k++) {
    const t = tokens[first + k]!;
    if (t.text !== words[k]) return undefined;
    if (k > 0 && (t.column - 1 !== end + 1 || line.charCodeAt(end) !== SPACE)) return undefined;
    end = t.column - 1 + t.text.length;
  }
  return end === line.length ? line.slice(tokens[first]!.column - 1) : undefined;
}
