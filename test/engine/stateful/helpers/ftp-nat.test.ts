import { describe, expect, it } from 'vitest';
import { natFtpArgument, spliceArgument } from '../../../../src/engine/stateful/helpers/ftp-nat.js';
import { ip } from '../../../helpers/build.js';

describe("nf_nat_ftp's argument text (nf_nat_ftp_fmt_cmd)", () => {
  it('writes PORT and 227 as six decimal numbers, EPRT with |1| or |2| and the address, 229 with the port only', () => {
    expect(natFtpArgument('227', ip('198.51.100.100'), 50000)).toBe('198,51,100,100,195,80');
    expect(natFtpArgument('PORT', ip('198.51.100.1'), 50021)).toBe('198,51,100,1,195,101');
    expect(natFtpArgument('EPRT', ip('198.51.100.1'), 50021)).toBe('|1|198.51.100.1|50021|');
    expect(natFtpArgument('229', ip('198.51.100.1'), 50021)).toBe('|||50021|');
  });

  it('writes IPv6 in EPRT as %pI6 does (eight groups of four hex digits) and refuses IPv6 in PORT', () => {
    expect(natFtpArgument('EPRT', ip('2001:db8::1'), 50021)).toBe('|2|2001:0db8:0000:0000:0000:0000:0000:0001|50021|');
    expect(natFtpArgument('PORT', ip('2001:db8::1'), 50021)).toBeUndefined();
  });

  it('replaces exactly the argument span and keeps the text around it', () => {
    const payload = Uint8Array.from('227 Entering Passive Mode (10,0,0,1,195,80).\r\n', (c) => c.charCodeAt(0));
    const out = spliceArgument(payload, 27, 15, '198,51,100,100,195,80');
    expect(String.fromCharCode(...out)).toBe('227 Entering Passive Mode (198,51,100,100,195,80).\r\n');
  });
});
