/**
 * pcapng (draft-ietf-opsawg-pcapng): blocks of type, total length, body and a
 * trailing copy of the length. Sections (SHB) set the byte order and reset the
 * interfaces (IDB); packets come in EPB, SPB and the obsolete Packet Block.
 * Blocks without packets are skipped and counted.
 */
import type { ByteSource } from './byte-source.js';
import { splitTimestamp } from './pcapng-time.js';
import {
  MAX_CAPTURED_LENGTH,
  type CaptureRecord,
  type CaptureStats,
  type DiagnosticSink,
  type RecordClock,
  type RecordParser,
  recordAt,
  records,
} from './capture-types.js';

/** Block types (draft-ietf-opsawg-pcapng 4 and 10.1). */
export const BLOCK_SHB = 0x0a0d0d0a;
export const BLOCK_IDB = 0x00000001;
export const BLOCK_PB_OBSOLETE = 0x00000002;
export const BLOCK_SPB = 0x00000003;
export const BLOCK_NRB = 0x00000004;
export const BLOCK_ISB = 0x00000005;
export const BLOCK_EPB = 0x00000006;
export const BLOCK_DSB = 0x0000000a;
/** The byte-order magic of a Section Header Block. */
export const BYTE_ORDER_MAGIC = 0x1a2b3c4d;

/** Option codes used here (draft-ietf-opsawg-pcapng 3.5, 4.2). */
const OPT_ENDOFOPT = 0;
const OPT_COMMENT = 1;
const IF_TSRESOL = 9;
const IF_TSOFFSET = 14;

/** Largest block the reader loads; larger ones are skipped unread (memory stays bounded). */
const MAX_BLOCK_BYTES = 16 << 20;

const IGNORED_NAMES: ReadonlyMap<number, string> = new Map([
  [BLOCK_NRB, 'NRB'],
  [BLOCK_ISB, 'ISB'],
  [0x00000009, 'systemd journal'],
  [BLOCK_DSB, 'DSB'],
  [0x00000bad, 'custom block'],
  [0x40000bad, 'custom block'],
]);

interface Interface {
  readonly linkType: number;
  readonly snapLength: number;
  /** timestamp units per second */
  readonly unitsPerSec: number;
  /** n when unitsPerSec = 10^n, else -1 */
  readonly pow10: number;
  readonly offsetSec: number;
}

const utf8 = new TextDecoder('utf-8');

/** Reads the blocks of a pcapng file, starting at its first Section Header Block. */
export class PcapngParser implements RecordParser {
  n = 0;
  tsSec = 0;
  tsNsec = 0;
  tMs = 0;
  hasTimestamp = true;
  interfaceId = 0;
  section = -1;
  linkType = 0;
  capturedLength = 0;
  originalLength = 0;
  byteOffset = 0;
  dataOffset = 0;
  buffer: Uint8Array = new Uint8Array(0);
  dataStart = 0;
  comment: string | undefined = undefined;
  private done = false;
  private le = true;
  private interfaces: Interface[] = [];
  /** timestamp of the last stamped packet block */
  private stampSec = 0;
  private stampNsec = 0;
  private readonly stamp = { sec: 0, nsec: 0 };
  /** buffer position and file offset of the block being parsed */
  private bp = 0;
  private bs = 0;

  constructor(
    private readonly src: ByteSource,
    private readonly sink: DiagnosticSink,
    private readonly stats: CaptureStats,
    private readonly clock: RecordClock,
  ) {}

  /** The next packet record, or undefined at the end (or when the rest cannot be trusted). */
  next(): CaptureRecord | undefined {
    return this.advance() ? recordAt(this) : undefined;
  }

