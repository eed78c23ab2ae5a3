/** Builders of pcapng blocks for the reader tests (either byte order). */
import { concat } from './helpers.js';

function u16(v: number, le: boolean): Uint8Array {
  const b = new Uint8Array(2);
  new DataView(b.buffer).setUint16(0, v, le);
  return b;
}

function u32(v: number, le: boolean): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v >>> 0, le);
  return b;
}

function padded(b: Uint8Array): Uint8Array {
  return concat(b, new Uint8Array((4 - (b.length % 4)) % 4));
}

/** One option: code, length, value padded to 32 bits. */
export function opt(code: number, value: Uint8Array, le = true): Uint8Array {
  return concat(u16(code, le), u16(value.length, le), padded(value));
}

/** Options followed by opt_endofopt. */
export function opts(le: boolean, ...options: Uint8Array[]): Uint8Array {
  return options.length === 0 ? new Uint8Array(0) : concat(...options, u32(0, le));
}

/** A block: type, total length, body (padded), trailing total length. */
export function block(type: number, body: Uint8Array, le = true): Uint8Array {
  const b = padded(body);
  return concat(u32(type, le), u32(b.length + 12, le), b, u32(b.length + 12, le));
}

/** Section Header Block, version 1.0, section length unknown. */
export function shb(le = true, options: Uint8Array = new Uint8Array(0)): Uint8Array {
  return block(0x0a0d0d0a, concat(u32(0x1a2b3c4d, le), u16(1, le), u16(0, le), new Uint8Array(8).fill(0xff), options), le);
}

/** Interface Description Block. */
export function idb(linkType: number, snapLength: number, le = true, options: Uint8Array = new Uint8Array(0)): Uint8Array {
  return block(1, concat(u16(linkType, le), u16(0, le), u32(snapLength, le), options), le);
}

/** Enhanced Packet Block with a 64-bit timestamp in interface units. */
export function epb(ifId: number, units: bigint, data: Uint8Array, le = true, options: Uint8Array = new Uint8Array(0), origlen = data.length): Uint8Array {
  const hi = Number(units >> 32n);
  const lo = Number(units & 0xffffffffn);
  return block(6, concat(u32(ifId, le), u32(hi, le), u32(lo, le), u32(data.length, le), u32(origlen, le), padded(data), options), le);
}

/** Simple Packet Block. */
export function spb(origlen: number, data: Uint8Array, le = true): Uint8Array {
  return block(3, concat(u32(origlen, le), data), le);
}

/** Little-endian 64-bit signed value, for if_tsoffset. */
export function i64(v: bigint, le = true): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigInt64(0, v, le);
  return b;
}
