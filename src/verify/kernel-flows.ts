/**
 * Kernel outcomes per connection, from the forwarding decisions read off the
 * firewall capture, in the same terms as report/flows.ts: initiator (`client`),
 * responder (`server`), role, passed or blocked at the first packet the kernel
 * did not forward.
 */
import { parseIp } from '../net/address.js';
import { describePacket, TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN, PROTO_TCP } from '../net/packet.js';
import { endpointText, type ArrivedSegment, type CapturedSegment } from './capture.js';

/** The first packet of a flow that arrived at the firewall and never left it. */
export interface KernelBlockedPacket {
  /** 1-based record number in the capture */
  readonly n: number;
  /** e.g. "SYN-ACK 192.168.10.1:50000 → 10.0.0.2:50001" */
  readonly packet: string;
  /** the H3C interface it arrived on (or the Linux name when the map does not know it) */
  readonly ingress: string;
  /** the Linux interface it arrived on */
  readonly device: string;
}

/** One TCP connection through the kernel firewall. */
export interface KernelFlow {
  /** 1-based, in order of first packet */
  readonly id: number;
  readonly session?: string;
  readonly role: 'control' | 'data' | 'other';
  readonly proto: 'tcp';
  /** the initiator, `ip:port` */
  readonly client: string;
  /** the responder, `ip:port` */
  readonly server: string;
  readonly outcome: 'passed' | 'blocked';
  readonly firstBlocked: KernelBlockedPacket | null;
  /** segments that arrived at the firewall */
  readonly packets: number;
  /** arrived segments the kernel did not forward */
  readonly dropped: number;
  /** the initiator's SYN and the responder's SYN-ACK both crossed the firewall */
  readonly handshakeForwarded: boolean;
}

/** Which scenario session and role a connection belongs to. */
export type FlowClassifier = (client: string, server: string) => { session?: string; role: KernelFlow['role'] };

/** Interface index → [Linux name, H3C name]. */
export type InterfaceNames = ReadonlyMap<number, { readonly device: string; readonly h3c: string | undefined }>;

interface Building {
  id: number;
  client: string;
  server: string;
  closed: boolean;
  packets: number;
  dropped: number;
  firstBlocked: KernelBlockedPacket | null;
  syn: boolean;
  synAck: boolean;
}

function describe(s: CapturedSegment): string {
  const src = parseIp(s.src);
  const dst = parseIp(s.dst);
  if (!src || !dst) return `${s.src}:${s.srcPort} → ${s.dst}:${s.dstPort}`;
  return describePacket({
    src,
    dst,
    proto: PROTO_TCP,
    srcPort: s.srcPort,
    dstPort: s.dstPort,
    tcpFlags: s.flags,
    seq: s.seq,
    ack: s.ack,
    window: 0,
    payload: new Uint8Array(s.payloadLength),
    fragment: 'none',
  });
}

/** Groups arrived segments into connections (each one's flow id goes to `flowIds`, in order, when given) (a new SYN after FIN/RST starts a new one) and decides each outcome. */
export function kernelFlows(arrived: readonly ArrivedSegment[], names: InterfaceNames, classify: FlowClassifier, flowIds?: number[]): KernelFlow[] {
  const flows: Building[] = [];
  const open = new Map<string, Building>();
  for (const { segment: s, forwardedAs, view } of arrived) {
    const a = endpointText(view.src, view.srcPort);
    const b = endpointText(view.dst, view.dstPort);
    const key = a < b ? `${a}|${b}` : `${b}|${a}`;
    const isSyn = (s.flags & (TCP_SYN | TCP_ACK)) === TCP_SYN;
    let f = open.get(key);
    if (f && f.closed && isSyn) f = undefined;
    if (!f) {
      // Without a SYN (capture started late) the SYN-ACK's destination, else the sender, is taken as initiator.
      const synAck = (s.flags & (TCP_SYN | TCP_ACK)) === (TCP_SYN | TCP_ACK);
      f = { id: flows.length + 1, client: synAck ? b : a, server: synAck ? a : b, closed: false, packets: 0, dropped: 0, firstBlocked: null, syn: false, synAck: false };
      flows.push(f);
      open.set(key, f);
    }
    f.packets++;
    if (flowIds) flowIds.push(f.id);
    if (s.flags & (TCP_FIN | TCP_RST)) f.closed = true;
    const forwarded = forwardedAs !== undefined;
    if (forwarded && isSyn && a === f.client) f.syn = true;
    if (forwarded && (s.flags & (TCP_SYN | TCP_ACK)) === (TCP_SYN | TCP_ACK) && a === f.server) f.synAck = true;
    if (!forwarded) {
      f.dropped++;
      const name = names.get(s.ifindex);
      f.firstBlocked ??= { n: s.n, packet: describe(s), ingress: name?.h3c ?? name?.device ?? `ifindex ${s.ifindex}`, device: name?.device ?? `ifindex ${s.ifindex}` };
    }
  }
  return flows.map((f) => {
    const c = classify(f.client, f.server);
    return {
      id: f.id,
      ...(c.session !== undefined ? { session: c.session } : {}),
      role: c.role,
      proto: 'tcp',
      client: f.client,
      server: f.server,
      outcome: f.firstBlocked ? 'blocked' : 'passed',
      firstBlocked: f.firstBlocked,
      packets: f.packets,
      dropped: f.dropped,
      handshakeForwarded: f.syn && f.synAck,
    };
  });
}
