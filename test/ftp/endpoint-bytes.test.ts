import { describe, expect, it } from 'vitest';
import { scanEprtArgument, scanEpsvReply, scanned, scanPasvReply, scanPortArgument } from '../../src/ftp/endpoint-bytes.js';
import { parseEprtArgument, parseEpsvReply, parsePasvReply, parsePortArgument, type EndpointParse } from '../../src/ftp/text.js';

/** Latin-1 bytes of `text` inside a larger buffer, so offsets other than 0 are exercised. */
function framed(text: string): { b: Uint8Array; start: number; end: number } {
  const b = new Uint8Array(text.length + 7).fill(0x7c); // '|' around it: a scan that strays past the end would see delimiters
  for (let i = 0; i < text.length; i++) b[3 + i] = text.charCodeAt(i);
  return { b, start: 3, end: 3 + text.length };
}

/** What the byte scan read, in text.ts's result form (undefined when it refused). */
function scannedEndpoint(ok: boolean): unknown {
  if (!ok) return undefined;
  const addr = scanned.family === 4 ? { family: 4, v4: scanned.ipv4 } : { family: 6, v6: Array.from(scanned.ipv6Words) };
  return { addr, port: scanned.port };
}

/** text.ts's answer in the same form. */
function parsedEndpoint(r: EndpointParse): unknown {
  if (!r.ok) return undefined;
  const a = r.value.addr;
  const addr = a.family === 4 ? { family: 4, v4: a.v4 } : { family: 6, v6: [...a.v6] };
  return { addr, port: r.value.port };
}

/** A seeded generator (mulberry32): the same spellings on every run. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Random text over the characters these parsers care about (digits, separators, delimiters, blanks, NBSP, hex letters). */
function noise(rnd: () => number, alphabet: string, maxLen: number): string {
  const n = Math.floor(rnd() * maxLen);
  let s = '';
  for (let i = 0; i < n; i++) s += alphabet[Math.floor(rnd() * alphabet.length)];
  return s;
}

const BLANKS = ['', ' ', '  ', '\t', '\u000b', '\u00a0', ' \r', '\u001f'];

