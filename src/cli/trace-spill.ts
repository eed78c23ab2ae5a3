/**
 * A capture's packet rows and events for a `--packets` report, kept as they are made: in memory up to a
 * bound, then in a temporary file, so a capture of millions of packets holds no row (the report lists its
 * rows after the flows, which are known only at the end). Read back in the order they were made, once per
 * list the report writes.
 */
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import type { PacketRow, TraceEvent } from '../model/index.js';
import type { CapturePacketRow, PacketRowSink } from '../replay/index.js';
import { TraceLayoutTally, type TraceLayout } from '../report/packets.js';
import type { SpilledTrace } from '../report/stream.js';
import { sweepStaleTempDirs, tempDirPrefix } from '../output/stale.js';

/** Characters of rows and events held in memory before they go to the temporary file. */
export const HELD_TRACE_CHARS = 8 << 20;
const TRACE_FILE = 'trace.jsonl';
/** Bytes read back from the temporary file at a time. */
const READ_BYTES = 1 << 20;
/** A line's first character: a row or an event. */
const ROW = 'r';
const EVENT = 'e';

/** Rows and events of one capture run; `dispose` removes its temporary file (call it in a `finally`). */
export class TraceSpill implements PacketRowSink, SpilledTrace {
  rowCount = 0;
  eventCount = 0;
  private readonly tally = new TraceLayoutTally();
  private held: string[] = [];
  private heldChars = 0;
  private dir: string | undefined;
  private fd: number | undefined;
  private fileBytes = 0;

  constructor(private readonly holdChars = HELD_TRACE_CHARS) {}

  event(e: TraceEvent): void {
    this.eventCount++;
    this.hold(EVENT + JSON.stringify(e));
  }

  row(r: CapturePacketRow): void {
    this.rowCount++;
    this.tally.add(r);
    this.hold(ROW + JSON.stringify(r));
  }

  layout(flows: number): TraceLayout {
    return this.tally.layout(flows);
  }

  /** True once some lines went to the temporary file. */
  get spilled(): boolean {
    return this.fd !== undefined;
  }

  private hold(line: string): void {
    this.held.push(line);
    this.heldChars += line.length + 1;
    if (this.heldChars > this.holdChars) this.flush();
  }

  private flush(): void {
    if (this.held.length === 0) return;
    if (this.fd === undefined) {
      // a run killed with -9 leaves its directory behind: the next run that spills removes it
      sweepStaleTempDirs(tmpdir(), 'trace', Date.now() - process.uptime() * 1000);
      this.dir = mkdtempSync(join(tmpdir(), tempDirPrefix('trace')));
      this.fd = openSync(join(this.dir, TRACE_FILE), 'w+');
    }
    const bytes = Buffer.from(`${this.held.join('\n')}\n`, 'utf8');
    for (let off = 0; off < bytes.length; ) off += writeSync(this.fd, bytes, off, bytes.length - off, this.fileBytes + off);
    this.fileBytes += bytes.length;
    this.held = [];
    this.heldChars = 0;
  }

  each(visit: (row: PacketRow | undefined, event: TraceEvent | undefined) => void): void {
    const one = (line: string): void => {
      if (line.length === 0) return;
      const value = JSON.parse(line.slice(1)) as unknown;
      if (line[0] === ROW) visit(value as PacketRow, undefined);
      else visit(undefined, value as TraceEvent);
    };
    if (this.fd !== undefined) {
      const buf = Buffer.alloc(READ_BYTES);
      const decoder = new StringDecoder('utf8');
      let partial = '';
      for (let pos = 0; pos < this.fileBytes; ) {
        const got = readSync(this.fd, buf, 0, Math.min(READ_BYTES, this.fileBytes - pos), pos);
        if (got === 0) break;
        pos += got;
        const text = partial + decoder.write(buf.subarray(0, got));
        let from = 0;
        for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', from)) {
          one(text.slice(from, nl));
          from = nl + 1;
        }
        partial = text.slice(from);
      }
      one(partial + decoder.end());
    }
    for (const line of this.held) one(line);
  }

  dispose(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    if (this.dir !== undefined) rmSync(this.dir, { recursive: true, force: true });
    this.fd = undefined;
    this.dir = undefined;
    this.held = [];
  }
}
