/** pcapng timestamps: a 64-bit count of interface units (if_tsresol) split into seconds and nanoseconds. */

/**
 * Splits hi·2^32 + lo units of 1/unitsPerSec s into whole seconds and nanoseconds, exactly
 * (`pow10` is n when unitsPerSec = 10^n, else -1 for a power of 2). Writes into `out`.
 */
export function splitTimestamp(unitsPerSec: number, pow10: number, hi: number, lo: number, out: { sec: number; nsec: number }): void {
  const d = unitsPerSec;
  let sec: number;
  let rem: number;
  if (hi < 0x200000) {
    // below 2^53 the count is exact in a double; the floor may be off by one, which the remainder shows
    const units = hi * 4294967296 + lo;
    sec = Math.floor(units / d);
    rem = units - sec * d;
    if (rem < 0) {
      sec--;
      rem += d;
    } else if (rem >= d) {
      sec++;
      rem -= d;
    }
  } else {
    const units = (BigInt(hi) << 32n) | BigInt(lo);
    const bd = pow10 >= 0 ? 10n ** BigInt(pow10) : BigInt(d);
    sec = Number(units / bd);
    rem = Number(units % bd);
  }
  out.sec = sec;
  // a power-of-2 resolution finer than 2^-23 s can lose a nanosecond here; real captures use 10^-6 or 10^-9
  out.nsec = pow10 >= 0 ? (pow10 <= 9 ? rem * 10 ** (9 - pow10) : Math.floor(rem / 10 ** (pow10 - 9))) : Math.floor((rem * 1e9) / d);
}
