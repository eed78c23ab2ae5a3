/**
 * The ceiling's expectations (bench/ceiling.ts): the one-shot pinholes the FTP helper opens, in typed arrays,
 * found by destination address and port (the source address checked), one per master connection as the FTP
 * helper's max_expected = 1 says; linear probing with deletion by backward shift.
 */

/** Expectation slots: the table stays at most half full (nf_ct_expect_max), so every probe ends. */
const SLOTS = 1 << 12;
const MASK = SLOTS - 1;
/** words of a tuple: source address (4), destination address (4), port, family and protocol */
const W = 10;
/** nf_ct_ftp's expect policy: `.timeout = 5 * 60` */
const EXPECT_TIMEOUT_MS = 300_000;

/** The same 32-bit mix as the ceiling's tuple hash. */
export function mix(h: number, x: number): number {
  h = Math.imul(h ^ x, 0x85ebca6b);
  return h ^ (h >>> 13);
}

/** The ceiling's expectation table; `pending[m]` is master m's expectation slot, or -1. */
export class CeilingExpectations {
  private readonly tup = new Int32Array(SLOTS * W);
  private readonly master = new Int32Array(SLOTS).fill(-1);
  private readonly dueMs = new Float64Array(SLOTS);
  private readonly hash = new Int32Array(SLOTS);
  private live = 0;

  constructor(private readonly pending: Int32Array) {}

  /** Removes the expectation in slot `x`. */
  remove(x: number): void {
    const { tup, master, dueMs, hash, pending } = this;
    this.live--;
    pending[master[x]!] = -1;
    master[x] = -1;
    let i = x;
    for (let j = (i + 1) & MASK; master[j] !== -1; j = (j + 1) & MASK) {
      const home = hash[j]! & MASK;
      if (((j - home) & MASK) >= ((j - i) & MASK)) {
        tup.copyWithin(i * W, j * W, j * W + W);
        master[i] = master[j]!;
        dueMs[i] = dueMs[j]!;
        hash[i] = hash[j]!;
        if (master[i]! >= 0) pending[master[i]!] = i;
        master[j] = -1;
        i = j;
      }
    }
  }

  /** Opens master `m`'s expectation of a connection from `src` to `dst`:`port` (family word `fam`), replacing its last. */
  add(m: number, src: Int32Array, dst: Int32Array, port: number, fam: number, nowMs: number): void {
    const { tup, master, dueMs, hash, pending } = this;
    if (pending[m]! >= 0) this.remove(pending[m]!);
    if (this.live >= SLOTS >> 1) return;
    let h = mix(0x9e3779b1, fam);
    for (let i = 0; i < 4; i++) h = mix(h, dst[i]!);
    h = mix(h, port) | 0;
    let x = h & MASK;
    while (master[x] !== -1) {
      if (dueMs[x]! <= nowMs) {
        this.remove(x);
        continue;
      }
      x = (x + 1) & MASK;
    }
    const b = x * W;
    for (let i = 0; i < 4; i++) {
      tup[b + i] = src[i]!;
      tup[b + 4 + i] = dst[i]!;
    }
    tup[b + 8] = port;
    tup[b + 9] = fam;
    master[x] = m;
    dueMs[x] = nowMs + EXPECT_TIMEOUT_MS;
    hash[x] = h;
    pending[m] = x;
    this.live++;
  }

  /** The live expectation the packet tuple `t` (words as the ceiling's) meets, or -1; an expired one it finds goes. */
  find(t: Int32Array, nowMs: number): number {
    const { tup, master, dueMs, hash } = this;
    let h = mix(0x9e3779b1, t[9]!);
    for (let i = 4; i < 8; i++) h = mix(h, t[i]!);
    h = mix(h, t[8]! & 0xffff) | 0;
    for (let x = h & MASK; master[x] !== -1; x = (x + 1) & MASK) {
      if (hash[x] !== h) continue;
      const b = x * W;
      if (tup[b + 9] !== t[9] || tup[b + 8] !== (t[8]! & 0xffff)) continue;
      let same = true;
      for (let i = 0; i < 8 && same; i++) same = tup[b + i] === t[i];
      if (!same) continue;
      if (dueMs[x]! <= nowMs) {
        this.remove(x);
        return -1;
      }
      return x;
    }
    return -1;
  }
}
