/**
 * Where each address sits relative to the firewall: prefixes behind named
 * interfaces (longest prefix wins) and a default interface for the rest. Read
 * from `--inside PREFIX@IFACE` options, `--outside-interface`, or a small YAML
 * file, with located diagnostics like every other input.
 */
import { closest, type Diagnostic } from '../diag/diagnostic.js';
import { nameList } from '../diag/name-list.js';
import { formatIp, parsePrefix, type IpAddress, type IpPrefix } from '../net/address.js';
import { YamlReader } from '../scenario/yaml-read.js';
import { isMap, isScalar } from 'yaml';

/** One prefix behind one interface. */
export interface TopologyEntry {
  readonly prefix: IpPrefix;
  readonly iface: string;
  /** how the user wrote it (option text or file:line), for messages */
  readonly origin: string;
}

/** Prefixes behind interfaces, plus the interface of everything else. */
export interface Topology {
  /** sorted longest prefix first */
  readonly entries: readonly TopologyEntry[];
  /** the interface of addresses no prefix covers; undefined when there is none */
  readonly defaultIface: string | undefined;
}

/** `192.168.10.0/24`, `2001:db8::/32`. */
export function formatPrefix(p: IpPrefix): string {
  return `${formatIp(p.addr)}/${p.prefixLen}`;
}

/** Builds a topology; entries are sorted so the first match is the longest prefix. */
export function makeTopology(entries: readonly TopologyEntry[], defaultIface: string | undefined): Topology {
  const sorted = [...entries].sort((a, b) => b.prefix.prefixLen - a.prefix.prefixLen);
  return { entries: sorted, defaultIface };
}

/** True when `a` lies in prefix `p` (numbers only: no allocation). */
function contains(p: IpPrefix, a: IpAddress): boolean {
  const pa = p.addr;
  if (pa.family === 4) {
    if (a.family !== 4) return false;
    const m = p.prefixLen === 0 ? 0 : (0xffffffff << (32 - p.prefixLen)) >>> 0;
    return ((pa.v4 ^ a.v4) & m) === 0;
  }
  if (a.family !== 6) return false;
  let bits = p.prefixLen;
  for (let i = 0; i < 4; i++, bits -= 32) {
    if (bits <= 0) return true;
    const m = bits >= 32 ? 0xffffffff : (0xffffffff << (32 - bits)) >>> 0;
    if (((pa.v6[i]! ^ a.v6[i]!) & m) !== 0) return false;
  }
  return true;
}

/** The interface an address sits behind (longest prefix, else the default); undefined when none. */
export function locate(t: Topology, a: IpAddress): string | undefined {
  // indexed: an iterator is an object per call wherever V8 does not optimize it away (per new flow)
  const entries = t.entries;
  for (let i = 0; i < entries.length; i++) if (contains(entries[i]!.prefix, a)) return entries[i]!.iface;
  return t.defaultIface;
}

/**
 * Parses one `--inside PREFIX@IFACE` value. `PREFIX` is an IPv4 or IPv6 prefix or
 * a bare address (a host route).
 */
export function parseInsideOption(text: string): { value?: TopologyEntry; diagnostics: Diagnostic[] } {
  const at = text.lastIndexOf('@');
  if (at <= 0 || at === text.length - 1) {
    return {
      diagnostics: [
        {
          severity: 'error',
          message: `--inside '${text}': expected PREFIX@INTERFACE`,
          suggestion: 'e.g. --inside 192.168.10.0/24@GigabitEthernet2/1/10',
        },
      ],
    };
  }
  const prefixText = text.slice(0, at).trim();
  const iface = text.slice(at + 1).trim();
  const prefix = parsePrefix(prefixText);
  if (!prefix) {
    return { diagnostics: [{ severity: 'error', message: `--inside '${text}': '${prefixText}' is not an IPv4 or IPv6 prefix` }] };
  }
  return { value: { prefix, iface, origin: `--inside ${text}` }, diagnostics: [] };
}

