import { describe, expect, it } from 'vitest';
import {
  parseEprtRfc2428,
  parseEpsvResponseRfc2428,
  parsePasvRfc1123,
  parsePortRfc959,
  scanFtp,
  type FtpParse,
} from '../../../src/engine/stateful/helpers/ftp.js';
import { formatIp } from '../../../src/net/address.js';
import { bytes, ip } from './packets.js';

const CLIENT = ip('10.0.0.2');
const SERVER = ip('192.168.10.1');
const CLIENT6 = ip('2001:db8:1::2');

/** A match as `addr port @off+len`, the other answers by kind (and reason). */
function show(r: FtpParse): string {
  if (r.kind === 'match') return `${formatIp(r.addr)} ${r.port} @${r.matchOff}+${r.matchLen}${r.quirk ? ` (${r.quirk})` : ''}`;
  if (r.kind === 'partial') return `partial: ${r.why}`;
  return 'none';
}

describe('parsePortRfc959 (try_rfc959: skip " ", term "\\r")', () => {
  it.each([
    ['PORT 10,0,0,2,195,81\r\n', '10.0.0.2 50001 @5+15'],
    ['port 10,0,0,2,195,81\r\n', '10.0.0.2 50001 @5+15'], // strncasecmp
    ['PORTX 10,0,0,2,195,81\r\n', '10.0.0.2 50001 @6+15'], // 4-byte prefix, then skip to the space
    ['PORT 1,2,3,4,5,\r\n', '1.2.3.4 1280 @5+10'], // an empty field reads 0
    ['PORT 10,0,0,2,256,22\r\n', '10.0.0.2 22 @5+15 (numbers above 255 (256))'], // (256<<8|22) & 0xffff
    ['PORT 10,0,0,300,4,1\r\n', '10.0.1.44 1025 @5+14 (numbers above 255 (300))'], // 300 OR-ed into the third octet
  ])('reads %j as the kernel does', (text, want) => {
    expect(show(parsePortRfc959(bytes(text), CLIENT))).toBe(want);
  });

  it.each([
    [' PORT 10,0,0,2,195,81\r\n'], // only offset 0 counts
    ['NOOP\r\nPORT 10,0,0,2,195,81\r\n'],
    ['USER anonymous\r\n'],
  ])('%j is no match', (text) => {
    expect(parsePortRfc959(bytes(text), CLIENT)).toEqual({ kind: 'none' });
  });

  it.each([
    ['PORT 10,0,0,2,195,81\n', "partial: `10,0,0,2,195,81\\n' is not six comma-separated numbers ended by \\r"],
    ['PORT 10,0,0,2,195,81 \r\n', "partial: `10,0,0,2,195,81 \\r\\n' is not six comma-separated numbers ended by \\r"],
    ['PORT  10,0,0,2,195,81\r\n', "partial: ` 10,0,0,2,195,81\\r\\n' is not six comma-separated numbers ended by \\r"],
    ['PORT abc\r\n', "partial: `abc\\r\\n' is not six comma-separated numbers ended by \\r"],
    ['PORT 1,2,3,4,5\r\n', "partial: `1,2,3,4,5\\r\\n' is not six comma-separated numbers ended by \\r"],
    ['PORT 1,2,3,4,5,6,7\r\n', "partial: `1,2,3,4,5,6,7\\r\\n' is not six comma-separated numbers ended by \\r"],
    ['PORT 10,0,0,2,', "partial: `10,0,0,2,' is not six comma-separated numbers ended by \\r"],
    ['PORT\r\n', "partial: no ' ' after `PORT' in the segment"],
    ['PORT', "partial: the segment is only `PORT', a prefix of `PORT'"],
    ['po', "partial: the segment is only `po', a prefix of `PORT'"],
  ])('%j is a partial match (the packet would be dropped)', (text, want) => {
    expect(show(parsePortRfc959(bytes(text), CLIENT))).toBe(want);
  });

  it('on IPv6 only the first 32 bits of the preset address change (facts 5.3)', () => {
    expect(show(parsePortRfc959(bytes('PORT 10,0,0,2,195,81\r\n'), CLIENT6))).toBe('a00:2:1::2 50001 @5+15');
  });
});

