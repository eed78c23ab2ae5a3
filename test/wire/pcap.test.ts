import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../src/diag/diagnostic.js';
import { openCapture, readCaptureBytes } from '../../src/wire/capture.js';
import { decodeRecords } from '../../src/wire/capture-packets.js';
import { recordTimestampNs } from '../../src/wire/capture-types.js';
import { concat, hex } from './helpers.js';

/** Little-endian µs pcap, version 2.4, snaplen 65535, Ethernet. */
const LE_US_HEADER = hex('d4c3b2a1 0200 0400 00000000 00000000 ffff0000 01000000');
/** Big-endian ns pcap, version 2.4, snaplen 65535, raw IP (101). */
const BE_NS_HEADER = hex('a1b23c4d 0002 0004 00000000 00000000 0000ffff 00000065');

/** IPv4 10.0.0.2:50000 → 192.168.10.1:21, ACK, payload "QUIT\r\n" (46 bytes). */
const IP_QUIT = hex('4500002e 00004000 40060000 0a000002 c0a80a01  c3500015 00000001 00000002 50100200 00000000 51554954 0d0a');
const ETH = hex('001122334455 66778899aabb 0800');
const FRAME = concat(ETH, IP_QUIT); // 60 bytes

/** A little-endian record header: seconds, microseconds, captured and original length. */
function leRecord(sec: number, frac: number, caplen: number, origlen: number): Uint8Array {
  const b = new Uint8Array(16);
  const v = new DataView(b.buffer);
  [sec, frac, caplen, origlen].forEach((x, i) => v.setUint32(i * 4, x, true));
  return b;
}

function beRecord(sec: number, frac: number, caplen: number, origlen: number): Uint8Array {
  const b = new Uint8Array(16);
  const v = new DataView(b.buffer);
  [sec, frac, caplen, origlen].forEach((x, i) => v.setUint32(i * 4, x, false));
  return b;
}

