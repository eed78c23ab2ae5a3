import { describe, expect, test } from 'vitest';
import {
  formatEprt,
  formatEpsvReply,
  formatPasvReply,
  formatPort,
  parseEprtArgument,
  parseEpsvReply,
  parsePasvReply,
  parsePortArgument,
  parseReplyLine,
  splitCommand,
} from '../../src/ftp/text.js';
import { ip } from '../helpers/build.js';
import { parseIpv4, parseIpv6 } from '../../src/net/address.js';

describe('PORT (RFC 959 4.1.2)', () => {
  test('formats the address and the port as p1 = port / 256, p2 = port % 256', () => {
    // 50001 = 195 * 256 + 81
    expect(formatPort(ip('10.0.0.2'), 50001)).toBe('PORT 10,0,0,2,195,81');
    expect(formatPort(ip('10.0.0.2'), 80)).toBe('PORT 10,0,0,2,0,80');
  });

  test('parses six numbers back to the same endpoint', () => {
    expect(parsePortArgument('10,0,0,2,195,81')).toEqual({ ok: true, value: { addr: ip('10.0.0.2'), port: 50001 } });
    expect(parsePortArgument(' 10,0,0,99,0,80 ')).toEqual({ ok: true, value: { addr: ip('10.0.0.99'), port: 80 } });
  });

  test('refuses a number above 255, a missing number and trailing text', () => {
    expect(parsePortArgument('10,0,0,256,195,81')).toEqual({ ok: false, reason: 'number 4 (256) is above 255' });
    expect(parsePortArgument('10,0,0,2,195')).toEqual({ ok: false, reason: "expected ',' after number 5" });
    expect(parsePortArgument('10,0,0,2,195,81x')).toEqual({ ok: false, reason: "unexpected text after the port: 'x'" });
  });

  test('refuses to format an IPv6 address (PORT carries only IPv4)', () => {
    expect(() => formatPort(ip('2001:db8::1'), 21)).toThrow('RFC 959 host-port carries only IPv4 addresses');
  });
});

describe('227 reply (RFC 959, read as RFC 1123 4.1.2.12 asks)', () => {
  test('formats the common text with parentheses and a full stop', () => {
    expect(formatPasvReply(ip('192.168.10.1'), 50081)).toBe('227 Entering Passive Mode (192,168,10,1,195,161).');
  });

  test('parses the common form', () => {
    expect(parsePasvReply('227 Entering Passive Mode (192,168,10,1,195,81).')).toEqual({
      ok: true,
      value: { addr: ip('192.168.10.1'), port: 50001 },
    });
  });

  test('parses a 227 without parentheses by scanning for the first digit', () => {
    expect(parsePasvReply('227 Entering Passive Mode 192,168,10,1,195,81')).toEqual({
      ok: true,
      value: { addr: ip('192.168.10.1'), port: 50001 },
    });
    expect(parsePasvReply('227 =192,168,10,1,4,1')).toEqual({ ok: true, value: { addr: ip('192.168.10.1'), port: 1025 } });
  });

  test('fails on a 227 with no numbers and on other codes', () => {
    expect(parsePasvReply('227 Logout.')).toEqual({ ok: false, reason: 'no host-port numbers in the 227 reply' });
    expect(parsePasvReply('229 Entering Extended Passive Mode (|||50021|)')).toEqual({ ok: false, reason: 'not a 227 reply' });
  });
});

describe('EPRT (RFC 2428 2)', () => {
  test('formats IPv4 with af 1 and IPv6 with af 2, RFC 5952 text', () => {
    expect(formatEprt(ip('10.0.0.2'), 50001)).toBe('EPRT |1|10.0.0.2|50001|');
    expect(formatEprt(ip('2001:0db8:0001:0000:0000:0000:0000:0002'), 50001)).toBe('EPRT |2|2001:db8:1::2|50001|');
  });

  test('parses the RFC examples', () => {
    // RFC 2428 2: "EPRT |1|132.235.1.2|6275|" and "EPRT |2|1080::8:800:200C:417A|5282|"
    expect(parseEprtArgument('|1|132.235.1.2|6275|')).toEqual({ ok: true, value: { addr: ip('132.235.1.2'), port: 6275 } });
    expect(parseEprtArgument('|2|1080::8:800:200C:417A|5282|')).toEqual({
      ok: true,
      value: { addr: ip('1080::8:800:200c:417a'), port: 5282 },
    });
  });

  test('accepts any printable delimiter', () => {
    expect(parseEprtArgument('!1!10.0.0.2!50001!')).toEqual({ ok: true, value: { addr: ip('10.0.0.2'), port: 50001 } });
  });

  test('refuses a family that does not match the address, an unknown family and port 0', () => {
    expect(parseEprtArgument('|1|2001:db8::2|50001|')).toEqual({ ok: false, reason: "'2001:db8::2' is not an IPv4 address" });
    expect(parseEprtArgument('|3|10.0.0.2|50001|')).toEqual({ ok: false, reason: "unknown network protocol '3' (RFC 2428: 1 = IPv4, 2 = IPv6)" });
    expect(parseEprtArgument('|1|10.0.0.2|0|')).toEqual({ ok: false, reason: 'port 0 is out of range 1-65535' });
    expect(parseEprtArgument('|1|10.0.0.2|50001')).toEqual({ ok: false, reason: 'expected |af|address|port|' });
  });
});

