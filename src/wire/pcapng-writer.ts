/**
 * pcapng writer: one section, one Ethernet interface, an Enhanced Packet Block
 * per packet with its comment (draft-ietf-opsawg-pcapng 4.1-4.3). Writes go
 * through an output sink (output/sink): a regular file is written to a temporary
 * file renamed into place at the end, so a failure never leaves a half-written
 * capture under the requested name; a device or FIFO is written through.
 */
import type { Diagnostic, Parsed } from '../diag/diagnostic.js';
import type { Packet } from '../net/packet.js';
import { OutputError, openOutput, type OutputSink } from '../output/sink.js';
import { encodeEthernetFrame } from './encode.js';
import { LINKTYPE_ETHERNET } from './link-types.js';
import { BLOCK_EPB, BLOCK_IDB, BLOCK_SHB, BYTE_ORDER_MAGIC } from './pcapng.js';

/** One packet to write. */
export interface PcapngPacket {
  /** virtual time in ms; the written timestamp is epochMs + tMs */
  readonly tMs: number;
  readonly packet: Packet;
  /** written as opt_comment; tshark shows it as frame.comment */
  readonly comment?: string;
  /** 6 bytes; default macForAddress(packet.src) */
  readonly srcMac?: Uint8Array;
  /** 6 bytes; default macForAddress(packet.dst) */
  readonly dstMac?: Uint8Array;
}

/** Writer settings. */
export interface PcapngWriteOptions {
  /** absolute time of tMs = 0, ms since the Unix epoch; default 0 (no wall clock is read) */
  readonly epochMs?: number;
  /** if_tsresol: microseconds (6, the default) or nanoseconds (9) */
  readonly timestampResolution?: 'us' | 'ns';
  /** shb_userappl; default `ftpwall` */
  readonly application?: string;
}

/** What was written. */
export interface WriteSummary {
  readonly file: string;
  readonly packets: number;
  readonly bytes: number;
}

/** A streaming pcapng writer: write() each packet, then close() (or abort()). */
export interface PcapngWriter {
  write(p: PcapngPacket): void;
  /** flushes, renames the temporary file into place; diagnostics say what went wrong, if anything */
  close(): Parsed<WriteSummary>;
  /** drops the temporary file */
  abort(): void;
}

const OPT_COMMENT = 1;
const SHB_USERAPPL = 4;
const IF_TSRESOL = 9;
const SNAP_LENGTH = 262144;
const utf8 = new TextEncoder();

function pad4(n: number): number {
  return (n + 3) & ~3;
}

/** Bytes of one option (code, length, value padded to 32 bits). */
function optionBytes(code: number, value: Uint8Array): number {
  return 4 + pad4(value.length);
}

function putOption(v: DataView, b: Uint8Array, at: number, code: number, value: Uint8Array): number {
  v.setUint16(at, code, true);
  v.setUint16(at + 2, value.length, true);
  b.set(value, at + 4);
  return at + optionBytes(code, value);
}

/** Builds one block: type, total length, body, options, end of options, trailing length. */
function block(type: number, body: Uint8Array, options: ReadonlyArray<readonly [number, Uint8Array]>): Uint8Array {
  let optLen = 0;
  for (const [code, value] of options) optLen += optionBytes(code, value);
  if (options.length > 0) optLen += 4; // opt_endofopt
  const len = 8 + pad4(body.length) + optLen + 4;
  const b = new Uint8Array(len);
  const v = new DataView(b.buffer);
  v.setUint32(0, type, true);
  v.setUint32(4, len, true);
  b.set(body, 8);
  let at = 8 + pad4(body.length);
  for (const [code, value] of options) at = putOption(v, b, at, code, value);
  v.setUint32(len - 4, len, true);
  return b;
}

/** The Section Header and Interface Description blocks that open the file. */
function headerBlocks(options: PcapngWriteOptions): Uint8Array[] {
  const shb = new Uint8Array(16);
  const sv = new DataView(shb.buffer);
  sv.setUint32(0, BYTE_ORDER_MAGIC, true);
  sv.setUint16(4, 1, true);
  sv.setUint16(6, 0, true);
  sv.setBigInt64(8, -1n, true); // section length not specified
  const idb = new Uint8Array(8);
  const iv = new DataView(idb.buffer);
  iv.setUint16(0, LINKTYPE_ETHERNET, true);
  iv.setUint32(4, SNAP_LENGTH, true);
  const resolution = options.timestampResolution === 'ns' ? 9 : 6;
  return [
    block(BLOCK_SHB, shb, [[SHB_USERAPPL, utf8.encode(options.application ?? 'ftpwall')]]),
    block(BLOCK_IDB, idb, [[IF_TSRESOL, Uint8Array.of(resolution)]]),
  ];
}