describe('pcap reader', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ftpwall-pcap-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a little-endian microsecond file: header, timestamps, lengths and offsets of each record', () => {
    const file = concat(LE_US_HEADER, hex('e8030000 20a10700 3c000000 3c000000'), FRAME, leRecord(1001, 250, 60, 60), FRAME);
    const r = readCaptureBytes(file, 'le.pcap');
    expect(r.format).toEqual({ kind: 'pcap', byteOrder: 'little', timestampPrecision: 'us', versionMajor: 2, versionMinor: 4, snapLength: 65535, linkType: 1 });
    const recs = [...r];
    expect(recs.map((x) => [x.n, x.tsSec, x.tsNsec, x.tMs, x.byteOffset, x.dataOffset, x.capturedLength, x.linkType])).toEqual([
      [1, 1000, 500_000_000, 0, 24, 40, 60, 1],
      [2, 1001, 250_000, 500.25, 100, 116, 60, 1],
    ]);
    expect(recs[0]!.data).toEqual(FRAME);
    expect(recordTimestampNs(recs[1]!)).toBe(1_001_000_250_000n);
    expect(r.diagnostics).toEqual([]);
  });

  it('reads a big-endian nanosecond file with the link type from its header', () => {
    const file = concat(BE_NS_HEADER, beRecord(7, 123_456_789, 46, 46), IP_QUIT, beRecord(7, 123_456_790, 46, 46), IP_QUIT);
    const r = readCaptureBytes(file, 'be.pcap');
    expect(r.format).toMatchObject({ byteOrder: 'big', timestampPrecision: 'ns', linkType: 101 });
    const recs = [...r];
    expect(recs.map((x) => [x.tsSec, x.tsNsec, x.tMs, x.linkType])).toEqual([
      [7, 123_456_789, 0, 101],
      [7, 123_456_790, 0.000001, 101],
    ]);
    const packets = [...decodeRecords(readCaptureBytes(file, 'be.pcap'))];
    expect(packets.map((p) => p.frame.packet.dstPort)).toEqual([21, 21]);
  });

  it('reads the other two magic/order combinations (big-endian µs, little-endian ns)', () => {
    const beUs = concat(hex('a1b2c3d4 0002 0004 00000000 00000000 0000ffff 00000001'), beRecord(1, 5, 60, 60), FRAME);
    expect([...readCaptureBytes(beUs, 'a')].map((x) => x.tsNsec)).toEqual([5000]);
    const leNs = concat(hex('4d3cb2a1 0200 0400 00000000 00000000 ffff0000 01000000'), leRecord(1, 5, 60, 60), FRAME);
    expect([...readCaptureBytes(leNs, 'b')].map((x) => x.tsNsec)).toEqual([5]);
  });

  it('takes the link type from the low 16 bits, ignoring the FCS bits above them', () => {
    const header = hex('d4c3b2a1 0200 0400 00000000 00000000 ffff0000 01000014'); // F bit and FCS length 1 (16-bit FCS) set
    expect(readCaptureBytes(concat(header), 'fcs').format).toMatchObject({ linkType: 1 });
  });

  it('flags a snaplen-cut record as truncated without a diagnostic and decodes what is there', () => {
    const file = concat(LE_US_HEADER, leRecord(1, 0, 57, 60), FRAME.subarray(0, 57));
    const reader = decodeRecords(readCaptureBytes(file, 'cut.pcap'));
    const [p] = [...reader];
    expect(p!.record).toMatchObject({ capturedLength: 57, originalLength: 60 });
    expect(p!.frame.truncated).toBe(true);
    expect(new TextDecoder().decode(p!.frame.packet.payload)).toBe('QUI');
    expect(p!.frame.payloadLength).toBe(6);
    expect(reader.diagnostics).toEqual([]);
  });

  it('warns when the IP header announces more than a record that was not cut by the snaplen holds', () => {
    const file = concat(LE_US_HEADER, leRecord(1, 0, 57, 57), FRAME.subarray(0, 57));
    const reader = decodeRecords(readCaptureBytes(file, 'lie.pcap'));
    expect([...reader].length).toBe(1);
    expect(reader.diagnostics.map((d) => formatDiagnostic(d))).toEqual([
      'lie.pcap: byte 54, packet 1: warning: the IP header announces 6 payload bytes but the frame holds 3 and was not cut by the snapshot length',
    ]);
  });

  it('refuses a bad magic, saying what it found and what it expected', () => {
    const r = readCaptureBytes(hex('deadbeef 00000000'), 'x.bin');
    expect(r.fatal).toBe(true);
    expect(r.format).toBeUndefined();
    expect([...r]).toEqual([]);
    expect(r.diagnostics.map((d) => formatDiagnostic(d))).toEqual([
      'x.bin: byte 0: error: bad magic 0xdeadbeef: not a pcap file (magic a1b2c3d4 or a1b23c4d, in either byte order) or a pcapng file (0a0d0d0a)',
    ]);
  });

  it('recognises a gzip file and a modified pcap and says what to do', () => {
    expect(readCaptureBytes(hex('1f8b0800 00000000'), 'x.pcap.gz').diagnostics.map((d) => formatDiagnostic(d))).toEqual([
      'x.pcap.gz: byte 0: error: bad magic 0x1f8b0800: this is a gzip-compressed file, not a capture (gunzip it first)',
    ]);
    expect(readCaptureBytes(hex('34cdb2a1 0200'), 'k.pcap').diagnostics[0]).toMatchObject({
      message: 'modified (Kuznetzov) pcap, magic a1b2cd34, is not supported',
      suggestion: 'convert it with `editcap -F pcap`',
    });
  });

  it('reports an empty file, a too-short file and a cut file header as fatal', () => {
    expect(readCaptureBytes(new Uint8Array(0), 'e').diagnostics[0]!.message).toBe('the file is empty: not a capture');
    expect(readCaptureBytes(hex('d4c3'), 'e').diagnostics[0]!.message).toBe('the file has only 2 bytes: too short for a capture file header');
    const cut = readCaptureBytes(LE_US_HEADER.subarray(0, 10), 'h.pcap');
    expect(cut.fatal).toBe(true);
    expect(cut.diagnostics[0]!.message).toBe('pcap file header cut: the file has 10 of the 24 header bytes');
  });

  it('stops at a record header cut by the end of the file, keeping the records before it', () => {
    const r = readCaptureBytes(concat(LE_US_HEADER, leRecord(1, 0, 60, 60), FRAME, hex('0102030405')), 'cut.pcap');
    expect([...r].length).toBe(1);
    expect(r.fatal).toBe(false);
    expect(r.stats.stoppedEarly).toBe(true);
    expect(r.diagnostics.map((d) => formatDiagnostic(d))).toEqual([
      'cut.pcap: byte 100, packet 2: error: record 2 header cut: the file ends 5 bytes into its 16-byte header; stopped reading after 1 record; the last 5 bytes were not read',
    ]);
  });

  it('stops at a record whose data the end of the file cuts', () => {
    const r = readCaptureBytes(concat(LE_US_HEADER, leRecord(1, 0, 60, 60), FRAME.subarray(0, 20)), 'cut.pcap');
    expect([...r]).toEqual([]);
    expect(r.diagnostics[0]!.message).toBe('record 1 cut: the file ends after 20 of its 60 captured bytes; stopped reading after 0 records; the last 36 bytes were not read');
    expect(r.diagnostics[0]!.bytes).toEqual({ file: 'cut.pcap', byteOffset: 24, packet: 1 });
  });

  it('stops at an absurd captured length: above 256 KiB, or above the snapshot length', () => {
    const big = readCaptureBytes(concat(LE_US_HEADER, leRecord(1, 0, 60, 60), FRAME, leRecord(1, 0, 300000, 60), FRAME), 'big.pcap');
    expect([...big].length).toBe(1);
    expect(big.diagnostics[0]!.message).toBe(
      'record 2 claims 300000 captured bytes, more than the maximum 262144: the file is corrupt here; stopped reading after 1 record; the last 76 bytes were not read',
    );
    const overSnap = concat(hex('d4c3b2a1 0200 0400 00000000 00000000 20000000 01000000'), leRecord(1, 0, 60, 60), FRAME);
    expect(readCaptureBytes(overSnap, 's.pcap').next()).toBeUndefined();
    expect(readCaptureBytes(overSnap, 's.pcap').diagnostics).toEqual([]);
    const rs = readCaptureBytes(overSnap, 's.pcap');
    rs.next();
    expect(rs.diagnostics[0]!.message).toBe(
      "record 1 claims 60 captured bytes, more than the file's snapshot length 32: the file is corrupt here; stopped reading after 0 records; the last 76 bytes were not read",
    );
  });

  it('warns about an original length below the captured length and a microsecond field of a million or more', () => {
    const r = readCaptureBytes(concat(LE_US_HEADER, leRecord(1, 1_000_000, 60, 50), FRAME), 'w.pcap');
    const [rec] = [...r];
    expect(rec!.tsNsec).toBe(999_999_000);
    expect(r.diagnostics.map((d) => d.message)).toEqual([
      'record 1 has a timestamp fraction of 1000000, not below 1000000: taken as 999999',
      'record 1 has an original length of 50, less than its 60 captured bytes',
    ]);
  });

  it('reports a decoder error as a located warning and goes on with the next record', () => {
    const bad = FRAME.slice();
    bad[14] = 0x42; // IHL 2
    const file = concat(LE_US_HEADER, leRecord(1, 0, 60, 60), bad, leRecord(2, 0, 60, 60), FRAME);
    const reader = decodeRecords(readCaptureBytes(file, 'g.pcap'));
    expect([...reader].map((p) => p.record.n)).toEqual([2]);
    expect(reader.stats).toEqual({ decoded: 1, malformed: 1, skipped: {} });
    expect(reader.diagnostics.map((d) => formatDiagnostic(d))).toEqual([
      'g.pcap: byte 54, packet 1: warning: IPv4 header length field (IHL) is 2, less than the minimum 5 (20 bytes): packet skipped',
    ]);
  });

  it('counts non-IP frames by reason without a diagnostic', () => {
    const arp = concat(hex('ffffffffffff 66778899aabb 0806'), new Uint8Array(46));
    const reader = decodeRecords(readCaptureBytes(concat(LE_US_HEADER, leRecord(1, 0, 60, 60), arp, leRecord(1, 0, 60, 60), FRAME), 'a.pcap'));
    expect([...reader].length).toBe(1);
    expect(reader.stats.skipped).toEqual({ 'not IP: ARP (ethertype 0x0806)': 1 });
    expect(reader.diagnostics).toEqual([]);
  });

  it('reads a file in small chunks to the same records and keeps earlier record data intact', () => {
    const parts = [LE_US_HEADER];
    for (let i = 0; i < 50; i++) parts.push(leRecord(i, i, 60, 60), FRAME.map((b, k) => (k === 59 ? i : b)));
    const path = join(dir, 'many.pcap');
    writeFileSync(path, concat(...parts));
    const small = [...openCapture(path, { chunkBytes: 7 })];
    const whole = [...openCapture(path)];
    expect(small.length).toBe(50);
    expect(small.map((r) => [r.n, r.tsSec, r.byteOffset, r.data[59]])).toEqual(whole.map((r) => [r.n, r.tsSec, r.byteOffset, r.data[59]]));
    expect(small.map((r) => r.data[59])).toEqual([...Array(50).keys()]);
  });

  it('walks a file with the cursor in two alternating chunk buffers, and stops reusing them once next() hands out records', () => {
    const parts = [LE_US_HEADER];
    for (let i = 0; i < 50; i++) parts.push(leRecord(i, i, 60, 60), FRAME.map((b, k) => (k === 59 ? i : b)));
    const path = join(dir, 'recycle.pcap');
    writeFileSync(path, concat(...parts));
    // the cursor alone: each record's bytes right at its step, from at most two buffers (76-byte records, 100-byte chunks)
    const walk = openCapture(path, { chunkBytes: 100 });
    const seen = new Set<Uint8Array>();
    const last: number[] = [];
    while (walk.cursor.advance()) {
      const c = walk.cursor;
      seen.add(c.buffer);
      last.push(c.buffer[c.dataStart + 59]!);
    }
    expect(last).toEqual([...Array(50).keys()]);
    expect(seen.size).toBe(2);
    // the cursor first, then records kept from next(): every kept record's bytes stay intact
    const mixed = openCapture(path, { chunkBytes: 100 });
    for (let i = 0; i < 10; i++) expect(mixed.cursor.advance()).toBe(true);
    const kept = [...mixed];
    expect(kept.map((r) => r.data[59])).toEqual([...Array(40).keys()].map((i) => i + 10));
  });

  it('reports a file that cannot be opened as fatal, without throwing', () => {
    const r = openCapture('/nonexistent/dir/none.pcap');
    expect(r.fatal).toBe(true);
    expect(r.diagnostics.map((d) => formatDiagnostic(d))).toEqual([
      '/nonexistent/dir/none.pcap: byte 0: error: cannot open: ENOENT: no such file or directory',
    ]);
    expect(openCapture(tmpdir()).diagnostics[0]!.message).toBe('is a directory, not a capture file');
  });

  it('walks the same records with the allocation-free cursor as with next(), sharing one stream', () => {
    const file = concat(LE_US_HEADER, leRecord(1, 0, 60, 60), FRAME, leRecord(2, 0, 46, 60), FRAME.subarray(0, 46), leRecord(3, 7, 60, 60), FRAME);
    const r = readCaptureBytes(file, 'c.pcap');
    const c = r.cursor;
    expect(c.advance()).toBe(true);
    expect([c.n, c.tsSec, c.capturedLength, c.originalLength, c.byteOffset, c.dataOffset, c.dataStart]).toEqual([1, 1, 60, 60, 24, 40, 40]);
    expect(c.buffer.subarray(c.dataStart, c.dataStart + c.capturedLength)).toEqual(FRAME);
    expect(r.next()).toMatchObject({ n: 2, capturedLength: 46, originalLength: 60 });
    expect(c.advance()).toBe(true);
    expect([c.n, c.tsSec, c.tsNsec, c.tMs]).toEqual([3, 3, 7000, 2000.007]);
    expect(c.advance()).toBe(false);
    expect(readCaptureBytes(hex('00000000'), 'bad').cursor.advance()).toBe(false);
  });
});
