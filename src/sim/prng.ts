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
}

/** A mulberry32 generator seeded with `seed` (any number; taken modulo 2^32). */
export function createPrng(seed: number): Prng {
  let state = seed >>> 0;
  const nextUint32 = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
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
  };
}
