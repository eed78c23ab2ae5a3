import { describe, expect, it } from 'vitest';
import { matchForwarding, readFirewallSegments } from '../../src/verify/capture.js';
import { readCaptureBytes } from '../../src/wire/index.js';
import { kernelFlows } from '../../src/verify/kernel-flows.js';

/** Bytes from hex text, whitespace ignored. */
function hex(text: string): Uint8Array {
  const clean = text.replace(/\s+/g, '');
  return Uint8Array.from(clean.match(/../g)!.map((b) => parseInt(b, 16)));
}

// pcap header (little-endian, LINKTYPE_LINUX_SLL2 = 276 = 0x114), then three records of 60 bytes each:
// SLL2 (protocol 0x0800, ifindex, ARPHRD_ETHER, packet type, 6-byte address) + IPv4 (20) + TCP (20).
const PCAP_HEADER = 'd4c3b2a1 0200 0400 00000000 00000000 00000400 14010000';
const RECORD = (sec: number) => `${sec.toString(16).padStart(2, '0')}000000 00000000 3c000000 3c000000`;
const SLL2 = (ifindex: number, pkttype: number) => `0800 0000 ${ifindex.toString(16).padStart(8, '0')} 0001 ${pkttype.toString(16).padStart(2, '0')} 06 020000000001 0000`;
// 10.0.0.2:50000 → 192.168.10.1:21, SYN, seq 100
const SYN = '45000028 00014000 40060000 0a000002 c0a80a01   c3500015 00000064 00000000 5002faf0 00000000';
// 192.168.10.1:21 → 10.0.0.2:50000, SYN-ACK, seq 500, ack 101
const SYN_ACK = '45000028 00024000 40060000 c0a80a01 0a000002   0015c350 000001f4 00000065 5012faf0 00000000';

const CAPTURE = hex(
  [PCAP_HEADER, RECORD(1), SLL2(2, 0), SYN, RECORD(1), SLL2(3, 4), SYN, RECORD(2), SLL2(3, 0), SYN_ACK].join(' '),
);

/** The firewall segments of capture bytes, through the wire layer. */
function readSll2Capture(bytes: Uint8Array) {
  return readFirewallSegments(readCaptureBytes(bytes, 'fw.pcap'));
}

describe('firewall capture reader (SLL2 through the wire layer)', () => {
  it('reads interface index, direction, addresses, ports, flags and sequence numbers of each TCP segment', () => {
    const r = readSll2Capture(CAPTURE);
    expect(r.error).toBeUndefined();
    expect(r.segments).toEqual([
      { n: 1, ifindex: 2, outgoing: false, src: '10.0.0.2', dst: '192.168.10.1', srcPort: 50000, dstPort: 21, flags: 0x02, seq: 100, ack: 0, payloadLength: 0, arrivedIndex: 1 },
      { n: 2, ifindex: 3, outgoing: true, src: '10.0.0.2', dst: '192.168.10.1', srcPort: 50000, dstPort: 21, flags: 0x02, seq: 100, ack: 0, payloadLength: 0, arrivedIndex: 0 },
      { n: 3, ifindex: 3, outgoing: false, src: '192.168.10.1', dst: '10.0.0.2', srcPort: 21, dstPort: 50000, flags: 0x12, seq: 500, ack: 101, payloadLength: 0, arrivedIndex: 2 },
    ]);
  });

  it('refuses a capture of another link type and says which', () => {
    const ethernet = CAPTURE.slice();
    ethernet[20] = 1;
    ethernet[21] = 0;
    expect(readSll2Capture(ethernet).error).toBe('link type 1 (ETHERNET), expected LINUX_SLL2 (276)');
  });

  it("reports a truncated record with the wire layer's message and keeps the segments before it", () => {
    const r = readSll2Capture(CAPTURE.slice(0, CAPTURE.length - 10));
    expect(r.error).toBe('record 3 cut: the file ends after 50 of its 60 captured bytes; stopped reading after 2 records; the last 66 bytes were not read');
    expect(r.segments.map((s) => s.n)).toEqual([1, 2]);
  });
});

