/**
 * nf_nat_ftp's text (nf_nat_ftp_fmt_cmd, facts 9.2): the replacement for exactly the
 * argument span the conntrack helper matched, nothing around it.
 */
import { formatIpv4, type IpAddress } from '../../../net/address.js';
import type { ExpectationTrigger } from '../expectations.js';

/** `%pI6`: eight groups of four lower-case hex digits, no `::` compression. */
function formatPI6(words: readonly number[]): string {
  const groups: string[] = [];
  for (const w of words) groups.push((w >>> 16).toString(16).padStart(4, '0'), (w & 0xffff).toString(16).padStart(4, '0'));
  return groups.join(':');
}

/**
 * The argument text nf_nat_ftp writes: PORT / 227 `%u,%u,%u,%u,%u,%u`; EPRT `|1|%pI4|%u|`
 * or `|2|%pI6|%u|`; 229 `|||%u|`. PORT and 227 carry IPv4 only (undefined for IPv6).
 */
export function natFtpArgument(trigger: ExpectationTrigger, addr: IpAddress, port: number): string | undefined {
  switch (trigger) {
    case 'PORT':
    case '227': {
      if (addr.family !== 4) return undefined;
      const v = addr.v4;
      return `${v >>> 24},${(v >>> 16) & 255},${(v >>> 8) & 255},${v & 255},${port >> 8},${port & 0xff}`;
    }
    case 'EPRT':
      return addr.family === 4 ? `|1|${formatIpv4(addr.v4)}|${port}|` : `|2|${formatPI6(addr.v6)}|${port}|`;
    case '229':
      return `|||${port}|`;
  }
}

/** The payload with bytes [matchOff, matchOff + matchLen) replaced by `text` (ASCII). */
export function spliceArgument(payload: Uint8Array, matchOff: number, matchLen: number, text: string): Uint8Array {
  const out = new Uint8Array(payload.length - matchLen + text.length);
  out.set(payload.subarray(0, matchOff), 0);
  for (let i = 0; i < text.length; i++) out[matchOff + i] = text.charCodeAt(i);
  out.set(payload.subarray(matchOff + matchLen), matchOff + text.length);
  return out;
}
