/**
 * Flood captures (issue 14): raw-IPv4 pcaps written record by record, shared by
 * the flood tests (reduced sizes) and `npm run bench` (full sizes). Clients sit
 * outside (10.0.0.0/8), the server 192.168.10.1 behind GigabitEthernet2/1/10, as
 * in the bundled configs.
 */
import { closeSync, openSync, writeSync } from 'node:fs';

const TCP = 6;
const FIN = 0x01;
const SYN = 0x02;
const RST = 0x04;
const PSH = 0x08;
const ACK = 0x10;
/** LINKTYPE_RAW: each record is an IP packet. */
const LINKTYPE_RAW = 101;
const SERVER = (192 << 24) | (168 << 16) | (10 << 8) | 1;
const FLUSH_BYTES = 1 << 20;

/** A distinct client address 10.a.b.c (c in 1..254) for each index below 254 · 65536. */
export function clientAddress(i: number): number {
  const q = Math.floor(i / 254);
  return ((10 << 24) | ((q & 0xffff) << 8) | (1 + (i % 254))) >>> 0;
}

/** Writes a little-endian µs pcap of raw IPv4/TCP records. */
class PcapWriter {
  private readonly fd: number;
  private buf = Buffer.alloc(FLUSH_BYTES + 4096);
  private used = 0;
  records = 0;
  bytes = 0;

  constructor(file: string) {
    this.fd = openSync(file, 'w');
    const h = Buffer.alloc(24);
    h.writeUInt32LE(0xa1b2c3d4, 0);
    h.writeUInt16LE(2, 4);
    h.writeUInt16LE(4, 6);
    h.writeUInt32LE(65535, 16);
    h.writeUInt32LE(LINKTYPE_RAW, 20);
    writeSync(this.fd, h);
    this.bytes = 24;
  }

  tcp(tUs: number, src: number, sp: number, dst: number, dp: number, flags: number, seq: number, ack: number, payload = ''): void {
    const len = 40 + payload.length;
    if (this.used + 16 + len > this.buf.length) this.flush();
    const b = this.buf;
    let o = this.used;
    b.writeUInt32LE(Math.floor(tUs / 1e6), o);
    b.writeUInt32LE(tUs % 1e6, o + 4);
    b.writeUInt32LE(len, o + 8);
    b.writeUInt32LE(len, o + 12);
    o += 16;
    b[o] = 0x45;
    b[o + 1] = 0;
    b.writeUInt16BE(len, o + 2);
    b.writeUInt32BE(0, o + 4);
    b[o + 8] = 64;
    b[o + 9] = TCP;
    b.writeUInt16BE(0, o + 10);
    b.writeUInt32BE(src >>> 0, o + 12);
    b.writeUInt32BE(dst >>> 0, o + 16);
    b.writeUInt16BE(sp, o + 20);
    b.writeUInt16BE(dp, o + 22);
    b.writeUInt32BE(seq >>> 0, o + 24);
    b.writeUInt32BE(ack >>> 0, o + 28);
    b[o + 32] = 5 << 4;
    b[o + 33] = flags;
    b.writeUInt16BE(65535, o + 34);
    b.writeUInt32BE(0, o + 36);
    b.write(payload, o + 40, 'latin1');
    this.used = o + len;
    this.records++;
    this.bytes += 16 + len;
  }

  private flush(): void {
    writeSync(this.fd, this.buf, 0, this.used);
    this.used = 0;
  }

  close(): { records: number; bytes: number } {
    this.flush();
    closeSync(this.fd);
    return { records: this.records, bytes: this.bytes };
  }
}

/** What a generator wrote. */
export interface FloodCapture {
  readonly records: number;
  readonly bytes: number;
}

/** `count` SYNs to 192.168.10.1:21, each from a distinct client address/port, 1 µs apart. */
export function writeSynFlood(file: string, count: number): FloodCapture {
  const w = new PcapWriter(file);
  for (let i = 0; i < count; i++) w.tcp(i, clientAddress(i >>> 4), 1024 + (i & 15) * 3000 + ((i >>> 4) % 3000), SERVER, 21, SYN, i * 7919, 0);
  return w.close();
}

