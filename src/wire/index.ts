/** The wire layer: bytes ↔ packets (capture readers, frame decoder, packet encoder, pcapng writer). */
export type { CaptureFormat, CaptureRecord, CaptureStats, RecordCursor } from './capture-types.js';
export { MAX_CAPTURED_LENGTH, recordAt, recordTimestampNs } from './capture-types.js';
export type { CaptureOptions, CaptureReader } from './capture.js';
export { openCapture, readCaptureBytes } from './capture.js';
export type { CapturePacket, PacketReader, PacketStats } from './capture-packets.js';
export { decodeRecords, openPackets } from './capture-packets.js';
export type { DecodeResult, DecodedFrame } from './decode.js';
export { DECODE_ERROR, DECODE_OK, DECODE_SKIP, FrameDecoder, decodeFrame } from './decode.js';
export {
  encodeEthernetFrame,
  encodePacket,
  internetChecksum,
  macForAddress,
  onesComplementSum,
  pseudoHeaderSum,
} from './encode.js';
export * from './link-types.js';
export type { PcapngPacket, PcapngWriteOptions, PcapngWriter, WriteSummary } from './pcapng-writer.js';
export { createPcapngWriter, encodePcapng, writePcapng } from './pcapng-writer.js';
export type { WalkResult } from './walk.js';
export { walkCaptureBuffer } from './walk.js';
