/**
 * A scenario run's JSON packet rows, made as the simulation goes and held as text: in memory up
 * to a bound, then in a temporary file, so a run of a million packets holds no row, packet or
 * payload (the JSON report lists its rows after the flows, which are known only at the end).
 */
import type { PacketReport } from '../report/run.js';
import { packetRowJson, type ChunkSink, type PacketRowText } from '../report/stream.js';
import { HeldText } from './spill-file.js';

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
  private readonly text: HeldText;

  constructor(holdChars = HELD_ROW_CHARS) {
    this.text = new HeldText('rows', ROWS_FILE, holdChars);
  }

  /** Takes the run's next packet row. */
  readonly add = (row: PacketReport): void => {
    this.text.add(packetRowJson(row, this.count++));
  };

  /** True once some rows went to the temporary file. */
  get spilled(): boolean {
    return this.text.spilled;
  }

  writeTo(sink: ChunkSink): void {
    this.text.read(sink);
  }

  /** Gives the rows up for another thread (`RowSpill.take`); this one no longer owns the file. */
  handOff(): HandedRows {
    return { count: this.count, ...this.text.handOff() };
  }

  /** Takes over rows another thread handed off (dispose it as usual). */
  static take(h: HandedRows): RowSpill {
    const r = new RowSpill();
    r.count = h.count;
    r.text.adopt(h.dir, h.text);
    return r;
  }

  dispose(): void {
    this.text.dispose();
  }
}
