import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatIp } from '../../src/net/address.js';
import { PROTO_TCP } from '../../src/net/packet.js';
import { openCapture } from '../../src/wire/capture.js';
import { openPackets } from '../../src/wire/capture-packets.js';
import { walkCaptureBuffer } from '../../src/wire/walk.js';
import { hasTshark } from './helpers.js';

/** The shared corpus, relative to the repository root (tests run from /work/main). */
const CORPUS = '../shared/corpus/pcap/';
const haveCorpus = existsSync(`${CORPUS}SOURCES.md`);
if (!haveCorpus) console.warn(`corpus tests skipped: ${CORPUS} not found (expected the shared FTP capture corpus next to the repository)`);

/** `file → number` from a column of the table in SOURCES.md (5: packets, 8: TCP conversations). */
function sourcesColumn(column: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (const line of readFileSync(`${CORPUS}SOURCES.md`, 'utf8').split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    if (cells.length > 9 && /\.pcap/.test(cells[1] ?? '') && /^\d+$/.test(cells[column] ?? '')) counts.set(cells[1]!, Number(cells[column]));
  }
  return counts;
}

function expectedCounts(): Map<string, number> {
  return sourcesColumn(5);
}

const files = haveCorpus ? readdirSync(CORPUS).filter((f) => /\.pcap(ng)?$/.test(f)).sort() : [];

/** `a:port <-> b:port` endpoints, order-free, as tshark prints them (IPv6 without brackets). */
function convKey(a: string, b: string): string {
  return a < b ? `${a} <-> ${b}` : `${b} <-> ${a}`;
}

/** TCP conversations and their frame counts, by our decoder. */
function ourConversations(file: string): Map<string, number> {
  const convs = new Map<string, number>();
  for (const { frame } of openPackets(file)) {
    const p = frame.packet;
    if (p.proto !== PROTO_TCP || p.fragment === 'later') continue;
    const k = convKey(`${formatIp(p.src)}:${p.srcPort}`, `${formatIp(p.dst)}:${p.dstPort}`);
    convs.set(k, (convs.get(k) ?? 0) + 1);
  }
  return convs;
}

