import { describe, expect, it } from 'vitest';
import { parseIpv4, parseIpv6 } from '../../../src/net/address.js';
import { TCP_ACK, TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN, TCP_URG } from '../../../src/net/packet.js';
import { aclOf, briefs, fixture, text, texts } from './helpers.js';

const v4 = (s: string): number => parseIpv4(s)!;

describe('rule addresses', () => {
  const p = fixture('wildcards.cfg');
  const rules = aclOf(p, '3000').rules;

  it('parses without diagnostics', () => {
    expect(briefs(p)).toEqual([]);
  });

  it('keeps a non-contiguous wildcard as written: 192.168.0.1 0.0.255.0 matches 192.168.X.1', () => {
    expect(rules[0]!.src).toEqual({ kind: 'v4', addr: v4('192.168.0.1'), wildcard: v4('0.0.255.0') });
  });

  it('masks the address with the wildcard (addr & ~wildcard) and converts addr/len to a wildcard', () => {
    expect(rules[1]!.src).toEqual({ kind: 'v4', addr: v4('192.168.10.0'), wildcard: v4('0.0.0.255') });
    expect(rules[1]!.dst).toEqual({ kind: 'v4', addr: v4('10.0.0.0'), wildcard: v4('0.255.255.255') });
    expect(rules[1]!.text).toBe('rule 5 permit ip source 192.168.10.0 0.0.0.255 destination 10.0.0.0 0.255.255.255');
  });

  it('reads wildcard 0 as one host and any as no condition', () => {
    expect(rules[2]!.src).toEqual({ kind: 'v4', addr: v4('192.168.10.1'), wildcard: 0 });
    expect(rules[2]!.dst).toEqual({ kind: 'any' });
    expect(rules[2]!.text).toBe('rule 10 permit ip source 192.168.10.1 0');
  });

  it('parses IPv6 prefixes written addr/len and addr len, masking host bits', () => {
    const q = fixture('ipv6-forms.cfg');
    expect(briefs(q)).toEqual([]);
    const r = aclOf(q, '3001', 6).rules;
    expect(r[0]!.src).toEqual({ kind: 'v6', addr: parseIpv6('2001:db8:10::1'), prefixLen: 128 });
    expect(r[1]!.src).toEqual({ kind: 'v6', addr: parseIpv6('2001:db8:10::'), prefixLen: 64 });
    expect(r[1]!.dst).toEqual({ kind: 'v6', addr: parseIpv6('2001:db8:20::'), prefixLen: 48 });
    expect(r[2]).toMatchObject({ protocol: 58, icmpType: 128, icmpCode: 0 });
    expect(r[3]).toMatchObject({ protocol: 'any', text: 'rule 15 deny ipv6' });
  });
});

describe('rule ports, protocols and TCP options', () => {
  const p = fixture('tcp-options.cfg');
  const byId = (id: number) => aclOf(p, '3000').rules.find((r) => r.id === id)!;

  it('warns once per option that is parsed but not simulated, and records it on the rule; time-range and vpn-instance are simulated', () => {
    expect(briefs(p)).toEqual([
      "3:2 warning: this config does not tell the kind of device, and it matters here: TCP flag conditions combined in one rule (acl 3000 rule 5, acl 3000 rule 10) are ORed on routers and firewalls, ANDed on switches; ftpwall assumes a router (give --platform switch|router|firewall)",
      "11:2 warning: this config does not tell the kind of device, and it matters here: vpn-instance rules match only their VPN on routers and firewalls (the other rules only public traffic), and do not take effect on switches; ftpwall assumes a router (give --platform switch|router|firewall)",
      '11:21 warning: counting is not simulated: the rule matches as usual and nothing is counted',
      '11:30 warning: logging is not simulated: the rule matches as usual and nothing is logged',
      "11:38 warning: time-range 'work' is not defined: rule 45 of acl 3000 is inactive (Comware creates it and applies it only once the time range is configured) (define it, e.g. 'time-range work 08:00 to 18:00 working-day')",
      '11:72 warning: dscp 46 is not simulated: the rule is treated as matching any dscp value',
    ]);
    expect(byId(45).unsimulated).toEqual(['dscp 46', 'logging', 'counting']);
    expect(byId(45)).toMatchObject({ timeRange: 'work', vpnInstance: 'blue' });
  });

  it('reads established, and TCP flag values into a mask and value', () => {
    expect(byId(0).established).toBe(true);
    expect(byId(5).tcpFlags).toMatchObject({ mask: TCP_SYN | TCP_ACK, value: TCP_SYN });
    expect(byId(10).tcpFlags).toMatchObject({ mask: TCP_FIN | TCP_RST | TCP_PSH | TCP_URG, value: TCP_FIN | TCP_PSH });
  });

  it('reads ICMP message names and type/code numbers', () => {
    expect(byId(15)).toMatchObject({ protocol: 1, icmpType: 8, icmpCode: 0 });
    expect(byId(20)).toMatchObject({ protocol: 1, icmpType: 3, icmpCode: 4 });
  });

  it('reads fragment and protocol numbers, printing known numbers by name', () => {
    expect(byId(25).fragmentOnly).toBe(true);
    expect(byId(30)).toMatchObject({ protocol: 47, text: 'rule 30 permit gre' });
  });

  it('turns port operators into inclusive ranges, with UDP and TCP port names', () => {
    expect(byId(35).srcPort).toEqual({ op: 'range', operands: [67, 68], ranges: [[67, 68]] });
    expect(byId(35).dstPort).toEqual({ op: 'neq', operands: [53], ranges: [[0, 52], [54, 65535]] });
    expect(byId(40).srcPort).toEqual({ op: 'lt', operands: [1024], ranges: [[0, 1023]] });
    expect(byId(40).dstPort).toEqual({ op: 'eq', operands: [110], ranges: [[110, 110]] });
    expect(byId(35).text).toBe('rule 35 permit udp source-port range bootps bootpc destination-port neq dns');
  });

  it('reads gt as strictly greater, so gt 1024 starts at 1025', () => {
    const q = text('acl advanced 3000\n rule permit tcp destination-port gt 1024\n');
    expect(aclOf(q, '3000').rules[0]!.dstPort).toEqual({ op: 'gt', operands: [1024], ranges: [[1025, 65535]] });
  });

  it('keeps the rule span on the rule word with the whole command', () => {
    const q = text('acl advanced 3000\n   rule 7 deny ip   \n');
    expect(aclOf(q, '3000').rules[0]!.at).toEqual({ file: 't.cfg', line: 2, column: 4, length: 14, lineText: '   rule 7 deny ip   ' });
  });

  it('accepts basic ACL rules with a source only', () => {
    const q = fixture('named-acls.cfg');
    expect(texts(aclOf(q, '2000'))).toEqual(['rule 0 permit source 10.0.0.0 0.0.0.255']);
    expect(aclOf(q, '2001').rules[0]).toMatchObject({ action: 'deny', protocol: 'any', src: { kind: 'any' }, dst: { kind: 'any' } });
  });
});

