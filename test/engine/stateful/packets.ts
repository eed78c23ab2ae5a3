/** Builders for hand-made TCP conversations and a runner that numbers packets like a trace. */
import { parseIp, type IpAddress } from '../../../src/net/address.js';
import { PROTO_ICMP, PROTO_TCP, PROTO_UDP, TCP_ACK, TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN, type Packet } from '../../../src/net/packet.js';
import type { Firewall, StepResult, TraceEvent } from '../../../src/engine/verdict.js';

/** The client-side interface (as in the static engine tests). */
export const OUT = 'GigabitEthernet2/1/1';
/** The server-side interface. */
export const IN = 'GigabitEthernet2/1/10';

/** Parses an address or fails the test. */
export function ip(text: string): IpAddress {
  const a = parseIp(text);
  if (!a) throw new Error(`bad test address ${text}`);
  return a;
}

/** ASCII bytes of a string. */
export function bytes(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

/** One TCP segment. */
export function tcpSeg(src: string, srcPort: number, dst: string, dstPort: number, flags: number, seq = 0, ack = 0, payload = ''): Packet {
  return {
    src: ip(src),
    dst: ip(dst),
    proto: PROTO_TCP,
    srcPort,
    dstPort,
    tcpFlags: flags,
    seq: seq >>> 0,
    ack: ack >>> 0,
    window: 64240,
    payload: bytes(payload),
    fragment: 'none',
  };
}

/** One UDP datagram. */
export function udp(src: string, srcPort: number, dst: string, dstPort: number, payload = 'x'): Packet {
  return { src: ip(src), dst: ip(dst), proto: PROTO_UDP, srcPort, dstPort, tcpFlags: 0, seq: 0, ack: 0, window: 0, payload: bytes(payload), fragment: 'none' };
}

/** One ICMP message. */
export function icmp(src: string, dst: string, icmpType: number, icmpCode = 0): Packet {
  return { src: ip(src), dst: ip(dst), proto: PROTO_ICMP, srcPort: 0, dstPort: 0, tcpFlags: 0, seq: 0, ack: 0, window: 0, payload: new Uint8Array(0), fragment: 'none', icmpType, icmpCode };
}

/**
 * A TCP conversation between a client and a server that keeps both sequence
 * numbers, so each method returns the next segment with the right seq/ack.
 */
export class Conversation {
  cNext: number;
  sNext: number;
  constructor(
    readonly client: string,
    readonly cPort: number,
    readonly server: string,
    readonly sPort: number,
    clientIsn = 1000,
    serverIsn = 5000,
  ) {
    this.cNext = clientIsn;
    this.sNext = serverIsn;
  }
  private c2s(flags: number, payload = '', advance = true): Packet {
    const p = tcpSeg(this.client, this.cPort, this.server, this.sPort, flags, this.cNext, flags & TCP_ACK ? this.sNext : 0, payload);
    if (advance) this.cNext = (this.cNext + payload.length + (flags & TCP_SYN ? 1 : 0) + (flags & TCP_FIN ? 1 : 0)) >>> 0;
    return p;
  }
  private s2c(flags: number, payload = '', advance = true): Packet {
    const p = tcpSeg(this.server, this.sPort, this.client, this.cPort, flags, this.sNext, flags & TCP_ACK ? this.cNext : 0, payload);
    if (advance) this.sNext = (this.sNext + payload.length + (flags & TCP_SYN ? 1 : 0) + (flags & TCP_FIN ? 1 : 0)) >>> 0;
    return p;
  }
  syn(): Packet {
    return this.c2s(TCP_SYN);
  }
  /** the SYN again, same seq (a retransmission) */
  synAgain(): Packet {
    return tcpSeg(this.client, this.cPort, this.server, this.sPort, TCP_SYN, (this.cNext - 1) >>> 0, 0);
  }
  synAck(): Packet {
    return this.s2c(TCP_SYN | TCP_ACK);
  }
  ack(): Packet {
    return this.c2s(TCP_ACK);
  }
  serverAck(): Packet {
    return this.s2c(TCP_ACK);
  }
  /** client data (PSH|ACK) */
  c(text: string): Packet {
    return this.c2s(TCP_PSH | TCP_ACK, text);
  }
  /** client data sent again without advancing (a retransmission of the next segment) */
  cPeek(text: string): Packet {
    return this.c2s(TCP_PSH | TCP_ACK, text, false);
  }
  /** server data (PSH|ACK) */
  s(text: string): Packet {
    return this.s2c(TCP_PSH | TCP_ACK, text);
  }
  clientFin(): Packet {
    return this.c2s(TCP_FIN | TCP_ACK);
  }
  serverFin(): Packet {
    return this.s2c(TCP_FIN | TCP_ACK);
  }
  clientRst(): Packet {
    return this.c2s(TCP_RST | TCP_ACK);
  }
  serverRst(): Packet {
    return this.s2c(TCP_RST | TCP_ACK);
  }
}

/** A step's result with its packet number. */
export interface Stepped extends StepResult {
  readonly n: number;
}

/**
 * Feeds packets to a firewall, numbering them from 1. Packets from `serverSide`
 * addresses arrive on IN and leave by OUT; all others arrive on OUT.
 */
export class Runner {
  n = 0;
  readonly events: TraceEvent[] = [];
  constructor(
    readonly fw: Firewall,
    readonly serverSide: (p: Packet) => boolean = (p) => p.src.family === 4 ? p.src.v4 >>> 8 === 0xc0a80a : p.src.v6[1] === 0x00100000,
  ) {}
  step(p: Packet, tMs = 0): Stepped {
    this.n++;
    const server = this.serverSide(p);
    const r = this.fw.step(p, { n: this.n, nowMs: tMs, ingress: server ? IN : OUT, egress: server ? OUT : IN });
    this.events.push(...r.events);
    return { ...r, n: this.n };
  }
  /** texts of the events of one step */
  static texts(r: StepResult): string[] {
    return r.events.map((e) => `${e.kind}: ${e.text}`);
  }
}
