/**
 * Classic libpcap files (pcap-savefile(5), draft-ietf-opsawg-pcap): a 24-byte
 * file header, then records of a 16-byte header and the captured bytes. Both
 * byte orders, microsecond (a1b2c3d4) and nanosecond (a1b23c4d) timestamps.
 */
import type { ByteSource } from './byte-source.js';
import {
  MAX_CAPTURED_LENGTH,
  type CaptureFormat,
  type CaptureRecord,
  type CaptureStats,
  type DiagnosticSink,
  type RecordClock,
  type RecordParser,
  recordAt,
  records,
} from './capture-types.js';

/** Magic numbers of the file header, as read in the file's own byte order. */
export const PCAP_MAGIC_US = 0xa1b2c3d4;
export const PCAP_MAGIC_NS = 0xa1b23c4d;
/** Alexey Kuznetzov's modified pcap (24-byte record headers): recognised to be refused clearly. */
export const PCAP_MAGIC_MODIFIED = 0xa1b2cd34;

const FILE_HEADER_BYTES = 24;
const RECORD_HEADER_BYTES = 16;

/** Parses the file header at offset 0; the caller has checked the magic. Answers the format or an error text. */
export function readPcapHeader(src: ByteSource, littleEndian: boolean, nanos: boolean): CaptureFormat | string {
  if (!src.ensure(FILE_HEADER_BYTES)) {
    return `pcap file header cut: the file has ${src.end - src.pos} of the 24 header bytes`;
  }
  const v = src.view;
  const p = src.pos;
  const format: CaptureFormat = {
    kind: 'pcap',
    byteOrder: littleEndian ? 'little' : 'big',
    timestampPrecision: nanos ? 'ns' : 'us',
    versionMajor: v.getUint16(p + 4, littleEndian),
    versionMinor: v.getUint16(p + 6, littleEndian),
    snapLength: v.getUint32(p + 16, littleEndian),
    // The upper bits of the link-type field carry FCS information (draft-ietf-opsawg-pcap 4): not the type.
    linkType: v.getUint32(p + 20, littleEndian) & 0xffff,
  };
  src.pos += FILE_HEADER_BYTES;
  return format;
}

/** Reads the records of a classic pcap file. */
export class PcapParser implements RecordParser {
  n = 0;
  tsSec = 0;
  tsNsec = 0;
  tMs = 0;
  readonly hasTimestamp = true;
  readonly interfaceId = 0;
  readonly section = 0;
  readonly linkType: number;
  capturedLength = 0;
  originalLength = 0;
  byteOffset = 0;
  dataOffset = 0;
  buffer: Uint8Array = new Uint8Array(0);
  dataStart = 0;
  readonly comment = undefined;
  private done = false;
  private readonly le: boolean;
  private readonly nanos: boolean;
  private readonly snapLength: number;

  constructor(
    private readonly src: ByteSource,
    format: Extract<CaptureFormat, { kind: 'pcap' }>,
    private readonly sink: DiagnosticSink,
    private readonly stats: CaptureStats,
    private readonly clock: RecordClock,
  ) {
    this.le = format.byteOrder === 'little';
    this.nanos = format.timestampPrecision === 'ns';
    this.snapLength = format.snapLength;
    this.linkType = format.linkType;
    if (format.versionMajor !== 2) {
      sink.add('warning', `pcap version ${format.versionMajor}.${format.versionMinor}, expected 2.4: reading it as 2.4`, 4);
    }
  }

  /** The next record, or undefined at the end (or when the rest of the file cannot be trusted). */
  next(): CaptureRecord | undefined {
    return this.advance() ? recordAt(this) : undefined;
  }

  /** Moves to the next record; false at the end (or when the rest of the file cannot be trusted). */
  advance(): boolean {
    if (this.done) return false;
    const src = this.src;
    const start = src.offset();
    if (!src.ensure(RECORD_HEADER_BYTES)) {
      const have = src.end - src.pos;
      if (have > 0) {
        this.stop(`record ${this.n + 1} header cut: the file ends ${have} bytes into its 16-byte header`, start, this.n + 1);
      } else this.end(start);
      return false;
    }
    const n = ++this.n;
    const v = src.view;
    const p = src.pos;
    const le = this.le;
    const tsSec = v.getUint32(p, le);
    const frac = v.getUint32(p + 4, le);
    const caplen = v.getUint32(p + 8, le);
    const origlen = v.getUint32(p + 12, le);
    // An absurd captured length means the header is garbage: the next record's position is unknown,
    // so nothing after it can be trusted (libpcap sf-pcap.c refuses such records the same way).
    if (caplen > MAX_CAPTURED_LENGTH) {
      this.stop(`record ${n} claims ${caplen} captured bytes, more than the maximum ${MAX_CAPTURED_LENGTH}: the file is corrupt here`, start, n);
      return false;
    }
    if (this.snapLength > 0 && caplen > this.snapLength) {
      this.stop(`record ${n} claims ${caplen} captured bytes, more than the file's snapshot length ${this.snapLength}: the file is corrupt here`, start, n);
      return false;
    }
    src.pos += RECORD_HEADER_BYTES;
    if (!src.ensure(caplen)) {
      this.stop(`record ${n} cut: the file ends after ${src.end - src.pos} of its ${caplen} captured bytes`, start, n);
      return false;
    }
    this.byteOffset = start;
    this.dataOffset = start + RECORD_HEADER_BYTES;
    this.buffer = src.buf;
    this.dataStart = src.pos;
    src.pos += caplen;
    let tsNsec = this.nanos ? frac : frac * 1000;
    if (frac >= (this.nanos ? 1e9 : 1e6)) {
      const limit = this.nanos ? 1e9 : 1e6;
      this.sink.add('warning', `record ${n} has a timestamp fraction of ${frac}, not below ${limit}: taken as ${limit - 1}`, start + 4, n);
      tsNsec = this.nanos ? limit - 1 : (limit - 1) * 1000;
    }
    if (origlen < caplen) {
      this.sink.add('warning', `record ${n} has an original length of ${origlen}, less than its ${caplen} captured bytes`, start + 12, n);
    }
    this.stats.records++;
    this.tsSec = tsSec;
    this.tsNsec = tsNsec;
    this.tMs = this.clock.stamp(tsSec, tsNsec);
    this.capturedLength = caplen;
    this.originalLength = origlen;
    return true;
  }

  private end(at: number): void {
    this.done = true;
    this.src.close();
    if (this.src.ioError !== undefined) {
      this.stats.stoppedEarly = true;
      this.sink.add('error', `read error: ${this.src.ioError}; stopped reading after ${records(this.stats.records)}`, at);
    }
    this.sink.finish(at);
  }

  private stop(message: string, at: number, packet: number): void {
    this.stats.stoppedEarly = true;
    const io = this.src.ioError !== undefined ? ` (read error: ${this.src.ioError})` : '';
    const rest = Number.isFinite(this.src.size) ? `; the last ${this.src.size - at} bytes were not read` : '';
    this.sink.add('error', `${message}${io}; stopped reading after ${records(this.stats.records)}${rest}`, at, packet);
    this.done = true;
    this.src.close();
    this.sink.finish(at);
  }
}
