/**
 * The virtual clock: an event queue ordered by (time, insertion order). The
 * simulator's only notion of time; nothing in the simulation reads the wall clock.
 */

/** A scheduled callback; cancel it by setting `cancelled`. */
export interface Timer {
  readonly atMs: number;
  cancelled: boolean;
}

interface Entry extends Timer {
  readonly order: number;
  readonly run: () => void;
}

/** An event queue on a virtual clock (binary min-heap on atMs, then order). */
export class EventQueue {
  private heap: Entry[] = [];
  private order = 0;
  private current = 0;
  private ran = 0;

  /** The current virtual time in ms. */
  get nowMs(): number {
    return this.current;
  }

  /** How many events have run. */
  get eventsRun(): number {
    return this.ran;
  }

  /** Schedules `run` at absolute time `atMs` (never earlier than now). */
  at(atMs: number, run: () => void): Timer {
    const e: Entry = { atMs: Math.max(atMs, this.current), order: this.order++, run, cancelled: false };
    this.push(e);
    return e;
  }

  /** Schedules `run` `delayMs` after now. */
  after(delayMs: number, run: () => void): Timer {
    return this.at(this.current + delayMs, run);
  }

  /** Runs events in order until the queue is empty; throws when more than `maxEvents` run (a runaway loop). */
  run(maxEvents: number): void {
    for (;;) {
      const e = this.pop();
      if (!e) return;
      if (e.cancelled) continue;
      this.current = e.atMs;
      if (++this.ran > maxEvents) throw new Error(`simulation exceeded ${maxEvents} events at ${this.current} ms`);
      e.run();
    }
  }

  private less(a: Entry, b: Entry): boolean {
    return a.atMs < b.atMs || (a.atMs === b.atMs && a.order < b.order);
  }

  private push(e: Entry): void {
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }

  private pop(): Entry | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length === 0 || !last) return top;
    h[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && this.less(h[l]!, h[m]!)) m = l;
      if (r < h.length && this.less(h[r]!, h[m]!)) m = r;
      if (m === i) break;
      [h[i], h[m]] = [h[m]!, h[i]!];
      i = m;
    }
    return top;
  }
}

/** "200 ms", "1 s", "1.5 s", "127 s" — for notes and endpoint events. */
export function formatDurationMs(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  const sec = ms / 1000;
  return `${Number.isInteger(sec) ? sec : sec.toFixed(1).replace(/\.0$/, '')} s`;
}
