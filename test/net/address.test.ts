import { describe, expect, it } from 'vitest';
// ip-num's validator itself, to check that parseIpv4's fast path accepts exactly what ip-num accepts
import { Validator } from 'ip-num/dist/src/Validator.js';
import { parseIpv4, plainDottedQuad } from '../../src/net/address.js';

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
