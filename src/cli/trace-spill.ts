/**
 * A capture's packet rows and events for a `--packets` report, kept as they are made: in memory up to a
 * bound, then in a temporary file, so a capture of millions of packets holds no row (the report lists its
 * rows after the flows, which are known only at the end). Read back in the order they were made, once per
 * list the report writes. A JSON report's spill (JsonTraceSpill) keeps the report's own text of each row and
 * event, in two files, so writing the report copies text: no row is parsed or written twice.
 */
import type { PacketRow, TraceEvent } from '../model/index.js';
import type { CapturePacketRow, PacketRowSink } from '../replay/index.js';
import { TraceLayoutTally, type TraceLayout } from '../report/packets.js';
import { jsonElementsText, type SpilledJsonTrace, type SpilledTrace } from '../report/stream.js';
import { HeldText } from './spill-file.js';

/** Characters of rows and events held in memory before they go to the temporary file. */
export const HELD_TRACE_CHARS = 8 << 20;
const TRACE_FILE = 'trace.jsonl';
/** A batch's marks: a row or an event, one character per entry, before the batch's JSON array. */
const ROW = 'r';
const EVENT = 'e';
/**
 * Rows and events made into one line at a time (one JSON.stringify, and one JSON.parse when read back), and
 * written to text a batch at a time (one JSON.stringify each: jsonElementsText): few enough that a batch's
 * text stays under V8's large-object size (128 KiB), which would put each on pages mapped fresh for it.
 */
const LINE_BATCH = 64;
const JSON_BATCH = 64;

/**
 * Rows and events of one capture run; `dispose` removes its temporary file (call it in a `finally`). A line
 * of the text is a batch: its marks (`r` or `e` per entry, in order), then the entries as one JSON array.
 */
export class TraceSpill implements PacketRowSink, SpilledTrace {
  rowCount = 0;
  eventCount = 0;
  private readonly tally = new TraceLayoutTally();
  private batch: (CapturePacketRow | TraceEvent)[] = [];
  private marks = '';
  private readonly text: HeldText;

  /** `holdChars`: characters held in memory before the text goes to the file; `batchSize`: entries a line */
  constructor(
    holdChars = HELD_TRACE_CHARS,
    private readonly batchSize = LINE_BATCH,
  ) {
    this.text = new HeldText('trace', TRACE_FILE, holdChars);
  }

  event(e: TraceEvent): void {
    this.eventCount++;
    this.add(e, EVENT);
  }

  row(r: CapturePacketRow): void {
    this.rowCount++;
    this.tally.add(r);
    this.add(r, ROW);
  }

  layout(flows: number): TraceLayout {
    return this.tally.layout(flows);
  }

  /** True once some lines went to the temporary file. */
  get spilled(): boolean {
    return this.text.spilled;
  }

  private add(entry: CapturePacketRow | TraceEvent, mark: string): void {
    this.batch.push(entry);
    this.marks += mark;
    if (this.batch.length >= this.batchSize) this.endBatch();
  }

  /** The batch to a line of the text. */
  private endBatch(): void {
    if (this.batch.length === 0) return;
    this.text.add(`${this.marks}${JSON.stringify(this.batch)}\n`);
    this.batch = [];
    this.marks = '';
  }

  each(visit: (row: PacketRow | undefined, event: TraceEvent | undefined) => void): void {
    this.endBatch();
    const one = (line: string): void => {
      if (line.length === 0) return;
      const at = line.indexOf('[');
      const entries = JSON.parse(line.slice(at)) as unknown[];
      for (let i = 0; i < entries.length; i++) {
        if (line[i] === ROW) visit(entries[i] as PacketRow, undefined);
        else visit(undefined, entries[i] as TraceEvent);
      }
    };
    // a line's pieces from earlier chunks, joined once its end comes (not searched again with each chunk)
    let parts: string[] = [];
    this.text.read((chunk) => {
      let from = 0;
      for (let nl = chunk.indexOf('\n'); nl >= 0; nl = chunk.indexOf('\n', from)) {
        const piece = chunk.slice(from, nl);
        if (parts.length === 0) one(piece);
        else {
          parts.push(piece);
          one(parts.join(''));
          parts = [];
        }
        from = nl + 1;
      }
      if (from < chunk.length) parts.push(chunk.slice(from));
    });
    one(parts.join(''));
  }

  dispose(): void {
    this.text.dispose();
    this.batch = [];
  }
}

/** One list (rows or events) as the JSON report's text, made a batch at a time. */
class JsonList {
  private batch: (PacketRow | TraceEvent)[] = [];
  readonly text: HeldText;

  constructor(
    file: string,
    holdChars: number,
    private readonly batchSize: number,
  ) {
    this.text = new HeldText('trace', file, holdChars);
  }

  add(value: PacketRow | TraceEvent): void {
    this.batch.push(value);
    if (this.batch.length >= this.batchSize) this.endBatch();
  }

  private endBatch(): void {
    if (this.batch.length === 0) return;
    this.text.add(jsonElementsText(this.batch));
    this.batch = [];
  }

  /** The text from the start, in chunks. */
  read(chunk: (text: string) => void): void {
    this.endBatch();
    this.text.read(chunk);
  }

  dispose(): void {
    this.text.dispose();
    this.batch = [];
  }
}

/**
 * Rows and events of one capture run for a JSON --packets report, as the report's text (jsonElementsText), the
 * rows and the events in files of their own; `dispose` removes them (call it in a `finally`).
 */
export class JsonTraceSpill implements PacketRowSink, SpilledJsonTrace {
  rowCount = 0;
  eventCount = 0;
  private readonly rows: JsonList;
  private readonly events: JsonList;

  /**
   * `holdChars`: characters held in memory in all before the text goes to the files (half for each list);
   * `batchSize`: rows or events made into text at a time
   */
  constructor(holdChars = HELD_TRACE_CHARS, batchSize = JSON_BATCH) {
    this.rows = new JsonList('packets.json', holdChars / 2, batchSize);
    this.events = new JsonList('events.json', holdChars / 2, batchSize);
  }

  event(e: TraceEvent): void {
    this.eventCount++;
    this.events.add(e);
  }

  row(r: CapturePacketRow): void {
    this.rowCount++;
    this.rows.add(r);
  }

  /** True once some text went to a temporary file. */
  get spilled(): boolean {
    return this.rows.text.spilled || this.events.text.spilled;
  }

  texts(which: 'rows' | 'events', chunk: (text: string) => void): void {
    (which === 'rows' ? this.rows : this.events).read(chunk);
  }

  dispose(): void {
    this.rows.dispose();
    this.events.dispose();
  }
}
