/**
 * Who talks FTP through a policy: the servers the config names (rules for port
 * 21, `nat server … 21`), the interface each sits behind, and a representative
 * client address on every other interface. Also which interfaces filter one IP
 * family and leave the other open.
 */
import { formatIp, ipEquals, ipKey, ipv4, ipv6, parseIp, type IpAddress, type IpFamily } from '../net/address.js';
import type { AddrMatch, Direction, Policy } from '../policy/model.js';
import { findAcl } from '../policy/model.js';

/** Well-known FTP control port (RFC 959). */
export const FTP_PORT = 21;

/** An FTP server to probe: where it is and how ftpwall knows it. */
export interface ProbeServer {
  readonly address: IpAddress;
  readonly interface: string;
  /** e.g. `acl 3000 rule 0 (rules/seed-active.cfg:6)`, `--server`, `nat server (x.cfg:12)` */
  readonly origin: string;
}

/** The clients on one interface: one representative address standing for "any address" there. */
export interface ProbeClient {
  readonly address: IpAddress;
  readonly interface: string;
  /** true when the address stands for every address no rule names on that interface */
  readonly any: boolean;
}

/** An interface and direction that filters one family while the other passes unfiltered. */
export interface OpenFamily {
  readonly interface: string;
  readonly direction: Direction;
  readonly filtered: IpFamily;
  readonly open: IpFamily;
  readonly acl: string;
  readonly at: string;
}

function hostOf(m: AddrMatch): IpAddress | undefined {
  if (m.kind === 'v4' && m.wildcard === 0) return ipv4(m.addr);
  if (m.kind === 'v6' && m.prefixLen === 128) return ipv6(m.addr[0], m.addr[1], m.addr[2], m.addr[3]);
  return undefined;
}

/** True when the address condition matches the address. */
export function addrMatches(m: AddrMatch, a: IpAddress): boolean {
  if (m.kind === 'any') return true;
  if (m.kind === 'v4') return a.family === 4 && ((a.v4 ^ m.addr) & ~m.wildcard) >>> 0 === 0;
  if (a.family !== 6) return false;
  let bits = m.prefixLen;
  for (let i = 0; i < 4; i++, bits -= 32) {
    const mask = bits >= 32 ? 0xffffffff : bits <= 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
    if (((a.v6[i]! ^ m.addr[i]!) & mask) >>> 0 !== 0) return false;
  }
  return true;
}

function isFtpOnly(ranges: readonly (readonly [number, number])[] | undefined): boolean {
  return ranges !== undefined && ranges.length === 1 && ranges[0]![0] === FTP_PORT && ranges[0]![1] === FTP_PORT;
}

function allInterfaces(policy: Policy): string[] {
  const names = new Set<string>(policy.interfaces);
  for (const b of policy.bindings) names.add(b.interface);
  for (const i of policy.inspections) if (i.interface !== '*') names.add(i.interface);
  return [...names];
}

/** Where a bound ACL's rule names a host: the binding's interface and direction, and whether as source or destination. */
interface HostMention {
  readonly interface: string;
  readonly direction: Direction;
  readonly src: boolean;
  readonly dst: boolean;
}

/** Per policy: every host address a bound rule names, with its mentions in binding order, then rule order. */
const MENTIONS = new WeakMap<Policy, Map<string, HostMention[]>>();

function mentionsOf(policy: Policy): Map<string, HostMention[]> {
  let byHost = MENTIONS.get(policy);
  if (byHost !== undefined) return byHost;
  // built once: looked up for every server (a config naming thousands scanned every bound rule per server)
  byHost = new Map();
  for (const b of policy.bindings) {
    const acl = findAcl(policy, b.acl, b.family);
    if (!acl) continue;
    for (const r of acl.rules) {
      const asSrc = hostOf(r.src);
      const asDst = hostOf(r.dst);
      const note = (h: IpAddress | undefined, src: boolean, dst: boolean): void => {
        if (h === undefined || h.family !== acl.family) return;
        const key = ipKey(h);
        let list = byHost!.get(key);
        if (list === undefined) byHost!.set(key, (list = []));
        list.push({ interface: b.interface, direction: b.direction, src, dst });
      };
      if (asSrc !== undefined && asDst !== undefined && ipEquals(asSrc, asDst)) note(asSrc, true, true);
      else {
        note(asSrc, true, false);
        note(asDst, false, true);
      }
    }
  }
  MENTIONS.set(policy, byHost);
  return byHost;
}

