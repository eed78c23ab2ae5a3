/**
 * The stateful candidate: ASPF `detect ftp` applied outbound on each server's
 * interface (where a client's first packet to the server leaves the device, so
 * the control connection is inspected whichever model of ASPF scope applies), a
 * packet filter there that lets new connections reach the server on port 21
 * only, and `undo rule` for the permits that opened data ports statically.
 */
import { formatIp, type IpAddress } from '../net/address.js';
import { bindingsOfAcl, ruleLabel, type Policy, type Rule } from '../policy/model.js';
import { FTP_PORT } from '../probe/discover.js';
import type { ProbeServer } from '../probe/discover.js';
import { addrMatches } from '../probe/discover.js';
import type { ConfigText, Insertion } from './config-text.js';

/** What the stateful candidate changes, for the report. */
export interface AspfPlan {
  readonly insertions: readonly Insertion[];
  /** `undo rule` lines with the rule they remove */
  readonly removed: readonly string[];
  readonly notes: readonly string[];
}

function hostOperand(a: IpAddress): string {
  return a.family === 4 ? `${formatIp(a)} 0` : `${formatIp(a)}/128`;
}

function onlyFtp(r: Rule): boolean {
  const is21 = (m: Rule['srcPort']): boolean => m !== undefined && m.ranges.length === 1 && m.ranges[0]![0] === FTP_PORT && m.ranges[0]![1] === FTP_PORT;
  return is21(r.srcPort) || is21(r.dstPort);
}

/** A permit rule that admits traffic of a server on ports other than 21 (a static data-connection opening). */
function opensDataPorts(r: Rule, servers: readonly ProbeServer[]): boolean {
  if (r.action !== 'permit' || (r.protocol !== 6 && r.protocol !== 'any') || onlyFtp(r)) return false;
  if (r.srcPort === undefined && r.dstPort === undefined) return false;
  return servers.some((s) => (r.src.kind !== 'any' && addrMatches(r.src, s.address)) || (r.dst.kind !== 'any' && addrMatches(r.dst, s.address)));
}

/** A permit rule for the server's control replies (source port 21 from the server), which ASPF's state makes unneeded. */
function controlReplies(r: Rule, servers: readonly ProbeServer[]): boolean {
  const from21 = r.srcPort !== undefined && r.srcPort.ranges.length === 1 && r.srcPort.ranges[0]![0] === FTP_PORT && r.srcPort.ranges[0]![1] === FTP_PORT;
  return r.action === 'permit' && (r.protocol === 6 || r.protocol === 'any') && from21 && r.src.kind !== 'any' && servers.some((s) => addrMatches(r.src, s.address));
}

/**
 * Inserts `undo rule N` at the end of each bound ACL for the permits that open a
 * server's data ports statically (and, with `replies`, its port-21 replies).
 * Returns the removed rules as text.
 */
export function undoStaticPermits(text: ConfigText, policy: Policy, servers: readonly ProbeServer[], replies: boolean): { insertions: Insertion[]; removed: string[] } {
  const insertions: Insertion[] = [];
  const removed: string[] = [];
  const undo: { header: number; lines: string[] }[] = [];
  for (const acl of policy.acls) {
    if (bindingsOfAcl(policy, acl).length === 0) continue;
    if (acl.family !== servers[0]?.address.family) continue;
    const lines: string[] = [];
    for (const r of acl.rules)
      if (opensDataPorts(r, servers) || (replies && controlReplies(r, servers))) {
        lines.push(` undo rule ${r.id}`);
        removed.push(`${ruleLabel(acl, r)}: ${r.text}`);
      }
    if (lines.length > 0) undo.push({ header: text.aclHeader(acl), lines });
  }
  // bottom-up, so the header lines found before stay right
  for (const u of undo.sort((a, b) => b.header - a.header)) insertions.push(text.insertBefore(text.viewEnd(u.header) + 1, u.lines));
  return { insertions, removed };
}

/** Adds the ASPF lines to `text`. */
export function planAspf(text: ConfigText, policy: Policy, servers: readonly ProbeServer[]): AspfPlan {
  const insertions: Insertion[] = [];
  const removed: string[] = [];
  const notes: string[] = [];
  // 1. undo the static permits ASPF makes unneeded
  const undone = undoStaticPermits(text, policy, servers, true);
  for (const i of undone.insertions) insertions.push(i);
  for (const r of undone.removed) removed.push(r);
  // 2. the interface lines, per server interface, bottom-up
  const usedPolicies = text.numbersUsed(/^\s*aspf[ -]policy\s+(\d+)/i);
  let aspfNo = 1;
  while (usedPolicies.has(aspfNo)) aspfNo++;
  const byIface = new Map<string, ProbeServer[]>();
  for (const s of servers) {
    const list = byIface.get(s.interface);
    if (list) list.push(s);
    else byIface.set(s.interface, [s]);
  }
  const family = servers[0]?.address.family ?? 4;
  const usedAcls = new Set(policy.acls.map((a) => a.number).filter((n): n is number => n !== undefined));
  // Comware 5 configs (firewall packet-filter, firewall enable) get Comware 5 commands
  const v5 = text.matches(/^\s*firewall\s+(?:enable|packet-filter|aspf)\b/i);
  const sections: string[] = [v5 ? `aspf-policy ${aspfNo}` : `aspf policy ${aspfNo}`, ' detect ftp', '#'];
  const ifaceEdits: { header: number | undefined; iface: string; lines: string[] }[] = [];
  let aclNo = 3000;
  for (const [iface, list] of byIface) {
    while (usedAcls.has(aclNo)) aclNo++;
    usedAcls.add(aclNo);
    const lines: string[] = [];
    if (policy.bindings.some((b) => b.interface === iface && b.direction === 'outbound' && b.family === family)) {
      notes.push(`${iface} already has an outbound IPv${family} packet filter: the port-21-only filter is not added there; check that it lets only port 21 reach the server`);
    } else {
      sections.push(`acl ${family === 6 ? 'ipv6 ' : ''}${v5 ? 'number' : 'advanced'} ${aclNo}`, ` description ftpwall fix: new connections to the FTP server${list.length > 1 ? 's' : ''} on ${iface}: port ${FTP_PORT} only`);
      let id = 0;
      for (const s of list) {
        sections.push(` rule ${id} permit tcp destination ${hostOperand(s.address)} destination-port eq ${FTP_PORT}`);
        id += 5;
      }
      for (const s of list) {
        sections.push(` rule ${id} deny tcp destination ${hostOperand(s.address)}`);
        id += 5;
      }
      sections.push('#');
      lines.push(` ${v5 ? 'firewall ' : ''}packet-filter ${family === 6 ? 'ipv6 ' : ''}${aclNo} outbound`);
    }
    lines.push(v5 ? ` firewall aspf ${aspfNo} outbound` : ` aspf apply policy ${aspfNo} outbound`);
    ifaceEdits.push({ header: text.interfaceHeader(iface), iface, lines });
  }
  // interface blocks that do not exist go before 'return'; existing ones get the lines at their end (bottom-up)
  const missing = ifaceEdits.filter((e) => e.header === undefined);
  if (missing.length > 0) insertions.push(text.insertBefore(text.endPlace(), missing.flatMap((e) => [`interface ${e.iface}`, ...e.lines, '#'])));
  for (const e of ifaceEdits.filter((x) => x.header !== undefined).sort((a, b) => b.header! - a.header!)) insertions.push(text.insertBefore(text.viewEnd(e.header!) + 1, e.lines));
  insertions.push(text.insertBefore(text.sectionPlace(), sections));
  return { insertions, removed, notes };
}