/**
 * Parses a topology file: a mapping of interface → list of prefixes; the word
 * `default` (alone or in the list) puts every other address behind that interface.
 * ```yaml
 * GigabitEthernet2/1/10: [192.168.10.0/24, 2001:db8:10::/64]
 * GigabitEthernet2/1/1: default
 * ```
 */
export function parseTopologyFile(text: string, file: string): { value?: Topology; diagnostics: Diagnostic[] } {
  const r = new YamlReader(text, file);
  const root = r.doc?.contents;
  if (r.doc === undefined) return { diagnostics: r.diagnostics };
  const entries: TopologyEntry[] = [];
  let defaultIface: string | undefined;
  if (!isMap(root)) {
    r.error(root, `the topology must be a mapping of interface → list of prefixes, not ${r.shown(root)}`);
    return { diagnostics: r.diagnostics };
  }
  const seen = new Map<string, number>();
  const items = root.items as { key: unknown; value: unknown }[];
  for (const pair of items) {
    const key = pair.key as Parameters<typeof r.string>[0];
    const iface = r.string(key, 'an interface name');
    if (iface === undefined) continue;
    const line = r.span(key).line;
    if (seen.has(iface)) {
      r.error(key, `interface '${iface}' appears twice (first on line ${seen.get(iface)})`);
      continue;
    }
    seen.set(iface, line);
    const value = pair.value as Parameters<typeof r.string>[0];
    const list = isScalar(value) ? [value] : r.list(value, `the prefixes of ${iface}`);
    if (list === undefined) continue;
    for (const node of list) {
      const t = r.string(node, `a prefix of ${iface}`);
      if (t === undefined) continue;
      const word = t.trim();
      if (word === 'default') {
        if (defaultIface !== undefined) r.error(node, `'default' is already given to ${defaultIface}`);
        else defaultIface = iface;
        continue;
      }
      const prefix = parsePrefix(word);
      if (!prefix) {
        const near = closest(word, ['default']);
        r.error(node, `'${word}' is not an IPv4 or IPv6 prefix`, near ? `did you mean '${near}'?` : undefined);
        continue;
      }
      entries.push({ prefix, iface, origin: `${file}:${r.span(node).line}` });
    }
  }
  if (r.failed) return { diagnostics: r.diagnostics };
  return { value: makeTopology(entries, defaultIface), diagnostics: r.diagnostics };
}

/** Errors for interface names the config does not know, with the closest known name. */
export function checkInterfaces(t: Topology, known: readonly string[]): Diagnostic[] {
  if (known.length === 0) return [];
  const out: Diagnostic[] = [];
  const names = new Map<string, string>();
  for (const e of t.entries) if (!names.has(e.iface)) names.set(e.iface, e.origin);
  if (t.defaultIface !== undefined && !names.has(t.defaultIface)) names.set(t.defaultIface, 'the default interface');
  for (const [name, origin] of names) {
    if (known.includes(name)) continue;
    const near = closest(name, known);
    // an error: the hosts placed there would be filtered by nothing, and FTP would "work"
    out.push({
      severity: 'error',
      // a config of thousands of interfaces: the first few, and how many more (the suggestion names the closest)
      message: `${origin}: interface '${name}' is not in the config (it has ${nameList(known)}); nothing would filter its packets`,
      ...(near ? { suggestion: `did you mean ${near}?` } : {}),
    });
  }
  return out;
}

/** One line describing a topology: `192.168.10.0/24 on Gi2/1/10; everything else on Gi2/1/1`. */
export function describeTopology(t: Topology): string {
  const byIface = new Map<string, string[]>();
  for (const e of t.entries) {
    const list = byIface.get(e.iface);
    if (list) list.push(formatPrefix(e.prefix));
    else byIface.set(e.iface, [formatPrefix(e.prefix)]);
  }
  const parts = [...byIface].map(([iface, ps]) => `${ps.join(', ')} on ${iface}`);
  if (t.defaultIface !== undefined) parts.push(`everything else on ${t.defaultIface}`);
  return parts.join('; ');
}
