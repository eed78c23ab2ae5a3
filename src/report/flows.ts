/**
 * Groups a trace's packets into flows (connections) and decides each flow's
 * outcome: passed, or blocked at its first denied packet.
 */
import { formatEndpoint, formatIp, ipKey } from '../net/address.js';
import { hasPorts, protoName, TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN, type Packet } from '../net/packet.js';
import type { Trace, TracePacket } from '../engine/trace.js';
import { blockedPacket, type BlockedPacket, type Flow, type FlowRole } from '../model/index.js';

export type { BlockedPacket, Flow, FlowRole } from '../model/index.js';

/** Well-known FTP control port (RFC 959). */
const FTP_CONTROL_PORT = 21;

interface Building {
  id: number;
  role: FlowRole | undefined;
  proto: number;
  session: string | undefined;
  client: string;
  server: string;
  closed: boolean;
  firstBlocked: BlockedPacket | null;
  numbers: number[];
  packets: number;
  bytesPassed: number;
}

function endpoint(p: Packet, side: 'src' | 'dst'): string {
  if (!hasPorts(p)) return formatIp(p[side]);
  return side === 'src' ? formatEndpoint(p.src, p.srcPort) : formatEndpoint(p.dst, p.dstPort);
}

/** An order-independent key of the packet's address/port pair. */
function pairKey(p: Packet): string {
  const a = `${ipKey(p.src)}/${hasPorts(p) ? p.srcPort : ''}`;
  const b = `${ipKey(p.dst)}/${hasPorts(p) ? p.dstPort : ''}`;
  return a < b ? `${p.proto}|${a}|${b}` : `${p.proto}|${b}|${a}`;
}

/** How a packet's role is told when the simulator did not label it. */
export type RoleOf = (tp: TracePacket, client: string, server: string) => FlowRole | undefined;

/**
 * Groups packets into flows one packet at a time, so a run can hand its packets over as they
 * are made and keep none. The simulator labels each packet with its connection; for unlabelled
 * packets (captures) flows are keyed by address/port pair, a fresh SYN after FIN or RST starting
 * a new flow, and port 21 marks control.
 */
export class FlowBuilder {
  private readonly building: Building[] = [];
  private readonly open = new Map<string, Building>();

  constructor(
    private readonly roleOf?: RoleOf,
    /** keep each flow's packet numbers (needed only to place packet rows) */
    private readonly keepNumbers = true,
  ) {}

  /** Adds the next packet; returns the id of its flow. */
  add(tp: TracePacket): number {
    const p = tp.packet;
    const key = tp.connection ? `${tp.session ?? ''}#${tp.connection.id}` : pairKey(p);
    let f = this.open.get(key);
    const isSyn = p.proto === 6 && (p.tcpFlags & (TCP_SYN | TCP_ACK)) === TCP_SYN;
    if (f && !tp.connection && f.closed && isSyn) f = undefined;
    if (!f) {
      f = {
        id: this.building.length + 1,
        role: tp.connection?.role,
        proto: p.proto,
        session: tp.session,
        client: endpoint(p, 'src'),
        server: endpoint(p, 'dst'),
        closed: false,
        firstBlocked: null,
        numbers: [],
        packets: 0,
        bytesPassed: 0,
      };
      // A capture may start mid-connection with a SYN-ACK: its destination is the initiator.
      if (p.proto === 6 && (p.tcpFlags & (TCP_SYN | TCP_ACK)) === (TCP_SYN | TCP_ACK)) {
        f.client = endpoint(p, 'dst');
        f.server = endpoint(p, 'src');
      }
      this.building.push(f);
      this.open.set(key, f);
    }
    f.packets++;
    if (this.keepNumbers) f.numbers.push(tp.n);
    if (p.tcpFlags & (TCP_FIN | TCP_RST)) f.closed = true;
    if (tp.verdict.action === 'deny') {
      f.firstBlocked ??= blockedPacket(p, tp.n, tp.tMs, tp.verdict);
    } else {
      f.bytesPassed += p.payload.length;
    }
    if (f.role === undefined && this.roleOf) f.role = this.roleOf(tp, f.client, f.server);
    return f.id;
  }

  /** The flows so far, in order of first packet (`packetNumbers` empty unless kept). */
  flows(): Flow[] {
    return this.building.map((f) => ({
      id: f.id,
      role: f.role ?? guessRole(f),
      proto: protoName(f.proto),
      ...(f.session !== undefined ? { session: f.session } : {}),
      client: f.client,
      server: f.server,
      outcome: f.firstBlocked ? 'blocked' : 'passed',
      firstBlocked: f.firstBlocked,
      packets: f.packets,
      bytesPassed: f.bytesPassed,
      packetNumbers: f.numbers,
    }));
  }
}

/** Builds the flows of a trace (every packet through a FlowBuilder). */
export function buildFlows(trace: Trace, roleOf?: RoleOf): Flow[] {
  const b = new FlowBuilder(roleOf);
  for (const tp of trace.packets) b.add(tp);
  return b.flows();
}

function guessRole(f: Building): FlowRole {
  if (f.proto !== 6) return 'other';
  return f.server.endsWith(`:${FTP_CONTROL_PORT}`) ? 'control' : 'other';
}