/** One logged-in control connection (handshake, 220, USER), then `count` PORT commands on it, each naming a new port. */
export function writePortFlood(file: string, count: number): FloodCapture {
  const w = new PcapWriter(file);
  const c = clientAddress(1);
  let t = 0;
  let cs = 1000;
  let ss = 5000;
  w.tcp(t++, c, 40000, SERVER, 21, SYN, cs++, 0);
  w.tcp(t++, SERVER, 21, c, 40000, SYN | ACK, ss++, cs);
  w.tcp(t++, c, 40000, SERVER, 21, ACK, cs, ss);
  const say = (from: 'c' | 's', text: string): void => {
    if (from === 'c') {
      w.tcp(t++, c, 40000, SERVER, 21, PSH | ACK, cs, ss, text);
      cs += text.length;
    } else {
      w.tcp(t++, SERVER, 21, c, 40000, PSH | ACK, ss, cs, text);
      ss += text.length;
    }
  };
  say('s', '220 ready\r\n');
  say('c', 'USER a\r\n');
  say('s', '331 go on\r\n');
  for (let i = 0; i < count; i++) {
    const port = 10000 + (i % 50000);
    say('c', `PORT 10,0,0,${c & 0xff},${port >> 8},${port & 0xff}\r\n`);
  }
  w.tcp(t++, c, 40000, SERVER, 21, FIN | ACK, cs, ss);
  return w.close();
}

/** `count` control connections that each complete the handshake and stay open (none closes). */
export function writeControlFlood(file: string, count: number): FloodCapture {
  const w = new PcapWriter(file);
  let t = 0;
  for (let i = 0; i < count; i++) {
    const c = clientAddress(i >>> 4);
    const sp = 20000 + (i & 15);
    w.tcp(t++, c, sp, SERVER, 21, SYN, 100, 0);
    w.tcp(t++, SERVER, 21, c, sp, SYN | ACK, 900, 101);
    w.tcp(t++, c, sp, SERVER, 21, ACK, 101, 901);
  }
  return w.close();
}

/**
 * `masters` logged-in control connections, then `rounds` rounds in which each sends a
 * PORT: pinholes from many masters, more than the expectation table holds; at the
 * end every connection is reset.
 */
export function writePinholeFlood(file: string, masters: number, rounds: number): FloodCapture {
  const w = new PcapWriter(file);
  let t = 0;
  const cs: number[] = [];
  const ss: number[] = [];
  const addr = (m: number): number => clientAddress(m >>> 4);
  const port = (m: number): number => 30000 + (m & 15);
  for (let m = 0; m < masters; m++) {
    const c = addr(m);
    w.tcp(t++, c, port(m), SERVER, 21, SYN, 100, 0);
    w.tcp(t++, SERVER, 21, c, port(m), SYN | ACK, 900, 101);
    w.tcp(t++, c, port(m), SERVER, 21, ACK, 101, 901);
    w.tcp(t++, SERVER, 21, c, port(m), PSH | ACK, 901, 101, '220 ready\r\n');
    w.tcp(t++, c, port(m), SERVER, 21, PSH | ACK, 101, 912, 'USER a\r\n');
    cs.push(109);
    ss.push(912);
  }
  for (let r = 0; r < rounds; r++) {
    for (let m = 0; m < masters; m++) {
      const c = addr(m);
      const p = 10000 + (m & 15) * 1000 + (r % 1000); // distinct per master sharing an address
      const text = `PORT ${c >>> 24},${(c >>> 16) & 255},${(c >>> 8) & 255},${c & 255},${p >> 8},${p & 255}\r\n`;
      w.tcp(t++, c, port(m), SERVER, 21, PSH | ACK, cs[m]!, ss[m]!, text);
      cs[m]! += text.length;
    }
  }
  for (let m = 0; m < masters; m++) w.tcp(t++, addr(m), port(m), SERVER, 21, RST | ACK, cs[m]!, ss[m]!);
  return w.close();
}
