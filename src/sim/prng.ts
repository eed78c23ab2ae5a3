/**
 * A seeded pseudo-random generator (mulberry32, public domain by Tommy Ettinger):
 * small, fast and fully determined by its seed, so a scenario's seed fixes every
 * initial sequence number and every "encrypted" byte. Nothing here reads Math.random.
 */

/** A stream of pseudo-random uint32 values. */
export interface Prng {
  /** The next value, an unsigned 32-bit integer. */
  nextUint32(): number;
  /** Fills `out` with pseudo-random bytes and returns it. */
  fill(out: Uint8Array): Uint8Array;
  /**
   * The next `bytes` bytes of the stream (exactly what `fill` of that length would write), made
   * on demand from any offset; the stream moves past them at once, so nothing is held.
   */
  take(bytes: number): ByteSource;
}

/** Bytes read a piece at a time (a Uint8Array is one; so is a file made on demand). */
export interface ByteSource {
  readonly length: number;
  /** bytes `begin` to `end` (a view or a fresh copy: the caller does not write to it) */
  subarray(begin: number, end: number): Uint8Array;
}

/** mulberry32's state step; its state after k draws is seed + k × STEP (mod 2^32). */
const STEP = 0x6d2b79f5;

/** mulberry32's output for the state `s` (already stepped). */
function mix(s: number): number {
  let t = s;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return (t ^ (t >>> 14)) >>> 0;
}

/** A mulberry32 generator seeded with `seed` (any number; taken modulo 2^32). */
export function createPrng(seed: number): Prng {
  let state = seed >>> 0;
  const nextUint32 = (): number => {
    state = (state + STEP) >>> 0;
    return mix(state);
  };
  return {
    nextUint32,
    fill(out: Uint8Array): Uint8Array {
      for (let i = 0; i < out.length; i += 4) {
        const v = nextUint32();
        out[i] = v & 255;
        if (i + 1 < out.length) out[i + 1] = (v >>> 8) & 255;
        if (i + 2 < out.length) out[i + 2] = (v >>> 16) & 255;
        if (i + 3 < out.length) out[i + 3] = v >>> 24;
      }
      return out;
    },
    take(bytes: number): ByteSource {
      const start = state;
      const draws = Math.ceil(bytes / 4);
      state = (state + Math.imul(draws, STEP)) >>> 0;
      return {
        length: bytes,
        subarray(begin: number, end: number): Uint8Array {
          const from = Math.max(0, Math.min(begin, bytes));
          const to = Math.max(from, Math.min(end, bytes));
          const out = new Uint8Array(to - from);
          for (let i = from; i < to; ) {
            // byte i is byte (i mod 4) of draw ⌊i / 4⌋, whose state is start + (⌊i / 4⌋ + 1) × STEP
            const v = mix((start + Math.imul(Math.floor(i / 4) + 1, STEP)) >>> 0);
            for (let k = i % 4; k < 4 && i < to; k++, i++) out[i - from] = (v >>> (8 * k)) & 255;
          }
          return out;
        },
      };
    },
  };
}
