/**
 * Parses one `rule [id] {permit|deny} …` command of an ACL view into the
 * vendor model's options. Syntax per the Comware references, `rule (IPv4
 * advanced ACL view)`: `rule [rule-id] {deny|permit} protocol [{{ack|fin|psh|rst|syn|urg} value}*
 * | established] [counting] [destination {addr wildcard|any}] [destination-port op port1 [port2]]
 * [{dscp|precedence|tos} v] [fragment] [icmp-type {type [code]|message}] [logging]
 * [source …] [source-port …] [time-range name] [vpn-instance name]`; the basic ACL form
 * takes no protocol and only source, fragment, logging, counting, time-range, vpn-instance.
 * The first error on a line stops that line (no cascades); warnings do not.
 */
import type { Diagnostic } from '../../diag/diagnostic.js';
import { suggest } from './suggest.js';
import { formatIpv4, type IpFamily } from '../../net/address.js';
import type { Action } from '../../policy/model.js';
import { ADVANCED_RULE_OPTIONS, BASIC_RULE_OPTIONS, ICMP_MESSAGES, ICMPV6_MESSAGES } from './keywords.js';
import { allDigits, tokenSpan, type Line, type Token } from './lexer.js';
import { looksLikeSubnetMask, parseAddress, parsePort, parseProtocol } from './operands.js';
import type { H3cRuleOptions } from './vendor.js';

/** What a `rule` line says. */
export interface RuleCommand {
  /** the id as written, when given */
  readonly id?: number;
  readonly action: Action;
  /** undefined in a basic ACL rule */
  readonly protocol: number | 'any';
  readonly options: H3cRuleOptions;
}

/** Highest rule id Comware accepts (`rule-id: Specifies a rule ID, in the range of 0 to 65534`). */
export const MAX_RULE_ID = 65534;

const TCP = 6;
const UDP = 17;
const ADVANCED_SET: ReadonlySet<string> = new Set(ADVANCED_RULE_OPTIONS);
const BASIC_SET: ReadonlySet<string> = new Set<string>(BASIC_RULE_OPTIONS);

/** True when the word is one of the advanced rule options (every option word): it cannot be an operand. */
const isKeyword = (w: string): boolean => ADVANCED_SET.has(w);

/** Reports an error at `token` (else the line's last token); returns undefined for `return err(…)`. */
function err(line: Line, diags: Diagnostic[], token: Token | undefined, message: string, suggestion?: string): undefined {
  const t = line.tokens;
  const span = token ? tokenSpan(line, token) : tokenSpan(line, t[t.length - 1]!);
  diags.push({ severity: 'error', message, span, ...(suggestion ? { suggestion } : {}) });
  return undefined;
}

function warn(line: Line, diags: Diagnostic[], token: Token, message: string, suggestion?: string): void {
  diags.push({ severity: 'warning', message, span: tokenSpan(line, token), ...(suggestion ? { suggestion } : {}) });
}

/** True when the rule's protocol is tcp or udp, else an error at option `tok`. */
function needTcpUdp(line: Line, diags: Diagnostic[], protocol: number | 'any', protoName: string, tok: Token): boolean {
  if (protocol === TCP || protocol === UDP) return true;
  err(line, diags, tok, `'${tok.text}' applies only to tcp or udp rules, and this rule's protocol is '${protoName}'`);
  return false;
}

/** True when the rule's protocol is tcp, else an error at option `tok`. */
function needTcp(line: Line, diags: Diagnostic[], protocol: number | 'any', protoName: string, tok: Token): boolean {
  if (protocol === TCP) return true;
  err(line, diags, tok, `'${tok.text}' applies only to tcp rules, and this rule's protocol is '${protoName}'`);
  return false;
}

/** The name after option `tok` at tokens[i] (time-range, vpn-instance), or an error. */
function nameAfter(line: Line, diags: Diagnostic[], i: number, tok: Token): string | undefined {
  const v = line.tokens[i + 1];
  if (!v || isKeyword(v.lower)) return err(line, diags, v, `expected a name after '${tok.text}'`);
  return v.text;
}

/** The object group name after `og` (the `object-group` word at tokens[i + 1]), or an error. */
function groupNameAfter(line: Line, diags: Diagnostic[], i: number, og: Token): string | undefined {
  const v = line.tokens[i + 2];
  if (!v || isKeyword(v.lower)) return err(line, diags, v ?? og, `expected an object group name after 'object-group'`);
  return v.text;
}

/** Parses a rule id token (0-65534), or reports it. */
export function parseRuleId(line: Line, t: Token, diags: Diagnostic[]): number | undefined {
  const n = Number(t.text);
  if (n > MAX_RULE_ID) {
    diags.push({ severity: 'error', message: `rule id ${t.text} is out of range (0-${MAX_RULE_ID})`, span: tokenSpan(line, t) });
    return undefined;
  }
  return n;
}

