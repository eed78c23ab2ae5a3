/**
 * The builders both run paths share: a packet row, the first blocked packet of a
 * flow, and the words of a verdict. A scenario and a capture of it say the same.
 */
import { describePacket, formatTcpFlags, packetDestination, packetSource, protoName, PROTO_TCP, type Packet } from '../net/packet.js';
import { printableFirstLine, printableText } from '../net/payload-text.js';
import { describeProvenance, type Verdict } from '../engine/verdict.js';
import type { BlockedPacket, Flow, PacketRow } from './run.js';

/** What only a simulation knows about a packet: its session and what the endpoint did. */
export interface PacketExtra {
  readonly session?: string | undefined;
  readonly note?: string | undefined;
}

/** The report row of one packet at the firewall. */
export function packetRow(
  p: Packet,
  n: number,
  tMs: number,
  ingress: string,
  egress: string,
  verdict: Verdict,
  flow: number,
  extra: PacketExtra = {},
): PacketRow {
  const text = printableFirstLine(p.payload);
  // the keys in the report's order, added one by one (objects spread into a literal made a copy per key group, per packet)
  const row: Mutable<PacketRow> = { n, tMs, src: packetSource(p), dst: packetDestination(p), proto: protoName(p.proto) } as Mutable<PacketRow>;
  if (p.proto === PROTO_TCP) row.flags = formatTcpFlags(p.tcpFlags);
  row.len = p.payload.length;
  if (text !== undefined) row.text = text;
  row.ingress = ingress;
  row.egress = egress;
  row.action = verdict.action;
  row.by = describeProvenance(verdict.by, verdict.action);
  row.flow = flow;
  if (extra.session !== undefined) row.session = extra.session;
  if (extra.note !== undefined) row.note = extra.note;
  return row;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** The packet summary with its control text when it carries any: `data 10.0.0.2:50000 → 192.168.10.1:21 "PORT 10,0,0,2,"`. */
export function describeWithText(p: Packet): string {
  const text = printableText(p.payload);
  return text === undefined ? describePacket(p) : `${describePacket(p)} "${text}"`;
}

/** The first blocked packet of a flow, from the denied packet and its verdict. */
export function blockedPacket(p: Packet, n: number, tMs: number, verdict: Verdict): BlockedPacket {
  return { n, tMs, packet: describeWithText(p), by: describeProvenance(verdict.by, 'deny'), provenance: verdict.by };
}

/** `3 flows`, `1 flow`. */
export function countWord(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** `<packet> denied by <by>`, the words every summary uses for a blocked packet. */
export function blockedText(b: BlockedPacket): string {
  return `${b.packet} denied by ${b.by}`;
}

/** The verdict of a run without sessions that had blocked flows: `2 flows of 4 blocked; first: data SYN-ACK … denied by …`. */
export function blockedFlowsText(blocked: number, total: number, first: Pick<Flow, 'role' | 'firstBlocked'> | undefined): string {
  return `${countWord(blocked, 'flow')} of ${total} blocked${first?.firstBlocked ? `; first: ${first.role} ${blockedText(first.firstBlocked)}` : ''}`;
}
