import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../src/diag/diagnostic.js';
import { readCaptureBytes } from '../../src/wire/capture.js';
import { decodeRecords } from '../../src/wire/capture-packets.js';
import { concat, hex } from './helpers.js';
import { block, epb, i64, idb, opt, opts, shb, spb } from './pcapng-build.js';

const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);
const IP_QUIT = hex('4500002e 00004000 40060000 0a000002 c0a80a01  c3500015 00000001 00000002 50100200 00000000 51554954 0d0a');
const FRAME = concat(hex('001122334455 66778899aabb 0800'), IP_QUIT); // 60 bytes

describe('pcapng reader', () => {
  it('reads a literal little-endian file: SHB with an option, IDB, EPB with a comment', () => {
    const file = concat(
      // SHB: length 40, BOM, 1.0, section length -1, shb_userappl "ab" (padded), end of options
      hex('0a0d0d0a 28000000 4d3c2b1a 0100 0000 ffffffffffffffff 0400 0200 61620000 00000000 28000000'),
      // IDB: length 20, Ethernet, snaplen 65535, no options
      hex('01000000 14000000 0100 0000 ffff0000 14000000'),
      // EPB: length 32 + 4-byte payload + comment option "hi" (8) + end (4) = 48; ts = 1 s + 5 µs
      hex('06000000 30000000 00000000 00000000 45420f00 04000000 3c000000 deadbeef 0100 0200 68690000 00000000 30000000'),
    );
    const r = readCaptureBytes(file, 'lit.pcapng');
    expect(r.format).toEqual({ kind: 'pcapng' });
    const [rec, ...rest] = [...r];
    expect(rest).toEqual([]);
    expect(rec).toEqual({
      n: 1,
      tsSec: 1,
      tsNsec: 5000,
      tMs: 0,
      hasTimestamp: true,
      interfaceId: 0,
      section: 0,
      linkType: 1,
      capturedLength: 4,
      originalLength: 60,
      data: hex('deadbeef'),
      byteOffset: 60,
      dataOffset: 88,
      comment: 'hi',
    });
    expect(r.diagnostics).toEqual([]);
    expect(r.stats).toMatchObject({ records: 1, sections: 1, skippedRecords: 0, ignoredBlocks: {} });
  });

  it('reads a big-endian section the same way', () => {
    const file = concat(shb(false), idb(1, 65535, false), epb(0, 2_000_000n, FRAME, false, opts(false, opt(1, ascii('big'), false))));
    const [rec] = [...readCaptureBytes(file, 'be.pcapng')];
    expect(rec).toMatchObject({ tsSec: 2, tsNsec: 0, linkType: 1, capturedLength: 60, comment: 'big' });
    expect(rec!.data).toEqual(FRAME);
  });

  it('starts each section afresh: new byte order, interfaces reset, section numbers counted', () => {
    const file = concat(
      shb(true), idb(1, 0), idb(101, 0), epb(1, 1_000_000n, IP_QUIT),
      shb(false), idb(228, 0, false), epb(0, 3_000_000n, IP_QUIT, false), epb(1, 4_000_000n, IP_QUIT, false), epb(0, 5_000_000n, IP_QUIT, false),
    );
    const r = readCaptureBytes(file, 's.pcapng');
    const recs = [...r];
    expect(recs.map((x) => [x.n, x.section, x.interfaceId, x.linkType, x.tMs])).toEqual([
      [1, 0, 1, 101, 0],
      [2, 1, 0, 228, 2000],
      [4, 1, 0, 228, 4000],
    ]);
    expect(r.stats).toMatchObject({ records: 3, skippedRecords: 1, sections: 2 });
    expect(r.diagnostics.map((d) => formatDiagnostic(d))).toEqual([
      's.pcapng: byte 284, packet 3: warning: EPB refers to interface 1 but section 1 defines only interface 0: packet skipped',
    ]);
    expect([...decodeRecords(readCaptureBytes(file, 's.pcapng'))].map((p) => p.frame.packet.dstPort)).toEqual([21, 21, 21]);
  });

  it('applies if_tsresol (powers of 10 and of 2) and if_tsoffset', () => {
    const ns = concat(shb(), idb(1, 0, true, opts(true, opt(9, Uint8Array.of(9)))), epb(0, 1_700_000_000_123_456_789n, FRAME));
    expect([...readCaptureBytes(ns, 'ns')].map((r) => [r.tsSec, r.tsNsec])).toEqual([[1_700_000_000, 123_456_789]]);
    const pow2 = concat(shb(), idb(1, 0, true, opts(true, opt(9, Uint8Array.of(0x80 | 20)))), epb(0, (5n << 20n) + (1n << 19n), FRAME));
    expect([...readCaptureBytes(pow2, 'p2')].map((r) => [r.tsSec, r.tsNsec])).toEqual([[5, 500_000_000]]);
    const offset = concat(shb(), idb(1, 0, true, opts(true, opt(14, i64(1_000_000n)), opt(9, Uint8Array.of(3)))), epb(0, 2500n, FRAME));
    expect([...readCaptureBytes(offset, 'off')].map((r) => [r.tsSec, r.tsNsec])).toEqual([[1_000_002, 500_000_000]]);
    const psec = concat(shb(), idb(1, 0, true, opts(true, opt(9, Uint8Array.of(12)))), epb(0, 12_345_678_123_456_789_123n, FRAME));
    expect([...readCaptureBytes(psec, 'ps')].map((r) => [r.tsSec, r.tsNsec])).toEqual([[12_345_678, 123_456_789]]);
  });

  it('reads a Simple Packet Block on interface 0: length capped by snaplen, previous timestamp', () => {
    const file = concat(shb(), idb(1, 40), epb(0, 7_000_000n, FRAME.subarray(0, 40), true, new Uint8Array(0), 60), spb(60, FRAME.subarray(0, 40)));
    const r = readCaptureBytes(file, 'spb');
    const recs = [...r];
    expect(recs.map((x) => [x.n, x.hasTimestamp, x.tsSec, x.tMs, x.capturedLength, x.originalLength])).toEqual([
      [1, true, 7, 0, 40, 60],
      [2, false, 7, 0, 40, 60],
    ]);
    expect(recs[1]!.data).toEqual(FRAME.subarray(0, 40));
  });

  it('reads the obsolete Packet Block (type 2)', () => {
    const body = concat(hex('0000 0000 00000000 40420f00 3c000000 3c000000'), FRAME);
    const [rec] = [...readCaptureBytes(concat(shb(), idb(1, 0), block(2, body)), 'pb')];
    expect(rec).toMatchObject({ n: 1, tsSec: 1, capturedLength: 60 });
  });

  it('skips and counts blocks without packets (NRB, ISB, DSB, custom, unknown) without a diagnostic', () => {
    const file = concat(
      shb(), idb(1, 0), block(4, hex('0000 0000')), block(5, hex('00000000 00000000 00000000')), block(0x0a, hex('00000000 00000000')),
      block(0x00000bad, hex('00000001')), block(0x40000bad, hex('00000001')), block(0x123, hex('00')), epb(0, 0n, FRAME),
    );
    const r = readCaptureBytes(file, 'skip');
    expect([...r].length).toBe(1);
    expect(r.stats.ignoredBlocks).toEqual({ NRB: 1, ISB: 1, DSB: 1, 'custom block': 2, 'block type 0x00000123': 1 });
    expect(r.diagnostics).toEqual([]);
  });

  it('reads padded options: two comments of odd lengths are joined', () => {
    const file = concat(shb(), idb(1, 0), epb(0, 0n, FRAME, true, opts(true, opt(1, ascii('hello')), opt(2, hex('00000001')), opt(1, ascii('again')))));
    expect([...readCaptureBytes(file, 'o')][0]!.comment).toBe('hello\nagain');
  });

  it('warns about an option that runs past its block and keeps the packet', () => {
    const file = concat(shb(), idb(1, 0), epb(0, 0n, FRAME, true, hex('0100 4000 68690000')));
    const r = readCaptureBytes(file, 'o');
    expect([...r].map((x) => x.comment)).toEqual([undefined]);
    expect(r.diagnostics.map((d) => formatDiagnostic(d))).toEqual([
      'o: byte 136, packet 1: warning: option 1 of 64 bytes runs past the end of its block: options ignored from here',
    ]);
  });

  it('skips a packet block whose captured length exceeds the block and reads on', () => {
    const bad = epb(0, 0n, FRAME);
    new DataView(bad.buffer).setUint32(20, 200, true);
    const r = readCaptureBytes(concat(shb(), idb(1, 0), bad, epb(0, 1n, FRAME)), 'c');
    expect([...r].map((x) => x.n)).toEqual([2]);
    expect(r.diagnostics.map((d) => formatDiagnostic(d))).toEqual([
      'c: byte 68, packet 1: warning: EPB claims 200 captured bytes, more than the 60 bytes the block has room for: packet skipped',
    ]);
  });

  it('stops at a block length that is not a multiple of 4, below 12, past the end, or unlike its trailing copy', () => {
    const head = concat(shb(), idb(1, 0), epb(0, 0n, FRAME));
    const cases: [Uint8Array, string][] = [
      [hex('06000000 0d000000 00000000 00'), 'EPB total length 13 is not a multiple of 4: the next block cannot be found'],
      [hex('06000000 08000000 00000000'), 'EPB total length 8 is less than the minimum 12: the next block cannot be found'],
      [hex('06000000 00010000 00000000'), 'EPB claims 256 bytes but only 12 remain: the file is truncated'],
      [hex('05000000 0c000000 10000000'), 'ISB total length 12 does not match its trailing copy 16'],
      [hex('0600'), 'block header cut: the file ends 2 bytes into an 8-byte block header'],
    ];
    for (const [tail, message] of cases) {
      const r = readCaptureBytes(concat(head, tail), 'b');
      expect([...r].length).toBe(1);
      expect(r.stats.stoppedEarly).toBe(true);
      expect(r.diagnostics.map((d) => d.message)).toEqual([`${message}; stopped reading after 1 record`]);
      expect(r.diagnostics[0]!.severity).toBe('error');
    }
  });

  it('refuses a bad byte-order magic: fatal in the first section, a stop in a later one', () => {
    const badFirst = hex('0a0d0d0a 1c000000 11223344 0100 0000 ffffffffffffffff 1c000000');
    const r = readCaptureBytes(badFirst, 'bom');
    expect(r.fatal).toBe(true);
    expect(r.diagnostics[0]!.message).toBe('bad byte-order magic 0x11223344 in the pcapng section header, expected 1a2b3c4d (either byte order)');
    const later = readCaptureBytes(concat(shb(), idb(1, 0), epb(0, 0n, FRAME), badFirst), 'bom2');
    expect([...later].length).toBe(1);
    expect(later.diagnostics.map((d) => formatDiagnostic(d))).toEqual([
      'bom2: byte 148: error: bad byte-order magic 0x11223344 in an SHB, expected 1a2b3c4d (either byte order); stopped reading after 1 record',
    ]);
  });

  it('refuses a section of an unknown major version', () => {
    const v2 = hex('0a0d0d0a 1c000000 4d3c2b1a 0200 0000 ffffffffffffffff 1c000000');
    const r = readCaptureBytes(v2, 'v2');
    expect([...r]).toEqual([]);
    expect(r.diagnostics[0]!.message).toBe('pcapng version 2.0 is not supported (expected 1.0); stopped reading after 0 records');
  });

  it('walks pcapng packet blocks with the cursor, comments and data in place', () => {
    const file = concat(shb(), idb(1, 0), epb(0, 5n, FRAME, true, opts(true, opt(1, ascii('x')))), block(4, hex('00000000')), spb(60, FRAME));
    const c = readCaptureBytes(file, 'cur').cursor;
    expect(c.advance()).toBe(true);
    expect([c.n, c.tsNsec, c.comment, c.hasTimestamp]).toEqual([1, 5000, 'x', true]);
    expect(c.buffer.subarray(c.dataStart, c.dataStart + c.capturedLength)).toEqual(FRAME);
    expect(c.advance()).toBe(true);
    expect([c.n, c.tsNsec, c.comment, c.hasTimestamp, c.dataOffset]).toEqual([2, 5000, undefined, false, c.byteOffset + 12]);
    expect(c.advance()).toBe(false);
  });
});
