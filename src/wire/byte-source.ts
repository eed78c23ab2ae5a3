/**
 * A forward-only window on a capture file, read in chunks so memory is bounded
 * by the chunk size (and the largest record), not the file size.
 *
 * A refill reads into a fresh buffer instead of overwriting the old one, so record
 * data handed out as views of a chunk stay valid after the reader moves on; unless
 * `recycle` is on, for a walker whose views die at its next step (the record cursor):
 * then the source alternates between two buffers, and a capture's chunks are not
 * left for the collector (259 MiB of them for a 259 MiB capture).
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/** Default chunk size: 1 MiB. */
export const DEFAULT_CHUNK_BYTES = 1 << 20;

/** Chunked bytes of a file or of a buffer already in memory. */
export class ByteSource {
  /** current chunk */
  buf: Uint8Array;
  /** DataView over `buf` */
  view: DataView;
  /** read position in `buf` */
  pos = 0;
  /** end of valid bytes in `buf` */
  end: number;
  /** file offset of buf[0] */
  base = 0;
  /** file size in bytes, when known */
  readonly size: number;
  /** the I/O error that ended reading, if any */
  ioError: string | undefined;
  /**
   * Reuse the chunk before the current one for the next refill: only while nobody keeps a
   * view of a chunk past the next refill (the reader turns it off once it hands out records).
   */
  private recycle = true;
  /** the chunk before `buf`, kept for reuse when `recycle` is on */
  private spare: Uint8Array | undefined;

  private fd: number | undefined;
  private filePos: number;
  private readonly chunkBytes: number;

  private constructor(buf: Uint8Array, fd: number | undefined, size: number, chunkBytes: number) {
    this.buf = buf;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    this.end = fd === undefined ? buf.length : 0;
    this.fd = fd;
    this.size = size;
    this.filePos = 0;
    this.chunkBytes = chunkBytes;
  }

  /** A source over bytes in memory (no copy). */
  static fromBytes(bytes: Uint8Array): ByteSource {
    return new ByteSource(bytes, undefined, bytes.length, bytes.length);
  }

  /** Opens a file; answers an error message instead of throwing when it cannot be opened. */
  static open(file: string, chunkBytes = DEFAULT_CHUNK_BYTES): ByteSource | string {
    let fd: number | undefined;
    try {
      fd = openSync(file, 'r');
      const st = fstatSync(fd);
      if (st.isDirectory()) {
        closeSync(fd);
        return 'is a directory, not a capture file';
      }
      return new ByteSource(new Uint8Array(0), fd, st.isFile() ? st.size : Number.POSITIVE_INFINITY, chunkBytes);
    } catch (e) {
      if (fd !== undefined) closeSync(fd);
      return `cannot open: ${ioMessage(e)}`;
    }
  }

  /** File offset of the read position. */
  offset(): number {
    return this.base + this.pos;
  }

  /** Bytes left in the file after the read position (Infinity when the size is unknown). */
  remaining(): number {
    return this.size - this.offset();
  }

  /** Makes at least `n` bytes available at `pos`; false when the file ends (or fails) first. */
  ensure(n: number): boolean {
    if (this.end - this.pos >= n) return true;
    if (this.fd === undefined) return false;
    const keep = this.end - this.pos;
    const size = Math.max(this.chunkBytes, n);
    const spare = this.spare;
    const next = this.recycle && spare !== undefined && spare.length === size ? spare : new Uint8Array(size);
    this.spare = this.recycle && this.buf.length === size ? this.buf : undefined;
    next.set(this.buf.subarray(this.pos, this.end), 0);
    let filled = keep;
    try {
      while (filled < next.length) {
        const got = readSync(this.fd, next, filled, next.length - filled, this.filePos);
        if (got === 0) break;
        filled += got;
        this.filePos += got;
      }
    } catch (e) {
      this.ioError = ioMessage(e);
      this.close();
    }
    this.base += this.pos;
    this.buf = next;
    this.view = new DataView(next.buffer, 0, next.length);
    this.pos = 0;
    this.end = filled;
    return filled >= n;
  }

  /** Moves the read position forward by `n` bytes, past the buffered window if need be. */
  skip(n: number): void {
    if (this.end - this.pos >= n) {
      this.pos += n;
      return;
    }
    const beyond = n - (this.end - this.pos);
    this.base += this.end;
    this.buf = new Uint8Array(0);
    this.view = new DataView(this.buf.buffer);
    this.pos = 0;
    this.end = 0;
    this.base += beyond;
    this.filePos += beyond;
  }

  /** Turns recycling off for good: views of every chunk from here on stay valid. */
  stopRecycling(): void {
    this.recycle = false;
    this.spare = undefined;
  }

  /** Closes the file (idempotent). */
  close(): void {
    if (this.fd !== undefined) {
      try {
        closeSync(this.fd);
      } catch {
        // closing a read-only descriptor cannot lose data; nothing to report
      }
      this.fd = undefined;
    }
  }
}

/** The message of an fs error without the stack: `ENOENT: no such file or directory`. */
export function ioMessage(e: unknown): string {
  if (e instanceof Error) {
    const code = (e as NodeJS.ErrnoException).code;
    const msg = e.message.replace(/^[A-Z]+: /, '').replace(/, \w+ '.*'$/, '');
    return code ? `${code}: ${msg}` : msg;
  }
  return String(e);
}
