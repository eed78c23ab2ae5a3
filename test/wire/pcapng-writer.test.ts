import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ip } from '../helpers/build.js';
import { PROTO_TCP, PROTO_UDP, TCP_ACK, TCP_PSH, TCP_SYN, type Packet } from '../../src/net/packet.js';
import { openCapture, readCaptureBytes } from '../../src/wire/capture.js';
import { decodeRecords, openPackets } from '../../src/wire/capture-packets.js';
import { createPcapngWriter, encodePcapng, writePcapng, type PcapngPacket } from '../../src/wire/pcapng-writer.js';
import { hasTshark } from './helpers.js';

const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);
const dir = mkdtempSync(join(tmpdir(), 'ftpwall-writer-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function tcp(src: string, sport: number, dst: string, dport: number, flags: number, payload = '', seq = 1000, ack = 0): Packet {
  return { src: ip(src), dst: ip(dst), proto: PROTO_TCP, srcPort: sport, dstPort: dport, tcpFlags: flags, seq, ack, window: 64240, payload: ascii(payload), fragment: 'none', icmpType: undefined, icmpCode: undefined };
}

/** A short active-mode exchange, IPv4 and IPv6, with comments. */
const PACKETS: PcapngPacket[] = [
  { tMs: 0, packet: tcp('10.0.0.2', 50000, '192.168.10.1', 21, TCP_SYN), comment: 'permit: acl 3000 rule 0 (rules/seed.cfg:4)' },
  { tMs: 1.5, packet: tcp('192.168.10.1', 21, '10.0.0.2', 50000, TCP_SYN | TCP_ACK, '', 5000, 1001) },
  { tMs: 20, packet: tcp('10.0.0.2', 50000, '192.168.10.1', 21, TCP_PSH | TCP_ACK, 'PORT 10,0,0,2,195,81\r\n', 1001, 5001), comment: 'deny: acl 3000 rule 10' },
  { tMs: 30.123456, packet: tcp('2001:db8::2', 50001, '2001:db8::1', 21, TCP_PSH | TCP_ACK, 'EPRT |2|2001:db8::2|50002|\r\n', 7, 9) },
  {
    tMs: 31,
    packet: { ...tcp('2001:db8::2', 5353, '2001:db8::1', 53, 0, 'odd'), proto: PROTO_UDP, seq: 0, window: 0 },
    comment: 'UDP, ünïcode comment',
  },
];

function tshark(file: string, ...args: string[]): { stdout: string; stderr: string } {
  const r = spawnSync('tshark', ['-r', file, ...args], { encoding: 'utf8' });
  // tshark warns on stderr when run as root; that line is about the environment, not the file
  const stderr = r.stderr.split('\n').filter((l) => l !== '' && !l.startsWith('Running as user "root"')).join('\n');
  return { stdout: r.stdout, stderr };
}

describe('pcapng writer', () => {
  it('writes a file our reader reads back to the same packets, times and comments', () => {
    const file = join(dir, 'rt.pcapng');
    const result = writePcapng(file, PACKETS, { epochMs: 1_700_000_000_000 });
    expect(result.diagnostics).toEqual([]);
    expect(result.value).toMatchObject({ file, packets: 5 });
    const back = [...openPackets(file)];
    expect(back.map((p) => p.frame.packet)).toEqual(PACKETS.map((p) => p.packet));
    expect(back.map((p) => p.record.comment)).toEqual(PACKETS.map((p) => p.comment));
    expect(back.map((p) => [p.record.tsSec, p.record.tsNsec])).toEqual([
      [1_700_000_000, 0],
      [1_700_000_000, 1_500_000],
      [1_700_000_000, 20_000_000],
      [1_700_000_000, 30_123_000], // µs resolution: 30.123456 ms is written as 30123 µs
      [1_700_000_000, 31_000_000],
    ]);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('writes nanosecond timestamps with if_tsresol 9', () => {
    const bytes = encodePcapng([{ tMs: 0.000001, packet: PACKETS[0]!.packet }], { epochMs: 1_700_000_000_000, timestampResolution: 'ns' });
    const [r] = [...readCaptureBytes(bytes, 'ns.pcapng')];
    expect([r!.tsSec, r!.tsNsec]).toEqual([1_700_000_000, 1]);
  });

  it('leaves nothing under the name when the directory does not exist, and says why', () => {
    const file = join(dir, 'missing', 'x.pcapng');
    const result = writePcapng(file, PACKETS);
    expect(existsSync(file)).toBe(false);
    expect(result.diagnostics.map((d) => d.message)).toEqual([
      `cannot write ${file}: no such file or directory`,
    ]);
  });

  it('abort() keeps an older file and drops the temporary one', () => {
    const file = join(dir, 'keep.pcapng');
    writeFileSync(file, 'old');
    const w = createPcapngWriter(file);
    w.write(PACKETS[0]!);
    w.abort();
    expect(readFileSync(file, 'utf8')).toBe('old');
    expect(readdirSync(dir).filter((f) => f.startsWith('keep') && f.endsWith('.tmp'))).toEqual([]);
  });

  it.skipIf(!hasTshark)('tshark opens the file without a warning and finds every checksum good', () => {
    const file = join(dir, 'ts.pcapng');
    writePcapng(file, PACKETS, { epochMs: 1_700_000_000_000 });
    const plain = tshark(file);
    expect(plain.stderr).toBe('');
    expect(plain.stdout.trim().split('\n').length).toBe(5);
    const checks = tshark(file, '-o', 'tcp.check_checksum:TRUE', '-o', 'ip.check_checksum:TRUE', '-o', 'udp.check_checksum:TRUE',
      '-T', 'fields', '-E', 'separator=,', '-e', 'ip.checksum.status', '-e', 'tcp.checksum.status', '-e', 'udp.checksum.status');
    expect(checks.stderr).toBe('');
    // 1 = good (Wireshark proto.h: PROTO_CHECKSUM_E_BAD 0, _GOOD 1, _UNVERIFIED 2); IPv6 has no header checksum
    expect(checks.stdout.trim().split('\n')).toEqual(['1,1,', '1,1,', '1,1,', ',1,', ',,1']);
    expect(tshark(file, '-o', 'tcp.check_checksum:TRUE', '-o', 'ip.check_checksum:TRUE', '-o', 'udp.check_checksum:TRUE', '-Y', 'tcp.checksum.status == "Bad" || ip.checksum.status == "Bad" || udp.checksum.status == "Bad"').stdout).toBe('');
  });

  it.skipIf(!hasTshark)('tshark shows the packet comments and dissects the PORT command sent to port 21', () => {
    const file = join(dir, 'ftp.pcapng');
    writePcapng(file, PACKETS, { epochMs: 1_700_000_000_000 });
    const comments = tshark(file, '-T', 'fields', '-e', 'frame.comment');
    expect(comments.stdout.split('\n').slice(0, 5)).toEqual([
      'permit: acl 3000 rule 0 (rules/seed.cfg:4)',
      '',
      'deny: acl 3000 rule 10',
      '',
      'UDP, ünïcode comment',
    ]);
    const ftp = tshark(file, '-Y', 'ftp.request', '-T', 'fields', '-E', 'separator=|', '-e', 'ftp.request.command', '-e', 'ftp.request.arg');
    expect(ftp.stdout.trim().split('\n')).toEqual(['PORT|10,0,0,2,195,81', 'EPRT||2|2001:db8::2|50002|']);
    const times = tshark(file, '-T', 'fields', '-e', 'frame.time_epoch');
    expect(times.stdout.trim().split('\n')).toEqual([
      '1700000000.000000000', '1700000000.001500000', '1700000000.020000000', '1700000000.030123000', '1700000000.031000000',
    ]);
  });

  it.skipIf(!hasTshark)('tshark reads our pcapng the same way as our reader: a decode of its own export matches', () => {
    const file = join(dir, 'conv.pcapng');
    const out = join(dir, 'conv-tshark.pcap');
    writePcapng(file, PACKETS);
    execFileSync('tshark', ['-r', file, '-F', 'pcap', '-w', out], { stdio: 'ignore' });
    const again = [...decodeRecords(openCapture(out))].map((p) => p.frame.packet);
    expect(again).toEqual(PACKETS.map((p) => p.packet));
  });
});
