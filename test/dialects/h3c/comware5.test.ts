/**
 * Comware 5 firewall semantics (facts sheet 3.4): `firewall enable` is required for `firewall packet-filter`;
 * `firewall default` sets the IPv4 default only; IPv6 has `firewall ipv6 default`, after `firewall ipv6 enable`.
 * Comware 7 `packet-filter default deny` covers every family (sheet 3.1, 3.2).
 */
import { describe, expect, it } from 'vitest';
import { createStaticFirewall } from '../../../src/engine/static.js';
import { TCP_SYN } from '../../../src/net/packet.js';
import { tcp } from '../../helpers/build.js';
import { briefs, text } from './helpers.js';

const IFACE = 'GigabitEthernet2/1/10';
const BODY = `acl number 3000\n rule 0 permit tcp destination-port eq 21\nacl ipv6 number 3001\n rule 0 permit tcp destination-port eq 21\ninterface ${IFACE}\n firewall packet-filter 3000 inbound\n firewall packet-filter ipv6 3001 inbound\n`;

/** The verdict of a SYN to port 80 (no rule matches) entering the filtered interface. */
function unmatched(cfg: string, family: 4 | 6): string {
  const fw = createStaticFirewall(text(cfg).value);
  const p = family === 4 ? tcp('10.0.0.2', 50000, '192.168.10.1', 80, TCP_SYN) : tcp('2001:db8::2', 50000, '2001:db8:10::1', 80, TCP_SYN);
  return fw.step(p, { n: 1, nowMs: 0, ingress: IFACE, egress: 'GigabitEthernet2/1/1' }).verdict.action;
}

describe('Comware 5 firewall default and firewall ipv6 default', () => {
  it('firewall default deny denies unmatched IPv4 and leaves IPv6 at the default permit', () => {
    const cfg = `firewall enable\nfirewall ipv6 enable\nfirewall default deny\n${BODY}`;
    expect(briefs(text(cfg))).toEqual([]);
    expect(text(cfg).value.ipv6DefaultAction).toEqual({ action: 'permit' });
    expect(unmatched(cfg, 4)).toBe('deny');
    expect(unmatched(cfg, 6)).toBe('permit');
  });

  it('firewall ipv6 default deny, with firewall ipv6 enable, denies unmatched IPv6 only', () => {
    const cfg = `firewall enable\nfirewall ipv6 enable\nfirewall ipv6 default deny\n${BODY}`;
    expect(text(cfg).value.ipv6DefaultAction).toMatchObject({ action: 'deny', at: { line: 3 } });
    expect(unmatched(cfg, 4)).toBe('permit');
    expect(unmatched(cfg, 6)).toBe('deny');
  });

  it('without firewall ipv6 enable, firewall ipv6 default does nothing and the IPv6 firewall packet filter does not filter, with warnings', () => {
    const cfg = `firewall enable\nfirewall ipv6 default deny\n${BODY}`;
    expect(briefs(text(cfg))).toEqual([
      "2:1 warning: 'firewall ipv6 default' takes effect only after 'firewall ipv6 enable', which this config lacks: IPv6 keeps the default permit (add 'firewall ipv6 enable' in system view)",
      "9:2 warning: Comware 5 filters with 'firewall packet-filter' only after 'firewall ipv6 enable', which this config lacks: this packet filter does not filter (add 'firewall ipv6 enable' in system view)",
    ]);
    expect(text(cfg).value.bindings.map((b) => b.family)).toEqual([4]);
    expect(unmatched(cfg, 6)).toBe('permit');
  });

  it('without firewall enable nothing filters: a SYN to port 80 passes where the ACL would deny it by default', () => {
    const cfg = `firewall default deny\n${BODY}`;
    expect(briefs(text(cfg))[0]).toBe(
      "7:2 warning: Comware 5 filters with 'firewall packet-filter' only after 'firewall enable', which this config lacks: this packet filter does not filter (add 'firewall enable' in system view)",
    );
    expect(unmatched(cfg, 4)).toBe('permit');
    expect(unmatched(`firewall enable\n${cfg}`, 4)).toBe('deny');
  });

  it('Comware 7 packet-filter default deny covers IPv4 and IPv6 alike', () => {
    const cfg = `packet-filter default deny\nacl advanced 3000\n rule 0 permit tcp destination-port eq 21\nacl ipv6 advanced 3001\n rule 0 permit tcp destination-port eq 21\ninterface ${IFACE}\n packet-filter 3000 inbound\n packet-filter ipv6 3001 inbound\n`;
    expect(text(cfg).value.ipv6DefaultAction).toBeUndefined();
    expect(unmatched(cfg, 4)).toBe('deny');
    expect(unmatched(cfg, 6)).toBe('deny');
  });
});
