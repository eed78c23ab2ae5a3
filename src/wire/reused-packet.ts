/** The mutable Packet behind FrameDecoder's reuse mode. */
import type { IpAddress } from '../net/address.js';
import type { FragmentKind, Packet } from '../net/packet.js';

/** The empty payload, shared. */
export const EMPTY = new Uint8Array(0);

/**
 * The Packet the reusing decoder overwrites in place. Its payload is made on
 * demand from the frame buffer, so packets nobody reads the payload of cost no view.
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

  get payload(): Uint8Array {
    return this.payloadEnd > this.payloadStart ? this.buf.subarray(this.payloadStart, this.payloadEnd) : EMPTY;
  }
}