describe('parsePasvRfc1123 (try_rfc1123: first digit after "227 ", any terminator)', () => {
  it.each([
    ['227 Entering Passive Mode (192,168,10,1,195,81).\r\n', '192.168.10.1 50001 @27+19'],
    ['227 Entering Passive Mode 192,168,10,1,195,81\r\n', '192.168.10.1 50001 @26+19'],
    ['227 =192,168,10,1,195,81\r\n', '192.168.10.1 50001 @5+19'],
    ['227 Entering Passive Mode (192,168,10,1,195,81)', '192.168.10.1 50001 @27+19'],
  ])('reads %j', (text, want) => {
    expect(show(parsePasvRfc1123(bytes(text), SERVER))).toBe(want);
  });

  it.each([
    ['227 Mode 2 (192,168,10,1,195,81).\r\n', "partial: `2 (192,168,10,1,195,81).\\r\\n' does not start with six comma-separated numbers"],
    ['227 Logout.\r\n', "partial: no digit after `227 ' in `227 Logout.\\r\\n'"],
    ['227 (192,168,10,1,195,81', "partial: `192,168,10,1,195,81' does not start with six comma-separated numbers"],
    ['227 ', "partial: the segment is only `227 ', a prefix of `227 '"],
    ['22', "partial: the segment is only `22', a prefix of `227 '"],
  ])('%j is partial', (text, want) => {
    expect(show(parsePasvRfc1123(bytes(text), SERVER))).toBe(want);
  });

  it('a multi-line 227- reply never matches: the pattern needs the space', () => {
    expect(parsePasvRfc1123(bytes('227-Entering Passive Mode (192,168,10,1,195,81)\r\n'), SERVER)).toEqual({ kind: 'none' });
  });
});

describe('parseEprtRfc2428 (try_eprt)', () => {
  it.each([
    ['EPRT |1|10.0.0.2|50001|\r\n', CLIENT, '10.0.0.2 50001 @5+18'],
    ['eprt !1!10.0.0.2!50001!\r\n', CLIENT, '10.0.0.2 50001 @5+18'],
    ['EPRT |1|10.0.0.2|70000|\r\n', CLIENT, '10.0.0.2 4464 @5+18 (port 70000 wraps to 4464)'],
    ['EPRT |2|2001:db8:1::2|50001|\r\n', CLIENT6, '2001:db8:1::2 50001 @5+23'],
    ['EPRT |2|2001:DB8:1::2|50001|\r\n', CLIENT6, '2001:db8:1::2 50001 @5+23'],
    ['EPRT |2|::ffff:10.0.0.2|50001|\r\n', CLIENT6, '::ffff:a00:2 50001 @5+25'],
    ['EPRT |2|1:2:3:4:5:6:7:8|50001|\r\n', CLIENT6, '1:2:3:4:5:6:7:8 50001 @5+25'],
    ['EPRT |2|::|50001|\r\n', CLIENT6, ':: 50001 @5+12'],
  ])('reads %j', (text, preset, want) => {
    expect(show(parseEprtRfc2428(bytes(text), preset))).toBe(want);
  });

  it.each([
    ['EPRT |2|2001:db8:1::2|50001|\r\n', CLIENT, "partial: `|2|2001:db8:1::2|50001|\\r\\n' names address family 2 on an IPv4 control connection"],
    ['EPRT |1|10.0.0.2|50001|\r\n', CLIENT6, "partial: `|1|10.0.0.2|50001|\\r\\n' names address family 1 on an IPv6 control connection"],
    ['EPRT |1|1.2.3.4|0|\r\n', CLIENT, "partial: `|1|1.2.3.4|0|\\r\\n' has no port from 1 to 65535 ended by the delimiter"],
    ['EPRT |1|1.2.3.4|5000\r\n', CLIENT, "partial: `|1|1.2.3.4|5000\\r\\n' has no port from 1 to 65535 ended by the delimiter"],
    ['EPRT 1|1|1.2.3.4|5000|\r\n', CLIENT, "partial: `1|1|1.2.3.4|5000|\\r\\n' does not start with a delimiter, a family digit and the delimiter again"],
    ['EPRT |1|1.2.3|5000|\r\n', CLIENT, "partial: `|1|1.2.3|5000|\\r\\n' has no dotted IPv4 address ended by the delimiter"],
    ['EPRT |2|2001:db8:::2|5000|\r\n', CLIENT6, "partial: `|2|2001:db8:::2|5000|\\r\\n' has no IPv6 address ended by the delimiter"],
    ['EPRT |2|12345::1|5000|\r\n', CLIENT6, "partial: `|2|12345::1|5000|\\r\\n' has no IPv6 address ended by the delimiter"],
    ['EPRT |2|1::2::3|5000|\r\n', CLIENT6, "partial: `|2|1::2::3|5000|\\r\\n' has no IPv6 address ended by the delimiter"],
    ['EPRT |2|:1::2|5000|\r\n', CLIENT6, "partial: `|2|:1::2|5000|\\r\\n' has no IPv6 address ended by the delimiter"],
    ['EPRT |2|1:2:3:4:5:6:7|5000|\r\n', CLIENT6, "partial: `|2|1:2:3:4:5:6:7|5000|\\r\\n' has no IPv6 address ended by the delimiter"],
    ['EPRT |1|', CLIENT, "partial: `|1|' is too short for |af|addr|port|"],
  ])('%j is partial', (text, preset, want) => {
    expect(show(parseEprtRfc2428(bytes(text), preset))).toBe(want);
  });
});

