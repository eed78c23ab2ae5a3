/** The mutable Packet behind FrameDecoder's reuse mode. */
import type { IpAddress } from '../net/address.js';
import type { FragmentKind, Packet } from '../net/packet.js';

/** The empty payload, shared. */
export const EMPTY = new Uint8Array(0);

/**
 * The Packet the reusing decoder overwrites in place. Its payload view is made on
 * demand from the frame buffer (once per frame), so packets nobody reads the payload
 * of cost no view; payloadLen answers the length without one.
 */
export class ReusedPacket implements Packet {
  src: IpAddress;
  dst: IpAddress;
  proto = 0;
  srcPort = 0;
  dstPort = 0;
  tcpFlags = 0;
  seq = 0;
  ack = 0;
  window = 0;
  fragment: FragmentKind = 'none';
  icmpType: number | undefined = undefined;
  icmpCode: number | undefined = undefined;
  /** frame buffer and the payload's [start, end) in it */
  buf: Uint8Array = EMPTY;
  payloadStart = 0;
  payloadEnd = 0;

  constructor(src: IpAddress, dst: IpAddress) {
    this.src = src;
    this.dst = dst;
  }

  get payloadLen(): number {
    return this.payloadEnd > this.payloadStart ? this.payloadEnd - this.payloadStart : 0;
  }

  /** the payload view once something read it; the decoder clears it for each frame */
  view: Uint8Array | undefined = undefined;

  get payload(): Uint8Array {
    if (this.view === undefined) this.view = this.payloadEnd > this.payloadStart ? this.buf.subarray(this.payloadStart, this.payloadEnd) : EMPTY;
    return this.view;
  }
}

