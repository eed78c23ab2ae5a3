/**
 * The temporary file a report's rows spill into once they pass what is held in memory (RowSpill,
 * TraceSpill): made in its own directory under $TMPDIR on the first write (sweeping the directories a
 * killed run left, `ftpwall-<what>-<pid>-…`), appended to, read back in chunks, removed by dispose().
 */
import { closeSync, fstatSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { sweepStaleTempDirs, tempDirPrefix } from '../output/stale.js';

/** Bytes read back from the file at a time. */
const READ_BYTES = 1 << 20;

/** One spill file; nothing on disk until the first append. */
export class SpillFile {
  private dir: string | undefined;
  private fd: number | undefined;
  private bytes = 0;

  /** `what` names the temporary directory (`ftpwall-<what>-…`), `file` the file in it. */
  constructor(
    private readonly what: string,
    private readonly file: string,
  ) {}

  /** True once something was written to disk. */
  get used(): boolean {
    return this.fd !== undefined;
  }

  /** Appends `text` (UTF-8). */
  append(text: string): void {
    if (this.fd === undefined) {
      // a run killed with -9 leaves its directory behind: the next run that spills removes it
      sweepStaleTempDirs(tmpdir(), this.what, Date.now() - process.uptime() * 1000);
      this.dir = mkdtempSync(join(tmpdir(), tempDirPrefix(this.what)));
      this.fd = openSync(join(this.dir, this.file), 'w+');
    }
    const data = Buffer.from(text, 'utf8');
    for (let off = 0; off < data.length; ) off += writeSync(this.fd, data, off, data.length - off, this.bytes + off);
    this.bytes += data.length;
  }

  /** The file's text from the start, in chunks of about a MiB (a character never split across two). */
  read(chunk: (text: string) => void): void {
    if (this.fd === undefined) return;
    const buf = Buffer.alloc(READ_BYTES);
    const decoder = new StringDecoder('utf8');
    for (let pos = 0; pos < this.bytes; ) {
      const got = readSync(this.fd, buf, 0, Math.min(READ_BYTES, this.bytes - pos), pos);
      if (got === 0) break;
      pos += got;
      chunk(decoder.write(buf.subarray(0, got)));
    }
    const rest = decoder.end();
    if (rest.length > 0) chunk(rest);
  }

  /** Gives the file up for another thread: its directory (undefined when nothing was written); this one forgets it. */
  handOff(): string | undefined {
    if (this.fd === undefined) return undefined;
    closeSync(this.fd);
    const dir = this.dir;
    this.fd = undefined;
    this.dir = undefined;
    this.bytes = 0;
    return dir;
  }

  /** Takes over a file another thread handed off (its directory). */
  adopt(dir: string): void {
    this.dir = dir;
    const path = join(dir, this.file);
    this.fd = openSync(path, 'r');
    this.bytes = fstatSync(this.fd).size;
  }

  dispose(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    if (this.dir !== undefined) rmSync(this.dir, { recursive: true, force: true });
    this.fd = undefined;
    this.dir = undefined;
    this.bytes = 0;
  }
}
