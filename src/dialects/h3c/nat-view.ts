/**
 * H3C Comware 7 NAT commands ftpwall simulates, into neutral NatRules
 * (HP/H3C MSR Comware V7 Layer 3 - IP Services Command Reference, NAT commands):
 * - interface view: `nat server protocol {tcp|udp} global G [GP] inside L [LP]` (internal server: DNAT
 *   of traffic arriving on the interface), `nat outbound [ACL]` (Easy IP: the source becomes the
 *   interface's own `ip address`), `nat static enable`;
 * - system view: `nat static outbound LOCAL GLOBAL` (one-to-one, both directions on interfaces with
 *   `nat static enable`), `[undo] nat alg {ftp|all}` (the FTP ALG, on by default, sheet 8.1).
 * Other NAT forms (address groups, port ranges, inbound NAT, VPN instances) are located errors.
 */
import type { Diagnostic, SourceSpan } from '../../diag/diagnostic.js';
import { formatIpv4, parseIpv4 } from '../../net/address.js';
import { PROTO_TCP, PROTO_UDP } from '../../net/packet.js';
import { findAcl, type Policy, type Rule } from '../../policy/model.js';
import type { NatRule } from '../../policy/nat.js';
import { commandSpan, errorAt, numberToken, type ParseContext } from './context.js';
import type { Line, Token } from './lexer.js';
import type { H3cConfig, H3cInterface } from './vendor.js';

/** One NAT statement as written, resolved at conversion (ACLs and interface addresses may come later in the file). */
type H3cNatStatement =
  | { readonly kind: 'server'; readonly iface: string; readonly proto: number; readonly global: string; readonly globalPort?: number; readonly inside: string; readonly insidePort?: number; readonly at: SourceSpan }
  | { readonly kind: 'outbound'; readonly iface: string; readonly acl?: number; readonly at: SourceSpan }
  | { readonly kind: 'static-enable'; readonly iface: string; readonly at: SourceSpan }
  | { readonly kind: 'static'; readonly local: string; readonly global: string; readonly at: SourceSpan };

/** The NAT part of one parsed config. */
interface H3cNat {
  readonly statements: H3cNatStatement[];
  /** `ip address A MASK|LEN` of each interface */
  readonly addresses: Map<string, string>;
  /** the last `[undo] nat alg ftp|all` */
  alg?: { readonly on: boolean; readonly at: SourceSpan };
}

const natOf = new WeakMap<H3cConfig, H3cNat>();

function nat(config: H3cConfig): H3cNat {
  let n = natOf.get(config);
  if (!n) natOf.set(config, (n = { statements: [], addresses: new Map() }));
  return n;
}

function addr(ctx: ParseContext, line: Line, t: Token | undefined, after: string): string | undefined {
  if (!t || parseIpv4(t.text) === undefined) {
    errorAt(ctx, line, t, `expected an IPv4 address after '${after}'${t ? `, got '${t.text}'` : ''}`);
    return undefined;
  }
  return formatIpv4(parseIpv4(t.text)!);
}

/**
 * Records `ip address A M` of an interface (kept for Easy IP). True when the line was read as the
 * primary address (it is then not counted among the skipped lines); a secondary address (`sub`)
 * or any other `ip …` setting is left to the caller.
 */
export function noteInterfaceAddress(ctx: ParseContext, line: Line, iface: H3cInterface): boolean {
  const t = line.tokens;
  if (t[0]?.lower !== 'ip' || t[1]?.lower !== 'address' || !t[2] || parseIpv4(t[2].text) === undefined) return false;
  if (t.some((x) => x.lower === 'sub')) return false; // a secondary address does not change the primary
  nat(ctx.config).addresses.set(iface.name, formatIpv4(parseIpv4(t[2].text)!));
  return true;
}

