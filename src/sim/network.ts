/**
 * The simulated network: host stacks behind firewall interfaces, and the path
 * between them. Every packet that crosses from one interface to another goes
 * through `firewall.step` and into the trace; a denied packet is never delivered.
 */
import { formatIp, ipKey, type IpAddress } from '../net/address.js';
import type { Packet } from '../net/packet.js';
import type { TracePacket } from '../engine/trace.js';
import type { Firewall, TraceEvent } from '../engine/verdict.js';
import type { EventQueue } from './clock.js';
import type { Prng } from './prng.js';
import { HostStack } from './host-stack.js';

/** One-way delay from a sender to a receiver, through the firewall (constant, so traces are deterministic). */
export const LINK_LATENCY_MS = 1;

/** What the simulator knows about a connection, for the trace. */
export interface ConnectionLabel {
  readonly session: string;
  /** 1-based, in order of the first SYN */
  readonly id: number;
  readonly role: 'control' | 'data' | 'other';
}

/** A flat key of a TCP connection, the same from both ends. */
export function connectionKey(a: IpAddress, aPort: number, b: IpAddress, bPort: number): string {
  const x = `${ipKey(a)}/${aPort}`;
  const y = `${ipKey(b)}/${bPort}`;
  return x < y ? `${x}|${y}` : `${y}|${x}`;
}

/** Takes each packet of the trace as it is made (instead of the trace keeping it). */
export type PacketSink = (tp: TracePacket) => void;

/** Hosts, routing between interfaces, the firewall on the path, and the trace being written. */
export class Network {
  /** every packet that met the firewall, unless a sink takes them (then empty) */
  readonly packets: TracePacket[] = [];
  private packetCount = 0;
  readonly events: TraceEvent[] = [];
  private readonly stacks = new Map<string, HostStack>();
  private readonly interfaces: string[] = [];
  private readonly labels = new Map<string, ConnectionLabel>();
  private nextConnectionId = 1;

  /** the VPN instance of each host address that has one (scenario `vpn:`); the others are public */
  private readonly vpns = new Map<string, string>();

  constructor(
    readonly queue: EventQueue,
    private readonly firewall: Firewall,
    /** draws initial sequence numbers */
    readonly isnSource: Prng,
    /** when given, each packet goes here as it is made and `packets` stays empty */
    private readonly sink?: PacketSink,
  ) {}

  /** Adds a host address behind `iface` (once per address; a second call returns the existing stack). */
  addHost(addr: IpAddress, iface: string, vpn?: string): HostStack {
    const key = ipKey(addr);
    const existing = this.stacks.get(key);
    if (existing) return existing;
    if (vpn !== undefined) this.vpns.set(key, vpn);
    const stack = new HostStack(this, addr, iface);
    this.stacks.set(key, stack);
    if (!this.interfaces.includes(iface)) this.interfaces.push(iface);
    return stack;
  }

  /** The stack that owns `addr`, if any host has it. */
  stackOf(addr: IpAddress): HostStack | undefined {
    return this.stacks.get(ipKey(addr));
  }

  /** Labels a new connection for the trace; returns its 1-based id. */
  labelConnection(local: IpAddress, localPort: number, remote: IpAddress, remotePort: number, session: string, role: ConnectionLabel['role']): number {
    const id = this.nextConnectionId++;
    this.labels.set(connectionKey(local, localPort, remote, remotePort), { session, id, role });
    return id;
  }

  /** Records an endpoint event (a sentence about what an endpoint did and why). */
  endpointEvent(text: string, packet?: number): void {
    this.events.push(packet === undefined ? { tMs: this.queue.nowMs, kind: 'endpoint', text } : { tMs: this.queue.nowMs, kind: 'endpoint', packet, text });
  }

  /**
   * Sends a packet from its source host. When the destination is a known host behind another
   * interface, the packet crosses the firewall (ingress = source's interface, egress =
   * destination's); a destination no host has leaves by `via` (the interface towards
   * whoever announced that address) and is never answered. Returns the trace number, or
   * undefined when the packet did not cross the firewall (both ends behind one interface).
   */
  transmit(packet: Packet, note?: string, via?: string): number | undefined {
    const from = this.stacks.get(ipKey(packet.src));
    if (!from) throw new Error(`no host has source address ${formatIp(packet.src)}`);
    const to = this.stacks.get(ipKey(packet.dst));
    const ingress = from.iface;
    const egress = to?.iface ?? via ?? this.interfaces.find((i) => i !== ingress) ?? ingress;
    const deliver = (out: Packet = packet): void => {
      const dest = out === packet ? to : this.stacks.get(ipKey(out.dst));
      if (dest) this.queue.after(LINK_LATENCY_MS, () => dest.deliver(out));
    };
    if (egress === ingress) {
      // Both ends on one side of the firewall: the packet never meets it.
      deliver();
      return undefined;
    }
    const nowMs = this.queue.nowMs;
    const n = ++this.packetCount;
    for (const e of this.firewall.advanceTo(nowMs)) this.events.push(e);
    const vpn = this.vpns.size > 0 ? this.vpns.get(ipKey(packet.src)) : undefined;
    const route = this.route;
    const result = this.firewall.step(packet, vpn === undefined ? { n, nowMs, ingress, egress, route } : { n, nowMs, ingress, egress, vpn, route });
    for (const e of result.events) this.events.push(e);
    const after = result.packet;
    // a translated packet carries the label of the side that named the connection (NAT)
    const label =
      this.labels.get(connectionKey(packet.src, packet.srcPort, packet.dst, packet.dstPort)) ??
      (after ? this.labels.get(connectionKey(after.src, after.srcPort, after.dst, after.dstPort)) : undefined);
    const tp: TracePacket = {
      n,
      tMs: nowMs,
      packet,
      ingress,
      egress: result.egress ?? egress,
      verdict: result.verdict,
      ...(result.packet ? { after: result.packet } : {}),
      ...(label ? { session: label.session, connection: { id: label.id, role: label.role } } : {}),
      ...(note !== undefined ? { note } : {}),
    };
    if (this.sink) this.sink(tp);
    else this.packets.push(tp);
    if (result.verdict.action === 'permit') deliver(result.packet);
    return n;
  }

  /** Routing after DNAT: the interface of the host that owns `dst`, if any. */
  private readonly route = (dst: IpAddress): string | undefined => this.stacks.get(ipKey(dst))?.iface;

  /** Lets the firewall's clock run to the current time (at the end of a simulation). */
  flushFirewall(): void {
    for (const e of this.firewall.advanceTo(this.queue.nowMs)) this.events.push(e);
  }
}