describe('rule errors', () => {
  const cases: [string, string][] = [
    ['rule permit tcp destination-port eq domian', "2:38 error: unknown tcp port name 'domian' (did you mean 'domain'?)"],
    ['rule permit udp destination-port eq domain', "2:38 error: 'domain' is not a udp port name (write the number 53)"],
    ['rule permit tcp destination-port equal 21', "2:35 error: expected an operator (lt, gt, eq, neq, range) after 'destination-port'"],
    ['rule permit tcp destination-port range 1024', "2:45 error: expected a port after '1024'"],
    ['rule permit tcp source 10.0.0.1 destination any', "2:34 error: expected a wildcard mask after '10.0.0.1' (write '10.0.0.1 0' for one host, or a wildcard such as 0.0.0.255)"],
    ['rule permit tcp source 10.0.0.0/33', "2:25 error: bad prefix length '33' (0-32)"],
    ['rule permit tcp source 2001:db8::1/128', "2:25 error: '2001:db8::1/128' is an IPv6 address in an IPv4 ACL (use 'acl ipv6 advanced' for IPv6 rules)"],
    ['rule permit tcp established syn 1', "2:30 error: 'syn' cannot be combined with 'established'"],
    ['rule permit udp established', "2:18 error: 'established' applies only to tcp rules, and this rule's protocol is 'udp'"],
    ['rule permit tcp syn 2', "2:22 error: expected 0 or 1 after 'syn'"],
    ['rule permit tcp icmp-type echo', "2:18 error: 'icmp-type' applies only to icmp rules, and this rule's protocol is 'tcp'"],
    ['rule permit icmp icmp-type ecko', "2:29 error: unknown ICMP message 'ecko' (did you mean 'echo'?)"],
    ['rule permit ip sorce 10.0.0.1 0', "2:17 error: unexpected 'sorce' in rule (did you mean 'source'?)"],
    ['rule allow ip', "2:7 error: expected 'permit' or 'deny' after 'rule'"],
    ['rule 5 permit', "2:15 error: expected a protocol after 'permit' (use 'ip' for any protocol)"],
    ['rule permit ip time-range', "2:17 error: expected a name after 'time-range'"],
    ['rule permit tcp destination-port lt 0', "2:38 warning: 'lt 0' matches no port: this rule never matches a tcp packet"],
  ];
  for (const [rule, expected] of cases)
    it(`reports '${rule}' as: ${expected}`, () => {
      expect(briefs(text(`acl advanced 3000\n ${rule}\n`))).toEqual([expected]);
    });

  it('refuses destination options in a basic ACL', () => {
    expect(briefs(text('acl basic 2000\n rule permit destination 10.0.0.1 0\n'))).toEqual([
      "2:14 error: 'destination' is not allowed in a basic ACL rule (basic ACLs (2000-2999) match only the source address; use an advanced ACL (3000-3999))",
    ]);
  });

  it("suggests 'ipv6' for the protocol 'ip' in an IPv6 ACL", () => {
    expect(briefs(text('acl ipv6 advanced 3000\n rule deny ip\n'))).toEqual(["2:12 error: unknown protocol 'ip' in an IPv6 ACL (did you mean 'ipv6'?)"]);
  });

  it('drops a rule with an error and keeps parsing the following lines', () => {
    const p = text('acl advanced 3000\n rule permit tcp destination-port eq 99999\n rule deny ip\n');
    expect(texts(aclOf(p, '3000'))).toEqual(['rule 0 deny ip']);
  });
});
