import { describe, expect, it } from 'vitest';
import { PROTO_ICMP, PROTO_ICMPV6, PROTO_TCP, PROTO_UDP, TCP_ACK, TCP_PSH, type Packet } from '../../src/net/packet.js';
import { FrameDecoder, decodeFrame, type DecodeResult } from '../../src/wire/decode.js';
import { ip } from '../helpers/build.js';
import { concat, hex } from './helpers.js';

const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);

/** Ethernet II header: dst 00:11:22:33:44:55, src 66:77:88:99:aa:bb, then the EtherType. */
const ETH = (type: string): Uint8Array => hex(`001122334455 66778899aabb ${type}`);

/** IPv4 (total length 60, DF, TTL 64, TCP) 10.0.0.2 → 192.168.10.1; TCP 50000 → 21, seq 1000, ack 2000,
 *  data offset 8 (NOP NOP timestamp option), PSH|ACK, window 501; payload "USER a\r\n". */
const IPV4_TCP = hex(`
  45 00 00 3c  1c 46 40 00  40 06 00 00  0a 00 00 02  c0 a8 0a 01
  c3 50 00 15  00 00 03 e8  00 00 07 d0  80 18 01 f5  00 00 00 00
  01 01 08 0a  00 00 00 01  00 00 00 02
  55 53 45 52  20 61 0d 0a`);

/** IPv6 2001:db8::2 → 2001:db8::1, next header TCP, payload length 28: TCP 50000 → 21, SYN|ACK… with "PASV" */
const IPV6_TCP = hex(`
  60 00 00 00  00 18 06 40
  20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 02
  20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01
  c3 50 00 15  00 00 00 0a  00 00 00 14  50 18 ff ff  00 00 00 00
  50 41 53 56`);

const USER_PACKET: Packet = {
  src: ip('10.0.0.2'),
  dst: ip('192.168.10.1'),
  proto: PROTO_TCP,
  srcPort: 50000,
  dstPort: 21,
  tcpFlags: TCP_PSH | TCP_ACK,
  seq: 1000,
  ack: 2000,
  window: 501,
  payload: ascii('USER a\r\n'),
  fragment: 'none',
};

function ok(r: DecodeResult) {
  if (r.kind !== 'ok') throw new Error(`expected ok, got ${r.kind}: ${r.reason}`);
  return r;
}