describe('kernel outcomes from a capture', () => {
  const names = new Map([
    [2, { device: 'fw0', h3c: 'GigabitEthernet2/1/1' }],
    [3, { device: 'fw1', h3c: 'GigabitEthernet2/1/10' }],
  ]);

  it('pairs an arriving segment with the same segment leaving on another interface', () => {
    const arrived = matchForwarding(readSll2Capture(CAPTURE).segments);
    expect(arrived.map((a) => [a.segment.n, a.forwardedAs])).toEqual([
      [1, 2],
      [3, undefined],
    ]);
  });

  it('blocks the connection at the SYN-ACK that arrived on the server side and never left', () => {
    const flows = kernelFlows(matchForwarding(readSll2Capture(CAPTURE).segments), names, () => ({ session: 's1', role: 'control' }));
    expect(flows).toEqual([
      {
        id: 1,
        session: 's1',
        role: 'control',
        proto: 'tcp',
        client: '10.0.0.2:50000',
        server: '192.168.10.1:21',
        outcome: 'blocked',
        firstBlocked: { n: 3, packet: 'SYN-ACK 192.168.10.1:21 → 10.0.0.2:50000', ingress: 'GigabitEthernet2/1/10', device: 'fw1' },
        packets: 2,
        dropped: 1,
        handshakeForwarded: false,
      },
    ]);
  });
});

describe('forwarding through NAT (DNAT, FTP ALG, seqadj)', () => {
  // client 203.0.113.5:50000 → public 198.51.100.100:21, DNAT to 192.168.10.10:21; ifindex 2 outside, 3 inside
  let n = 0;
  const seg = (ifindex: number, outgoing: boolean, src: string, srcPort: number, dst: string, dstPort: number, flags: number, seq: number, ack: number, payloadLength = 0) => ({
    n: ++n,
    ifindex,
    outgoing,
    src,
    dst,
    srcPort,
    dstPort,
    flags,
    seq,
    ack,
    payloadLength,
    arrivedIndex: 0,
  });
  const C = '203.0.113.5';
  const PUB = '198.51.100.100';
  const PRIV = '192.168.10.10';
  const segments = [
    seg(2, false, C, 50000, PUB, 21, 0x02, 1000, 0), // 1 SYN arrives outside
    seg(3, true, C, 50000, PRIV, 21, 0x02, 1000, 0), // 2 leaves inside, translated
    seg(3, false, PRIV, 21, C, 50000, 0x12, 7000, 1001), // 3 SYN-ACK arrives inside
    seg(2, true, PUB, 21, C, 50000, 0x12, 7000, 1001), // 4 leaves outside, un-DNATed
    seg(3, false, PRIV, 21, C, 50000, 0x18, 7001, 1001, 50), // 5 the 227 arrives (50 bytes)
    seg(2, true, PUB, 21, C, 50000, 0x18, 7001, 1001, 51), // 6 leaves one byte longer (ALG)
    seg(3, false, PRIV, 21, C, 50000, 0x18, 7051, 1001, 20), // 7 the next reply
    seg(2, true, PUB, 21, C, 50000, 0x18, 7052, 1001, 20), // 8 leaves with seq + 1 (seqadj)
    seg(2, false, C, 50000, PUB, 21, 0x10, 1001, 7072), // 9 the client's ACK of the rewritten bytes
    seg(3, true, C, 50000, PRIV, 21, 0x10, 1001, 7071), // 10 leaves with ack - 1
    seg(2, false, C, 50000, PUB, 21, 0x18, 1001, 7072, 10), // 11 dropped: never leaves
  ];

  it('pairs translated copies, follows the seqadj shift, and names replies in the initiator\'s terms', () => {
    const arrived = matchForwarding(segments);
    expect(arrived.map((a) => [a.segment.n, a.forwardedAs])).toEqual([
      [1, 2],
      [3, 4],
      [5, 6],
      [7, 8],
      [9, 10],
      [11, undefined],
    ]);
    expect(arrived[2]!.leaving?.payloadLength).toBe(51);
    // the SYN-ACK from the private address belongs to the connection to the public one
    expect(arrived[1]!.view).toEqual({ src: PUB, srcPort: 21, dst: C, dstPort: 50000 });
    const flows = kernelFlows(arrived, new Map(), () => ({ role: 'control' }));
    expect(flows.map((f) => [f.client, f.server, f.outcome, f.packets, f.dropped, f.firstBlocked?.n])).toEqual([[`${C}:50000`, `${PUB}:21`, 'blocked', 6, 1, 11]]);
  });
});