/** TCP conversations and their total frame counts, by `tshark -q -z conv,tcp`. */
function tsharkConversations(file: string): Map<string, number> {
  const out = execFileSync('tshark', ['-r', file, '-q', '-z', 'conv,tcp'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const convs = new Map<string, number>();
  for (const line of out.split('\n')) {
    const m = /^(\S+)\s+<->\s+(\S+)\s+\d+\s+\d+\s+\S+\s+\d+\s+\d+\s+\S+\s+(\d+)\s/.exec(line);
    if (m) {
      const k = convKey(m[1]!, m[2]!);
      convs.set(k, (convs.get(k) ?? 0) + Number(m[3]));
    }
  }
  return convs;
}

describe.skipIf(!haveCorpus)('the real FTP capture corpus', () => {
  it('holds the files SOURCES.md lists', () => {
    expect(files).toEqual([...expectedCounts().keys()].sort());
  });

  it.each(files)('%s loads without a diagnostic and has the packet count SOURCES.md gives', (f) => {
    const reader = openCapture(CORPUS + f);
    let n = 0;
    for (const r of reader) {
      n++;
      expect(r.n).toBe(n);
      expect(r.data.length).toBe(r.capturedLength);
    }
    expect(reader.fatal).toBe(false);
    expect(reader.diagnostics).toEqual([]);
    expect(n).toBe(expectedCounts().get(f));
    expect(reader.stats.stoppedEarly).toBe(false);
  });

  it.each(files)('%s decodes every frame as IP without a diagnostic', (f) => {
    const packets = openPackets(CORPUS + f);
    let n = 0;
    for (const _ of packets) n++;
    expect(packets.diagnostics).toEqual([]);
    expect(packets.stats.malformed).toBe(0);
    expect(n + Object.values(packets.stats.skipped).reduce((a, b) => a + b, 0)).toBe(expectedCounts().get(f));
  });

  it.each(files)('%s: the bare record walk counts the same records as the reader', (f) => {
    const w = walkCaptureBuffer(readFileSync(CORPUS + f));
    expect(w).toMatchObject({ records: expectedCounts().get(f), complete: true });
  });

  it.each(files)('%s has as many TCP conversations as SOURCES.md gives', (f) => {
    expect(ourConversations(CORPUS + f).size).toBe(sourcesColumn(8).get(f));
  });

  it.skipIf(!hasTshark)('finds the TCP conversations and frame counts tshark finds, in every file', () => {
    for (const f of files) {
      expect({ file: f, convs: ourConversations(CORPUS + f) }).toEqual({ file: f, convs: tsharkConversations(CORPUS + f) });
    }
  });

  it('the pcap and pcapng copies of zeek-ftp-ipv4 decode to identical packets and timestamps', () => {
    const a = [...openPackets(`${CORPUS}zeek-ftp-ipv4.pcap`)];
    const b = [...openPackets(`${CORPUS}zeek-ftp-ipv4.pcapng`)];
    expect(a.length).toBe(95);
    expect(b.map((p) => p.frame)).toEqual(a.map((p) => p.frame));
    expect(b.map((p) => [p.record.n, p.record.tsSec, p.record.tsNsec, p.record.tMs])).toEqual(
      a.map((p) => [p.record.n, p.record.tsSec, p.record.tsNsec, p.record.tMs]),
    );
  });

  it('the nanosecond pcap decodes to the same packets and timestamps (to the µs) as the µs original', () => {
    const us = [...openPackets(`${CORPUS}suricata-ftp-download-passive.pcap`)];
    const ns = [...openPackets(`${CORPUS}suricata-ftp-download-passive.nsec.pcap`)];
    expect(openCapture(`${CORPUS}suricata-ftp-download-passive.nsec.pcap`).format).toMatchObject({ kind: 'pcap', timestampPrecision: 'ns' });
    expect(us.length).toBe(63);
    expect(ns.map((p) => p.frame)).toEqual(us.map((p) => p.frame));
    expect(ns.map((p) => [p.record.tsSec, Math.floor(p.record.tsNsec / 1000)])).toEqual(us.map((p) => [p.record.tsSec, p.record.tsNsec / 1000]));
  });

  it.skipIf(!hasTshark)('decodes every TCP packet of every file field by field as tshark does', () => {
    const fields = ['frame.number', 'frame.time_epoch', 'ip.src', 'ipv6.src', 'ip.dst', 'ipv6.dst', 'tcp.srcport', 'tcp.dstport',
      'tcp.seq_raw', 'tcp.ack_raw', 'tcp.flags', 'tcp.window_size_value', 'tcp.len'];
    for (const f of files) {
      const args = ['-r', CORPUS + f, '-Y', 'tcp', '-T', 'fields', '-E', 'separator=,', ...fields.flatMap((e) => ['-e', e])];
      const theirs = execFileSync('tshark', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim().split('\n');
      const ours: string[] = [];
      for (const { record, frame } of openPackets(CORPUS + f)) {
        const p = frame.packet;
        if (p.proto !== PROTO_TCP) continue;
        const v4 = p.src.family === 4;
        ours.push([record.n, `${record.tsSec}.${String(record.tsNsec).padStart(9, '0')}`,
          v4 ? formatIp(p.src) : '', v4 ? '' : formatIp(p.src), v4 ? formatIp(p.dst) : '', v4 ? '' : formatIp(p.dst),
          p.srcPort, p.dstPort, p.seq, p.ack, `0x${p.tcpFlags.toString(16).padStart(4, '0')}`, p.window, p.payload.length].join(','));
      }
      expect({ file: f, packets: ours }).toEqual({ file: f, packets: theirs });
    }
  });
});