/** An interface-view `nat …` command; false when the line is not one. */
export function handleNatInterfaceCommand(ctx: ParseContext, line: Line, iface: H3cInterface): boolean {
  const t = line.tokens;
  if (t[0]?.lower !== 'nat') return false;
  const w1 = t[1]?.lower;
  const at = commandSpan(line);
  if (w1 === 'server') {
    if (t[2]?.lower !== 'protocol') {
      errorAt(ctx, line, t[2], "ftpwall reads 'nat server protocol {tcp|udp} global G [PORT] inside L [PORT]' only", 'write the protocol and the ports');
      return true;
    }
    const p = t[3]?.lower;
    const proto = p === 'tcp' ? PROTO_TCP : p === 'udp' ? PROTO_UDP : undefined;
    if (proto === undefined) {
      errorAt(ctx, line, t[3], `expected 'tcp' or 'udp' after 'nat server protocol'${t[3] ? `, got '${t[3].text}'` : ''}`);
      return true;
    }
    if (t[4]?.lower !== 'global') {
      errorAt(ctx, line, t[4], "expected 'global' after the protocol");
      return true;
    }
    if (t[5]?.lower === 'current-interface' || t[5]?.lower === 'interface') {
      errorAt(ctx, line, t[5], `'nat server … global ${t[5].text}' is not supported yet: ftpwall reads a global IPv4 address only`, 'check the rest of the config with the NAT lines removed');
      return true;
    }
    const global = addr(ctx, line, t[5], 'global');
    if (!global) return true;
    let i = 6;
    let globalPort: number | undefined;
    if (t[i] && t[i]!.lower !== 'inside') {
      globalPort = portWord(ctx, line, t[i], 'the global address');
      if (globalPort === undefined) return true;
      i++;
    }
    if (t[i]?.lower !== 'inside') {
      errorAt(ctx, line, t[i], `expected 'inside' after the global ${globalPort === undefined ? 'address' : 'port'}${t[i] ? `, got '${t[i]!.text}' (port ranges are not supported)` : ''}`);
      return true;
    }
    const inside = addr(ctx, line, t[i + 1], 'inside');
    if (!inside) return true;
    let insidePort: number | undefined;
    if (t[i + 2]) {
      insidePort = portWord(ctx, line, t[i + 2], 'the inside address');
      if (insidePort === undefined) return true;
      if (t[i + 3]) {
        errorAt(ctx, line, t[i + 3], `'${t[i + 3]!.text}' after the inside port is not supported by ftpwall`);
        return true;
      }
    }
    nat(ctx.config).statements.push({ kind: 'server', iface: iface.name, proto, global, inside, at, ...(globalPort !== undefined ? { globalPort } : {}), ...(insidePort !== undefined ? { insidePort } : {}) });
    return true;
  }
  if (w1 === 'outbound') {
    let acl: number | undefined;
    if (t[2] && !/^\d+$/.test(t[2].text)) {
      // a real Comware form (address-group, port-preservation, vpn-instance …) ftpwall does not simulate yet
      errorAt(ctx, line, t[2], `'nat outbound ${t[2].text}' is not supported yet: ftpwall reads Easy IP ('nat outbound [ACL]') only`, 'check the rest of the config with the NAT lines removed');
      return true;
    }
    if (t[2]) {
      acl = numberToken(ctx, line, t[2], 'an ACL number', 2000, 3999, 'nat outbound');
      if (acl === undefined) return true;
      if (t[3]) {
        errorAt(ctx, line, t[3], `'nat outbound … ${t[3].text}' is not supported by ftpwall: it reads Easy IP ('nat outbound [ACL]') only`);
        return true;
      }
    }
    nat(ctx.config).statements.push({ kind: 'outbound', iface: iface.name, at, ...(acl !== undefined ? { acl } : {}) });
    return true;
  }
  if (w1 === 'static' && t[2]?.lower === 'enable' && !t[3]) {
    nat(ctx.config).statements.push({ kind: 'static-enable', iface: iface.name, at });
    return true;
  }
  errorAt(ctx, line, t[1], `'nat ${t[1]?.text ?? ''}' in an interface view is not supported by ftpwall`, "ftpwall reads 'nat server protocol …', 'nat outbound [ACL]' and 'nat static enable'");
  return true;
}

function portWord(ctx: ParseContext, line: Line, t: Token | undefined, after: string): number | undefined {
  if (t && t.lower === 'ftp') return 21;
  return numberToken(ctx, line, t, 'a port number', 1, 65535, after);
}

/** A system-view `[undo] nat alg …` or `nat static outbound L G`; false when the line is not one. */
export function handleNatSystemCommand(ctx: ParseContext, line: Line): boolean {
  const t = line.tokens;
  const undo = t[0]?.lower === 'undo';
  const i = undo ? 1 : 0;
  if (t[i]?.lower !== 'nat') return false;
  if (t[i + 1]?.lower === 'alg') {
    const what = t[i + 2]?.lower;
    if (what === 'ftp' || what === 'all') nat(ctx.config).alg = { on: !undo, at: commandSpan(line) };
    return true; // other ALGs (dns, http …) do not touch FTP
  }
  if (!undo && t[i + 1]?.lower === 'static' && t[i + 2]?.lower === 'outbound') {
    const local = addr(ctx, line, t[i + 3], 'nat static outbound');
    if (!local) return true;
    const global = addr(ctx, line, t[i + 4], local);
    if (!global) return true;
    if (t[i + 5]) {
      errorAt(ctx, line, t[i + 5], `'${t[i + 5]!.text}' after the global address is not supported by ftpwall`);
      return true;
    }
    nat(ctx.config).statements.push({ kind: 'static', local, global, at: commandSpan(line) });
    return true;
  }
  return false;
}

