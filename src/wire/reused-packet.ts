/** The mutable Packet behind FrameDecoder's reuse mode. */
import type { IpAddress } from '../net/address.js';
import type { FragmentKind, Packet } from '../net/packet.js';

/** Payloads up to this long are copied into the packet's scratch buffer instead of getting a view of their own. */
const SCRATCH_BYTES = 2048;

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
  /** short payloads are copied here, so reading one makes no new view (control lines, the helper) */
  private readonly scratch = new Uint8Array(SCRATCH_BYTES);
  /** scratch.subarray(0, length), made once per length */
  private readonly scratchViews: (Uint8Array | undefined)[] = [];

  /**
   * The payload, valid until the next frame (as the packet itself is). A short one is a copy in a
   * reused scratch buffer, whose view is the same object for every frame of that length: a reader
   * that keeps bytes past this frame copies them (as the control stream does).
   */
  get payload(): Uint8Array {
    if (this.view !== undefined) return this.view;
    const start = this.payloadStart;
    const len = this.payloadEnd - start;
    if (len <= 0) this.view = EMPTY;
    else if (len > SCRATCH_BYTES) this.view = this.buf.subarray(start, this.payloadEnd);
    else {
      const from = this.buf;
      const to = this.scratch;
      for (let i = 0; i < len; i++) to[i] = from[start + i]!;
      this.view = this.scratchViews[len] ??= to.subarray(0, len);
    }
    return this.view;
  }
}
