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
import { SpillFile } from './spill-file.js';

/** Characters of rows and events held in memory before they go to the temporary file. */
export const HELD_TRACE_CHARS = 8 << 20;
/**
 * Once a spill has a file, characters held before the next write: small enough that the strings die
 * young (held for megabytes, they were promoted to the old generation first, and the major
 * collections that freed them took a third of a long --packets JSON report's time).
 */
const SPILLING_CHARS = 1 << 17;
const TRACE_FILE = 'trace.jsonl';
/** A batch's marks: a row or an event, one character per entry, before the batch's JSON array. */
const ROW = 'r';
const EVENT = 'e';
/** Rows and events made into one line at a time (one JSON.stringify, and one JSON.parse when read back). */
const LINE_BATCH = 512;
/** Rows and events written to text a batch at a time (one JSON.stringify each: jsonElementsText). */
const JSON_BATCH = 512;

/**
 * Rows and events of one capture run; `dispose` removes its temporary file (call it in a `finally`). A line
 * of the file is a batch: its marks (`r` or `e` per entry, in order), then the entries as one JSON array.
 */
export class TraceSpill implements PacketRowSink, SpilledTrace {
  rowCount = 0;
  eventCount = 0;
  private readonly tally = new TraceLayoutTally();
  private batch: (CapturePacketRow | TraceEvent)[] = [];
  private marks = '';
  private held: string[] = [];
  private heldChars = 0;
  private readonly file = new SpillFile('trace', TRACE_FILE);

  /** `holdChars`: characters held in memory before the text goes to the file; `batchSize`: entries a line */
  constructor(
    private readonly holdChars = HELD_TRACE_CHARS,
    private readonly batchSize = LINE_BATCH,
  ) {}

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
    return this.file.used;
  }

  private add(entry: CapturePacketRow | TraceEvent, mark: string): void {
    this.batch.push(entry);
    this.marks += mark;
    if (this.batch.length >= this.batchSize) this.endBatch();
  }

  /** The batch to a line; the lines to the file past the bound. */
  private endBatch(): void {
    if (this.batch.length === 0) return;
    const line = this.marks + JSON.stringify(this.batch);
    this.batch = [];
    this.marks = '';
    this.held.push(line);
    this.heldChars += line.length + 1;
    if (this.heldChars > (this.file.used ? SPILLING_CHARS : this.holdChars)) this.flush();
  }

  private flush(): void {
    if (this.held.length === 0) return;
    this.file.append(`${this.held.join('\n')}\n`);
    this.held = [];
    this.heldChars = 0;
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
    this.batch = [];
    this.held = [];
  }
}

/** One list (rows or events) as the JSON report's text: held in memory up to a bound, then appended to its own temporary file. */
class SpilledText {
  private batch: (PacketRow | TraceEvent)[] = [];
  private held: string[] = [];
  private heldChars = 0;
  private readonly file: SpillFile;

  constructor(
    file: string,
    private readonly holdChars: number,
    private readonly batchSize: number,
  ) {
    this.file = new SpillFile('trace', file);
  }

  get spilled(): boolean {
    return this.file.used;
  }

  add(value: PacketRow | TraceEvent): void {
    this.batch.push(value);
    if (this.batch.length >= this.batchSize) this.write();
  }

  /** The batch to text, and the text to the file past the bound. */
  private write(): void {
    const text = jsonElementsText(this.batch);
    this.batch = [];
    this.held.push(text);
    this.heldChars += text.length;
    if (this.heldChars > (this.file.used ? SPILLING_CHARS : this.holdChars)) {
      this.file.append(this.held.join(''));
      this.held = [];
      this.heldChars = 0;
    }
  }

  /** The text from the start, in chunks. */
  read(chunk: (text: string) => void): void {
    if (this.batch.length > 0) this.write();
    this.file.read(chunk);
    if (this.held.length > 0) chunk(this.held.join(''));
  }

  dispose(): void {
    this.file.dispose();
    this.batch = [];
    this.held = [];
  }
}

/**
 * Rows and events of one capture run for a JSON --packets report, as the report's text (jsonElementsText), the
 * rows and the events in files of their own; `dispose` removes them (call it in a `finally`).
 */
export class JsonTraceSpill implements PacketRowSink, SpilledJsonTrace {
  readonly format = 'json';
  rowCount = 0;
  eventCount = 0;
  private readonly rows: SpilledText;
  private readonly events: SpilledText;

  /**
   * `holdChars`: characters held in memory in all before the text goes to the files (half for each list);
   * `batchSize`: rows or events made into text at a time
   */
  constructor(holdChars = HELD_TRACE_CHARS, batchSize = JSON_BATCH) {
    this.rows = new SpilledText('packets.json', holdChars / 2, batchSize);
    this.events = new SpilledText('events.json', holdChars / 2, batchSize);
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
    return this.rows.spilled || this.events.spilled;
  }

  texts(which: 'rows' | 'events', chunk: (text: string) => void): void {
    (which === 'rows' ? this.rows : this.events).read(chunk);
  }

  dispose(): void {
    this.rows.dispose();
    this.events.dispose();
  }
}
