import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { ip } from '../helpers/build.js';
import { PROTO_TCP, TCP_ACK, TCP_PSH } from '../../src/net/packet.js';
import { openCapture, readCaptureBytes } from '../../src/wire/capture.js';
import { decodeFrame } from '../../src/wire/decode.js';
import { decodeRecords } from '../../src/wire/capture-packets.js';
import { walkCaptureBuffer } from '../../src/wire/walk.js';
import { encodePcapng } from '../../src/wire/pcapng-writer.js';

const CORPUS = '../shared/corpus/pcap/';
const CORPUS_FILES = ['suricata-ftp-bounce.pcap', 'zeek-ftp-ipv4.pcapng', 'ndpi-ftp-failed.pcap', 'suricata-ftp-download-passive.nsec.pcap'];

/** Seeds: a pcapng of our own (always there) and small corpus files when the corpus is present. */
function seeds(): { name: string; bytes: Uint8Array }[] {
  const packet = { src: ip('10.0.0.2'), dst: ip('192.168.10.1'), proto: PROTO_TCP, srcPort: 50000, dstPort: 21,
    tcpFlags: TCP_PSH | TCP_ACK, seq: 1, ack: 2, window: 512, payload: new TextEncoder().encode('PASV\r\n'), fragment: 'none' as const };
  const own = encodePcapng([0, 1, 2].map((i) => ({ tMs: i, packet, comment: `c${i}` })));
  const out = [{ name: 'own.pcapng', bytes: own }];
  if (existsSync(CORPUS)) for (const f of CORPUS_FILES) out.push({ name: f, bytes: new Uint8Array(readFileSync(CORPUS + f)) });
  else console.warn(`fuzzing only a generated capture: ${CORPUS} not found`);
  return out;
}

type Mutation =
  | { kind: 'flip'; at: number; value: number }[]
  | { kind: 'truncate'; at: number }
  | { kind: 'splice'; from: number; to: number; length: number };

function mutate(bytes: Uint8Array, m: Mutation): Uint8Array {
  if (Array.isArray(m)) {
    const b = bytes.slice();
    for (const f of m) b[f.at % b.length] = f.value;
    return b;
  }
  if (m.kind === 'truncate') return bytes.slice(0, m.at % (bytes.length + 1));
  // splice: copy a run of bytes from one place over another (a record header lands in a payload…)
  const b = bytes.slice();
  const from = m.from % b.length;
  const to = m.to % b.length;
  b.copyWithin(to, from, Math.min(b.length, from + m.length));
  return b;
}

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.array(fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }), { minLength: 1, maxLength: 8 }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('splice' as const), from: fc.nat(), to: fc.nat(), length: fc.integer({ min: 1, max: 64 }) }),
);

describe('capture reader and decoder under mutated input', () => {
  const inputs = seeds();
  const dir = mkdtempSync(join(tmpdir(), 'ftpwall-fuzz-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('never throw, always end, and locate every diagnostic inside the file', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: inputs.length - 1 }), mutation, (which, m) => {
        const seed = inputs[which]!;
        const bytes = mutate(seed.bytes, m);
        const reader = decodeRecords(readCaptureBytes(bytes, seed.name, { maxDiagnostics: 50 }));
        let steps = 0;
        for (const { record, frame } of reader) {
          steps++;
          expect(steps).toBeLessThanOrEqual(bytes.length); // every record consumes at least one byte
          expect(record.dataOffset + record.data.length).toBeLessThanOrEqual(bytes.length);
          expect(frame.packet.payload.length).toBeLessThanOrEqual(record.data.length);
        }
        expect(reader.next()).toBeUndefined();
        for (const d of reader.diagnostics) {
          expect(d.bytes?.file).toBe(seed.name);
          expect(d.bytes!.byteOffset).toBeGreaterThanOrEqual(0);
          expect(d.bytes!.byteOffset).toBeLessThanOrEqual(bytes.length);
          expect(d.message.length).toBeGreaterThan(0);
        }
        expect(reader.diagnostics.length).toBeLessThanOrEqual(51);
        walkCaptureBuffer(bytes);
      }),
      { numRuns: 600, seed: 20240601 },
    );
  });

  it('a capture cut anywhere but between blocks reports an error located at or after the last whole record', () => {
    const seed = inputs[0]!;
    // block boundaries of our own little-endian pcapng: a cut there leaves a shorter but valid file
    const boundaries = new Set<number>();
    const v = new DataView(seed.bytes.buffer, seed.bytes.byteOffset, seed.bytes.byteLength);
    for (let at = 0; at < seed.bytes.length; at += v.getUint32(at + 4, true)) boundaries.add(at);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: seed.bytes.length - 1 }), (cut) => {
        const capture = readCaptureBytes(seed.bytes.slice(0, cut), seed.name);
        const records = [...capture];
        const last = records.at(-1);
        const end = last ? last.dataOffset + last.capturedLength : 0;
        if (capture.fatal) expect(capture.diagnostics[0]!.severity).toBe('error');
        else if (boundaries.has(cut)) expect(capture.diagnostics).toEqual([]);
        else if (!boundaries.has(cut)) {
          expect(capture.diagnostics.some((d) => d.severity === 'error' && d.bytes!.byteOffset >= end - 1)).toBe(true);
        }
      }),
      { numRuns: 200, seed: 7 },
    );
  });

  it('reading a mutated file in 13-byte chunks gives the same records and diagnostics as reading it in memory', () => {
    const path = join(dir, 'm.cap');
    fc.assert(
      fc.property(fc.integer({ min: 0, max: inputs.length - 1 }), mutation, (which, m) => {
        const bytes = mutate(inputs[which]!.bytes, m);
        writeFileSync(path, bytes);
        const summary = (r: ReturnType<typeof openCapture>) => ({
          records: [...r].map((x) => [x.n, x.byteOffset, x.tsSec, x.tsNsec, Array.from(x.data).join(',')]),
          diagnostics: r.diagnostics.map((d) => [d.message, d.bytes?.byteOffset, d.bytes?.packet]),
        });
        expect(summary(openCapture(path, { chunkBytes: 13 }))).toEqual(summary(readCaptureBytes(bytes, path)));
      }),
      { numRuns: 150, seed: 99 },
    );
  });

  it('the frame decoder answers ok, skip or error for any bytes and any link type', () => {
    fc.assert(
      fc.property(fc.constantFrom(0, 1, 12, 14, 101, 108, 113, 228, 229, 276, 105), fc.uint8Array({ maxLength: 120 }), (lt, bytes) => {
        const r = decodeFrame(lt, bytes);
        expect(['ok', 'skip', 'error']).toContain(r.kind);
        if (r.kind === 'ok') expect(r.packet.payload.length).toBeLessThanOrEqual(bytes.length);
        if (r.kind === 'error') expect(r.offset).toBeLessThanOrEqual(bytes.length);
      }),
      { numRuns: 2000, seed: 3 },
    );
  });
});