describe('frame decoder: link layers', () => {
  it('decodes Ethernet + IPv4 + TCP with options into every Packet field', () => {
    const r = ok(decodeFrame(1, concat(ETH('0800'), IPV4_TCP)));
    expect(r.packet).toEqual(USER_PACKET);
    expect(r).toMatchObject({ linkType: 1, vlans: undefined, truncated: false, payloadLength: 8, ipOffset: 14 });
  });

  it('gives the payload as a view of the frame bytes, not a copy', () => {
    const frame = concat(ETH('0800'), IPV4_TCP);
    const r = ok(decodeFrame(1, frame));
    expect(r.packet.payload.buffer).toBe(frame.buffer);
    expect(r.packet.payload.byteOffset).toBe(14 + 52);
  });

  it('cuts Ethernet padding off by the IPv4 total length', () => {
    const syn = hex('45000028 00004000 40060000 0a000002 c0a80a01  c3500015 000003e8 00000000 50020200 00000000');
    const r = ok(decodeFrame(1, concat(ETH('0800'), syn, hex('000000000000'))));
    expect(r.packet.payload.length).toBe(0);
    expect(r.packet.tcpFlags).toBe(0x02);
    expect(r.truncated).toBe(false);
  });

  it('follows an 802.1ad outer tag and an 802.1Q inner tag and reports both VLAN ids, outermost first', () => {
    const r = ok(decodeFrame(1, concat(hex('001122334455 66778899aabb 88a8 00c8 8100 2064 0800'), IPV4_TCP)));
    expect(r.vlans).toEqual([200, 100]);
    expect(r.ipOffset).toBe(22);
    expect(r.packet).toEqual(USER_PACKET);
  });

  it('decodes IPv6 after a single 802.1Q tag', () => {
    const r = ok(decodeFrame(1, concat(hex('001122334455 66778899aabb 8100 000a 86dd'), IPV6_TCP)));
    expect(r.vlans).toEqual([10]);
    expect(r.packet).toMatchObject({ src: ip('2001:db8::2'), dst: ip('2001:db8::1'), srcPort: 50000, dstPort: 21, seq: 10, ack: 20 });
    expect(r.packet.payload).toEqual(ascii('PASV'));
  });

  it('decodes Linux cooked captures v1 (113) and v2 (276)', () => {
    const sll = hex('0000 0001 0006 66778899aabb 0000 0800');
    const sll2 = hex('86dd 0000 00000002 0001 00 06 66778899aabb0000');
    expect(ok(decodeFrame(113, concat(sll, IPV4_TCP))).packet).toEqual(USER_PACKET);
    const r = ok(decodeFrame(276, concat(sll2, IPV6_TCP)));
    expect(r.ipOffset).toBe(20);
    expect(r.packet.src).toEqual(ip('2001:db8::2'));
  });

  it('decodes raw IP (101, 12, 14) by the version nibble and raw IPv4/IPv6 (228/229)', () => {
    for (const lt of [101, 12, 14]) {
      expect(ok(decodeFrame(lt, IPV4_TCP)).packet).toEqual(USER_PACKET);
      expect(ok(decodeFrame(lt, IPV6_TCP)).packet.src).toEqual(ip('2001:db8::2'));
    }
    expect(ok(decodeFrame(228, IPV4_TCP)).packet).toEqual(USER_PACKET);
    expect(ok(decodeFrame(229, IPV6_TCP)).packet.dst).toEqual(ip('2001:db8::1'));
    expect(decodeFrame(101, hex('50 00 00 14'))).toEqual({ kind: 'error', reason: 'raw IP packet has version 5, expected 4 or 6', offset: 0 });
  });

  it('decodes BSD loopback (0) in either host byte order and every IPv6 family value', () => {
    expect(ok(decodeFrame(0, concat(hex('02000000'), IPV4_TCP))).packet).toEqual(USER_PACKET);
    expect(ok(decodeFrame(0, concat(hex('00000002'), IPV4_TCP))).packet).toEqual(USER_PACKET);
    for (const fam of ['18000000', '1c000000', '1e000000', '0000001e']) {
      expect(ok(decodeFrame(0, concat(hex(fam), IPV6_TCP))).packet.srcPort).toBe(50000);
    }
    expect(decodeFrame(0, concat(hex('07000000'), IPV4_TCP))).toEqual({ kind: 'skip', reason: 'loopback address family 7 is not IP' });
  });

  it('decodes OpenBSD loopback (108) with the family in network order', () => {
    expect(ok(decodeFrame(108, concat(hex('00000002'), IPV4_TCP))).packet).toEqual(USER_PACKET);
    expect(ok(decodeFrame(108, concat(hex('00000018'), IPV6_TCP))).ipOffset).toBe(4);
  });

  it('skips ARP, LLDP, 802.3 frames and unsupported link types with a reason', () => {
    expect(decodeFrame(1, concat(ETH('0806'), new Uint8Array(28)))).toEqual({ kind: 'skip', reason: 'not IP: ARP (ethertype 0x0806)' });
    expect(decodeFrame(1, concat(ETH('88cc'), new Uint8Array(28)))).toEqual({ kind: 'skip', reason: 'not IP: LLDP (ethertype 0x88cc)' });
    expect(decodeFrame(1, concat(ETH('0026'), new Uint8Array(38)))).toEqual({ kind: 'skip', reason: 'IEEE 802.3 frame with LLC (length field, no EtherType)' });
    expect(decodeFrame(105, IPV4_TCP)).toEqual({ kind: 'skip', reason: 'unsupported link type 105 (IEEE802_11)' });
    expect(decodeFrame(1, concat(ETH('1234'), IPV4_TCP))).toEqual({ kind: 'skip', reason: 'not IP: ethertype 0x1234' });
  });
});