/** An Enhanced Packet Block for one packet. */
function packetBlock(p: PcapngPacket, options: PcapngWriteOptions): Uint8Array {
  if ((p.srcMac && p.srcMac.length !== 6) || (p.dstMac && p.dstMac.length !== 6)) {
    throw new Error('pcapng writer: a MAC address has 6 bytes');
  }
  const frame = encodeEthernetFrame(p.packet, p.srcMac, p.dstMac);
  // Whole epoch seconds and the small rest are kept apart: epochMs + tMs in one double would lose
  // the sub-microsecond digits at present-day epochs (~1.7e12 ms).
  const epochMs = options.epochMs ?? 0;
  const epochSec = Math.floor(epochMs / 1000);
  const restMs = epochMs - epochSec * 1000 + p.tMs;
  const ns = options.timestampResolution === 'ns';
  const restUnits = BigInt(Math.round(restMs * (ns ? 1e6 : 1e3)));
  let units = BigInt(epochSec) * (ns ? 1_000_000_000n : 1_000_000n) + restUnits;
  if (units < 0n) units = 0n;
  const hi = Number(units >> 32n);
  const lo = Number(units & 0xffffffffn);
  const body = new Uint8Array(20 + frame.length);
  const v = new DataView(body.buffer);
  v.setUint32(0, 0, true); // interface 0
  v.setUint32(4, hi, true);
  v.setUint32(8, lo, true);
  v.setUint32(12, frame.length, true);
  v.setUint32(16, frame.length, true);
  body.set(frame, 20);
  return block(BLOCK_EPB, body, p.comment === undefined ? [] : [[OPT_COMMENT, utf8.encode(p.comment)]]);
}

/** Encodes a whole pcapng capture in memory. */
export function encodePcapng(packets: Iterable<PcapngPacket>, options: PcapngWriteOptions = {}): Uint8Array {
  const parts = headerBlocks(options);
  for (const p of packets) parts.push(packetBlock(p, options));
  const out = new Uint8Array(parts.reduce((n, b) => n + b.length, 0));
  let at = 0;
  for (const b of parts) {
    out.set(b, at);
    at += b.length;
  }
  return out;
}

/**
 * Opens a streaming writer to `file` (a path, `-` for stdout, or an open sink;
 * a path is written through a temporary file and renamed into place on close).
 */
export function createPcapngWriter(file: string | OutputSink, options: PcapngWriteOptions = {}): PcapngWriter {
  const name = typeof file === 'string' ? file : file.path;
  const diagnostics: Diagnostic[] = [];
  let sink: OutputSink | undefined;
  let failed = false;
  let packets = 0;
  let bytes = 0;
  const fail = (e: unknown): void => {
    failed = true;
    const message = e instanceof OutputError ? e.message : `cannot write ${name}: ${e instanceof Error ? e.message : String(e)}`;
    diagnostics.push({ severity: 'error', message, bytes: { file: name, byteOffset: bytes } });
    sink?.abort();
  };
  const put = (b: Uint8Array): void => {
    if (failed || sink === undefined) return;
    try {
      sink.write(b);
      bytes += b.length;
    } catch (e) {
      fail(e);
    }
  };
  try {
    sink = typeof file === 'string' ? openOutput(file) : file;
  } catch (e) {
    fail(e);
  }
  for (const b of headerBlocks(options)) put(b);
  return {
    write(p: PcapngPacket): void {
      if (failed) return;
      put(packetBlock(p, options));
      packets++;
    },
    close(): Parsed<WriteSummary> {
      if (!failed && sink !== undefined) {
        try {
          sink.commit();
        } catch (e) {
          fail(e);
        }
      }
      return { value: { file: name, packets: failed ? 0 : packets, bytes: failed ? 0 : bytes }, diagnostics };
    },
    abort(): void {
      failed = true;
      sink?.abort();
    },
  };
}

/** Writes packets to a pcapng file; on any error nothing is left under `file`'s name (an older file stays). */
export function writePcapng(file: string, packets: Iterable<PcapngPacket>, options: PcapngWriteOptions = {}): Parsed<WriteSummary> {
  const w = createPcapngWriter(file, options);
  try {
    for (const p of packets) w.write(p);
  } catch (e) {
    w.abort();
    throw e;
  }
  return w.close();
}
