/**
 * Object groups in rules, resolved the simplest exact way: a rule that references groups becomes
 * consecutive sub-rules with the same id, action and text, one per combination of members
 * (first-match semantics are unchanged: the rule matches a packet exactly when one of its
 * sub-rules does). Address ranges are already exact prefix lists (object-group-view.ts).
 * A group that does not exist, has the wrong type or family, or nests itself is an error
 * (C7-zh: "the object group must exist, else error").
 */
import type { Diagnostic, SourceSpan } from '../../diag/diagnostic.js';
import type { IpFamily } from '../../net/address.js';
import { describeType, groupKey } from './object-group-view.js';
import type { H3cAddr, H3cConfig, H3cGroupMember, H3cObjectGroup, H3cPort, H3cRule } from './vendor.js';

/** Most sub-rules one rule may expand to before ftpwall refuses it (a guard against accidental blow-ups). */
export const MAX_EXPANSION = 100_000;

/** A flattened service: protocol and optional ports / ICMP type. */
export interface FlatService {
  readonly protocol: number | 'any';
  readonly srcPort?: H3cPort;
  readonly dstPort?: H3cPort;
  readonly icmp?: { readonly type: number; readonly code?: number; readonly written: string };
}

/** The members of a group, nested groups flattened; undefined (and reported) on an error. */
export function flattenGroup(
  config: H3cConfig,
  name: string,
  want: { type: H3cObjectGroup['type']; family?: IpFamily },
  at: SourceSpan,
  diags: Diagnostic[],
): H3cGroupMember[] | undefined {
  const out: H3cGroupMember[] = [];
  const visiting: string[] = [];
  const walk = (n: string, where: SourceSpan): boolean => {
    const g = config.c7.objectGroups.get(groupKey(n));
    if (!g) {
      diags.push({ severity: 'error', message: `object group '${n}' is not defined`, span: where, suggestion: `define it with 'object-group ${describeType(want)} ${n}'` });
      return false;
    }
    if (g.type !== want.type || (want.family !== undefined && g.family !== want.family)) {
      diags.push({ severity: 'error', message: `object group '${g.name}' is a ${describeType(g)} group, not ${describeType(want)}`, span: where });
      return false;
    }
    if (visiting.includes(groupKey(n))) {
      diags.push({ severity: 'error', message: `object group '${g.name}' contains itself (through ${visiting.join(' → ')})`, span: where });
      return false;
    }
    visiting.push(groupKey(n));
    for (const m of g.members) {
      if (m.kind === 'group') {
        if (!walk(m.name, m.at)) return false;
      } else out.push(m);
      if (out.length > MAX_EXPANSION) {
        diags.push({ severity: 'error', message: `object group '${g.name}' has more than ${MAX_EXPANSION} members`, span: where });
        return false;
      }
    }
    visiting.pop();
    return true;
  };
  return walk(name, at) ? out : undefined;
}

/** The addresses of an address group (every prefix of every member). */
export function groupAddrs(config: H3cConfig, name: string, family: IpFamily, at: SourceSpan, diags: Diagnostic[]): H3cAddr[] | undefined {
  const members = flattenGroup(config, name, { type: 'address', family }, at, diags);
  if (!members) return undefined;
  const out: H3cAddr[] = [];
  for (const m of members) if (m.kind === 'addr') for (const a of m.addrs) out.push(a);
  return out;
}

/** The ports of a port group. */
export function groupPorts(config: H3cConfig, name: string, at: SourceSpan, diags: Diagnostic[]): H3cPort[] | undefined {
  const members = flattenGroup(config, name, { type: 'port' }, at, diags);
  if (!members) return undefined;
  const out: H3cPort[] = [];
  for (const m of members) if (m.kind === 'port') out.push(m.port);
  return out;
}

/** The services of a service group. */
export function groupServices(config: H3cConfig, name: string, at: SourceSpan, diags: Diagnostic[]): FlatService[] | undefined {
  const members = flattenGroup(config, name, { type: 'service' }, at, diags);
  if (!members) return undefined;
  const out: FlatService[] = [];
  for (const m of members) if (m.kind === 'service') out.push(m);
  return out;
}

/**
 * The rule as group-free sub-rules (the rule itself when it names no group). An error leaves
 * no sub-rule: the rule then matches nothing, and the config has an error anyway.
 */
export function expandRuleGroups(r: H3cRule, family: IpFamily, config: H3cConfig, diags: Diagnostic[]): H3cRule[] {
  if (r.srcGroup === undefined && r.dstGroup === undefined && r.srcPortGroup === undefined && r.dstPortGroup === undefined) return [r];
  const one = <T>(v: T | undefined): (T | undefined)[] => [v];
  const srcs = r.srcGroup !== undefined ? groupAddrs(config, r.srcGroup, family, r.at, diags) : one(r.src);
  const dsts = r.dstGroup !== undefined ? groupAddrs(config, r.dstGroup, family, r.at, diags) : one(r.dst);
  const sps = r.srcPortGroup !== undefined ? groupPorts(config, r.srcPortGroup, r.at, diags) : one(r.srcPort);
  const dps = r.dstPortGroup !== undefined ? groupPorts(config, r.dstPortGroup, r.at, diags) : one(r.dstPort);
  if (!srcs || !dsts || !sps || !dps) return [];
  const total = srcs.length * dsts.length * sps.length * dps.length;
  if (total > MAX_EXPANSION) {
    diags.push({ severity: 'error', message: `rule ${r.id} expands its object groups to ${total} combinations, more than ftpwall's limit of ${MAX_EXPANSION}`, span: r.at });
    return [];
  }
  const base: H3cRule = { ...r };
  delete (base as { srcGroup?: string }).srcGroup;
  delete (base as { dstGroup?: string }).dstGroup;
  delete (base as { srcPortGroup?: string }).srcPortGroup;
  delete (base as { dstPortGroup?: string }).dstPortGroup;
  const out: H3cRule[] = [];
  for (const src of srcs)
    for (const dst of dsts)
      for (const srcPort of sps)
        for (const dstPort of dps)
          out.push({ ...base, ...(src ? { src } : {}), ...(dst ? { dst } : {}), ...(srcPort ? { srcPort } : {}), ...(dstPort ? { dstPort } : {}) });
  return out;
}
