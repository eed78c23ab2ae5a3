/**
 * Records → packets: runs the frame decoder over a capture reader and turns
 * malformed frames into located warnings, counting what it skipped.
 */
import type { Diagnostic } from '../diag/diagnostic.js';
import { DiagnosticSink, type CaptureRecord } from './capture-types.js';
import { openCapture, readerSink, type CaptureOptions, type CaptureReader } from './capture.js';
import { DECODE_ERROR, DECODE_SKIP, FrameDecoder, type DecodedFrame } from './decode.js';

/** One decoded packet with the record it came from. */
export interface CapturePacket {
  readonly record: CaptureRecord;
  readonly frame: DecodedFrame;
}

/** What the decoder did with the records. */
export interface PacketStats {
  /** IP packets decoded */
  decoded: number;
  /** malformed frames skipped (each has a diagnostic) */
  malformed: number;
  /** frames that are not IP, by reason: `{ "not IP: ARP (ethertype 0x0806)": 2 }` */
  readonly skipped: Record<string, number>;
}

/** A streaming reader of decoded IP packets. */
export interface PacketReader extends Iterable<CapturePacket> {
  readonly capture: CaptureReader;
  /** reader and decoder diagnostics, in the order found */
  readonly diagnostics: readonly Diagnostic[];
  readonly stats: Readonly<PacketStats>;
  /** the next IP packet, or undefined at the end */
  next(): CapturePacket | undefined;
}

/** Opens a capture file and decodes its IP packets as they are read. */
export function openPackets(file: string, options: CaptureOptions = {}): PacketReader {
  return decodeRecords(openCapture(file, options));
}

/** Decodes the records of an open capture reader. */
export function decodeRecords(capture: CaptureReader): PacketReader {
  const sink = readerSink(capture) ?? new DiagnosticSink(capture.file);
  const decoder = new FrameDecoder(false);
  const stats: PacketStats = { decoded: 0, malformed: 0, skipped: {} };
  const next = (): CapturePacket | undefined => {
    for (;;) {
      const record = capture.next();
      if (record === undefined) return undefined;
      const status = decoder.decode(record.linkType, record.data);
      if (status === DECODE_SKIP) {
        stats.skipped[decoder.reason] = (stats.skipped[decoder.reason] ?? 0) + 1;
        continue;
      }
      if (status === DECODE_ERROR) {
        stats.malformed++;
        sink.add('warning', `${decoder.reason}: packet skipped`, record.dataOffset + decoder.errorOffset, record.n);
        continue;
      }
      const result = decoder.result();
      if (result.kind !== 'ok') continue;
      if (result.truncated && record.capturedLength >= record.originalLength) {
        sink.add(
          'warning',
          `the IP header announces ${result.payloadLength} payload bytes but the frame holds ${result.packet.payload.length} and was not cut by the snapshot length`,
          record.dataOffset + result.ipOffset,
          record.n,
        );
      }
      stats.decoded++;
      return { record, frame: result };
    }
  };
  return {
    capture,
    get diagnostics() {
      return sink.list;
    },
    stats,
    next,
    [Symbol.iterator]() {
      return {
        next: (): IteratorResult<CapturePacket> => {
          const p = next();
          return p === undefined ? { done: true, value: undefined } : { done: false, value: p };
        },
        return: (): IteratorResult<CapturePacket> => {
          capture.close();
          return { done: true, value: undefined };
        },
      };
    },
  };
}
