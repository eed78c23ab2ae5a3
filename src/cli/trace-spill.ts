/**
 * A capture's packet rows and events for a `--packets` report, kept as they are made: in memory up to a
 * bound, then in a temporary file, so a capture of millions of packets holds no row (the report lists its
 * rows after the flows, which are known only at the end). Read back in the order they were made, once per
 * list the report writes.
 */
import type { PacketRow, TraceEvent } from '../model/index.js';
import type { CapturePacketRow, PacketRowSink } from '../replay/index.js';
import { TraceLayoutTally, type TraceLayout } from '../report/packets.js';
import type { SpilledTrace } from '../report/stream.js';
import { SpillFile } from './spill-file.js';

/** Characters of rows and events held in memory before they go to the temporary file. */
export const HELD_TRACE_CHARS = 8 << 20;
const TRACE_FILE = 'trace.jsonl';
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
  private readonly file = new SpillFile('trace', TRACE_FILE);

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
    return this.file.used;
  }

  private hold(line: string): void {
    this.held.push(line);
    this.heldChars += line.length + 1;
    if (this.heldChars > this.holdChars) this.flush();
  }

  private flush(): void {
    if (this.held.length === 0) return;
    this.file.append(`${this.held.join('\n')}\n`);
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
    let partial = '';
    this.file.read((chunk) => {
      const text = partial + chunk;
      let from = 0;
      for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', from)) {
        one(text.slice(from, nl));
        from = nl + 1;
      }
      partial = text.slice(from);
    });
    one(partial);
    for (const line of this.held) one(line);
  }

  dispose(): void {
    this.file.dispose();
    this.held = [];
  }
}
