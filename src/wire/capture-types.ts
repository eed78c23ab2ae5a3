/**
 * Shared shapes of the capture readers: records, statistics, the diagnostic
 * sink that locates every problem by file, byte offset and packet number.
 */
import type { Diagnostic, Severity } from '../diag/diagnostic.js';

/** Where and when a record was captured: the fields a CaptureRecord and a RecordCursor share. */
export interface RecordHeader {
  /** 1-based packet number (counts every packet record/block, also skipped bad ones, like tshark's frame numbers) */
  readonly n: number;
  /** absolute timestamp: whole seconds since the Unix epoch (pcapng if_tsoffset applied) */
  readonly tsSec: number;
  /** absolute timestamp: nanoseconds within the second, 0..999 999 999 */
  readonly tsNsec: number;
  /** virtual time in ms relative to the first record that has a timestamp */
  readonly tMs: number;
  /** false for a pcapng Simple Packet Block, which has no timestamp: it repeats the previous record's */
  readonly hasTimestamp: boolean;
  /** 0-based pcapng interface id within its section; 0 for pcap */
  readonly interfaceId: number;
  /** 0-based pcapng section number; 0 for pcap */
  readonly section: number;
  /** LINKTYPE_* of the record's interface */
  readonly linkType: number;
  /** bytes captured */
  readonly capturedLength: number;
  /** length of the packet on the wire; larger than capturedLength when the snapshot length cut it */
  readonly originalLength: number;
  /** 0-based file offset of the record header (pcap) or block (pcapng) */
  readonly byteOffset: number;
  /** 0-based file offset of the data */
  readonly dataOffset: number;
}

/** One packet record of a capture file, not yet decoded, kept as an immutable value. */
export interface CaptureRecord extends RecordHeader {
  /** the captured bytes (length capturedLength): a view of the reader's chunk, valid after the reader moves on */
  readonly data: Uint8Array;
  /** pcapng opt_comment(s), joined by newlines */
  readonly comment?: string;
}

/** What the file header said about the capture. */
export type CaptureFormat =
  | {
      readonly kind: 'pcap';
      readonly byteOrder: 'little' | 'big';
      readonly timestampPrecision: 'us' | 'ns';
      readonly versionMajor: number;
      readonly versionMinor: number;
      readonly snapLength: number;
      readonly linkType: number;
    }
  | { readonly kind: 'pcapng' };

/** Counters kept while reading. */
export interface CaptureStats {
  /** packet records returned */
  records: number;
  /** packet records or blocks that were bad and skipped (each has a diagnostic) */
  skippedRecords: number;
  /** pcapng blocks skipped because they carry no packets (NRB, ISB, DSB, custom…), by name */
  readonly ignoredBlocks: Record<string, number>;
  /** pcapng sections seen (1 for pcap) */
  sections: number;
  /** true when reading stopped before the end of the file because the rest could not be trusted */
  stoppedEarly: boolean;
}

/** Record cap: libpcap's largest snapshot length (MAXIMUM_SNAPLEN = 262144, 256 KiB). */
export const MAX_CAPTURED_LENGTH = 262144;

/** Collects located diagnostics, keeping at most `max` so a broken file cannot grow memory without bound. */
export class DiagnosticSink {
  readonly list: Diagnostic[] = [];
  private suppressed = 0;
  private finished = false;

  constructor(
    readonly file: string,
    private readonly max = 200,
  ) {}

  /** Records a problem at a 0-based byte offset, optionally in a 1-based packet. */
  add(severity: Severity, message: string, byteOffset: number, packet?: number, suggestion?: string): void {
    if (this.list.length >= this.max) {
      this.suppressed++;
      return;
    }
    const d: Diagnostic = {
      severity,
      message,
      bytes: packet === undefined ? { file: this.file, byteOffset } : { file: this.file, byteOffset, packet },
      ...(suggestion === undefined ? {} : { suggestion }),
    };
    this.list.push(d);
  }

  /** Adds the count of suppressed diagnostics once, at the end. */
  finish(byteOffset: number): void {
    if (this.finished) return;
    this.finished = true;
    if (this.suppressed > 0) {
      this.list.push({
        severity: 'warning',
        message: `${this.suppressed} more problems not shown`,
        bytes: { file: this.file, byteOffset },
      });
    }
  }
}

/** Turns absolute timestamps into virtual ms relative to the first stamped record. */
export class RecordClock {
  private firstSec = 0;
  private firstNsec = 0;
  private started = false;
  /** last absolute time, for records without a timestamp */
  lastSec = 0;
  lastNsec = 0;

  /** ms since the first stamped record (0 for the first). */
  stamp(sec: number, nsec: number): number {
    if (!this.started) {
      this.started = true;
      this.firstSec = sec;
      this.firstNsec = nsec;
    }
    this.lastSec = sec;
    this.lastNsec = nsec;
    return (sec - this.firstSec) * 1000 + (nsec - this.firstNsec) / 1e6;
  }

  /** ms of the last stamped record (0 before any). */
  lastMs(): number {
    return this.started ? (this.lastSec - this.firstSec) * 1000 + (this.lastNsec - this.firstNsec) / 1e6 : 0;
  }
}

/** The absolute timestamp of a record in nanoseconds since the Unix epoch, exactly. */
export function recordTimestampNs(r: CaptureRecord): bigint {
  return BigInt(r.tsSec) * 1_000_000_000n + BigInt(r.tsNsec);
}

/**
 * The record a reader stands on, as plain fields: the allocation-free way to walk
 * a capture. Every field is overwritten by the next advance().
 */
export interface RecordCursor extends RecordHeader {
  /** the chunk holding the data: bytes [dataStart, dataStart + capturedLength) */
  readonly buffer: Uint8Array;
  readonly dataStart: number;
  readonly comment: string | undefined;
  /** moves to the next record; false at the end */
  advance(): boolean;
}

/** A per-format parser behind a CaptureReader. */
export interface RecordParser extends RecordCursor {
  next(): CaptureRecord | undefined;
}

/** The record a cursor stands on, as an immutable CaptureRecord (its data a view of the chunk). */
export function recordAt(c: RecordCursor): CaptureRecord {
  const r = {
    n: c.n,
    tsSec: c.tsSec,
    tsNsec: c.tsNsec,
    tMs: c.tMs,
    hasTimestamp: c.hasTimestamp,
    interfaceId: c.interfaceId,
    section: c.section,
    linkType: c.linkType,
    capturedLength: c.capturedLength,
    originalLength: c.originalLength,
    data: c.buffer.subarray(c.dataStart, c.dataStart + c.capturedLength),
    byteOffset: c.byteOffset,
    dataOffset: c.dataOffset,
  };
  return c.comment === undefined ? r : { ...r, comment: c.comment };
}

/** `1 record`, `2 records`. */
export function records(n: number): string {
  return n === 1 ? '1 record' : `${n} records`;
}
