import { describe, expect, it } from 'vitest';
import { AddressCache } from '../../src/net/address-cache.js';
import { formatIp, ipv4, ipv6, parseIp } from '../../src/net/address.js';
import { DECODE_OK, FrameDecoder } from '../../src/wire/frame-decoder.js';
import { encodeEthernetFrame } from '../../src/wire/encode.js';
import { LINKTYPE_ETHERNET } from '../../src/wire/link-types.js';
import { TCP_SYN } from '../../src/net/packet.js';

describe('AddressCache', () => {
  it('hands out one shared copy per address, never the caller’s own object', () => {
    const cache = new AddressCache();
    const a = ipv4(0xc0a80a01);
    const kept = cache.keep(a);
    expect(kept).not.toBe(a);
    expect(kept).toEqual(a);
    expect(cache.keep(ipv4(0xc0a80a01))).toBe(kept);
    const v6 = cache.keep(ipv6(0x20010db8, 0, 0, 1));
    expect(cache.keep(parseIp('2001:db8::1')!)).toBe(v6);
    expect(formatIp(v6)).toBe('2001:db8::1');
  });

  it('keeps what a reusing decoder later overwrites', () => {
    const cache = new AddressCache();
    const d = new FrameDecoder(true);
    const frame = (src: number) =>
      encodeEthernetFrame({ src: ipv4(src), dst: ipv4(0xc0a80a01), proto: 6, srcPort: 50000, dstPort: 21, tcpFlags: TCP_SYN, seq: 1, ack: 0, window: 65535, payload: new Uint8Array(0), fragment: 'none' });
    expect(d.decode(LINKTYPE_ETHERNET, frame(0x0a000002))).toBe(DECODE_OK);
    const first = cache.keep(d.packet.src);
    expect(d.decode(LINKTYPE_ETHERNET, frame(0x0a000003))).toBe(DECODE_OK);
    expect(formatIp(first)).toBe('10.0.0.2');
    expect(formatIp(cache.keep(d.packet.src))).toBe('10.0.0.3');
    // colliding slots replace each other: every answer is still the right address
    for (let i = 0; i < 5000; i++) expect(cache.keep(ipv4(i)).v4).toBe(i);
  });
});
