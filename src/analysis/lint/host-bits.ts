/**
 * Host bits under the wildcard: `source 172.16.10.10 0.0.0.255` matches
 * 172.16.10.0-255, because the device ignores the bits the wildcard leaves
 * open. The parser keeps only the widened value, so this reads the operands as
 * written from the rule's own source line.
 */
import { formatIpv4, formatIpv6, ipv4Mask, parseIpv4, parseIpv6, type Ipv6Words } from '../../net/address.js';
import { lexLine } from '../../dialects/h3c/lexer.js';
import type { Acl, Rule } from '../../policy/model.js';
import type { Finding } from './finding.js';

function maskV6(a: Ipv6Words, prefixLen: number): Ipv6Words {
  const w = a.map((x, k) => (x & ipv4Mask(Math.max(0, Math.min(32, prefixLen - 32 * k)))) >>> 0);
  return [w[0]!, w[1]!, w[2]!, w[3]!];
}

/** Findings for every address operand of the rule whose written value has bits the wildcard or prefix ignores. */
export function hostBitFindings(acl: Acl, rule: Rule): Finding[] {
  // only an operand that leaves bits open can hide host bits: skip hosts and 'any' without reading the line
  if (!leavesBitsOpen(rule.src) && !leavesBitsOpen(rule.dst)) return [];
  const line = lexLine(rule.at.lineText, rule.at.line, rule.at.file);
  const t = line.tokens;
  const out: Finding[] = [];
  for (let i = 0; i + 1 < t.length; i++) {
    const kw = t[i]!.lower;
    if (kw !== 'source' && kw !== 'destination') continue;
    const a = t[i + 1]!;
    if (a.lower === 'any') continue;
    let written: string;
    let meant: string;
    let host: string;
    let length = a.text.length;
    const slash = a.text.indexOf('/');
    const addrText = slash >= 0 ? a.text.slice(0, slash) : a.text;
    if (acl.family === 4) {
      const addr = parseIpv4(addrText);
      if (addr === undefined) continue;
      let wildcard: number | undefined;
      if (slash >= 0) wildcard = ~ipv4Mask(Number(a.text.slice(slash + 1))) >>> 0;
      else {
        const w = t[i + 2];
        if (!w) continue;
        wildcard = w.text === '0' ? 0 : parseIpv4(w.text);
        length = w.column + w.text.length - a.column;
      }
      if (wildcard === undefined || (addr & wildcard) === 0) continue;
      const base = formatIpv4((addr & ~wildcard) >>> 0);
      const last = formatIpv4((addr | wildcard) >>> 0);
      written = line.text.slice(a.column - 1, a.column - 1 + length);
      meant = slash >= 0 ? `${base}/${a.text.slice(slash + 1)}` : `${base} ${t[i + 2]!.text}`;
      host = slash >= 0 ? `${addrText}/32` : `${addrText} 0`;
      out.push(finding(acl, rule, kw, a.column, length, written, `${base}-${last}`, meant, host));
    } else {
      const addr = parseIpv6(addrText);
      if (!addr) continue;
      const lenText = slash >= 0 ? a.text.slice(slash + 1) : t[i + 2]?.text;
      if (lenText === undefined || !/^\d{1,3}$/.test(lenText)) continue;
      const prefixLen = Number(lenText);
      const base = maskV6(addr, prefixLen);
      if (base.every((w, k) => w === addr[k])) continue;
      if (slash < 0) length = t[i + 2]!.column + t[i + 2]!.text.length - a.column;
      written = line.text.slice(a.column - 1, a.column - 1 + length);
      meant = `${formatIpv6(base)}/${prefixLen}`;
      out.push(finding(acl, rule, kw, a.column, length, written, `${formatIpv6(base)}/${prefixLen}`, meant, `${addrText}/128`));
    }
  }
  return out;
}

function leavesBitsOpen(m: Rule['src']): boolean {
  return m.kind === 'v4' ? m.wildcard !== 0 : m.kind === 'v6' ? m.prefixLen < 128 : false;
}

function finding(acl: Acl, rule: Rule, kw: string, column: number, length: number, written: string, matched: string, meant: string, host: string): Finding {
  return {
    kind: 'host-bits',
    severity: 'warning',
    message: `${kw} ${written} has host bits set under the wildcard: acl ${acl.name} rule ${rule.id} matches all of ${matched}`,
    at: { ...rule.at, column, length },
    acl: acl.name,
    ruleId: rule.id,
    related: [],
    suggestion: `did you mean ${meant}, or the single host ${host}?`,
  };
}