function v4Rule(at: SourceSpan, text: string, fields: Partial<Rule>): Rule {
  return { id: 0, action: 'permit', protocol: 'any', src: { kind: 'any' }, dst: { kind: 'any' }, text, at, ...fields };
}

function host(a: string): Rule['src'] {
  return { kind: 'v4', addr: parseIpv4(a)!, wildcard: 0 };
}

function eq(port: number): NonNullable<Rule['dstPort']> {
  return { op: 'eq', operands: [port], ranges: [[port, port]] };
}

/** The neutral NAT rules and the FTP ALG switch of a parsed config (`policy` gives the converted ACLs). */
export function convertNat(config: H3cConfig, policy: Pick<Policy, 'acls'>, diags: Diagnostic[]): Pick<Policy, 'nat' | 'natFtpAlg'> {
  const n = natOf.get(config);
  if (!n) return {};
  const pre: NatRule[] = [];
  const post: NatRule[] = [];
  // static NAT is matched before dynamic NAT (HP/H3C NAT configuration guide: "1. Static NAT")
  const postStatic: NatRule[] = [];
  const staticIfaces = n.statements.filter((s) => s.kind === 'static-enable').map((s) => s.iface);
  for (const s of n.statements) {
    const text = s.at.lineText.trim();
    switch (s.kind) {
      case 'server':
        pre.push({
          kind: 'dnat',
          hook: 'prerouting',
          inInterface: s.iface,
          match: v4Rule(s.at, text, { protocol: s.proto, dst: host(s.global), ...(s.globalPort !== undefined ? { dstPort: eq(s.globalPort) } : {}) }),
          toAddr: { family: 4, lo: s.inside, hi: s.inside },
          ...(s.insidePort !== undefined ? { toPorts: [s.insidePort, s.insidePort] as const } : {}),
          at: s.at,
        });
        break;
      case 'outbound': {
        const own = n.addresses.get(s.iface);
        if (!own) {
          diags.push({ severity: 'error', message: `'nat outbound' on ${s.iface} translates to the interface's address, but the interface has no 'ip address'`, span: s.at, suggestion: `add 'ip address A MASK' under 'interface ${s.iface}'` });
          break;
        }
        const to = { family: 4 as const, lo: own, hi: own };
        if (s.acl === undefined) {
          post.push({ kind: 'snat', hook: 'postrouting', outInterface: s.iface, match: v4Rule(s.at, text, {}), toAddr: to, at: s.at });
          break;
        }
        const acl = findAcl(policy, String(s.acl), 4); // the first of that name, as a scan in config order: one index, not a scan per statement
        if (!acl) {
          diags.push({ severity: 'error', message: `'nat outbound ${s.acl}' names ACL ${s.acl}, which is not defined`, span: s.at });
          break;
        }
        if (acl.rules.some((r) => r.action === 'deny') || acl.matchOrder !== 'config') {
          diags.push({ severity: 'error', message: `'nat outbound ${s.acl}': ftpwall translates by ACLs of permit rules in config order only`, span: s.at });
          break;
        }
        for (const r of acl.rules) post.push({ kind: 'snat', hook: 'postrouting', outInterface: s.iface, match: r, toAddr: to, at: s.at });
        break;
      }
      case 'static':
        for (const iface of staticIfaces) {
          pre.push({ kind: 'dnat', hook: 'prerouting', inInterface: iface, match: v4Rule(s.at, text, { dst: host(s.global) }), toAddr: { family: 4, lo: s.local, hi: s.local }, at: s.at });
          postStatic.push({ kind: 'snat', hook: 'postrouting', outInterface: iface, match: v4Rule(s.at, text, { src: host(s.local) }), toAddr: { family: 4, lo: s.global, hi: s.global }, at: s.at });
        }
        if (staticIfaces.length === 0)
          diags.push({ severity: 'warning', message: "'nat static outbound' takes effect only on interfaces with 'nat static enable', which this config lacks", span: s.at });
        break;
      case 'static-enable':
        break;
    }
  }
  const rules = [...pre, ...postStatic, ...post];
  return { ...(rules.length > 0 ? { nat: rules } : {}), ...(n.alg ? { natFtpAlg: n.alg.on } : {}) };
}
