/**
 * The static candidate: permit rules placed just before the rule (or at the end
 * of the ACL whose default) that blocked each failing probe, as tight as the
 * probe knows: the exact server address, the control port, the passive range or
 * the active source port, the clients' ephemeral ports; repeated until the
 * probe says every mode works or nothing more can be added.
 */
import { formatIp, type IpAddress } from '../net/address.js';
import type { Acl, Policy } from '../policy/model.js';
import { findAcl } from '../policy/model.js';
import { rangeText } from '../probe/cells.js';
import { FTP_PORT } from '../probe/discover.js';
import type { ProbeCell, ProbeResult } from '../probe/probe.js';
import { isActiveMode, type ClientProfile, type PortRange, type ServerProfile } from '../probe/profiles.js';
import type { BlockedAt } from '../probe/simulate.js';
import type { ConfigText, Insertion } from './config-text.js';

/** One rule the static candidate adds, and why. */
export interface AddedRule {
  readonly acl: string;
  readonly line: string;
  /** the cell and packet it answers */
  readonly because: string;
  readonly modes: readonly string[];
}

/** The profiles and ranges a rule is made from. */
export interface RuleContext {
  readonly clientProfiles: readonly ClientProfile[];
  readonly serverProfiles: readonly ServerProfile[];
  readonly passivePorts?: PortRange;
}

/** H3C operand for a port range: `eq 21`, `range 50000 50100`. */
export function portOperand(r: PortRange): string {
  return r[0] === r[1] ? `eq ${r[0]}` : `range ${r[0]} ${r[1]}`;
}

function hostOperand(a: IpAddress): string {
  return a.family === 4 ? `${formatIp(a)} 0` : `${formatIp(a)}/128`;
}

/** Merges ranges into one when they overlap or touch; undefined when they leave a gap. */
function union(ranges: readonly PortRange[]): PortRange | undefined {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  let cur: [number, number] | undefined;
  for (const r of sorted) {
    if (!cur) cur = [r[0], r[1]];
    else if (r[0] <= cur[1] + 1) cur[1] = Math.max(cur[1], r[1]);
    else return undefined;
  }
  return cur;
}

/** The ports of each end of the blocked connection. */
function connectionPorts(cell: ProbeCell, b: BlockedAt, ctx: RuleContext): { server: PortRange; client: PortRange } {
  const cp = ctx.clientProfiles.find((p) => p.name === cell.clientProfile)!;
  const sp = ctx.serverProfiles.find((p) => p.name === cell.serverProfile)!;
  const users = ctx.clientProfiles.filter((p) => p.modes.includes(cell.mode));
  const client = union(users.map((p) => p.ephemeralPorts)) ?? cp.ephemeralPorts;
  if (b.role === 'control') return { server: [FTP_PORT, FTP_PORT], client };
  if (isActiveMode(cell.mode)) return { server: sp.activeSourcePorts, client };
  const passive = ctx.passivePorts ?? union(ctx.serverProfiles.map((p) => p.passivePorts)) ?? sp.passivePorts;
  return { server: passive, client };
}

/** The free rule id just after `prev` and below `limit`, or undefined. */
function freeId(acl: Acl, prev: number, limit: number): number | undefined {
  const used = new Set(acl.rules.map((r) => r.id));
  for (let id = prev + 1; id < limit; id++) if (!used.has(id)) return id;
  return undefined;
}

/** The result of one repair step: the rule inserted, or why none could be. */
export type RepairStep = { readonly ok: true; readonly added: AddedRule; readonly insertion: Insertion } | { readonly ok: false; readonly why: string };

/** Adds one permit rule for the first blocked packet of a failing cell. */
export function repairOnce(text: ConfigText, policy: Policy, cell: ProbeCell, b: BlockedAt, server: IpAddress, client: { address: IpAddress; any: boolean }, ctx: RuleContext): RepairStep {
  const by = b.provenance;
  if (by.kind !== 'rule' && !(by.kind === 'default' && by.reason === 'no-match' && by.acl !== undefined))
    return { ok: false, why: `${b.packet} is denied by ${b.by}: no ACL rule can be added for it` };
  const aclName = by.kind === 'rule' ? by.acl : by.acl!;
  const acl = findAcl(policy, aclName, server.family);
  if (!acl) return { ok: false, why: `acl ${aclName} is not in the config` };
  const ports = connectionPorts(cell, b, ctx);
  const srv = `${hostOperand(server)}`;
  const cli = client.any ? undefined : hostOperand(client.address);
  const [srcAddr, srcPorts, dstAddr, dstPorts] = b.fromServer ? [srv, ports.server, cli, ports.client] : [cli, ports.client, srv, ports.server];
  const body = `permit tcp${srcAddr ? ` source ${srcAddr}` : ''} source-port ${portOperand(srcPorts)}${dstAddr ? ` destination ${dstAddr}` : ''} destination-port ${portOperand(dstPorts)}`;
  let id: number | undefined;
  let place: number;
  if (by.kind === 'rule' && acl.matchOrder !== 'auto') {
    const i = acl.rules.findIndex((r) => r.id === by.ruleId);
    const rule = acl.rules[i]!;
    id = freeId(acl, i > 0 ? acl.rules[i - 1]!.id : -1, rule.id);
    if (id === undefined) return { ok: false, why: `no free rule id before acl ${acl.name} rule ${rule.id}: renumber the ACL (e.g. a larger 'step') first` };
    place = text.ruleAnchor(rule.at.line);
  } else {
    // the ACL's default decided, or match-order auto sorts by depth, not id: a new id at the end of the view
    const max = acl.rules.reduce((m, r) => Math.max(m, r.id), -1);
    id = max + 1;
    place = text.viewEnd(text.aclHeader(acl)) + 1;
  }
  const line = ` rule ${id} ${body}`;
  const insertion = text.insertBefore(place, [line]);
  const what = b.role === 'control' ? 'control connection' : isActiveMode(cell.mode) ? `active data from port${ports.server[0] === ports.server[1] ? '' : 's'} ${rangeText(ports.server[0], ports.server[1])}` : `passive ports ${rangeText(ports.server[0], ports.server[1])}`;
  return {
    ok: true,
    added: { acl: acl.name, line: line.trim(), because: `${cell.mode} (${cell.clientProfile} → ${cell.serverProfile}): ${what}; was ${b.packet} denied by ${by.kind === 'rule' ? `acl ${by.acl} rule ${by.ruleId}` : b.by}`, modes: [cell.mode] },
    insertion,
  };
}

/** The first failing cell of a probe with the blocked packet to repair. */
export function firstFailure(r: ProbeResult): { cell: ProbeCell; blocked: BlockedAt } | undefined {
  for (const c of r.cells) {
    if (c.verdict !== 'blocked' && c.verdict !== 'partly') continue;
    const slice = c.slices.find((s) => s.outcome !== 'works' && s.firstBlocked);
    const b = slice?.firstBlocked ?? c.firstBlocked;
    if (b) return { cell: c, blocked: b };
  }
  return undefined;
}