describe('byte scans of control lines (the capture replay) agree with the text parsers', () => {
  it('PORT arguments: every number spelled every odd way, with blanks around and text after', () => {
    const nums = ['0', '10', '255', '256', '007', '0255', '', 'a', '1 ', '-1', '99'];
    let n = 0;
    let accepted = 0;
    for (const x of nums)
      for (let pos = 0; pos < 6; pos++)
        for (const lead of BLANKS)
          for (const tail of [...BLANKS, ',', ',1', 'x', '.']) {
            const parts = ['192', '168', '10', '1', '195', '81'];
            parts[pos] = x;
            const text = `${lead}${parts.join(',')}${tail}`;
            const { b, start, end } = framed(text);
            const want = parsedEndpoint(parsePortArgument(text));
            expect(scannedEndpoint(scanPortArgument(b, start, end)), JSON.stringify(text)).toEqual(want);
            if (want !== undefined) accepted++;
            n++;
          }
    expect(n).toBe(11 * 6 * BLANKS.length * (BLANKS.length + 4));
    expect(accepted).toBeGreaterThan(500);
    expect(scannedEndpoint(scanPortArgument(...Object.values(framed('10,0,0,2,195,81')) as [Uint8Array, number, number]))).toEqual({
      addr: { family: 4, v4: 0x0a000002 },
      port: 195 * 256 + 81,
    });
  });

  it('227 replies: the RFC 1123 scan for the first digit, every number spelled every odd way, any text around', () => {
    const nums = ['0', '10', '255', '256', '0255', '', 'x'];
    const shapes = [
      (h: string) => `227 Entering Passive Mode (${h}).`,
      (h: string) => `227 Entering Passive Mode ${h}`,
      (h: string) => `227 =${h}`,
      (h: string) => `227-(${h})`,
      (h: string) => `227 ${h}`,
      (h: string) => `227${h}`,
      (h: string) => `228 (${h})`,
      (h: string) => `22`,
    ];
    let accepted = 0;
    for (const x of nums)
      for (let pos = 0; pos < 6; pos++)
        for (const shape of shapes) {
          const parts = ['192', '168', '10', '1', '195', '81'];
          parts[pos] = x;
          const text = shape(parts.join(','));
          const { b, start, end } = framed(text);
          const want = parsedEndpoint(parsePasvReply(text));
          expect(scannedEndpoint(scanPasvReply(b, start, end)), text).toEqual(want);
          if (want !== undefined) accepted++;
        }
    expect(accepted).toBeGreaterThan(100);
  });

  it('EPRT arguments: every field spelled every odd way, IPv4 and IPv6, the forms ip-num decides included', () => {
    const fams = ['1', '2', '', '3', '11', ' 1', '|'];
    const addrs = ['10.0.0.2', '010.0.0.2', '2001:db8::2', '2001:DB8:0:0:0:0:0:2', '::', '::ffff:10.0.0.2', '1::2::3', '', '10.0.0.256', 'fe80::1%eth0', 'a|b'];
    const ports = ['50001', '1', '65535', '65536', '0', '', '123456', '0050001', '5e3', ' 21'];
    let n = 0;
    let accepted = 0;
    for (const d of ['|', '!', '~'])
      for (const f of fams)
        for (const a of addrs)
          for (const p of ports)
            for (const tail of [d, '', `${d}${d}`, `${d}x`, ` ${d}`])
              for (const lead of ['', '  ', '\u00a0']) {
                const text = `${lead}${d}${f}${d}${a.replaceAll('|', d)}${d}${p}${tail} `;
                const { b, start, end } = framed(text);
                const want = parsedEndpoint(parseEprtArgument(text));
                expect(scannedEndpoint(scanEprtArgument(b, start, end)), text).toEqual(want);
                if (want !== undefined) accepted++;
                n++;
              }
    expect(n).toBe(3 * fams.length * addrs.length * ports.length * 5 * 3);
    expect(accepted).toBeGreaterThan(100);
    for (const t of ['', ' ', '\u0001|1|', '|', '||', '|||', '||||', '|||||']) {
      const { b, start, end } = framed(t);
      expect(scanEprtArgument(b, start, end), t).toBe(parseEprtArgument(t).ok);
    }
  });

  it('229 replies: delimiters, ports and parentheses every odd way', () => {
    const ports = ['6446', '1', '65535', '65536', '0', '', '123456', '06446', 'x'];
    let accepted = 0;
    for (const d of ['|', '!', '(', ')', ' ', '1'])
      for (const p of ports)
        for (const shape of [
          (x: string) => `229 Entering Extended Passive Mode (${d}${d}${d}${x}${d})`,
          (x: string) => `229 Entering Extended Passive Mode (${d}${d}${d}${x}${d}).`,
          (x: string) => `229 (${d}${d}${d}${x}${d}`,
          (x: string) => `229 (${d}${d}|${x}${d})`,
          (x: string) => `229-(${d}${d}${d}${x}${d})`,
          (x: string) => `229 ${d}${d}${d}${x}${d})`,
          (x: string) => `229(${d}${d}${d}${x}${d})`,
          (x: string) => `229 (${d}${d}`,
          (x: string) => `230 (${d}${d}${d}${x}${d})`,
        ]) {
          const text = shape(p);
          const { b, start, end } = framed(text);
          const r = parseEpsvReply(text);
          const ok = scanEpsvReply(b, start, end);
          expect(ok, text).toBe(r.ok);
          if (r.ok) {
            expect(scanned.port, text).toBe(r.port);
            accepted++;
          }
        }
    expect(accepted).toBeGreaterThan(20);
  });

  it('agrees on 20,000 seeded random lines of each kind', () => {
    const rnd = random(20261203);
    for (let i = 0; i < 20_000; i++) {
      const port = noise(rnd, '0123456789,, \t\u00a0x', 30);
      let t = framed(port);
      expect(scannedEndpoint(scanPortArgument(t.b, t.start, t.end)), JSON.stringify(port)).toEqual(parsedEndpoint(parsePortArgument(port)));
      const pasv = `227${noise(rnd, '0123456789,,,() .', 34)}`;
      t = framed(pasv);
      expect(scannedEndpoint(scanPasvReply(t.b, t.start, t.end)), JSON.stringify(pasv)).toEqual(parsedEndpoint(parsePasvReply(pasv)));
      const eprt = noise(rnd, '|||12.:.:0aF9 \u00a0!', 28);
      t = framed(eprt);
      expect(scannedEndpoint(scanEprtArgument(t.b, t.start, t.end)), JSON.stringify(eprt)).toEqual(parsedEndpoint(parseEprtArgument(eprt)));
      const epsv = `229${noise(rnd, '(|||)0123456789 !', 20)}`;
      t = framed(epsv);
      const r = parseEpsvReply(epsv);
      expect(scanEpsvReply(t.b, t.start, t.end), JSON.stringify(epsv)).toBe(r.ok);
      if (r.ok) expect(scanned.port).toBe(r.port);
    }
  });
});
