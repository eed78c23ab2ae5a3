/**
 * A scenario run's JSON packet rows, made as the simulation goes and held as text: in memory up
 * to a bound, then in a temporary file, so a run of a million packets holds no row, packet or
 * payload (the JSON report lists its rows after the flows, which are known only at the end).
 */
import type { PacketReport } from '../report/run.js';
import { packetRowJson, type ChunkSink, type PacketRowText } from '../report/stream.js';
import { SpillFile } from './spill-file.js';

/** Characters of row text held in memory before they go to the temporary file. */
export const HELD_ROW_CHARS = 4 << 20;
const ROWS_FILE = 'rows.json';

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
  private readonly file = new SpillFile('rows', ROWS_FILE);

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
    return this.file.used;
  }

  private flush(): void {
    if (this.held.length === 0) return;
    this.file.append(this.held.join(''));
    this.held = [];
    this.heldChars = 0;
  }

  writeTo(sink: ChunkSink): void {
    if (this.file.used) {
      this.flush();
      this.file.read(sink);
    }
    if (this.held.length > 0) sink(this.held.join(''));
  }

  /** Gives the rows up for another thread (`RowSpill.take`); this one no longer owns the file. */
  handOff(): HandedRows {
    if (!this.file.used) return { count: this.count, dir: undefined, text: this.held.join('') };
    this.flush();
    return { count: this.count, dir: this.file.handOff(), text: '' };
  }

  /** Takes over rows another thread handed off (dispose it as usual). */
  static take(h: HandedRows): RowSpill {
    const r = new RowSpill();
    r.count = h.count;
    if (h.dir !== undefined) r.file.adopt(h.dir);
    if (h.text.length > 0) r.held = [h.text];
    return r;
  }

  dispose(): void {
    this.file.dispose();
    this.held = [];
  }
}
