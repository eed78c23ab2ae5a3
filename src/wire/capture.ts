/**
 * Opening a capture: the magic number picks pcap (either byte order, µs or ns)
 * or pcapng; the reader then streams records in chunks. Problems become located
 * diagnostics; nothing here throws on bad input.
 */
import type { Diagnostic } from '../diag/diagnostic.js';
import { ByteSource, DEFAULT_CHUNK_BYTES } from './byte-source.js';
import {
  DiagnosticSink,
  RecordClock,
  type CaptureFormat,
  type CaptureRecord,
  type CaptureStats,
  type RecordCursor,
  type RecordParser,
} from './capture-types.js';
import { PCAP_MAGIC_MODIFIED, PCAP_MAGIC_NS, PCAP_MAGIC_US, PcapParser, readPcapHeader } from './pcap.js';
import { BLOCK_SHB, BYTE_ORDER_MAGIC, PcapngParser } from './pcapng.js';

/** A streaming reader of capture records. Iterate it, or call next() until undefined. */
export interface CaptureReader extends Iterable<CaptureRecord> {
  readonly file: string;
  /** what the file header said; undefined when the file is not a capture at all */
  readonly format: CaptureFormat | undefined;
  /** true when nothing could be read (cannot open, bad magic, cut file header) */
  readonly fatal: boolean;
  /** every problem found so far, located by file, byte offset and packet number */
  readonly diagnostics: readonly Diagnostic[];
  readonly stats: Readonly<CaptureStats>;
  /** the next record, or undefined at the end */
  next(): CaptureRecord | undefined;
  /**
   * The allocation-free walk over the same stream: call advance(), read the fields
   * (valid until the next advance) and decode `buffer` from `dataStart`.
   */
  readonly cursor: RecordCursor;
  /** releases the file early (reading to the end closes it too) */
  close(): void;
}

/** Tuning for the readers. */
export interface CaptureOptions {
  /** bytes per read; default 1 MiB */
  readonly chunkBytes?: number;
  /** diagnostics kept before the rest are only counted; default 200 */
  readonly maxDiagnostics?: number;
}

/** Opens a capture file for streaming; memory stays bounded by the chunk size, not the file size. */
export function openCapture(file: string, options: CaptureOptions = {}): CaptureReader {
  const sink = new DiagnosticSink(file, options.maxDiagnostics);
  const src = ByteSource.open(file, options.chunkBytes ?? DEFAULT_CHUNK_BYTES);
  if (typeof src === 'string') {
    sink.add('error', src, 0);
    return new Reader(file, undefined, undefined, sink, newStats(), undefined);
  }
  return start(file, src, sink);
}

/** Reads a capture already in memory (tests, stdin); `name` locates the diagnostics. */
export function readCaptureBytes(bytes: Uint8Array, name: string, options: CaptureOptions = {}): CaptureReader {
  return start(name, ByteSource.fromBytes(bytes), new DiagnosticSink(name, options.maxDiagnostics));
}

function newStats(): CaptureStats {
  return { records: 0, skippedRecords: 0, ignoredBlocks: {}, sections: 0, stoppedEarly: false };
}

