import { describe, expect, it } from 'vitest';
// ip-num's validator itself, to check that parseIpv4's fast path accepts exactly what ip-num accepts
import { Validator } from 'ip-num/dist/src/Validator.js';
import { expandIPv6Number } from 'ip-num/dist/src/IPv6Utils.js';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { copyIp, formatIp, ipv4, ipv6, ipv6Of, NO_V6, parseIp, parseIpv4, parseIpv6, plainDottedQuad, plainIpv6, type IpAddress } from '../../src/net/address.js';
import { parseEprtArgument, parsePortArgument } from '../../src/ftp/text.js';
import { DECODE_OK, FrameDecoder } from '../../src/wire/frame-decoder.js';
import { LINKTYPE_ETHERNET } from '../../src/wire/link-types.js';
import { encodeEthernetFrame } from '../../src/wire/encode.js';
import { TCP_SYN, type Packet } from '../../src/net/packet.js';

/** Every one-to-four-character octet over the characters that matter: digits, a leading zero, a sign, a blank, a letter, a non-ASCII digit. */
function octetSpellings(): string[] {
  const out = new Set<string>();
  for (let n = 0; n <= 999; n++) out.add(String(n));
  for (const s of ['00', '01', '000', '001', '010', '099', '0255', '1000', '2550', '', ' 1', '1 ', '+1', '-1', '1e2', '0x1', 'a', '١', '1.']) out.add(s);
  return [...out];
}

describe('parseIpv4 fast path (plainDottedQuad)', () => {
  it('accepts exactly the dotted quads ip-num accepts, with the same value', () => {
    const spellings = octetSpellings();
    let accepted = 0;
    let checked = 0;
    // every spelling in each position, the other octets plain (all positions are scanned alike)
    for (const s of spellings)
      for (let pos = 0; pos < 4; pos++) {
        const parts = ['10', '0', '7', '1'];
        parts[pos] = s;
        const text = parts.join('.');
        const ipNum = Validator.isValidIPv4String(text)[0];
        const fast = plainDottedQuad(text);
        // the fast path may only accept what ip-num accepts; it accepts all of it here
        expect(fast !== undefined, text).toBe(ipNum);
        if (fast !== undefined) {
          accepted++;
          expect(fast, text).toBe(Number(parts[0]) * 2 ** 24 + Number(parts[1]) * 2 ** 16 + Number(parts[2]) * 2 ** 8 + Number(parts[3]));
        }
        // the full parser agrees with ip-num either way
        expect(parseIpv4(text) !== undefined, text).toBe(ipNum);
        checked++;
      }
    expect(checked).toBeGreaterThan(4000);
    expect(accepted).toBe(256 * 4);
  });

  it('refuses other shapes as ip-num does: too few or many octets, empty octets, surrounding text', () => {
    for (const text of ['1.2.3', '1.2.3.4.5', '1..2.3', '.1.2.3', '1.2.3.', '', '1.2.3.4 ', ' 1.2.3.4', '1.2.3.4/24', '255.255.255.2555', '1,2,3,4']) {
      expect(plainDottedQuad(text), text).toBeUndefined();
      expect(parseIpv4(text) !== undefined, text).toBe(Validator.isValidIPv4String(text)[0]);
    }
  });

  it('reads the extremes as unsigned 32-bit numbers', () => {
    expect(plainDottedQuad('0.0.0.0')).toBe(0);
    expect(plainDottedQuad('255.255.255.255')).toBe(0xffffffff);
    expect(parseIpv4('192.168.10.1')).toBe(0xc0a80a01);
  });
});

/** The pre-fast-path parseIpv6 answer: ip-num's validator, then the words (the oracle for plainIpv6). */
function ipNumIpv6(text: string): boolean {
  return !text.includes('%') && Validator.isValidIPv6String(text)[0];
}

