/** Bytes as text, one character per byte (ISO 8859-1: FTP's control lines are bytes, RFC 959 leaves their charset open). */

type Latin1Slice = (this: Uint8Array, start: number, end: number) => string;
/**
 * Buffer's own latin1 decoder, the method Buffer#toString('latin1', start, end) calls: it
 * takes any Uint8Array as `this`, so a line becomes a string without a Buffer object made
 * over its bytes. Undefined on a runtime without it (then one Buffer view per line).
 */
const latin1Slice = (Buffer.prototype as unknown as { latin1Slice?: Latin1Slice }).latin1Slice;

/** The text of bytes[start, end), one character per byte. */
export function latin1(b: Uint8Array, start = 0, end = b.length): string {
  if (latin1Slice !== undefined) return latin1Slice.call(b, start, end);
  return Buffer.from(b.buffer, b.byteOffset + start, end - start).toString('latin1');
}
