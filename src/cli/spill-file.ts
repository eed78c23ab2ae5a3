/**
 * The temporary file a report's rows spill into once they pass what is held in memory (HeldText: RowSpill,
 * TraceSpill): made in its own directory under $TMPDIR on the first write (sweeping the directories a
 * killed run left, `ftpwall-<what>-<pid>-…`), appended to, read back in chunks, removed by dispose().
 */
import { closeSync, fstatSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { sweepStaleTempDirs, tempDirPrefix } from '../output/stale.js';

/**
 * Bytes read back from the file at a time: the text of a read stays well under V8's large-object size (128 KiB;
 * a string of any non-Latin-1 character takes two bytes a character), as a larger string gets pages of its own,
 * mapped fresh and touched for the first time (the page faults of a long `--packets` report's spill came to a
 * third of its time). And the bytes of text encoded into one reused buffer (outside V8's heap) before a write.
 */
const READ_BYTES = 1 << 15;
const WRITE_BYTES = 1 << 18;

/** One spill file; nothing on disk until the first append. */
export class SpillFile {
  private dir: string | undefined;
  private fd: number | undefined;
  private bytes = 0;
  /** the encoding buffer of append(), made at the first */
  private scratch: Buffer | undefined;

  /** `what` names the temporary directory (`ftpwall-<what>-…`), `file` the file in it. */
  constructor(
    private readonly what: string,
    private readonly file: string,
  ) {}

  /** True once something was written to disk. */
  get used(): boolean {
    return this.fd !== undefined;
  }

  /** Appends the texts in `pieces`, in order (UTF-8), with no string made of them together. */
  append(pieces: readonly string[]): void {
    if (this.fd === undefined) {
      // a run killed with -9 leaves its directory behind: the next run that spills removes it
      sweepStaleTempDirs(tmpdir(), this.what, Date.now() - process.uptime() * 1000);
      this.dir = mkdtempSync(join(tmpdir(), tempDirPrefix(this.what)));
      this.fd = openSync(join(this.dir, this.file), 'w+');
    }
    const buf = (this.scratch ??= Buffer.allocUnsafe(WRITE_BYTES));
    let used = 0;
    for (let i = 0; i < pieces.length; i++) {
      const text = pieces[i]!;
      // a UTF-16 unit is at most 3 UTF-8 bytes
      if (used > 0 && text.length * 3 > buf.length - used) {
        this.writeBytes(buf, used);
        used = 0;
      }
      if (text.length * 3 > buf.length) this.writeLong(text);
      else used += buf.write(text, used, 'utf8');
    }
    if (used > 0) this.writeBytes(buf, used);
  }

  /** A text too long for the buffer, a slice at a time (a slice never ends inside a surrogate pair). */
  private writeLong(text: string): void {
    const buf = this.scratch!;
    const step = Math.floor(buf.length / 3);
    for (let from = 0; from < text.length; ) {
      let to = Math.min(text.length, from + step);
      const last = text.charCodeAt(to - 1);
      if (to < text.length && last >= 0xd800 && last <= 0xdbff) to--;
      this.writeBytes(buf, buf.write(text.slice(from, to), 0, 'utf8'));
      from = to;
    }
  }

  private writeBytes(data: Uint8Array, length: number): void {
    for (let off = 0; off < length; ) off += writeSync(this.fd!, data, off, length - off, this.bytes + off);
    this.bytes += length;
  }

  /** The file's text from the start, in chunks of at most READ_BYTES bytes (a character never split across two). */
  read(chunk: (text: string) => void): void {
    if (this.fd === undefined) return;
    const buf = Buffer.allocUnsafe(READ_BYTES);
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
    this.scratch = undefined;
  }
}

/**
 * Once a spill has a file, characters held before the next write: small enough that the strings die young
 * (held for megabytes, they were promoted to the old generation first, and the major collections that freed
 * them took a third of a long --packets JSON report's time).
 */
const SPILLING_CHARS = 1 << 17;

/**
 * Text made in order and read back in order (RowSpill, TraceSpill, the JSON trace's lists): held in memory up
 * to `holdChars`, then appended to a SpillFile, which is made only then.
 */
export class HeldText {
  private held: string[] = [];
  private heldChars = 0;
  private readonly file: SpillFile;

  /** `what` and `file` name the temporary directory and file (SpillFile) */
  constructor(
    what: string,
    file: string,
    private readonly holdChars: number,
  ) {
    this.file = new SpillFile(what, file);
  }

  /** True once some text went to the temporary file. */
  get spilled(): boolean {
    return this.file.used;
  }

  add(text: string): void {
    this.held.push(text);
    this.heldChars += text.length;
    if (this.heldChars > (this.file.used ? SPILLING_CHARS : this.holdChars)) this.flush();
  }

  private flush(): void {
    if (this.held.length === 0) return;
    this.file.append(this.held);
    this.held = [];
    this.heldChars = 0;
  }

  /** The text from the start, in chunks (a character never split across two): the file's, then each piece held. */
  read(chunk: (text: string) => void): void {
    this.file.read(chunk);
    for (let i = 0; i < this.held.length; i++) chunk(this.held[i]!);
  }

  /** Gives the text up for another thread: its directory (all of it written there), or the text when nothing was written. */
  handOff(): { readonly dir: string | undefined; readonly text: string } {
    if (!this.file.used) return { dir: undefined, text: this.held.join('') };
    this.flush();
    return { dir: this.file.handOff(), text: '' };
  }

  /** Takes over text another thread handed off. */
  adopt(dir: string | undefined, text: string): void {
    if (dir !== undefined) this.file.adopt(dir);
    if (text.length > 0) {
      this.held = [text];
      this.heldChars = text.length;
    }
  }

  dispose(): void {
    this.file.dispose();
    this.held = [];
    this.heldChars = 0;
  }
}
