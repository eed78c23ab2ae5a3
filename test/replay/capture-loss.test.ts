import { describe, expect, it } from 'vitest';
import { createStaticFirewall } from '../../src/engine/static.js';
import { parseIp } from '../../src/net/address.js';
import { PROTO_UDP } from '../../src/net/packet.js';
import type { Policy } from '../../src/policy/model.js';
import { replayCapture, type ReplayOutcome } from '../../src/replay/index.js';
import { readCaptureBytes } from '../../src/wire/index.js';
import { captureOf, passiveDownload } from './ftp-capture-builder.js';
import { bundledPolicy } from './helpers.js';
import { makeTopology, parsePrefixForTest } from './topology-fixtures.js';

const topology = makeTopology([{ prefix: parsePrefixForTest('192.168.10.1/32'), iface: 'GigabitEthernet2/1/10', origin: 'test' }], 'GigabitEthernet2/1/1');

function replay(reader: ReturnType<typeof captureOf>, policy: Policy): ReplayOutcome {
  return replayCapture(reader, { topology, firewall: createStaticFirewall(policy), keepControlLines: true });
}

describe('capture loss on the control connection', () => {
  it('a server reply missing from the capture (the client ACKs it) does not stop the stream: the 227 after it still links the data connection', () => {
    const built = passiveDownload({ loseTypeReply: true });
    const r = replay(captureOf(built.packets, 'gap.pcapng'), bundledPolicy('seed-passive.cfg')).replay;
    expect(r.flows.map((f) => f.role)).toEqual(['control', 'data']);
    expect(r.flows[1]!.announcedBy).toEqual({ controlFlow: 1, packet: built.pasvReply, trigger: '227', endpoint: '192.168.10.1:50000' });
    expect(r.stats.linkedDataFlows).toBe(1);
    const server = r.controlLines.filter((l) => l.from === 'server').map((l) => l.text);
    expect(server).toEqual(['220 hi', '331 pw', '230 ok', '227 Entering Passive Mode (192,168,10,1,195,80).', '150 go', '226 Transfer complete', '221 bye']);
    expect(r.works).toBe(true);
  });

  it('the same download with nothing lost reads every reply (the builder is sound)', () => {
    const built = passiveDownload({ loseTypeReply: false });
    const r = replay(captureOf(built.packets, 'plain.pcapng'), bundledPolicy('seed-passive.cfg')).replay;
    expect(r.flows[1]!.announcedBy?.packet).toBe(built.pasvReply);
    expect(r.controlLines.filter((l) => l.from === 'server').length).toBe(7);
  });
});

describe('a control connection idle through a long transfer', () => {
  // 66 000 data segments 20 ms apart (and an ACK for every second one): the live-flow sweep
  // runs at packet 65 536, about 870 s into the transfer, when the control connection has
  // been silent longer than the 600 s generic idle timeout
  const built = passiveDownload({ dataSegments: 66_000, dataGapMs: 20 });

  it('stays one flow: the 226 after the transfer is on the same control flow', () => {
    expect(built.packets.length).toBeGreaterThan(65_536);
    expect(built.packets[65_535]!.tMs).toBeGreaterThan(600_000 + 20);
    const r = replay(captureOf(built.packets, 'long.pcapng'), bundledPolicy('seed-passive.cfg')).replay;
    expect(r.flows.map((f) => f.role)).toEqual(['control', 'data']);
    expect(r.stats.flows).toEqual({ control: 1, data: 1, other: 0 });
    expect(r.controlLines.filter((l) => l.text === '226 Transfer complete').map((l) => [l.flow, l.n])).toEqual([[1, built.transferComplete]]);
  });

  it('keeps the data link, so a blocked data connection still gets its "in reality" note about the 226', () => {
    const r = replay(captureOf(built.packets, 'long.pcapng'), bundledPolicy('seed-active.cfg')).replay;
    expect(r.flows.map((f) => [f.role, f.outcome])).toEqual([
      ['control', 'passed'],
      ['data', 'blocked'],
    ]);
    expect(r.flows[1]!.inReality).toMatch(new RegExp(`; the 226 in packet ${built.transferComplete} could not have happened$`));
  });
});

describe('the FTP verdict needs an FTP control connection that crossed the firewall', () => {
  it('an empty capture (a pcap header, no packets) is not "FTP works"', () => {
    // pcap file header (libpcap format): magic a1b2c3d4 little-endian, version 2.4, snaplen 65535, Ethernet
    const header = new Uint8Array([0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 1, 0, 0, 0]);
    const r = replayCapture(readCaptureBytes(header, 'hdr.pcap'), { topology, firewall: createStaticFirewall(bundledPolicy('seed-passive.cfg')) }).replay;
    expect(r.stats.records).toBe(0);
    expect(r.works).toBe(false);
    expect(r.summary).toBe('no FTP control connection crossed the firewall (0 flows)');
  });

  it('a capture whose only crossing flow is not FTP is not "FTP works"', () => {
    const packet = { src: parseIp('10.0.0.2')!, dst: parseIp('192.168.10.1')!, proto: PROTO_UDP, srcPort: 5353, dstPort: 53, tcpFlags: 0, seq: 0, ack: 0, window: 0, payload: new Uint8Array(4), fragment: 'none' as const };
    const r = replay(captureOf([{ tMs: 1, packet }], 'udp.pcapng'), bundledPolicy('seed-passive.cfg')).replay;
    expect(r.stats.crossing).toBe(1);
    expect(r.stats.denied).toBe(0);
    expect(r.works).toBe(false);
    expect(r.summary).toBe('no FTP control connection crossed the firewall (1 flow)');
  });
});