describe('parseEpsvResponseRfc2428 (try_epsv_response after the first "(")', () => {
  it.each([
    ['229 Entering Extended Passive Mode (|||50021|)\r\n', '192.168.10.1 50021 @36+9'],
    ['229 Entering Extended Passive Mode (!!!50021!)\r\n', '192.168.10.1 50021 @36+9'],
    ['229 (|||50021|', '192.168.10.1 50021 @5+9'], // the closing ')' is not checked
  ])('reads %j with the server address preset', (text, want) => {
    expect(show(parseEpsvResponseRfc2428(bytes(text), SERVER))).toBe(want);
  });

  it.each([
    ['229 Entering Extended Passive Mode |||50021|\r\n', "partial: no '(' after `229 ' in the segment"],
    ['229 (|||0|)\r\n', "partial: `|||0|)\\r\\n' has no port from 1 to 65535 ended by the delimiter"],
    ['229 (||50021|)\r\n', "partial: `||50021|)\\r\\n' does not start with three equal delimiters"],
    ['229 (1115002)\r\n', "partial: `1115002)\\r\\n' does not start with three equal delimiters"],
  ])('%j is partial', (text, want) => {
    expect(show(parseEpsvResponseRfc2428(bytes(text), SERVER))).toBe(want);
  });
});

describe('the search table (search[dir][2], first non-zero answer wins)', () => {
  it('PORT and EPRT are looked for only in the ORIGINAL direction, 227 and 229 only in REPLY', () => {
    expect(scanFtp(bytes('227 Entering Passive Mode (192,168,10,1,195,81)\r\n'), 0, CLIENT)).toBeUndefined();
    expect(scanFtp(bytes('PORT 10,0,0,2,195,81\r\n'), 1, SERVER)).toBeUndefined();
    expect(scanFtp(bytes('PORT 10,0,0,2,195,81\r\n'), 0, CLIENT)?.entry.pattern).toBe('PORT');
    expect(scanFtp(bytes('229 (|||50021|)\r\n'), 1, SERVER)?.entry.pattern).toBe('229 ');
  });

  it('a short prefix of the second pattern is partial for that pattern: `EPR`', () => {
    const r = scanFtp(bytes('EPR'), 0, CLIENT);
    expect(r?.entry.pattern).toBe('EPRT');
    expect(r?.parse.kind).toBe('partial');
  });

  it('PASV, EPSV, LPRT, 228 and AUTH are not in the table', () => {
    for (const t of ['PASV\r\n', 'EPSV\r\n', 'LPRT 4,4,10,0,0,2,2,195,81\r\n', 'AUTH TLS\r\n'])
      expect(scanFtp(bytes(t), 0, CLIENT), t).toBeUndefined();
    expect(scanFtp(bytes('228 Entering Long Passive Mode (4,4,192,168,10,1,2,195,81)\r\n'), 1, SERVER)).toBeUndefined();
  });
});