  /** Moves to the next packet record; false at the end (or when the rest cannot be trusted). */
  advance(): boolean {
    const src = this.src;
    while (!this.done) {
      const start = src.offset();
      if (!src.ensure(8)) {
        const have = src.end - src.pos;
        if (have > 0) this.stop(`block header cut: the file ends ${have} bytes into an 8-byte block header`, start);
        else this.end(start);
        return false;
      }
      let type = src.view.getUint32(src.pos, this.le);
      if (type === BLOCK_SHB) {
        // The type reads the same in both orders; the byte-order magic decides (4.1)
        if (!src.ensure(12)) {
          this.stop('SHB cut before its byte-order magic', start);
          return false;
        }
        const bomLe = src.view.getUint32(src.pos + 8, true);
        if (bomLe === BYTE_ORDER_MAGIC) this.le = true;
        else if (src.view.getUint32(src.pos + 8, false) === BYTE_ORDER_MAGIC) this.le = false;
        else {
          this.stop(`bad byte-order magic 0x${hex8(src.view.getUint32(src.pos + 8, false))} in an SHB, expected 1a2b3c4d (either byte order)`, start + 8);
          return false;
        }
      }
      type = src.view.getUint32(src.pos, this.le);
      const len = src.view.getUint32(src.pos + 4, this.le);
      const what = blockName(type);
      if (len < 12 || len % 4 !== 0) {
        const why = len < 12 ? 'less than the minimum 12' : 'not a multiple of 4';
        this.stop(`${what} total length ${len} is ${why}: the next block cannot be found`, start + 4);
        return false;
      }
      if (len > src.remaining()) {
        this.stop(`${what} claims ${len} bytes but only ${src.remaining()} remain: the file is truncated`, start + 4);
        return false;
      }
      if (len > MAX_BLOCK_BYTES) {
        this.sink.add('warning', `${what} of ${len} bytes is larger than ${MAX_BLOCK_BYTES} bytes: skipped unread`, start);
        if (isPacketBlock(type)) this.skippedPacket();
        else this.ignored(what);
        src.skip(len);
        continue;
      }
      if (!src.ensure(len)) {
        this.stop(`${what} claims ${len} bytes but the file ends after ${src.end - src.pos}`, start + 4);
        return false;
      }
      const trailer = src.view.getUint32(src.pos + len - 4, this.le);
      if (trailer !== len) {
        this.stop(`${what} total length ${len} does not match its trailing copy ${trailer}`, start + len - 4);
        return false;
      }
      const p = src.pos;
      this.bp = p;
      this.bs = start;
      src.pos += len;
      let found = false;
      switch (type) {
        case BLOCK_SHB:
          this.sectionHeader(p, len, start);
          break;
        case BLOCK_IDB:
          this.interfaceDescription(p, len, start);
          break;
        case BLOCK_EPB:
        case BLOCK_PB_OBSOLETE:
          found = this.packetBlock(type, p, len, start);
          break;
        case BLOCK_SPB:
          found = this.simplePacket(p, len, start);
          break;
        default:
          this.ignored(what);
      }
      if (found) return true;
    }
    return false;
  }

  private sectionHeader(p: number, len: number, start: number): void {
    const v = this.src.view;
    if (len < 28) {
      this.stop(`SHB of ${len} bytes is shorter than the minimum 28`, start + 4);
      return;
    }
    const major = v.getUint16(p + 12, this.le);
    const minor = v.getUint16(p + 14, this.le);
    if (major !== 1) {
      this.stop(`pcapng version ${major}.${minor} is not supported (expected 1.0)`, start + 12);
      return;
    }
    this.section++;
    this.stats.sections++;
    this.interfaces = [];
    this.options(p + 24, p + len - 4, undefined, undefined);
  }

  private interfaceDescription(p: number, len: number, start: number): void {
    if (len < 20) {
      this.sink.add('warning', `IDB of ${len} bytes is shorter than the minimum 20: skipped`, start);
      return;
    }
    const v = this.src.view;
    let unitsPerSec = 1e6;
    let pow10 = 6;
    let offsetSec = 0;
    this.options(p + 16, p + len - 4, undefined, (code, at, optLen) => {
      if (code === IF_TSRESOL && optLen >= 1) {
        const r = v.getUint8(at);
        const exp = r & 0x7f;
        // 4.2: high bit clear → 10^-exp seconds, set → 2^-exp seconds
        if ((r & 0x80) === 0 ? exp > 15 : exp > 52) {
          this.sink.add('warning', `if_tsresol 0x${r.toString(16)} is finer than supported: using microseconds`, this.fileAt(at));
          return;
        }
        unitsPerSec = (r & 0x80) === 0 ? 10 ** exp : 2 ** exp;
        pow10 = (r & 0x80) === 0 ? exp : -1;
      } else if (code === IF_TSOFFSET && optLen >= 8) {
        offsetSec = Number(v.getBigInt64(at, this.le));
      }
    });
    this.interfaces.push({
      linkType: v.getUint16(p + 8, this.le),
      snapLength: v.getUint32(p + 12, this.le),
      unitsPerSec,
      pow10,
      offsetSec,
    });
  }

  private packetBlock(type: number, p: number, len: number, start: number): boolean {
    const n = ++this.n;
    const v = this.src.view;
    const what = type === BLOCK_EPB ? 'EPB' : 'PB';
    if (len < 32) {
      this.badPacket(`${what} of ${len} bytes is shorter than the minimum 32`, start, n);
      return false;
    }
    const ifId = type === BLOCK_EPB ? v.getUint32(p + 8, this.le) : v.getUint16(p + 8, this.le);
    const iface = this.interfaces[ifId];
    if (iface === undefined) {
      this.badPacket(`${what} refers to interface ${ifId} but section ${this.section} defines ${countInterfaces(this.interfaces.length)}`, start + 8, n);
      return false;
    }
    const caplen = v.getUint32(p + 20, this.le);
    const origlen = v.getUint32(p + 24, this.le);
    const room = len - 32;
    if (caplen > room || caplen > MAX_CAPTURED_LENGTH) {
      const limit = caplen > room ? `the ${room} bytes the block has room for` : `the maximum ${MAX_CAPTURED_LENGTH}`;
      this.badPacket(`${what} claims ${caplen} captured bytes, more than ${limit}`, start + 20, n);
      return false;
    }
    this.timestamp(iface, v.getUint32(p + 12, this.le), v.getUint32(p + 16, this.le));
    let comment: string | undefined;
    const optStart = p + 28 + ((caplen + 3) & ~3);
    this.options(optStart, p + len - 4, n, (code, at, optLen) => {
      if (code === OPT_COMMENT) {
        const text = utf8.decode(this.src.buf.subarray(at, at + optLen));
        comment = comment === undefined ? text : `${comment}\n${text}`;
      }
    });
    return this.record(n, iface, ifId, true, caplen, origlen, p + 28, start, comment);
  }