/** The interface a server sits behind, from where a rule naming it is bound; undefined when no binding tells. */
export function serverInterface(policy: Policy, address: IpAddress): string | undefined {
  const mentions = mentionsOf(policy).get(ipKey(address));
  if (mentions === undefined) return undefined;
  const ifaces = allInterfaces(policy);
  for (const m of mentions) {
    // a packet from the server enters by its interface; a packet to it leaves by it
    if ((m.src && m.direction === 'inbound') || (m.dst && m.direction === 'outbound')) return m.interface;
    const other = ifaces.find((i) => i !== m.interface);
    if (other) return other;
  }
  return undefined;
}

/** FTP servers named by the config: hosts in rules for port 21 and `nat server … 21 inside ADDR 21` lines. */
export function discoverServers(policy: Policy, configText: string): { servers: ProbeServer[]; notes: string[] } {
  const found: ProbeServer[] = [];
  const seen = new Set<string>();
  const notes: string[] = [];
  const add = (address: IpAddress, origin: string, iface: string | undefined): void => {
    const key = ipKey(address);
    if (seen.has(key)) return;
    const where = iface ?? serverInterface(policy, address);
    if (!where) {
      notes.push(`${formatIp(address)} (${origin}) looks like an FTP server, but no bound ACL tells which interface it sits behind: give --server ${formatIp(address)}@INTERFACE`);
      return;
    }
    found.push({ address, interface: where, origin });
    seen.add(key);
  };
  for (const acl of policy.acls)
    for (const r of acl.rules) {
      if (r.action !== 'permit' || (r.protocol !== 6 && r.protocol !== 'any')) continue;
      const origin = `acl ${acl.family === 6 ? 'ipv6 ' : ''}${acl.name} rule ${r.id} (${r.at.file}:${r.at.line})`;
      const src = hostOf(r.src);
      const dst = hostOf(r.dst);
      if (isFtpOnly(r.srcPort?.ranges) && src) add(src, origin, undefined);
      if (isFtpOnly(r.dstPort?.ranges) && dst) add(dst, origin, undefined);
    }
  let iface: string | undefined;
  configText.split(/\r?\n/).forEach((line, i) => {
    const view = /^interface\s+(\S+)/i.exec(line);
    if (view) iface = view[1];
    else if (/^\S/.test(line)) iface = undefined;
    const nat = /^\s*nat\s+server\b.*?\binside\s+(\S+)\s+(?:21|ftp)\b/i.exec(line);
    if (!nat || !/\bglobal\s+\S+\s+(?:21|ftp)\b/i.test(line)) return;
    const addr = parseIp(nat[1]!);
    if (!addr) return;
    const outside = iface;
    const behind = serverInterface(policy, addr) ?? allInterfaces(policy).find((n) => n !== outside);
    add(addr, `nat server (${policy.source}:${i + 1})`, behind);
  });
  return { servers: found, notes };
}

/** The first representative addresses tried, per family (documentation and private ranges). */
const V4_CANDIDATES = ['10.0.0.2', '172.16.0.2', '198.51.100.2', '203.0.113.2', '10.1.0.2', '10.2.0.2', '10.3.0.2', '10.4.0.2'];
const V6_CANDIDATES = ['2001:db8:1::2', '2001:db8:2::2', '2001:db8:3::2', '2001:db8:4::2', '2001:db8:5::2', '2001:db8:6::2'];
/** Candidates looked at per server before the ones rules name are used too (bounded work on a config whose rules name every candidate). */
const MAX_CANDIDATES = 4096;

/**
 * Representative addresses in the order they are tried: the fixed ones, then 10.k.j.2 (2001:db8:k::2), as many
 * as interfaces need: a device has tens or hundreds of interfaces (VLAN interfaces), each its own client side.
 */
