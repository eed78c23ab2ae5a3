/**
 * A scenario run's JSON packet rows, made as the simulation goes and held as text: in memory up
 * to a bound, then in a temporary file, so a run of a million packets holds no row, packet or
 * payload (the JSON report lists its rows after the flows, which are known only at the end).
 */
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import type { PacketReport } from '../report/run.js';
import { packetRowJson, type ChunkSink, type PacketRowText } from '../report/stream.js';
import { sweepStaleTempDirs, tempDirPrefix } from '../output/stale.js';

/** Characters of row text held in memory before they go to the temporary file. */
export const HELD_ROW_CHARS = 4 << 20;
const ROWS_FILE = 'rows.json';
/** Bytes read back from the temporary file at a time. */
const READ_BYTES = 1 << 20;

/** Rows a worker made, handed to the main thread: their temporary directory (all rows written out) or their text. */
export interface HandedRows {
  readonly count: number;
  readonly dir: string | undefined;
  readonly text: string;
}

/** Row text of one run; `dispose` removes its temporary file (call it in a `finally`). */
export class RowSpill implements PacketRowText {
  count = 0;
  private held: string[] = [];
  private heldChars = 0;
  private dir: string | undefined;
  private fd: number | undefined;

  constructor(private readonly holdChars = HELD_ROW_CHARS) {}

  /** Takes the run's next packet row. */
  readonly add = (row: PacketReport): void => {
    const text = packetRowJson(row, this.count++);
    this.held.push(text);
    this.heldChars += text.length;
    if (this.heldChars > this.holdChars) this.flush();
  };

  /** True once some rows went to the temporary file. */
  get spilled(): boolean {
    return this.fd !== undefined;
  }

  private flush(): void {
    if (this.held.length === 0) return;
    if (this.fd === undefined) {
      // a run killed with -9 leaves its directory behind: the next run that spills removes it
      sweepStaleTempDirs(tmpdir(), 'rows', Date.now() - process.uptime() * 1000);
      this.dir = mkdtempSync(join(tmpdir(), tempDirPrefix('rows')));
      this.fd = openSync(join(this.dir, ROWS_FILE), 'w+');
    }
    const bytes = Buffer.from(this.held.join(''), 'utf8');
    for (let off = 0; off < bytes.length; ) off += writeSync(this.fd, bytes, off, bytes.length - off);
    this.held = [];
    this.heldChars = 0;
  }

  writeTo(sink: ChunkSink): void {
    if (this.fd !== undefined) {
      this.flush();
      const buf = Buffer.alloc(READ_BYTES);
      const decoder = new StringDecoder('utf8');
      for (let pos = 0; ; ) {
        const got = readSync(this.fd, buf, 0, READ_BYTES, pos);
        if (got === 0) break;
        pos += got;
        sink(decoder.write(buf.subarray(0, got)));
      }
      const rest = decoder.end();
      if (rest.length > 0) sink(rest);
    }
    if (this.held.length > 0) sink(this.held.join(''));
  }

  /** Gives the rows up for another thread (`RowSpill.take`); this one no longer owns the file. */
  handOff(): HandedRows {
    if (this.fd === undefined) return { count: this.count, dir: undefined, text: this.held.join('') };
    this.flush();
    closeSync(this.fd);
    const out = { count: this.count, dir: this.dir, text: '' };
    this.fd = undefined;
    this.dir = undefined;
    return out;
  }

  /** Takes over rows another thread handed off (dispose it as usual). */
  static take(h: HandedRows): RowSpill {
    const r = new RowSpill();
    r.count = h.count;
    if (h.dir !== undefined) {
      r.dir = h.dir;
      r.fd = openSync(join(h.dir, ROWS_FILE), 'r');
    }
    if (h.text.length > 0) r.held = [h.text];
    return r;
  }

  dispose(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    if (this.dir !== undefined) rmSync(this.dir, { recursive: true, force: true });
    this.fd = undefined;
    this.dir = undefined;
    this.held = [];
  }
}
