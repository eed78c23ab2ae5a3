import { describe, expect, it } from 'vitest';
import { PROTO_ICMP, PROTO_ICMPV6, PROTO_TCP, PROTO_UDP, TCP_ACK, TCP_PSH, TCP_SYN, type Packet } from '../../src/net/packet.js';
import { decodeFrame } from '../../src/wire/decode.js';
import { encodeEthernetFrame, encodePacket, internetChecksum, onesComplementSum, pseudoHeaderSum } from '../../src/wire/encode.js';
import { ip } from '../helpers/build.js';
import { hex } from './helpers.js';

const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);

function packet(fields: Partial<Packet>): Packet {
  return {
    src: ip('10.0.0.2'),
    dst: ip('192.168.10.1'),
    proto: PROTO_TCP,
    srcPort: 50000,
    dstPort: 21,
    tcpFlags: TCP_PSH | TCP_ACK,
    seq: 0xfffffff0,
    ack: 12345,
    window: 64240,
    payload: ascii('PORT 10,0,0,2,195,81\r\n'),
    fragment: 'none',
    icmpType: undefined,
    icmpCode: undefined,
    ...fields,
  };
}

function roundTrip(p: Packet): Packet {
  const r = decodeFrame(101, encodePacket(p));
  if (r.kind !== 'ok') throw new Error(r.reason);
  return r.packet;
}

describe('checksums', () => {
  it('computes the RFC 1071 section 3 example: sum ddf2, checksum 220d', () => {
    const bytes = hex('0001 f203 f4f5 f6f7');
    expect(onesComplementSum(bytes)).toBe(0xddf2);
    expect(internetChecksum(bytes)).toBe(0x220d);
  });

  it('pads an odd trailing byte with zero', () => {
    // 0001+f203+f4f5+f600 = 0x2dcf9 → fold 0xdcf9 + 2 = 0xdcfb
    expect(onesComplementSum(hex('0001 f203 f4f5 f6'))).toBe(0xdcfb);
    expect(onesComplementSum(hex('ff'))).toBe(0xff00);
  });

  it('gives the classic IPv4 header checksum b861 for 4500 0073 0000 4000 4011 … c0a8 0001 c0a8 00c7', () => {
    expect(internetChecksum(hex('4500 0073 0000 4000 4011 0000 c0a8 0001 c0a8 00c7'))).toBe(0xb861);
  });

  it('writes an IPv4 header whose checksum verifies to zero', () => {
    const b = encodePacket(packet({}));
    expect(internetChecksum(b, 0, 20)).toBe(0);
    expect(Array.from(b.subarray(0, 20))).toEqual(Array.from(hex(`45 00 00 3e 00 00 40 00 40 06 ${b[10]!.toString(16).padStart(2, '0')}${b[11]!.toString(16).padStart(2, '0')} 0a 00 00 02 c0 a8 0a 01`)));
  });

  it('writes TCP, UDP and ICMPv6 checksums that verify over the IPv4 and IPv6 pseudo-headers', () => {
    const tcp4 = encodePacket(packet({}));
    expect(internetChecksum(tcp4, 20, tcp4.length, pseudoHeaderSum(ip('10.0.0.2'), ip('192.168.10.1'), PROTO_TCP, tcp4.length - 20))).toBe(0);
    const tcp6 = encodePacket(packet({ src: ip('2001:db8::2'), dst: ip('2001:db8::1') }));
    expect(internetChecksum(tcp6, 40, tcp6.length, pseudoHeaderSum(ip('2001:db8::2'), ip('2001:db8::1'), PROTO_TCP, tcp6.length - 40))).toBe(0);
    const udp6 = encodePacket(packet({ src: ip('2001:db8::2'), dst: ip('2001:db8::1'), proto: PROTO_UDP, tcpFlags: 0, seq: 0, ack: 0, window: 0 }));
    expect(internetChecksum(udp6, 40, udp6.length, pseudoHeaderSum(ip('2001:db8::2'), ip('2001:db8::1'), PROTO_UDP, udp6.length - 40))).toBe(0);
    const icmp6 = encodePacket(packet({ src: ip('2001:db8::2'), dst: ip('2001:db8::1'), proto: PROTO_ICMPV6, srcPort: 0, dstPort: 0, icmpType: 128, icmpCode: 0, payload: hex('00010002') }));
    expect(internetChecksum(icmp6, 40, icmp6.length, pseudoHeaderSum(ip('2001:db8::2'), ip('2001:db8::1'), PROTO_ICMPV6, icmp6.length - 40))).toBe(0);
  });

  it('matches a hand-computed TCP checksum for a small SYN', () => {
    // 10.0.0.2:50000 → 192.168.10.1:21, seq 1, SYN, window 512, no payload. By hand (RFC 1071, 16-bit words):
    // pseudo: 0a00+0002+c0a8+0a01+0006+0014 = 0xd4c5; header: c350+0015+0000+0001+0000+0000+5002+0200 = 0x11568
    // total 0xd4c5 + 0x11568 = 0x1ea2d → fold 0xea2d + 1 = 0xea2e → checksum ~0xea2e = 0x15d1
    const b = encodePacket(packet({ tcpFlags: TCP_SYN, seq: 1, ack: 0, window: 512, payload: new Uint8Array(0) }));
    expect((b[36]! << 8) | b[37]!).toBe(0x15d1);
  });
});

