/**
 * Guessing where the capture's hosts sit when the user did not say: FTP servers
 * (hosts that receive SYNs to the control port) are inside, behind the config
 * interface whose ACLs or ASPF face the server; everyone else is outside.
 */
import { copyIp, formatIp, ipEquals, type IpAddress } from '../net/address.js';
import { PROTO_TCP, TCP_ACK, TCP_SYN } from '../net/packet.js';
import { addrMatches } from '../policy/compile.js';
import { findAcl, type Policy } from '../policy/model.js';
import { DECODE_OK, FrameDecoder, type CaptureReader } from '../wire/index.js';
import { makeTopology, type Topology, type TopologyEntry } from './topology.js';

/** Interface names used when the config names no interfaces. */
export const INSIDE_NAME = 'inside';
export const OUTSIDE_NAME = 'outside';

/** Records a guess looks at before it decides. */
export const GUESS_SCAN_RECORDS = 200_000;

/** What a quick look at the start of a capture found. */
export interface CaptureScan {
  /** FTP servers, in order of first sight */
  readonly servers: readonly IpAddress[];
  /** absolute time of the first stamped record (0 when none) */
  readonly firstSec: number;
  readonly firstNsec: number;
  /** TCP connections opened (SYN without ACK) in the records looked at */
  readonly connectionStarts: number;
  /** the file's bytes up to the end of the last record looked at */
  readonly bytesScanned: number;
  /** true when the scan read the whole capture */
  readonly complete: boolean;
}

/**
 * The FTP servers of a capture, in order of first sight: destinations of SYNs to a
 * control port; failing that, the first host seen talking from a control port.
 * Closes the reader.
 */
export function scanCapture(reader: CaptureReader, controlPorts: readonly number[], maxRecords = GUESS_SCAN_RECORDS): CaptureScan {
  const servers: IpAddress[] = [];
  const fromPort: IpAddress[] = [];
  const decoder = new FrameDecoder(true);
  const c = reader.cursor;
  let seen = 0;
  let firstSec = 0;
  let firstNsec = 0;
  let stamped = false;
  let connectionStarts = 0;
  let complete = false;
  const add = (list: IpAddress[], a: IpAddress): void => {
    if (list.length < 64 && !list.some((s) => ipEquals(s, a))) list.push(copyIp(a));
  };
  for (;;) {
    if (seen++ >= maxRecords) break;
    if (!c.advance()) {
      complete = true;
      break;
    }
    if (!stamped && c.hasTimestamp) {
      stamped = true;
      firstSec = c.tsSec;
      firstNsec = c.tsNsec;
    }
    if (decoder.decode(c.linkType, c.buffer, c.dataStart, c.dataStart + c.capturedLength) !== DECODE_OK) continue;
    const p = decoder.packet;
    if (p.proto !== PROTO_TCP || p.fragment === 'later') continue;
    const opens = (p.tcpFlags & (TCP_SYN | TCP_ACK)) === TCP_SYN;
    if (opens) connectionStarts++;
    if (opens && controlPorts.includes(p.dstPort)) add(servers, p.dst);
    else if (controlPorts.includes(p.srcPort)) add(fromPort, p.src);
    else if (controlPorts.includes(p.dstPort)) add(fromPort, p.dst);
  }
  const bytesScanned = c.n > 0 ? c.dataOffset + c.capturedLength : 0;
  reader.close();
  return { servers: servers.length > 0 ? servers : fromPort.slice(0, 1), firstSec, firstNsec, connectionStarts, bytesScanned, complete };
}

/**
 * Scores each config interface by how much its bindings say it faces the servers:
 * an inbound ACL whose rules name a server as source (its replies arrive there), an
 * outbound ACL naming it as destination; the opposite counts against, as does ASPF
 * inbound (where clients' first packets arrive); the best-scored interface wins.
 * With no such hint, the one interface with an inbound packet-filter is taken as
 * the server side.
 */
export function serverInterface(policy: Policy, servers: readonly IpAddress[]): string | undefined {
  const ifaces = interfacesOf(policy);
  const score = new Map<string, number>(ifaces.map((i) => [i, 0]));
  const bump = (iface: string, by: number): void => {
    score.set(iface, (score.get(iface) ?? 0) + by);
  };
  for (const b of policy.bindings) {
    const acl = findAcl(policy, b.acl, b.family);
    if (!acl) continue;
    for (const rule of acl.rules) {
      for (const s of servers) {
        const asSrc = rule.src.kind !== 'any' && addrMatches(rule.src, s);
        const asDst = rule.dst.kind !== 'any' && addrMatches(rule.dst, s);
        const sign = b.direction === 'inbound' ? 1 : -1;
        if (asSrc) bump(b.interface, sign);
        if (asDst) bump(b.interface, -sign);
      }
    }
  }
  for (const i of policy.inspections) if (i.interface !== '*' && i.direction === 'inbound') bump(i.interface, -1);
  // the single best-scored interface, when any binding said anything at all
  const ranked = [...score].sort((a, b) => b[1] - a[1]);
  const evidence = ranked.some(([, v]) => v !== 0);
  if (evidence && (ranked.length === 1 || ranked[0]![1] > ranked[1]![1])) return ranked[0]![0];
  const inbound = [...new Set(policy.bindings.filter((b) => b.direction === 'inbound').map((b) => b.interface))];
  if (inbound.length === 1) return inbound[0];
  return undefined;
}

/** The interfaces a config names, bindings first in config order. */
export function interfacesOf(policy: Policy): string[] {
  return [...new Set([...policy.interfaces, ...policy.bindings.map((b) => b.interface), ...policy.inspections.map((i) => i.interface).filter((i) => i !== '*')])];
}

/** The other interface when a config has exactly two; else the generic outside name. */
export function otherInterface(policy: Policy, inside: readonly string[]): string {
  const rest = interfacesOf(policy).filter((i) => !inside.includes(i));
  return rest.length >= 1 ? rest[0]! : OUTSIDE_NAME;
}

/** A guessed topology and the info line that tells the user about it. */
export interface TopologyGuess {
  readonly topology: Topology;
  /** e.g. "topology guessed: 192.168.10.1 inside on GigabitEthernet2/1/10, everything else on GigabitEthernet2/1/1; use --inside to change it" */
  readonly message: string | undefined;
}

/**
 * Completes what the user gave: nothing → servers inside, the rest outside; prefixes
 * without a default interface → the rest on the other config interface.
 */
export function completeTopology(policy: Policy, given: Topology | undefined, servers: readonly IpAddress[]): TopologyGuess {
  if (given && given.defaultIface !== undefined) return { topology: given, message: undefined };
  if (given && given.entries.length > 0) {
    const outside = otherInterface(policy, given.entries.map((e) => e.iface));
    return {
      topology: makeTopology(given.entries, outside),
      message: `topology: everything not inside on ${outside} (guessed; use --outside-interface to change it)`,
    };
  }
  const inside = serverInterface(policy, servers) ?? interfacesOf(policy)[0] ?? INSIDE_NAME;
  const outside = otherInterface(policy, [inside]);
  const entries: TopologyEntry[] = servers.map((s) => ({
    prefix: { addr: s, prefixLen: s.family === 4 ? 32 : 128 },
    iface: inside,
    origin: 'guess',
  }));
  const who = servers.length === 0 ? 'no FTP server found,' : `${servers.map(formatIp).join(', ')} inside on ${inside},`;
  return {
    topology: makeTopology(entries, outside),
    message: `topology guessed: ${who} everything else on ${outside}; use --inside to change it`,
  };
}
