/**
 * A binary min-heap of (due time, tie-break sequence, id) in flat number arrays:
 * the virtual-clock timers of conntrack entries and expectations. Entries are
 * never removed early; the owner checks on pop whether an entry is still current.
 */
import { grown } from '../../collections/typed-grow.js';

/** A min-heap of timers ordered by due time, then by insertion order. */
export interface TimerHeap {
  /** Adds a timer for `id` due at `atMs`. */
  push(atMs: number, id: number): void;
  /** Due time of the earliest timer, or Infinity when empty. */
  peekMs(): number;
  /** Removes the earliest timer and returns its id (call only when peekMs() is finite). */
  pop(): number;
  readonly size: number;
  /** Removes every timer (the owner then pushes the live ones again). */
  clear(): void;
}

/** Slots allocated at first; doubled when full, never shrunk (clear() keeps them). */
const FIRST_SLOTS = 1024;

/** Creates an empty timer heap, in typed arrays that grow by doubling and are reused after clear(). */
export function createTimerHeap(): TimerHeap {
  let at = new Float64Array(FIRST_SLOTS);
  let seq = new Float64Array(FIRST_SLOTS);
  let ids = new Float64Array(FIRST_SLOTS);
  let size = 0;
  let counter = 0;

  const grow = (): void => {
    const n = at.length * 2;
    at = grown(at, n);
    seq = grown(seq, n);
    ids = grown(ids, n);
  };
  const less = (i: number, j: number): boolean => at[i]! < at[j]! || (at[i] === at[j] && seq[i]! < seq[j]!);
  const swap = (i: number, j: number): void => {
    const a = at[i]!, s = seq[i]!, d = ids[i]!;
    at[i] = at[j]!;
    seq[i] = seq[j]!;
    ids[i] = ids[j]!;
    at[j] = a;
    seq[j] = s;
    ids[j] = d;
  };

  return {
    push(atMs: number, id: number): void {
      if (size === at.length) grow();
      let i = size++;
      at[i] = atMs;
      seq[i] = counter++;
      ids[i] = id;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (!less(i, parent)) break;
        swap(i, parent);
        i = parent;
      }
    },
    clear(): void {
      size = 0;
    },
    peekMs(): number {
      return size === 0 ? Infinity : at[0]!;
    },
    pop(): number {
      const top = ids[0]!;
      const last = size - 1;
      if (last > 0) swap(0, last);
      size = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < last && less(l, m)) m = l;
        if (r < last && less(r, m)) m = r;
        if (m === i) break;
        swap(i, m);
        i = m;
      }
      return top;
    },
    get size(): number {
      return size;
    },
  };
}
