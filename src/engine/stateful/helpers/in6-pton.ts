/**
 * The IPv6 text reader the kernel's EPRT parser uses (in6_pton and in4_pton,
 * net/core/utils.c), reproduced by behaviour: hex groups of at most four digits,
 * one `::`, an optional trailing dotted IPv4 part, ended by the delimiter or a
 * NUL byte or the end of the buffer. It is stricter and odder than ip-num
 * (e.g. `::` may only stand where the kernel's state machine allows), which is
 * why the helper does not use the project's address parser here.
 */

// Character classes (the kernel's IN6PTON_* bits, renamed).
const XDIGIT = 0x1;
const DIGIT = 0x2;
const COLON_1 = 0x4;
const COLON_2 = 0x8;
const COLON_1_2 = 0x10;
const COLON_ANY = COLON_1 | COLON_2 | COLON_1_2;
const DOT = 0x20;
const DELIM = 0x40;
const NULL_WORD = 0x80;

function classify(c: number, delim: number): number {
  if (c === delim || c === 0) return DELIM;
  if (c === 0x3a) return COLON_ANY;
  if (c === 0x2e) return DOT;
  if (c >= 0x30 && c <= 0x39) return XDIGIT | DIGIT;
  if ((c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46)) return XDIGIT;
  return 0;
}

function hexValue(c: number): number {
  if (c <= 0x39) return c - 0x30;
  return (c | 0x20) - 0x61 + 10;
}

/** Reads a byte, or 0 (NUL) once `avail` bytes are used up, as the kernel does with srclen. */
function at(data: Uint8Array, i: number, limit: number): number {
  return i < limit ? data[i]! : 0;
}

/**
 * in4_pton: four decimal octets (each 0-255, at least one digit) separated by dots,
 * ended by the delimiter, NUL, end of input, or a colon. Writes 4 bytes at out[o..o+3].
 * Returns the index where it stopped (the terminator) or -1.
 */
function in4(data: Uint8Array, start: number, limit: number, delim: number, out: Uint8Array, o: number): number {
  let i = start;
  let octets = 0;
  let value = 0;
  let digits = 0;
  for (;;) {
    const cls = classify(at(data, i, limit), delim);
    if (!(cls & (DIGIT | DOT | DELIM | COLON_ANY))) return -1;
    if (cls & (DOT | DELIM | COLON_ANY)) {
      if (digits === 0) return -1;
      out[o + octets] = value;
      octets++;
      value = 0;
      digits = 0;
      if (cls & (DELIM | COLON_ANY)) return octets === 4 ? i : -1;
    } else {
      value = value * 10 + (data[i]! - 0x30);
      digits++;
      if (value > 255) return -1;
    }
    if (octets >= 4) return -1;
    i++;
  }
}

/** The bytes in6Pton writes as it reads, reused (it runs for every IPv6 EPRT the helper reads). */
const groupBytes = new Uint8Array(16);

/**
 * in6_pton over data[start, start+len): on success writes the 16 address bytes to `out`
 * and returns the index of the terminating character (delimiter, NUL or end); -1 on failure.
 */
export function in6Pton(data: Uint8Array, start: number, len: number, delim: number, out: Uint8Array): number {
  const limit = Math.min(data.length, start + len);
  const buf = groupBytes.fill(0);
  let d = 0; // bytes written to buf
  let dc = -1; // where `::` stood, -1 if none
  let tok = -1; // start of the current group
  let state = COLON_1_2 | XDIGIT | NULL_WORD;
  let w = 0;
  let i = start;
  for (;;) {
    const c = at(data, i, limit);
    const cls = classify(c, delim);
    if (!(cls & state)) return -1;
    if (cls & (DELIM | COLON_ANY)) {
      if (!(state & NULL_WORD)) {
        buf[d++] = (w >> 8) & 0xff;
        buf[d++] = w & 0xff;
      }
      w = 0;
      if (cls & DELIM) break;
      // a colon: COLON_1 → a digit must follow; COLON_2 (the second of `::`) → digit or end
      switch (state & COLON_ANY) {
        case COLON_2:
          dc = d;
          state = XDIGIT | DELIM;
          if (dc >= 16) state |= NULL_WORD;
          break;
        case COLON_1 | COLON_1_2:
          state = XDIGIT | COLON_2;
          break;
        case COLON_1:
          state = XDIGIT;
          break;
        case COLON_1_2:
          state = COLON_2;
          break;
        default:
          state = 0;
      }
      tok = i + 1;
    } else if (cls & DOT) {
      const from = tok >= 0 ? tok : i;
      const end = in4(data, from, limit, delim, buf, d);
      if (end < 0) return -1;
      d += 4;
      i = end;
      break;
    } else {
      w = (w << 4) | hexValue(c);
      state = COLON_1 | DELIM;
      if (!(w & 0xf000)) state |= XDIGIT;
      if (dc < 0 && d + 2 < 16) {
        state |= COLON_1_2;
        state &= ~DELIM;
      }
      if (d + 2 >= 16) state &= ~(COLON_1 | COLON_1_2);
    }
    if ((dc >= 0 && d + 4 < 16) || d + 4 === 16) state |= DOT;
    if (d >= 16) state &= ~(XDIGIT | COLON_ANY);
    i++;
  }
  if (dc >= 0) {
    // groups after `::` go to the end; the gap is zero
    const tail = d - dc;
    out.fill(0);
    for (let k = 0; k < dc; k++) out[k] = buf[k]!;
    for (let k = dc; k < d; k++) out[16 - tail + k - dc] = buf[k]!;
  } else {
    out.set(buf);
  }
  return i;
}
