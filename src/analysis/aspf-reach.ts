/**
 * Does an FTP client's SYN to the control port ever cross an ASPF application point with the packet
 * filters' permission? ASPF makes a session only of a connection whose first packet crossed the
 * interface in the applied direction and was permitted (facts sheet 7.1, 7.3); where no such SYN can
 * pass, FTP's return traffic meets the packet filters, and `check` warns.
 */
import type { Diagnostic } from '../diag/diagnostic.js';
import { ipv4, ipv6, type IpAddress, type IpFamily } from '../net/address.js';
import { PROTO_TCP, TCP_SYN, type Packet } from '../net/packet.js';
import type { AddrMatch, Direction, Policy, SessionPoint } from '../policy/model.js';
import { crossesPoint, pointText } from '../policy/sessions.js';
import { checkAcls, compilePolicy, type CompiledPolicy } from '../engine/static.js';
import type { Verdict } from '../engine/verdict.js';

/** At most this many distinct addresses per family are tried as client and server. */
const MAX_CANDIDATES = 48;
/** Names of interfaces that forward nothing (loopbacks, the null interface). */
const NOT_TRANSIT = /^(loopback|inloopback|null|register-tunnel)/i;
/** An ephemeral client port, as clients pick them. */
const CLIENT_PORT = 50000;

/** Warnings for ASPF applications that no FTP client's SYN to the control port can cross. */
export function aspfReachWarnings(policy: Policy): Diagnostic[] {
  const points = policy.sessionScope?.points ?? [];
  if (points.length === 0) return [];
  const families = [...new Set(policy.bindings.map((b) => b.family))];
  if (families.length === 0) return [];
  const compiled = compilePolicy(policy);
  const transit = policy.interfaces.filter((i) => !NOT_TRANSIT.test(i));
  const out: Diagnostic[] = [];
  for (const point of points) {
    if (point.interface === '*') continue;
    const ports = ftpPorts(policy, point);
    if (ports.length === 0) continue;
    const others = transit.filter((i) => i !== point.interface);
    const peers = others.length > 0 ? others : ['(another interface)'];
    let passes = false;
    let blocked: Verdict | undefined;
    for (const direction of point.direction === 'both' ? (['inbound', 'outbound'] as const) : [point.direction]) {
      for (const peer of peers) {
        const [ingress, egress] = direction === 'inbound' ? [point.interface, peer] : [peer, point.interface];
        for (const family of families) {
          const found = searchSyn(compiled, policy, family, ports, ingress, egress);
          if (found.permitted) passes = true;
          else blocked ??= found.denied;
        }
      }
    }
    if (passes) continue;
    out.push(warning(policy, point, ports, blocked, transit, compiled, families));
  }
  return out;
}

/** The control ports of the FTP inspections at this point, or 21 when the point tracks TCP without `detect ftp`. */
function ftpPorts(policy: Policy, point: SessionPoint): number[] {
  const here = policy.inspections.filter((i) => i.interface === point.interface && i.direction === point.direction);
  const ports = here.length > 0 ? [...new Set(here.flatMap((i) => i.ports))] : [21];
  return ports.filter((p) => crossesPoint(point, PROTO_TCP, p, point.interface, point.interface));
}

function baseOf(m: AddrMatch): IpAddress | undefined {
  if (m.kind === 'v4') return ipv4((m.addr & ~m.wildcard) >>> 0);
  if (m.kind === 'v6') return ipv6(m.addr[0], m.addr[1], m.addr[2], m.addr[3]);
  return undefined;
}

