/**
 * Groups a trace's packets into flows (connections) and decides each flow's
 * outcome: passed, or blocked at its first denied packet.
 */
import { formatEndpoint, formatIp, ipKey } from '../net/address.js';
import { describePacket, hasPorts, protoName, TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN, type Packet } from '../net/packet.js';
import type { Trace, TracePacket } from '../engine/trace.js';
import { printableText } from '../net/payload-text.js';
import { describeProvenance, type Provenance } from '../engine/verdict.js';

/** What a flow is for. */
export type FlowRole = 'control' | 'data' | 'other';

/** The first packet of a flow that the firewall denied. */
export interface BlockedPacket {
  /** 1-based packet number in the trace */
  readonly n: number;
  readonly tMs: number;
  /** e.g. "SYN-ACK 192.168.10.1:50021 → 10.0.0.2:50001" */
  readonly packet: string;
  /** the deciding rule, state or default, as text */
  readonly by: string;
  readonly provenance: Provenance;
}

/** One connection (or, for other protocols, one address/port pair) seen in a trace. */
export interface Flow {
  /** 1-based, in order of first packet */
  readonly id: number;
  readonly role: FlowRole;
  readonly proto: string;
  readonly session?: string;
  /** the initiator, `ip:port` */
  readonly client: string;
  /** the responder, `ip:port` */
  readonly server: string;
  readonly outcome: 'passed' | 'blocked';
  readonly firstBlocked: BlockedPacket | null;
  readonly packets: number;
  /** transport payload bytes that passed the firewall */
  readonly bytesPassed: number;
  /** trace numbers of this flow's packets, in order */
  readonly packetNumbers: readonly number[];
}

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

/**
 * Builds the flows of a trace. The simulator labels each packet with its
 * connection; for unlabelled packets (captures) flows are keyed by address/port
 * pair, a fresh SYN after FIN or RST starting a new flow, and port 21 marks control.
 */
export function buildFlows(trace: Trace, roleOf?: (tp: TracePacket, client: string, server: string) => FlowRole | undefined): Flow[] {
  const flows: Building[] = [];
  const open = new Map<string, Building>();
  for (const tp of trace.packets) {
    const p = tp.packet;
    const key = tp.connection ? `${tp.session ?? ''}#${tp.connection.id}` : pairKey(p);
    let f = open.get(key);
    const isSyn = p.proto === 6 && (p.tcpFlags & (TCP_SYN | TCP_ACK)) === TCP_SYN;
    if (f && !tp.connection && f.closed && isSyn) f = undefined;
    if (!f) {
      f = {
        id: flows.length + 1,
        role: tp.connection?.role,
        proto: p.proto,
        session: tp.session,
        client: endpoint(p, 'src'),
        server: endpoint(p, 'dst'),
        closed: false,
        firstBlocked: null,
        numbers: [],
        bytesPassed: 0,
      };
      // A capture may start mid-connection with a SYN-ACK: its destination is the initiator.
      if (p.proto === 6 && (p.tcpFlags & (TCP_SYN | TCP_ACK)) === (TCP_SYN | TCP_ACK)) {
        f.client = endpoint(p, 'dst');
        f.server = endpoint(p, 'src');
      }
      flows.push(f);
      open.set(key, f);
    }
    f.numbers.push(tp.n);
    if (p.tcpFlags & (TCP_FIN | TCP_RST)) f.closed = true;
    if (tp.verdict.action === 'deny') {
      f.firstBlocked ??= {
        n: tp.n,
        tMs: tp.tMs,
        packet: describeWithText(p),
        by: describeProvenance(tp.verdict.by, 'deny'),
        provenance: tp.verdict.by,
      };
    } else {
      f.bytesPassed += p.payload.length;
    }
    if (f.role === undefined && roleOf) f.role = roleOf(tp, f.client, f.server);
  }
  return flows.map((f) => ({
    id: f.id,
    role: f.role ?? guessRole(f),
    proto: protoName(f.proto),
    ...(f.session !== undefined ? { session: f.session } : {}),
    client: f.client,
    server: f.server,
    outcome: f.firstBlocked ? 'blocked' : 'passed',
    firstBlocked: f.firstBlocked,
    packets: f.numbers.length,
    bytesPassed: f.bytesPassed,
    packetNumbers: f.numbers,
  }));
}

/** The packet summary, with its control text when it carries any: `data 10.0.0.2:50000 → 192.168.10.1:21 "PORT 10,0,0,2,"`. */
function describeWithText(p: Packet): string {
  const text = printableText(p.payload);
  return text === undefined ? describePacket(p) : `${describePacket(p)} "${text}"`;
}


function guessRole(f: Building): FlowRole {
  if (f.proto !== 6) return 'other';
  return f.server.endsWith(`:${FTP_CONTROL_PORT}`) ? 'control' : 'other';
}