  private simplePacket(p: number, len: number, start: number): boolean {
    const n = ++this.n;
    const iface = this.interfaces[0];
    if (iface === undefined) {
      this.badPacket(`SPB but section ${this.section} defines no interfaces`, start, n);
      return false;
    }
    if (len < 16) {
      this.badPacket(`SPB of ${len} bytes is shorter than the minimum 16`, start, n);
      return false;
    }
    const origlen = this.src.view.getUint32(p + 8, this.le);
    // 4.4: the captured length is the smaller of the original length, the block room and the snaplen
    let caplen = Math.min(origlen, len - 16);
    if (iface.snapLength > 0) caplen = Math.min(caplen, iface.snapLength);
    return this.record(n, iface, 0, false, caplen, origlen, p + 12, start, undefined);
  }

  private record(
    n: number,
    iface: Interface,
    ifId: number,
    stamped: boolean,
    caplen: number,
    origlen: number,
    dataAt: number,
    start: number,
    comment: string | undefined,
  ): boolean {
    if (origlen < caplen) {
      this.sink.add('warning', `packet ${n} has an original length of ${origlen}, less than its ${caplen} captured bytes`, start, n);
    }
    this.stats.records++;
    this.n = n;
    this.tsSec = stamped ? this.stampSec : this.clock.lastSec;
    this.tsNsec = stamped ? this.stampNsec : this.clock.lastNsec;
    this.tMs = stamped ? this.clock.stamp(this.stampSec, this.stampNsec) : this.clock.lastMs();
    this.hasTimestamp = stamped;
    this.interfaceId = ifId;
    this.linkType = iface.linkType;
    this.capturedLength = caplen;
    this.originalLength = origlen;
    this.buffer = this.src.buf;
    this.dataStart = dataAt;
    this.byteOffset = start;
    this.dataOffset = this.fileAt(dataAt);
    this.comment = comment;
    return true;
  }

  private timestamp(iface: Interface, hi: number, lo: number): void {
    splitTimestamp(iface.unitsPerSec, iface.pow10, hi, lo, this.stamp);
    this.stampSec = this.stamp.sec + iface.offsetSec;
    this.stampNsec = this.stamp.nsec;
  }

  /** Walks the options in [at, end); `visit` gets each option's code, value offset and length. */
  private options(at: number, end: number, packet: number | undefined, visit: ((code: number, at: number, len: number) => void) | undefined): void {
    const v = this.src.view;
    while (at + 4 <= end) {
      const code = v.getUint16(at, this.le);
      const optLen = v.getUint16(at + 2, this.le);
      if (code === OPT_ENDOFOPT) return;
      if (at + 4 + optLen > end) {
        this.sink.add('warning', `option ${code} of ${optLen} bytes runs past the end of its block: options ignored from here`, this.fileAt(at), packet);
        return;
      }
      visit?.(code, at + 4, optLen);
      at += 4 + ((optLen + 3) & ~3); // values are padded to 32 bits
    }
  }

  private fileAt(bufferPos: number): number {
    return this.bs + (bufferPos - this.bp);
  }

  private ignored(what: string): void {
    this.stats.ignoredBlocks[what] = (this.stats.ignoredBlocks[what] ?? 0) + 1;
  }

  private skippedPacket(): void {
    this.n++;
    this.stats.skippedRecords++;
  }

  private badPacket(message: string, at: number, n: number): void {
    this.stats.skippedRecords++;
    this.sink.add('warning', `${message}: packet skipped`, at, n);
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

  private stop(message: string, at: number): void {
    this.stats.stoppedEarly = true;
    const io = this.src.ioError !== undefined ? ` (read error: ${this.src.ioError})` : '';
    this.sink.add('error', `${message}${io}; stopped reading after ${records(this.stats.records)}`, at);
    this.done = true;
    this.src.close();
    this.sink.finish(at);
  }
}

function countInterfaces(k: number): string {
  return k === 0 ? 'no interfaces' : k === 1 ? 'only interface 0' : `only interfaces 0 to ${k - 1}`;
}

function isPacketBlock(type: number): boolean {
  return type === BLOCK_EPB || type === BLOCK_SPB || type === BLOCK_PB_OBSOLETE;
}

/** Short name of a block type for messages and counters. */
function blockName(type: number): string {
  switch (type) {
    case BLOCK_SHB:
      return 'SHB';
    case BLOCK_IDB:
      return 'IDB';
    case BLOCK_EPB:
      return 'EPB';
    case BLOCK_SPB:
      return 'SPB';
    case BLOCK_PB_OBSOLETE:
      return 'PB';
    default:
      return IGNORED_NAMES.get(type) ?? `block type 0x${hex8(type)}`;
  }
}

function hex8(v: number): string {
  return (v >>> 0).toString(16).padStart(8, '0');
}