/**
 * Parses tokens[0..] = `rule [id] action …`; reports into `diags` and returns
 * undefined when the line has an error.
 */
export function parseRuleCommand(line: Line, family: IpFamily, category: 'basic' | 'advanced', diags: Diagnostic[]): RuleCommand | undefined {
  const t = line.tokens;
  let i = 1;
  let id: number | undefined;
  if (t[1] && allDigits(t[1].text)) {
    id = parseRuleId(line, t[1], diags);
    if (id === undefined) return undefined;
    i = 2;
  }
  const actionTok = t[i];
  if (!actionTok || (actionTok.lower !== 'permit' && actionTok.lower !== 'deny')) {
    const near = actionTok ? suggest(actionTok.lower, ['permit', 'deny']) : undefined;
    return err(line, diags, actionTok ?? t[i - 1], `expected 'permit' or 'deny' after '${t[i - 1]!.text}'`, near ? `did you mean '${near}'?` : undefined);
  }
  const action: Action = actionTok.lower === 'permit' ? 'permit' : 'deny';
  i++;
  let protocol: number | 'any' = 'any';
  if (category === 'advanced') {
    const p = parseProtocol(line, t[i], family, actionTok);
    if (!p.ok) {
      diags.push(p.error);
      return undefined;
    }
    protocol = p.value;
    i++;
  }
  const allowed = category === 'advanced' ? ADVANCED_SET : BASIC_SET;
  const o: H3cRuleOptions = {};
  // the option words given so far, with their tokens (a rule has a handful: a list, not a map per line)
  const seen: Token[] = [];
  let flags: [string, 0 | 1][] | undefined;
  let qos: [string, string][] | undefined;
  const protoName = t[i - 1]!.text;
  while (i < t.length) {
    const tok = t[i]!;
    const w = tok.lower;
    if (!allowed.has(w)) {
      if (category === 'basic' && ADVANCED_SET.has(w))
        return err(line, diags, tok, `'${tok.text}' is not allowed in a basic ACL rule`, 'basic ACLs (2000-2999) match only the source address; use an advanced ACL (3000-3999)');
      const near = suggest(w, [...allowed]);
      return err(line, diags, tok, `unexpected '${tok.text}' in rule`, near ? `did you mean '${near}'?` : undefined);
    }
    let before: Token | undefined;
    for (const s of seen) if (s.lower === w) before = s;
    if (before) return err(line, diags, tok, `option '${tok.text}' is given twice (first at column ${before.column})`);
    seen.push(tok);
    switch (w) {
      case 'source':
      case 'destination': {
        if (t[i + 1]?.lower === 'object-group') {
          // Comware 7: `source object-group NAME` (an address object group, resolved when converting)
          const g = groupNameAfter(line, diags, i, t[i + 1]!);
          if (g === undefined) return undefined;
          if (w === 'source') o.srcGroup = g;
          else o.dstGroup = g;
          i += 3;
          break;
        }
        const a = parseAddress(line, i + 1, family, tok, isKeyword);
        if (!a.ok) {
          diags.push(a.error);
          return undefined;
        }
        if (a.value.kind === 'v4' && a.used === 2 && looksLikeSubnetMask(a.value.wildcard)) {
          const wTok = t[i + 2]!;
          const wildcardText = formatIpv4(~a.value.wildcard >>> 0);
          warn(line, diags, wTok, `wildcard ${wTok.text} looks like a subnet mask: in a wildcard, 1 bits mean "any value"`, `did you mean ${wildcardText}?`);
        }
        if (w === 'source') o.src = a.value;
        else o.dst = a.value;
        i += 1 + a.used;
        break;
      }
      case 'source-port':
      case 'destination-port': {
        if (!needTcpUdp(line, diags, protocol, protoName, tok)) return undefined;
        if (t[i + 1]?.lower === 'object-group') {
          // Comware 7: `destination-port object-group NAME` (a port object group)
          const g = groupNameAfter(line, diags, i, t[i + 1]!);
          if (g === undefined) return undefined;
          if (w === 'source-port') o.srcPortGroup = g;
          else o.dstPortGroup = g;
          i += 3;
          break;
        }
        const p = parsePort(line, i + 1, protocol as number, tok, isKeyword);
        if (!p.ok) {
          diags.push(p.error);
          return undefined;
        }
        const v = p.value;
        if ((v.op === 'lt' && v.operands[0] === 0) || (v.op === 'gt' && v.operands[0] === 65535))
          warn(line, diags, t[i + 2]!, `'${v.op} ${v.written[0]}' matches no port: this rule never matches a ${protoName} packet`);
        if (w === 'source-port') o.srcPort = v;
        else o.dstPort = v;
        i += 1 + p.used;
        break;
      }
      case 'established':
        if (!needTcp(line, diags, protocol, protoName, tok)) return undefined;
        if (flags !== undefined) return err(line, diags, tok, "'established' cannot be combined with TCP flag options (syn, ack, fin, rst, psh, urg)");
        o.established = true;
        i++;
        break;
      case 'syn':
      case 'ack':
      case 'fin':
      case 'rst':
      case 'psh':
      case 'urg': {
        if (!needTcp(line, diags, protocol, protoName, tok)) return undefined;
        if (o.established) return err(line, diags, tok, `'${tok.text}' cannot be combined with 'established'`);
        const v = t[i + 1];
        if (!v || (v.text !== '0' && v.text !== '1')) return err(line, diags, v ?? tok, `expected 0 or 1 after '${tok.text}'`);
        (flags ??= []).push([w, v.text === '1' ? 1 : 0]);
        i += 2;
        break;
      }
      case 'fragment':
        o.fragment = true;
        i++;
        break;
      case 'logging':
        warn(line, diags, tok, 'logging is not simulated: the rule matches as usual and nothing is logged');
        o.logging = true;
        i++;
        break;
      case 'flow-logging':
        warn(line, diags, tok, 'flow-logging is not simulated: the rule matches as usual and nothing is logged');
        o.flowLogging = true;
        i++;
        break;
      case 'counting':
        warn(line, diags, tok, 'counting is not simulated: the rule matches as usual and nothing is counted');
        o.counting = true;
        i++;
        break;
      case 'time-range':
      case 'vpn-instance': {
        const n = nameAfter(line, diags, i, tok);
        if (n === undefined) return undefined;
        if (w === 'time-range') o.timeRange = n;
        else o.vpnInstance = n;
        i += 2;
        break;
      }
      case 'icmp-type':
      case 'icmp6-type': {
        const want = family === 4 ? 1 : 58;
        if (protocol !== want) return err(line, diags, tok, `'${tok.text}' applies only to ${family === 4 ? 'icmp' : 'icmpv6'} rules, and this rule's protocol is '${protoName}'`);
        if ((family === 4) !== (w === 'icmp-type')) return err(line, diags, tok, `use '${family === 4 ? 'icmp-type' : 'icmp6-type'}' in an IPv${family} ACL`);
        const icmp = parseIcmp(line, i + 1, family, tok, diags);
        if (!icmp) return undefined;
        o.icmp = icmp.value;
        i += 1 + icmp.used;
        break;
      }
      default: {
        // dscp, precedence, tos
        const v = t[i + 1];
        if (!v || isKeyword(v.lower)) return err(line, diags, v, `expected a value after '${tok.text}'`);
        warn(line, diags, tok, `${w} ${v.text} is not simulated: the rule is treated as matching any ${w} value`);
        (qos ??= []).push([w, v.text]);
        i += 2;
      }
    }
  }
  if (flags !== undefined) o.flags = flags;
  if (qos !== undefined) o.qos = qos;
  return id !== undefined ? { id, action, protocol, options: o } : { action, protocol, options: o };
}