function* candidateAddresses(family: IpFamily): Generator<IpAddress> {
  for (const t of family === 4 ? V4_CANDIDATES : V6_CANDIDATES) yield parseIp(t)!;
  if (family === 4) for (let k = 5; k < 1 << 16; k++) yield ipv4(((10 << 24) | ((k & 255) << 16) | ((k >> 8) << 8) | 2) >>> 0);
  else for (let k = 7; k < 1 << 16; k++) yield ipv6(0x20010db8, (k << 16) >>> 0, 0, 2);
}

/** The candidates of one policy and family, looked at once for all its servers: the ones no rule names, and the others. */
interface CandidatePool {
  /** every address condition of the family's rules */
  readonly named: readonly AddrMatch[];
  readonly candidates: Generator<IpAddress>;
  readonly unnamed: IpAddress[];
  readonly namedOnes: IpAddress[];
  looked: number;
}

const POOLS = new WeakMap<Policy, Map<IpFamily, CandidatePool>>();

function candidatePool(policy: Policy, family: IpFamily): CandidatePool {
  let byFamily = POOLS.get(policy);
  if (byFamily === undefined) POOLS.set(policy, (byFamily = new Map()));
  let pool = byFamily.get(family);
  if (pool === undefined) {
    const named: AddrMatch[] = [];
    for (const acl of policy.acls) if (acl.family === family) for (const r of acl.rules) for (const m of [r.src, r.dst]) if (m.kind !== 'any') named.push(m);
    byFamily.set(family, (pool = { named, candidates: candidateAddresses(family), unnamed: [], namedOnes: [], looked: 0 }));
  }
  return pool;
}

/** The k-th candidate no rule names (the pool looks at more as needed); undefined past MAX_CANDIDATES looked at. */
function unnamedAt(pool: CandidatePool, k: number): IpAddress | undefined {
  while (pool.unnamed.length <= k && pool.looked < MAX_CANDIDATES) {
    const r = pool.candidates.next();
    if (r.done) break;
    pool.looked++;
    (pool.named.some((m) => addrMatches(m, r.value)) ? pool.namedOnes : pool.unnamed).push(r.value);
  }
  return pool.unnamed[k];
}

/**
 * One representative client per interface other than the server's: an address that no rule names
 * specifically (so it stands for "any address" there); when the rules name every candidate looked at,
 * one they name, and each interface has its own. The candidates are checked against the rules once per
 * policy, not once per server.
 */
export function defaultClients(policy: Policy, server: ProbeServer, family: IpFamily): ProbeClient[] {
  const pool = candidatePool(policy, family);
  let k = 0;
  let j = 0;
  let beyond: Generator<IpAddress> | undefined;
  const next = (): IpAddress | undefined => {
    for (let a = unnamedAt(pool, k); a !== undefined; a = unnamedAt(pool, k)) {
      k++;
      if (!ipEquals(a, server.address)) return a;
    }
    while (j < pool.namedOnes.length) {
      const a = pool.namedOnes[j++]!;
      if (!ipEquals(a, server.address)) return a;
    }
    // past the bound: the next candidates in order, named or not
    if (beyond === undefined) {
      beyond = candidateAddresses(family);
      for (let skip = 0; skip < pool.looked; skip++) beyond.next();
    }
    for (let r = beyond.next(); !r.done; r = beyond.next()) if (!ipEquals(r.value, server.address)) return r.value;
    return undefined;
  };
  const out: ProbeClient[] = [];
  for (const iface of allInterfaces(policy)) {
    if (iface === server.interface) continue;
    const pick = next();
    if (!pick) break; // 65,000 interfaces
    out.push({ address: pick, interface: iface, any: true });
  }
  return out;
}

/** Interfaces (and directions) with an IPv4 packet filter but no IPv6 one, or the other way round. */
export function openFamilies(policy: Policy): OpenFamily[] {
  const out: OpenFamily[] = [];
  // the interface, direction and family of every binding: one set, not a scan of the bindings per binding
  const bound = new Set<string>();
  for (const b of policy.bindings) bound.add(`${b.family} ${b.direction} ${b.interface}`);
  for (const b of policy.bindings) {
    const other: IpFamily = b.family === 4 ? 6 : 4;
    if (bound.has(`${other} ${b.direction} ${b.interface}`)) continue;
    out.push({ interface: b.interface, direction: b.direction, filtered: b.family, open: other, acl: b.acl, at: `${b.at.file}:${b.at.line}` });
  }
  return out;
}
