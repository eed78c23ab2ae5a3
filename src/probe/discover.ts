/**
 * Who talks FTP through a policy: the servers the config names (rules for port
 * 21, `nat server … 21`), the interface each sits behind, and a representative
 * client address on every other interface. Also which interfaces filter one IP
 * family and leave the other open.
 */
import { formatIp, ipEquals, ipv4, ipv6, parseIp, type IpAddress, type IpFamily } from '../net/address.js';
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

/** The interface a server sits behind, from where a rule naming it is bound; undefined when no binding tells. */
export function serverInterface(policy: Policy, address: IpAddress): string | undefined {
  const ifaces = allInterfaces(policy);
  for (const b of policy.bindings) {
    const acl = findAcl(policy, b.acl, b.family);
    if (!acl || acl.family !== address.family) continue;
    for (const r of acl.rules) {
      const asSrc = hostOf(r.src);
      const asDst = hostOf(r.dst);
      const src = asSrc !== undefined && ipEquals(asSrc, address);
      const dst = asDst !== undefined && ipEquals(asDst, address);
      if (!src && !dst) continue;
      // a packet from the server enters by its interface; a packet to it leaves by it
      if ((src && b.direction === 'inbound') || (dst && b.direction === 'outbound')) return b.interface;
      const other = ifaces.find((i) => i !== b.interface);
      if (other) return other;
    }
  }
  return undefined;
}

/** FTP servers named by the config: hosts in rules for port 21 and `nat server … 21 inside ADDR 21` lines. */
export function discoverServers(policy: Policy, configText: string): { servers: ProbeServer[]; notes: string[] } {
  const found: ProbeServer[] = [];
  const notes: string[] = [];
  const add = (address: IpAddress, origin: string, iface: string | undefined): void => {
    if (found.some((s) => ipEquals(s.address, address))) return;
    const where = iface ?? serverInterface(policy, address);
    if (!where) {
      notes.push(`${formatIp(address)} (${origin}) looks like an FTP server, but no bound ACL tells which interface it sits behind: give --server ${formatIp(address)}@INTERFACE`);
      return;
    }
    found.push({ address, interface: where, origin });
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

/**
 * One representative client per interface other than the server's: an address that no rule names
 * specifically (so it stands for "any address" there); when the rules name every candidate looked at,
 * one they name, and each interface has its own.
 */
export function defaultClients(policy: Policy, server: ProbeServer, family: IpFamily): ProbeClient[] {
  const named: AddrMatch[] = [];
  for (const acl of policy.acls) if (acl.family === family) for (const r of acl.rules) for (const m of [r.src, r.dst]) if (m.kind !== 'any') named.push(m);
  const candidates = candidateAddresses(family);
  let looked = 0;
  /** candidates a rule names, not given out yet: used once the unnamed ones run out */
  const namedOnes: IpAddress[] = [];
  const next = (): IpAddress | undefined => {
    while (looked < MAX_CANDIDATES) {
      const r = candidates.next();
      if (r.done) break;
      looked++;
      const a = r.value;
      if (ipEquals(a, server.address)) continue;
      if (named.some((m) => addrMatches(m, a))) namedOnes.push(a);
      else return a;
    }
    if (namedOnes.length > 0) return namedOnes.shift();
    // past the bound: the next candidates in order, named or not
    for (let r = candidates.next(); !r.done; r = candidates.next()) if (!ipEquals(r.value, server.address)) return r.value;
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