function parseIcmp(
  line: Line,
  i: number,
  family: IpFamily,
  after: Token,
  diags: Diagnostic[],
): { value: NonNullable<H3cRuleOptions['icmp']>; used: number } | undefined {
  const t = line.tokens[i];
  const report = (token: Token | undefined, message: string, suggestion?: string): undefined => {
    diags.push({ severity: 'error', message, span: tokenSpan(line, token ?? after), ...(suggestion ? { suggestion } : {}) });
    return undefined;
  };
  if (!t) return report(after, `expected an ICMP message name or type after '${after.text}'`);
  const table = family === 4 ? ICMP_MESSAGES : ICMPV6_MESSAGES;
  if (allDigits(t.text)) {
    const type = Number(t.text);
    if (type > 255) return report(t, `ICMP type ${t.text} is out of range (0-255)`);
    const c = line.tokens[i + 1];
    if (c && allDigits(c.text)) {
      if (Number(c.text) > 255) return report(c, `ICMP code ${c.text} is out of range (0-255)`);
      return { value: { type, code: Number(c.text), written: `${t.text} ${c.text}` }, used: 2 };
    }
    return { value: { type, written: t.text }, used: 1 };
  }
  const m = table.get(t.lower);
  if (!m) {
    const near = suggest(t.lower, [...table.keys()]);
    return report(t, `unknown ICMP message '${t.text}'`, near ? `did you mean '${near}'?` : undefined);
  }
  return { value: { type: m[0], code: m[1], written: t.lower }, used: 1 };
}