describe('frame decoder: IPv4', () => {
  it('skips IPv4 options by the header length', () => {
    const withOption = concat(hex('46 00 00 40 1c46 4000 4006 0000 0a000002 c0a80a01 94040000'), IPV4_TCP.subarray(20));
    expect(ok(decodeFrame(101, withOption)).packet).toEqual(USER_PACKET);
  });

  it('marks a first fragment (MF, offset 0) with ports and a later fragment without ports', () => {
    const first = concat(hex('45 00 00 3c 1c46 2000 4006 0000 0a000002 c0a80a01'), IPV4_TCP.subarray(20));
    expect(ok(decodeFrame(101, first)).packet).toMatchObject({ fragment: 'first', srcPort: 50000, dstPort: 21 });
    const later = hex('45 00 00 1c 1c46 00b9 4006 0000 0a000002 c0a80a01 6162636465666768');
    const p = ok(decodeFrame(101, later)).packet;
    expect(p).toMatchObject({ fragment: 'later', proto: PROTO_TCP, srcPort: 0, dstPort: 0, seq: 0, tcpFlags: 0 });
    expect(p.payload).toEqual(ascii('abcdefgh'));
  });

  it('decodes what a snapshot length left and says the payload is cut', () => {
    const r = ok(decodeFrame(1, concat(ETH('0800'), IPV4_TCP).subarray(0, 14 + 52 + 3)));
    expect(r.truncated).toBe(true);
    expect(r.payloadLength).toBe(8);
    expect(r.packet.payload).toEqual(ascii('USE'));
    expect(r.packet.seq).toBe(1000);
  });

  it('keeps the TCP fields when the snapshot length cut the TCP options, with an empty payload', () => {
    const r = ok(decodeFrame(101, IPV4_TCP.subarray(0, 44)));
    expect(r).toMatchObject({ truncated: true, payloadLength: 8 });
    expect(r.packet).toMatchObject({ srcPort: 50000, seq: 1000, payload: new Uint8Array(0) });
  });

  it('decodes UDP and ICMP', () => {
    const udp = hex('45000022 00000000 40110000 0a000002 0a000001  d431 0035 000e 0000 6162636465 66');
    expect(ok(decodeFrame(101, udp)).packet).toMatchObject({ proto: PROTO_UDP, srcPort: 54321, dstPort: 53, payload: ascii('abcdef') });
    const echo = hex('4500001e 00000000 40010000 0a000002 0a000001  08 00 0000 1234 0001 6869');
    const p = ok(decodeFrame(101, echo)).packet;
    expect(p).toMatchObject({ proto: PROTO_ICMP, icmpType: 8, icmpCode: 0, srcPort: 0, dstPort: 0 });
    expect(p.payload).toEqual(hex('1234 0001 6869'));
  });

  it('rejects garbage headers with the reason and the offset of the header at fault', () => {
    const frame = concat(ETH('0800'), IPV4_TCP);
    const v6in4 = frame.slice();
    v6in4[14] = 0x65;
    expect(decodeFrame(1, v6in4)).toEqual({ kind: 'error', reason: 'IPv4 header has version 6, expected 4', offset: 14 });
    const shortIhl = frame.slice();
    shortIhl[14] = 0x43;
    expect(decodeFrame(1, shortIhl)).toEqual({ kind: 'error', reason: 'IPv4 header length field (IHL) is 3, less than the minimum 5 (20 bytes)', offset: 14 });
    const badOffset = frame.slice();
    badOffset[14 + 20 + 12] = 0x40;
    expect(decodeFrame(1, badOffset)).toEqual({ kind: 'error', reason: 'TCP data offset is 4, less than the minimum 5 (20 bytes)', offset: 34 });
    const longOffset = frame.slice();
    longOffset[14 + 20 + 12] = 0xf0;
    expect(decodeFrame(1, longOffset)).toEqual({ kind: 'error', reason: 'TCP header length 60 runs past the end of the segment (40 bytes)', offset: 34 });
    const shortTotal = frame.slice();
    shortTotal[17] = 0x10;
    expect(decodeFrame(1, shortTotal)).toEqual({ kind: 'error', reason: 'IPv4 total length 16 is less than its header length 20', offset: 14 });
    expect(decodeFrame(1, frame.subarray(0, 30))).toEqual({ kind: 'error', reason: 'IPv4 header cut: 16 of 20 bytes captured', offset: 14 });
    expect(decodeFrame(1, frame.subarray(0, 10))).toEqual({ kind: 'error', reason: 'Ethernet header cut: 10 of 14 bytes captured', offset: 0 });
    expect(decodeFrame(101, IPV4_TCP.subarray(0, 30))).toEqual({ kind: 'error', reason: 'TCP header cut by the snapshot length: 10 of 20 bytes captured', offset: 20 });
  });
});

