/**
 * Frame decoder: link layer → IPv4/IPv6 → TCP/UDP/ICMP, into a Packet.
 * Every length is checked before a field is read; the decoder never throws on
 * bad bytes, it answers `skip` (not IP) or `error` (malformed) with a reason.
 */
import type { Packet } from '../net/packet.js';
import { FrameDecoder } from './frame-decoder.js';

export { DECODE_ERROR, DECODE_OK, DECODE_SKIP, FrameDecoder } from './frame-decoder.js';

/** A decoded IP frame: the packet plus what the link and IP layers said about it. */
export interface DecodedFrame {
  readonly packet: Packet;
  readonly linkType: number;
  /** 802.1Q/802.1ad VLAN ids, outermost first; undefined when the frame is untagged */
  readonly vlans: readonly number[] | undefined;
  /** true when the capture holds fewer bytes than the IP header announces (snaplen cut): the payload is cut */
  readonly truncated: boolean;
  /** transport payload length on the wire, from the IP lengths; ≥ packet.payload.length */
  readonly payloadLength: number;
  /** 0-based offset of the IP header in the frame */
  readonly ipOffset: number;
}

/** The decoder's answer for one frame. */
export type DecodeResult =
  | ({ readonly kind: 'ok' } & DecodedFrame)
  /** not an IP packet (ARP, LLDP, unsupported link type…): nothing wrong, nothing to replay */
  | { readonly kind: 'skip'; readonly reason: string }
  /** malformed: `offset` is the 0-based offset in the frame of the header at fault */
  | { readonly kind: 'error'; readonly reason: string; readonly offset: number };

const shared = new FrameDecoder(false);

/** Decodes one captured frame of the given link type into a fresh Packet (payload is a view of `bytes`). */
export function decodeFrame(linkType: number, bytes: Uint8Array): DecodeResult {
  shared.decode(linkType, bytes);
  return shared.result();
}
