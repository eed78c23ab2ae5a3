/** Helpers to read traces in simulator tests. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { formatEndpoint } from '../../src/net/address.js';
import { TCP_FIN, TCP_SYN } from '../../src/net/packet.js';
import type { Trace, TracePacket } from '../../src/engine/trace.js';
import { loadScenario } from '../../src/scenario/load.js';
import type { Scenario } from '../../src/scenario/model.js';

/** Loads scenarios/NAME.yaml or fails the test. */
export function bundled(name: string): Scenario {
  const file = `scenarios/${name}.yaml`;
  const { value, diagnostics } = loadScenario(readFileSync(resolve(__dirname, '../..', file), 'utf8'), file);
  if (!value || diagnostics.length > 0) throw new Error(`${file} did not load: ${JSON.stringify(diagnostics)}`);
  return value;
}

/** The payload as Latin-1 text. */
export function text(tp: TracePacket): string {
  return Buffer.from(tp.packet.payload).toString('latin1');
}

/** `10.0.0.2:50000` of the packet's source. */
export function from(tp: TracePacket): string {
  return formatEndpoint(tp.packet.src, tp.packet.srcPort);
}

/** `192.168.10.1:21` of the packet's destination. */
export function to(tp: TracePacket): string {
  return formatEndpoint(tp.packet.dst, tp.packet.dstPort);
}

/** Packets of one connection id. */
export function connection(trace: Trace, id: number): TracePacket[] {
  return trace.packets.filter((p) => p.connection?.id === id);
}

/** The control packet whose payload is exactly `line` + CRLF. */
export function line(trace: Trace, l: string): TracePacket {
  const p = trace.packets.find((x) => text(x) === `${l}\r\n`);
  if (!p) throw new Error(`no packet carries '${l}'`);
  return p;
}

/** Sequence space a segment takes: payload, plus one for SYN and for FIN (RFC 9293 3.4). */
export function seqLength(tp: TracePacket): number {
  const f = tp.packet.tcpFlags;
  return tp.packet.payload.length + (f & TCP_SYN ? 1 : 0) + (f & TCP_FIN ? 1 : 0);
}