/** Addresses worth trying: every address an ACL of the family names, and one that none names. */
function candidates(policy: Policy, family: IpFamily): IpAddress[] {
  const seen = new Map<string, IpAddress>();
  const add = (a: IpAddress | undefined): void => {
    if (a && a.family === family && seen.size < MAX_CANDIDATES) seen.set(JSON.stringify(a), a);
  };
  add(family === 4 ? ipv4(0xc6336407) : ipv6(0x20010db8, 0, 0, 7)); // 198.51.100.7, 2001:db8::7 (documentation ranges)
  add(family === 4 ? ipv4(0xcb00710a) : ipv6(0x20010db8, 0xffff, 0, 10)); // 203.0.113.10
  for (const acl of policy.acls) {
    if (acl.family !== family) continue;
    for (const r of acl.rules) {
      add(baseOf(r.src));
      add(baseOf(r.dst));
    }
  }
  return [...seen.values()];
}

function syn(src: IpAddress, dst: IpAddress, dstPort: number): Packet {
  return { src, dst, proto: PROTO_TCP, srcPort: CLIENT_PORT, dstPort, tcpFlags: TCP_SYN, seq: 0, ack: 0, window: 64240, payload: new Uint8Array(0), fragment: 'none' };
}

function searchSyn(
  compiled: CompiledPolicy,
  policy: Policy,
  family: IpFamily,
  ports: readonly number[],
  ingress: string,
  egress: string,
): { permitted: boolean; denied?: Verdict } {
  const addrs = candidates(policy, family);
  let denied: Verdict | undefined;
  for (const src of addrs)
    for (const dst of addrs) {
      if (src === dst) continue;
      for (const port of ports) {
        const v = checkAcls(compiled, syn(src, dst, port), ingress, egress);
        if (v.action === 'permit') return { permitted: true };
        denied ??= v;
      }
    }
  return denied ? { permitted: false, denied } : { permitted: false };
}

function verdictText(v: Verdict | undefined): string {
  const by = v?.by;
  if (!by) return 'the packet filters deny it';
  const where = `${by.kind === 'rule' || by.kind === 'default' ? (by.direction === 'inbound' ? 'entering' : 'leaving by') : 'crossing'} ${by.kind === 'rule' || by.kind === 'default' ? by.interface : ''}`;
  if (by.kind === 'rule') return `a SYN ${where} is denied by acl ${by.acl} rule ${by.ruleId} (${by.ruleText}, ${by.at.file}:${by.at.line})`;
  if (by.kind === 'default') return `a SYN ${where} matches no rule of acl ${by.acl ?? '?'} and the default action denies it`;
  return 'the packet filters deny it';
}

function warning(
  policy: Policy,
  point: SessionPoint,
  ports: readonly number[],
  blocked: Verdict | undefined,
  transit: readonly string[],
  compiled: CompiledPolicy,
  families: readonly IpFamily[],
): Diagnostic {
  const portText = ports.length === 1 ? `port ${ports[0]}` : `ports ${ports.join(', ')}`;
  // Where would it work? The interface where clients' SYNs enter by a permitting rule (the client side).
  let better: string | undefined;
  for (const iface of transit) {
    for (const dir of ['inbound', 'outbound'] as Direction[]) {
      if (better || (iface === point.interface && (point.direction === dir || point.direction === 'both'))) continue;
      const peers = transit.filter((i) => i !== iface);
      for (const peer of peers.length > 0 ? peers : ['(another interface)']) {
        const [ingress, egress] = dir === 'inbound' ? [iface, peer] : [peer, iface];
        if (families.some((f) => searchSyn(compiled, policy, f, ports, ingress, egress).permitted)) {
          better = `${dir} on ${iface}`;
          break;
        }
      }
    }
  }
  return {
    severity: 'warning',
    message:
      `ASPF applied ${pointText(point)} never sees an FTP client's SYN to ${portText}: ${verdictText(blocked)}. ` +
      'No FTP control connection becomes an ASPF session here, so its return traffic and data connections meet the packet filters (FTP is blocked where they deny them)',
    ...(point.at ? { span: point.at } : {}),
    ...(better ? { suggestion: `apply it ${better}, where the clients' SYNs pass` } : {}),
  };
}