describe('frame decoder: IPv6', () => {
  const HEAD = (plen: string, next: string): Uint8Array =>
    hex(`60000000 ${plen} ${next} 40  20010db8000000000000000000000002 20010db8000000000000000000000001`);
  const UDP = hex('c350 0015 000c 0000 61626364');

  it('walks hop-by-hop, routing, destination options and AH headers to the transport header', () => {
    const ext = hex(`
      2b 00 01 04 00000000
      3c 00 00 00 00000000
      33 00 01 04 00000000
      11 01 0000 00000001 00000002`);
    const r = ok(decodeFrame(229, concat(HEAD('0030', '00'), ext, UDP)));
    expect(r.packet).toMatchObject({ proto: PROTO_UDP, srcPort: 50000, dstPort: 21, fragment: 'none', payload: ascii('abcd') });
  });

  it('reads a fragment header: offset 0 with M is a first fragment, an offset is a later one without ports', () => {
    const first = ok(decodeFrame(229, concat(HEAD('0014', '2c'), hex('11 00 0001 00000007'), UDP)));
    expect(first.packet).toMatchObject({ fragment: 'first', proto: PROTO_UDP, srcPort: 50000 });
    const later = ok(decodeFrame(229, concat(HEAD('0014', '2c'), hex('11 00 00b8 00000007'), UDP)));
    expect(later.packet).toMatchObject({ fragment: 'later', proto: PROTO_UDP, srcPort: 0, dstPort: 0 });
    expect(later.packet.payload).toEqual(UDP);
    const atomic = ok(decodeFrame(229, concat(HEAD('0014', '2c'), hex('11 00 0000 00000007'), UDP)));
    expect(atomic.packet.fragment).toBe('none');
  });

  it('stops at ESP (50) and no-next-header (59)', () => {
    const esp = ok(decodeFrame(229, concat(HEAD('0008', '32'), hex('00001000 00000001'))));
    expect(esp.packet).toMatchObject({ proto: 50, srcPort: 0, payload: hex('00001000 00000001') });
    const none = ok(decodeFrame(229, HEAD('0000', '3b')));
    expect(none.packet).toMatchObject({ proto: 59, payload: new Uint8Array(0) });
  });

  it('decodes ICMPv6 type and code', () => {
    const r = ok(decodeFrame(229, concat(HEAD('0008', '3a'), hex('01 04 0000 00000000'))));
    expect(r.packet).toMatchObject({ proto: PROTO_ICMPV6, icmpType: 1, icmpCode: 4, payload: hex('00000000') });
  });

  it('rejects a wrong version and an extension header that runs past the packet', () => {
    const bad = IPV6_TCP.slice();
    bad[0] = 0x40;
    expect(decodeFrame(229, bad)).toEqual({ kind: 'error', reason: 'IPv6 header has version 4, expected 6', offset: 0 });
    expect(decodeFrame(229, concat(HEAD('0008', '00'), hex('11 02 0000 00000000')))).toEqual({
      kind: 'error',
      reason: 'IPv6 extension header 0 (24 bytes) runs past the end of the packet',
      offset: 40,
    });
    expect(decodeFrame(229, IPV6_TCP.subarray(0, 39))).toEqual({ kind: 'error', reason: 'IPv6 header cut: 39 of 40 bytes captured', offset: 0 });
  });
});

/** The Packet fields of any Packet-shaped object, as plain data. */
function plain(p: Packet): Packet {
  const { src, dst, proto, srcPort, dstPort, tcpFlags, seq, ack, window, payload, fragment, icmpType, icmpCode } = p;
  return { src: structuredClone(src), dst: structuredClone(dst), proto, srcPort, dstPort, tcpFlags, seq, ack, window, payload: payload.slice(), fragment, icmpType, icmpCode };
}

describe('the reusing frame decoder', () => {
  it('fills one Packet object in place with the same values the allocating decoder gives', () => {
    const d = new FrameDecoder(true);
    d.decode(1, concat(ETH('0800'), IPV4_TCP));
    const first = d.packet;
    expect(plain(first)).toEqual(USER_PACKET);
    d.decode(229, IPV6_TCP);
    expect(d.packet).toBe(first);
    expect(plain(d.packet)).toEqual(plain(ok(decodeFrame(229, IPV6_TCP)).packet));
    expect(d.decode(1, concat(ETH('0806'), new Uint8Array(28)))).toBe(1);
    expect(d.reason).toBe('not IP: ARP (ethertype 0x0806)');
  });

  it('decodes a frame inside a larger buffer by start and end, with offsets relative to the frame', () => {
    const frame = concat(ETH('0800'), IPV4_TCP);
    const buffer = concat(hex('ffffffff ffff'), frame, hex('eeeeeeee'));
    for (const reuse of [false, true]) {
      const d = new FrameDecoder(reuse);
      expect(d.decode(1, buffer, 6, 6 + frame.length)).toBe(0);
      expect(plain(d.packet)).toEqual(USER_PACKET);
      expect(d.ipOffset).toBe(14);
      expect(d.decode(1, buffer, 6, 6 + 30)).toBe(2);
      expect([d.reason, d.errorOffset]).toEqual(['IPv4 header cut: 16 of 20 bytes captured', 14]);
    }
  });
});