describe('parseIpv6 fast path (plainIpv6)', () => {
  /** Texts around every RFC 4291 shape: group counts 0-9, `::` anywhere, odd colons, digits 0-5 per group, other characters. */
  function ipv6Spellings(): string[] {
    const out = new Set<string>();
    const groups = ['0', '1', 'a', 'F', 'ff', '0db8', 'FFFF', '12345', '', 'g', '0x1', ' 1', '1.2.3.4', '255.0.0.1'];
    // every group count with `::` at every place, and no `::`
    for (let count = 0; count <= 9; count++)
      for (let gap = -1; gap <= count; gap++) {
        const parts: string[] = [];
        for (let k = 0; k < count; k++) parts.push(['2001', 'db8', '0', 'abcd', 'F00', '1', 'c0ff', 'ee'][k % 8]!);
        const text = gap < 0 ? parts.join(':') : `${parts.slice(0, gap).join(':')}::${parts.slice(gap).join(':')}`;
        out.add(text);
        // each group replaced by every odd spelling, one at a time
        for (let k = 0; k < count; k++)
          for (const g of groups) {
            const p2 = [...parts];
            p2[k] = g;
            out.add(gap < 0 ? p2.join(':') : `${p2.slice(0, gap).join(':')}::${p2.slice(gap).join(':')}`);
          }
      }
    for (const t of [':', '::', ':::', '::1', '1::', ':1', '1:', '1::2::3', '::1:', ':1::', '::ffff:1.2.3.4', 'fe80::1%eth0', '1:2:3:4:5:6:7::', '::2:3:4:5:6:7:8', '1:2:3:4::5:6:7:8', '2001:db8::1/64', '2001:DB8::1', ' ::1', '::1 '])
      out.add(t);
    return [...out];
  }

  it('accepts only what ip-num accepts, with the same words, and leaves the rest to ip-num', () => {
    let accepted = 0;
    let checked = 0;
    for (const text of ipv6Spellings()) {
      const valid = ipNumIpv6(text);
      const fast = plainIpv6(text);
      if (fast !== undefined) {
        expect(valid, text).toBe(true);
        accepted++;
        // the words of ip-num's own expansion
        const hex = expandIPv6Number(text).split(':');
        const want = [0, 2, 4, 6].map((k) => ((parseInt(hex[k]!, 16) << 16) | parseInt(hex[k + 1]!, 16)) >>> 0);
        expect(fast, text).toEqual(want);
      }
      // the whole parser agrees with ip-num either way
      expect(parseIpv6(text) !== undefined, text).toBe(valid);
      checked++;
    }
    expect(checked).toBeGreaterThan(2000);
    // every hex-only valid spelling goes the fast way: only dotted tails fall back
    expect(accepted).toBeGreaterThan(400);
  });

  it('reads RFC 4291 2.2 examples', () => {
    expect(plainIpv6('2001:DB8:0:0:8:800:200C:417A')).toEqual([0x20010db8, 0, 0x0008_0800, 0x200c417a]);
    expect(plainIpv6('2001:DB8::8:800:200C:417A')).toEqual([0x20010db8, 0, 0x0008_0800, 0x200c417a]);
    expect(plainIpv6('FF01::101')).toEqual([0xff010000, 0, 0, 0x101]);
    expect(plainIpv6('::1')).toEqual([0, 0, 0, 1]);
    expect(plainIpv6('::')).toEqual([0, 0, 0, 0]);
    // form 3 (dotted tail) is ip-num's
    expect(plainIpv6('::13.1.68.3')).toBeUndefined();
    expect(parseIpv6('::13.1.68.3')).toEqual([0, 0, 0, 0x0d014403]);
  });
});

describe('one object shape for every address (family, v4, v6)', () => {
  const SHAPE = ['family', 'v4', 'v6'];

  it('is what every constructor, parser and the frame decoder make', () => {
    const made: IpAddress[] = [
      ipv4(0xc0a80a01),
      ipv6(0x20010db8, 0, 0, 1),
      ipv6Of([0x20010db8, 0, 0, 2]),
      copyIp(ipv4(1)),
      copyIp(ipv6(1, 2, 3, 4)),
      parseIp('10.0.0.2')!,
      parseIp('2001:db8::2')!,
      parseIp('::ffff:10.0.0.2')!,
    ];
    const port = parsePortArgument('10,0,0,2,195,81');
    const eprt4 = parseEprtArgument('|1|10.0.0.2|50001|');
    const eprt6 = parseEprtArgument('|2|2001:db8::2|50001|');
    for (const r of [port, eprt4, eprt6]) if (r.ok) made.push(r.value.addr);
    expect(made).toHaveLength(11);
    const syn = (src: IpAddress, dst: IpAddress): Packet => ({ src, dst, proto: 6, srcPort: 50000, dstPort: 21, tcpFlags: TCP_SYN, seq: 1, ack: 0, window: 65535, payload: new Uint8Array(0), fragment: 'none' });
    for (const frame of [encodeEthernetFrame(syn(ipv4(0x0a000002), ipv4(0xc0a80a01))), encodeEthernetFrame(syn(ipv6(0x20010db8, 0, 0, 2), ipv6(0x20010db8, 0, 0, 1)))])
      for (const reuse of [true, false]) {
        const d = new FrameDecoder(reuse);
        expect(d.decode(LINKTYPE_ETHERNET, frame)).toBe(DECODE_OK);
        made.push(d.packet.src, d.packet.dst);
      }
    for (const a of made) {
      expect(Object.keys(a), formatIp(a)).toEqual(SHAPE);
      // the field of the other family is the fixed placeholder
      if (a.family === 4) expect(a.v6).toBe(NO_V6);
      else expect(a.v4).toBe(0);
    }
  });

  it('is built only in src/net/address.ts: no address literal anywhere else in src/', () => {
    const root = resolve(__dirname, '../../src');
    const walk = (dir: string): string[] =>
      readdirSync(dir).flatMap((name) => {
        const p = join(dir, name);
        return statSync(p).isDirectory() ? walk(p) : name.endsWith('.ts') ? [p] : [];
      });
    const offenders: string[] = [];
    for (const file of walk(root)) {
      if (file.endsWith(join('net', 'address.ts'))) continue;
      const text = readFileSync(file, 'utf8');
      // `{ family: 4, v4 …`, `{ family: 6 as const, v6 …`, or the fields in another order
      const literal = /\{\s*(family:\s*[46](\s+as\s+const)?\s*,\s*v[46]\b|v[46]\s*[:,][^{}]*\bfamily:\s*[46])/g;
      for (const m of text.matchAll(literal)) offenders.push(`${file}:${text.slice(0, m.index).split('\n').length}`);
    }
    expect(offenders).toEqual([]);
  });
});