describe('packet encoder', () => {
  it('round-trips an IPv4 TCP packet with payload through decode', () => {
    const p = packet({});
    expect(roundTrip(p)).toEqual(p);
  });

  it('round-trips IPv6 TCP, UDP, ICMP and ICMPv6 packets', () => {
    const v6 = { src: ip('2001:db8::2'), dst: ip('2001:db8::1') };
    const cases: Packet[] = [
      packet(v6),
      packet({ ...v6, proto: PROTO_UDP, tcpFlags: 0, seq: 0, ack: 0, window: 0 }),
      packet({ proto: PROTO_ICMP, srcPort: 0, dstPort: 0, tcpFlags: 0, seq: 0, ack: 0, window: 0, icmpType: 3, icmpCode: 3, payload: hex('00000000 4500') }),
      packet({ ...v6, proto: PROTO_ICMPV6, srcPort: 0, dstPort: 0, tcpFlags: 0, seq: 0, ack: 0, window: 0, icmpType: 1, icmpCode: 4, payload: hex('00000000') }),
    ];
    for (const p of cases) expect(roundTrip(p)).toEqual(p);
  });

  it('round-trips first and later fragments, IPv4 and IPv6', () => {
    for (const addrs of [{}, { src: ip('2001:db8::2'), dst: ip('2001:db8::1') }]) {
      const first = packet({ ...addrs, fragment: 'first' });
      expect(roundTrip(first)).toEqual(first);
      const later = packet({ ...addrs, fragment: 'later', srcPort: 0, dstPort: 0, tcpFlags: 0, seq: 0, ack: 0, window: 0, payload: ascii('rest of it') });
      expect(roundTrip(later)).toEqual(later);
    }
  });

  it('frames a packet in Ethernet with MACs derived from the addresses unless given', () => {
    const f = encodeEthernetFrame(packet({}));
    expect(Array.from(f.subarray(0, 14))).toEqual(Array.from(hex('0200c0a80a01 02000a000002 0800')));
    const g = encodeEthernetFrame(packet({ src: ip('2001:db8::2'), dst: ip('2001:db8::1') }), hex('aabbccddeeff'), hex('112233445566'));
    expect(Array.from(g.subarray(0, 14))).toEqual(Array.from(hex('112233445566 aabbccddeeff 86dd')));
    const r = decodeFrame(1, f);
    expect(r.kind === 'ok' && r.packet).toEqual(packet({}));
  });
});