function start(file: string, src: ByteSource, sink: DiagnosticSink): CaptureReader {
  const stats = newStats();
  const fatal = (message: string, suggestion?: string): CaptureReader => {
    src.close();
    sink.add('error', message, 0, undefined, suggestion);
    return new Reader(file, undefined, undefined, sink, stats, undefined);
  };
  if (!src.ensure(4)) {
    const have = src.end - src.pos;
    if (src.ioError !== undefined) return fatal(`read error: ${src.ioError}`);
    return fatal(have === 0 ? 'the file is empty: not a capture' : `the file has only ${have} bytes: too short for a capture file header`);
  }
  const v = src.view;
  const le = v.getUint32(src.pos, true);
  const be = v.getUint32(src.pos, false);
  const clock = new RecordClock();
  if (le === PCAP_MAGIC_US || be === PCAP_MAGIC_US || le === PCAP_MAGIC_NS || be === PCAP_MAGIC_NS) {
    const format = readPcapHeader(src, le === PCAP_MAGIC_US || le === PCAP_MAGIC_NS, le === PCAP_MAGIC_NS || be === PCAP_MAGIC_NS);
    if (typeof format === 'string' || format.kind !== 'pcap') return fatal(typeof format === 'string' ? format : 'not pcap');
    stats.sections = 1;
    return new Reader(file, format, src, sink, stats, new PcapParser(src, format, sink, stats, clock));
  }
  if (be === BLOCK_SHB) {
    if (!src.ensure(12)) return fatal(`pcapng section header cut: the file has ${src.end - src.pos} of at least 28 bytes`);
    const bom = src.view.getUint32(src.pos + 8, true);
    if (bom !== BYTE_ORDER_MAGIC && src.view.getUint32(src.pos + 8, false) !== BYTE_ORDER_MAGIC) {
      return fatal(`bad byte-order magic 0x${hex(src.view.getUint32(src.pos + 8, false))} in the pcapng section header, expected 1a2b3c4d (either byte order)`);
    }
    return new Reader(file, { kind: 'pcapng' }, src, sink, stats, new PcapngParser(src, sink, stats, clock));
  }
  if (le === PCAP_MAGIC_MODIFIED || be === PCAP_MAGIC_MODIFIED) {
    return fatal('modified (Kuznetzov) pcap, magic a1b2cd34, is not supported', 'convert it with `editcap -F pcap`');
  }
  if (src.buf[src.pos] === 0x1f && src.buf[src.pos + 1] === 0x8b) {
    return fatal(`bad magic 0x${hex(be)}: this is a gzip-compressed file, not a capture`, 'gunzip it first');
  }
  return fatal(
    `bad magic 0x${hex(be)}: not a pcap file (magic a1b2c3d4 or a1b23c4d, in either byte order) or a pcapng file (0a0d0d0a)`,
  );
}

function hex(v: number): string {
  return (v >>> 0).toString(16).padStart(8, '0');
}

/** The cursor of a reader that has nothing to read. */
const NO_RECORDS: RecordCursor = {
  n: 0,
  tsSec: 0,
  tsNsec: 0,
  tMs: 0,
  hasTimestamp: false,
  interfaceId: 0,
  section: 0,
  linkType: 0,
  capturedLength: 0,
  originalLength: 0,
  byteOffset: 0,
  dataOffset: 0,
  buffer: new Uint8Array(0),
  dataStart: 0,
  comment: undefined,
  advance: () => false,
};

class Reader implements CaptureReader {
  readonly fatal: boolean;
  readonly cursor: RecordCursor;

  constructor(
    readonly file: string,
    readonly format: CaptureFormat | undefined,
    private readonly src: ByteSource | undefined,
    /** where this reader's diagnostics go (decoders in this layer add theirs here too) */
    readonly sink: DiagnosticSink,
    readonly stats: CaptureStats,
    private readonly parser: RecordParser | undefined,
  ) {
    this.fatal = parser === undefined;
    this.cursor = parser ?? NO_RECORDS;
  }

  get diagnostics(): readonly Diagnostic[] {
    return this.sink.list;
  }

  next(): CaptureRecord | undefined {
    // a record's data is a view of a chunk, and its holder may keep it: chunks are no longer reused
    this.src?.stopRecycling();
    return this.parser?.next();
  }

  close(): void {
    this.src?.close();
  }

  [Symbol.iterator](): Iterator<CaptureRecord> {
    return {
      next: (): IteratorResult<CaptureRecord> => {
        const r = this.next();
        return r === undefined ? { done: true, value: undefined } : { done: false, value: r };
      },
      return: (): IteratorResult<CaptureRecord> => {
        this.close();
        return { done: true, value: undefined };
      },
    };
  }
}

/** The sink behind a reader, for the packet decoder in this layer to add its own located diagnostics. */
export function readerSink(reader: CaptureReader): DiagnosticSink | undefined {
  return reader instanceof Reader ? reader.sink : undefined;
}