/** The earlier EPRT reading (split on the delimiter, a regex for the port): the oracle for the scan that replaced it. */
function splitEprt(arg: string): unknown {
  const text = arg.trim();
  const d = text[0];
  if (d === undefined) return { ok: false, reason: 'empty EPRT argument' };
  if (d.charCodeAt(0) < 33 || d.charCodeAt(0) > 126) return { ok: false, reason: 'the delimiter must be a printable ASCII character' };
  const parts = text.split(d);
  if (parts.length !== 5 || parts[0] !== '' || parts[4] !== '') return { ok: false, reason: `expected ${d}af${d}address${d}port${d}` };
  const portText = parts[3]!;
  if (!/^\d{1,5}$/.test(portText)) return { ok: false, reason: `'${portText}' is not a TCP port` };
  const port = Number(portText);
  if (port < 1 || port > 65535) return { ok: false, reason: `port ${port} is out of range 1-65535` };
  const a = parts[2]!;
  if (parts[1] === '1') return parseIpv4(a) === undefined ? { ok: false, reason: `'${a}' is not an IPv4 address` } : { ok: true, value: { addr: ip(a), port } };
  if (parts[1] === '2') return parseIpv6(a) === undefined ? { ok: false, reason: `'${a}' is not an IPv6 address` } : { ok: true, value: { addr: ip(a), port } };
  return { ok: false, reason: `unknown network protocol '${parts[1]}' (RFC 2428: 1 = IPv4, 2 = IPv6)` };
}

describe('EPRT argument scan', () => {
  test('answers as the split-based reading did, on every field spelled every odd way', () => {
    const fams = ['1', '2', '', '3', '11', ' 1', '|'];
    const addrs = ['10.0.0.2', '2001:db8::2', '', '10.0.0.256', '::ffff:10.0.0.2', 'a|b'];
    const ports = ['50001', '1', '65535', '65536', '0', '', '123456', '0050001', '5e3', '-1', ' 21'];
    let n = 0;
    for (const d of ['|', '!', '~'])
      for (const f of fams)
        for (const a of addrs)
          for (const p of ports)
            for (const tail of [d, '', `${d}${d}`, `${d}x`, ` ${d}`]) {
              const text = `${d}${f}${d}${a.replaceAll('|', d)}${d}${p}${tail}`;
              expect(parseEprtArgument(text), text).toEqual(splitEprt(text));
              expect(parseEprtArgument(`  ${text} `), text).toEqual(splitEprt(`  ${text} `));
              n++;
            }
    expect(n).toBe(3 * fams.length * addrs.length * ports.length * 5);
    for (const t of ['', ' ', '\u0001|1|', '|', '||', '|||', '||||', '|||||']) expect(parseEprtArgument(t), t).toEqual(splitEprt(t));
  });
});

describe('229 reply (RFC 2428 3)', () => {
  test('formats the RFC form with three delimiters before the port', () => {
    expect(formatEpsvReply(50021)).toBe('229 Entering Extended Passive Mode (|||50021|)');
  });

  test('parses the port, with any delimiter', () => {
    expect(parseEpsvReply('229 Entering Extended Passive Mode (|||6446|)')).toEqual({ ok: true, port: 6446 });
    expect(parseEpsvReply('229 Extended Passive (!!!50021!)')).toEqual({ ok: true, port: 50021 });
  });

  test('fails without parentheses or with mixed delimiters', () => {
    expect(parseEpsvReply('229 Entering Extended Passive Mode |||6446|')).toEqual({ ok: false, reason: "no '(' in the 229 reply" });
    expect(parseEpsvReply('229 x (||!6446|)')).toEqual({ ok: false, reason: 'expected three equal delimiters after (' });
  });
});

describe('reply lines and command lines', () => {
  test('splits a reply into code and text and recognises a multi-line first line', () => {
    expect(parseReplyLine('226 Transfer complete.')).toEqual({ code: 226, continued: false, text: 'Transfer complete.' });
    expect(parseReplyLine('230-Welcome')).toEqual({ code: 230, continued: true, text: 'Welcome' });
    expect(parseReplyLine(' 230 no')).toBeUndefined();
  });

  test('splits a command into an upper-case verb and its argument', () => {
    expect(splitCommand('retr file one.bin')).toEqual({ verb: 'RETR', arg: 'file one.bin' });
    expect(splitCommand('PASV')).toEqual({ verb: 'PASV', arg: '' });
  });
});
