/**
 * The ceiling's FTP helper text (bench/ceiling.ts): the data connection a control segment announces, read
 * in place from the frame's bytes as nf_conntrack_ftp's search table does: PORT and EPRT from the client,
 * 227 and 229 from the server, each at the start of a segment that follows a newline.
 */

/** Scratch for an IPv6 address in text: its groups as read, then in place. */
const groups = new Int32Array(8);
const words = new Int32Array(8);

/** A decimal number at `from` (before `to`, at most 5 digits): value * 8 + digits, or -1 without one. */
function num(buf: Uint8Array, from: number, to: number): number {
  let v = 0;
  let n = 0;
  while (from + n < to && n < 6) {
    const c = buf[from + n]! - 48;
    if (c < 0 || c > 9) break;
    v = v * 10 + c;
    n++;
  }
  return n === 0 ? -1 : v * 8 + n;
}

/** `h1,h2,h3,h4,p1,p2` at `i`: the address into `addr` (IPv4 in word 3), the port returned; -1 when malformed. */
function sixNumbers(buf: Uint8Array, i: number, to: number, addr: Int32Array): number {
  let a = 0;
  let port = 0;
  for (let k = 0; k < 6; k++) {
    const r = num(buf, i, to);
    if (r < 0) return -1;
    const v = r >>> 3;
    i += r & 7;
    if (k < 4) a = (a << 8) | v;
    else port = (port << 8) | v;
    if (k < 5) {
      if (buf[i] !== 44) return -1;
      i++;
    }
  }
  addr[0] = 0;
  addr[1] = 0;
  addr[2] = 0;
  addr[3] = a;
  return port;
}

/** An IPv6 address in text at [i, to) into `addr`: the index after it, or -1. */
function v6Text(buf: Uint8Array, i: number, to: number, addr: Int32Array): number {
  const g = groups;
  let n = 0;
  let gap = -1;
  if (buf[i] === 58 && buf[i + 1] === 58) {
    gap = 0;
    i += 2;
  }
  while (i < to && n < 8) {
    let v = 0;
    let d = 0;
    for (;;) {
      const c = buf[i]!;
      const x = c >= 48 && c <= 57 ? c - 48 : (c | 32) >= 97 && (c | 32) <= 102 ? (c | 32) - 87 : -1;
      if (x < 0 || d === 4) break;
      v = v * 16 + x;
      d++;
      i++;
    }
    if (d === 0) break;
    g[n++] = v;
    if (buf[i] !== 58) break;
    i++;
    if (buf[i] === 58) {
      if (gap >= 0) return -1;
      gap = n;
      i++;
    }
  }
  if (gap < 0 ? n !== 8 : n > 7) return -1;
  const out = words.fill(0);
  if (gap < 0) out.set(g.subarray(0, 8));
  else {
    out.set(g.subarray(0, gap), 0);
    out.set(g.subarray(gap, n), 8 - (n - gap));
  }
  for (let k = 0; k < 4; k++) addr[k] = (out[2 * k]! << 16) | out[2 * k + 1]!;
  return i;
}

/**
 * The data connection segment [p0, p1) of a control connection announces, sent in direction `d` (0 client,
 * 1 server) of a packet whose tuple is `t` (source address words 0-3, family in word 9 above the protocol):
 * its destination address into `addr` and its port returned, or -1 when the segment announces none.
 */
export function announcement(buf: Uint8Array, p0: number, p1: number, d: number, t: Int32Array, addr: Int32Array): number {
  if (p1 - p0 < 5) return -1;
  const fam = t[9]! >>> 8;
  const c0 = buf[p0]! | 32;
  const c1 = buf[p0 + 1]! | 32;
  const c2 = buf[p0 + 2]! | 32;
  const c3 = buf[p0 + 3]! | 32;
  if (d === 0 && c0 === 112 && c1 === 111 && c2 === 114 && c3 === 116 && buf[p0 + 4] === 32) {
    return fam === 4 ? sixNumbers(buf, p0 + 5, p1, addr) : -1; // PORT
  }
  if (d === 0 && c0 === 101 && c1 === 112 && c2 === 114 && c3 === 116 && buf[p0 + 4] === 32) {
    // EPRT |1|a.b.c.d|port| or |2|v6|port|
    const delim = buf[p0 + 5]!;
    const af = buf[p0 + 6]! - 48;
    let i = p0 + 8;
    if (af === 1 && fam === 4 && buf[p0 + 7] === delim) {
      let a = 0;
      for (let k = 0; k < 4; k++) {
        const r = num(buf, i, p1);
        if (r < 0) return -1;
        a = (a << 8) | (r >>> 3);
        i += r & 7;
        if (buf[i] !== (k < 3 ? 46 : delim)) return -1;
        i++;
      }
      addr[0] = 0;
      addr[1] = 0;
      addr[2] = 0;
      addr[3] = a;
    } else if (af === 2 && fam === 6 && buf[p0 + 7] === delim) {
      i = v6Text(buf, i, p1, addr);
      if (i < 0 || buf[i] !== delim) return -1;
      i++;
    } else return -1;
    const r = num(buf, i, p1);
    return r >= 0 && buf[i + (r & 7)] === delim ? r >>> 3 : -1;
  }
  if (d === 1 && c0 === 50 && c1 === 50 && (c2 === 55 || c2 === 57) && buf[p0 + 3] === 32) {
    let i = p0 + 4;
    while (i < p1 && buf[i] !== 40) i++;
    if (i >= p1) return -1;
    if (c2 === 55) return fam === 4 ? sixNumbers(buf, i + 1, p1, addr) : -1; // 227 (h1,h2,h3,h4,p1,p2)
    // 229 (|||port|): the server's own address
    const delim = buf[i + 1]!;
    if (buf[i + 2] !== delim || buf[i + 3] !== delim) return -1;
    const r = num(buf, i + 4, p1);
    if (r < 0 || buf[i + 4 + (r & 7)] !== delim) return -1;
    for (let k = 0; k < 4; k++) addr[k] = t[k]!;
    return r >>> 3;
  }
  return -1;
}
