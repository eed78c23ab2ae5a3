import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../src/diag/diagnostic.js';
import { PROTO_ICMP, PROTO_ICMPV6, PROTO_TCP, PROTO_UDP, TCP_ACK, TCP_SYN } from '../../src/net/packet.js';
import { exportIp6tables, exportIptables } from '../../src/export/iptables.js';
import { exportNft } from '../../src/export/nft.js';
import { defaultInterfaceMap, policyInterfaces } from '../../src/export/interface-map.js';
import type { Policy } from '../../src/policy/model.js';
import { acl, at, ip, policy, port, rule, v4 } from '../helpers/build.js';
import { checkerUnavailable, runChecker } from './check.js';
import { CLIENT_IF, IFMAP, SERVER_IF, seedActive, seedPassive, statefulPort21 } from './fixtures.js';

const STATIC = { interfaceMap: IFMAP, stateful: false } as const;
const STATEFUL = { interfaceMap: IFMAP, stateful: true } as const;

/** Lines of a ruleset that are rules or declarations (comments and blank lines dropped). */
function body(text: string): string[] {
  return text.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#'));
}

/** One rule per operator and condition kind, for the translation tables below. */
function conditions(): Policy {
  return policy(
    [
      acl('3100', [
        rule(1, 'permit', { protocol: PROTO_TCP, dstPort: port.eq(21) }),
        rule(2, 'permit', { protocol: PROTO_TCP, dstPort: port.neq(21) }),
        rule(3, 'permit', { protocol: PROTO_UDP, srcPort: port.lt(1024) }),
        rule(4, 'permit', { protocol: PROTO_TCP, srcPort: port.gt(1023) }),
        rule(5, 'permit', { protocol: PROTO_TCP, dstPort: port.range(50000, 50100) }),
        rule(6, 'permit', { protocol: PROTO_TCP, established: true }),
        rule(7, 'deny', { protocol: PROTO_TCP, tcpFlags: { mask: TCP_SYN | TCP_ACK, value: TCP_SYN } }),
        rule(8, 'deny', { fragmentOnly: true }),
        rule(9, 'permit', { protocol: PROTO_ICMP, icmpType: 8, icmpCode: 0 }),
        rule(10, 'permit', { src: v4('192.168.1.5', '0.0.255.0') }),
        rule(11, 'permit', { src: v4('10.0.0.0', '0.0.0.255'), dst: v4('192.168.10.1') }),
        rule(12, 'deny', { protocol: 47 }),
        rule(13, 'deny', { protocol: PROTO_UDP, unsimulated: ['logging', 'counting'] }),
      ]),
    ],
    [[CLIENT_IF, 'outbound', '3100']],
    { interfaces: [CLIENT_IF, SERVER_IF] },
  );
}

describe('nft export', () => {
  it('translates the active-mode seed into one ACL chain jumped to from forward on the server-facing interface', () => {
    const r = exportNft(seedActive(), STATIC);
    expect(r.diagnostics).toEqual([]);
    expect(body(r.value)).toEqual([
      'table inet ftpwall {',
      '\tchain forward {',
      '\t\ttype filter hook forward priority filter; policy accept;',
      '\t\tiifname "fw1" meta nfproto ipv4 jump acl4_3000 comment "packet-filter 3000 inbound on GigabitEthernet2/1/10 test.cfg:100"',
      '\t}',
      '\tchain acl4_3000 {',
      '\t\tip saddr 192.168.10.1 tcp sport 21 tcp dport > 1024 counter return comment "acl 3000 rule 0 rules/seed-active.cfg:4"',
      '\t\tip saddr 192.168.10.1 tcp sport 20 tcp dport > 1024 counter return comment "acl 3000 rule 5 rules/seed-active.cfg:5"',
      '\t\tcounter drop comment "acl 3000 rule 10 rules/seed-active.cfg:6"',
      '\t\tcounter return comment "acl 3000: no rule matched, default permit"',
      '\t}',
      '}',
    ]);
  });

  it('translates every port operator, established, flags, fragment, ICMP and both kinds of wildcard', () => {
    const r = exportNft(conditions(), STATIC);
    expect(r.diagnostics).toEqual([]);
    const rules = body(r.value).filter((l) => l.includes('comment "acl 3100 rule')).map((l) => l.trim().replace(/ counter .*$/, ''));
    expect(rules).toEqual([
      'tcp dport 21',
      'tcp dport != 21',
      'udp sport < 1024',
      'tcp sport > 1023',
      'tcp dport 50000-50100',
      'tcp flags & (ack|rst) != 0',
      'tcp flags & (syn|ack) == syn',
      'ip frag-off & 0x1fff != 0',
      'icmp type 8 icmp code 0',
      'ip saddr & 255.255.0.255 == 192.168.0.5',
      'ip saddr 10.0.0.0/24 ip daddr 192.168.10.1',
      'meta l4proto 47',
      'meta l4proto udp log prefix "acl 3100 rule 13: "',
    ]);
    expect(r.value).toContain('\t\toifname "fw0" meta nfproto ipv4 jump acl4_3100');
  });

  it('puts conntrack first and attaches the FTP helper explicitly on port 21 when stateful', () => {
    const r = exportNft(statefulPort21(), STATEFUL);
    expect(r.diagnostics).toEqual([]);
    expect(body(r.value).slice(0, 12)).toEqual([
      'table inet ftpwall {',
      '\tct helper ftp-21 {',
      '\t\ttype "ftp" protocol tcp',
      '\t\tl3proto inet',
      '\t}',
      '\tchain ftp_helper_prerouting {',
      '\t\ttype filter hook prerouting priority filter; policy accept;',
      '\t\ttcp dport 21 ct helper set "ftp-21" comment "inspect ftp port 21 on every interface (option)"',
      '\t}',
      '\tchain forward {',
      '\t\ttype filter hook forward priority filter; policy accept;',
      '\t\tct state established,related accept comment "stateful inspection: tracked connections and FTP data expectations"',
    ]);
  });

  it('attaches an outbound inspection after routing, on the egress interface', () => {
    const p: Policy = { ...seedPassive(), inspections: [{ interface: SERVER_IF, direction: 'outbound', protocol: 'ftp', ports: [2121], at: at(9, ' aspf apply policy 1 outbound') }] };
    const r = exportNft(p, STATEFUL);
    expect(r.value).toContain('\tchain ftp_helper_postrouting {\n\t\ttype filter hook postrouting priority filter; policy accept;\n\t\toifname "fw1" tcp dport 2121 ct helper set "ftp-2121" comment "inspect ftp port 2121 outbound on GigabitEthernet2/1/10 test.cfg:9"');
  });

  it('drops in forward for a binding to an undefined ACL under default deny, as the static engine does', () => {
    const p: Policy = { ...policy([], [[SERVER_IF, 'inbound', '3999']]), defaultAction: { action: 'deny', at: at(2, 'packet-filter default deny') } };
    const r = exportNft(p, { interfaceMap: IFMAP, stateful: false });
    expect(r.value).toContain('\t\tiifname "fw1" meta nfproto ipv4 counter drop comment "packet-filter 3999 inbound on GigabitEthernet2/1/10 test.cfg:100: ACL not defined, default deny"');
  });

  it('refuses a time-range rule with an error located at the option', () => {
    const line = ' rule 5 permit tcp time-range work';
    const p = policy([acl('3000', [rule(5, 'permit', { protocol: PROTO_TCP, unsimulated: ['time-range work'], at: at(7, line, 'rules/t.cfg') })])], [[SERVER_IF, 'inbound', '3000']]);
    const r = exportNft(p, STATIC);
    expect(r.value).toBe('');
    expect(r.diagnostics.map((d) => formatDiagnostic(d))).toEqual([
      "rules/t.cfg:7:20: error: cannot export 'time-range work' of acl 3000 rule 5: a time range is a schedule defined elsewhere in the config; the export does not approximate it\n 7 |  rule 5 permit tcp time-range work\n   |                    ^^^^^^^^^^",
    ]);
  });

  it('refuses a binding on an interface the map does not know, and suggests the closest name', () => {
    const line = ' packet-filter 3000 inbound';
    const p = policy([acl('3000', [rule(0, 'deny')])], [['GigabitEthernet2/1/11', 'inbound', '3000']]);
    const r = exportNft({ ...p, bindings: [{ ...p.bindings[0]!, at: at(12, line) }] }, STATIC);
    expect(r.value).toBe('');
    expect(r.diagnostics).toEqual([
      {
        severity: 'error',
        message: "packet-filter 3000 inbound names interface 'GigabitEthernet2/1/11', which the interface map does not translate (mapped: GigabitEthernet2/1/1, GigabitEthernet2/1/10)",
        span: at(12, line),
        suggestion: "did you mean 'GigabitEthernet2/1/1'?",
      },
    ]);
  });

  it('says that loose is a module parameter and keeps it out of the ruleset', () => {
    const r = exportNft(statefulPort21(), { ...STATEFUL, loose: true });
    expect(r.diagnostics.map((d) => `${d.severity}: ${d.message}`)).toEqual([
      'warning: not exported: loose is the nf_conntrack_ftp module parameter loose=1 (/sys/module/nf_conntrack_ftp/parameters/loose, global to the host), not a setting of a helper object or rule',
    ]);
    expect(body(r.value).join('\n')).not.toContain('loose');
  });

  it('translates an IPv6 ACL with a prefix and an ICMPv6 type', () => {
    const six = acl('3200', [
      rule(0, 'permit', { protocol: PROTO_TCP, src: { kind: 'v6', addr: (ip('2001:db8:10::5') as { v6: readonly [number, number, number, number] }).v6, prefixLen: 64 }, srcPort: port.eq(21) }),
      rule(5, 'permit', { protocol: PROTO_ICMPV6, icmpType: 128 }),
      rule(10, 'deny'),
    ], { family: 6 });
    const p = policy([six], [[SERVER_IF, 'inbound', '3200']]);
    const r = exportNft(p, STATIC);
    expect(r.diagnostics).toEqual([]);
    expect(body(r.value).filter((l) => l.startsWith('\t\t') && !l.includes('type filter'))).toEqual([
      '\t\tiifname "fw1" meta nfproto ipv6 jump acl6_3200 comment "packet-filter ipv6 3200 inbound on GigabitEthernet2/1/10 test.cfg:100"',
      '\t\tip6 saddr 2001:db8:10::/64 tcp sport 21 counter return comment "acl ipv6 3200 rule 0 test.cfg:1"',
      '\t\ticmpv6 type 128 counter return comment "acl ipv6 3200 rule 5 test.cfg:6"',
      '\t\tcounter drop comment "acl ipv6 3200 rule 10 test.cfg:11"',
      '\t\tcounter return comment "acl ipv6 3200: no rule matched, default permit"',
    ]);
    const v6 = exportIp6tables(p, STATIC);
    expect(v6.value).toContain('-A acl6_3200 -s 2001:db8:10::/64 -p tcp -m tcp --sport 21 -m comment --comment "acl ipv6 3200 rule 0 test.cfg:1" -j RETURN');
    expect(exportIptables(p, STATIC).value).not.toContain('acl6_3200');
  });
});

describe('iptables export', () => {
  it('translates the same conditions into iptables-restore options', () => {
    const r = exportIptables(conditions(), STATIC);
    expect(r.diagnostics).toEqual([]);
    const rules = body(r.value).filter((l) => l.startsWith('-A acl4_3100') && l.includes('--comment "acl 3100 rule')).map((l) => l.replace(/^-A acl4_3100 /, '').replace(/ ?-m comment .*$/, ''));
    expect(rules).toEqual([
      '-p tcp -m tcp --dport 21',
      '-p tcp -m tcp ! --dport 21',
      '-p udp -m udp --sport 0:1023',
      '-p tcp -m tcp --sport 1024:65535',
      '-p tcp -m tcp --dport 50000:50100',
      '-p tcp -m tcp ! --tcp-flags ACK,RST NONE',
      '-p tcp -m tcp --tcp-flags SYN,ACK SYN',
      '-f',
      '-p icmp -m icmp --icmp-type 8/0',
      '-s 192.168.0.5/255.255.0.255',
      '-s 10.0.0.0/24 -d 192.168.10.1/32',
      '-p 47',
      '-p udp',
    ]);
    expect(r.value).toContain('-A acl4_3100 -p udp -j LOG --log-prefix "acl 3100 rule 13: "\n-A acl4_3100 -p udp -m comment --comment "acl 3100 rule 13 test.cfg:14" -j DROP');
  });

  it('attaches the helper in the raw table and accepts tracked connections first when stateful', () => {
    const r = exportIptables(statefulPort21(), STATEFUL);
    expect(body(r.value).slice(0, 9)).toEqual([
      '*raw',
      ':PREROUTING ACCEPT [0:0]',
      ':OUTPUT ACCEPT [0:0]',
      '-A PREROUTING -p tcp -m tcp --dport 21 -m comment --comment "inspect ftp port 21 on every interface (option)" -j CT --helper ftp',
      'COMMIT',
      '*filter',
      ':INPUT ACCEPT [0:0]',
      ':FORWARD ACCEPT [0:0]',
      ':OUTPUT ACCEPT [0:0]',
    ]);
    expect(r.value).toContain('-A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED');
  });

  it('refuses an outbound inspection, which iptables cannot attach after routing', () => {
    const p: Policy = { ...seedPassive(), inspections: [{ interface: SERVER_IF, direction: 'outbound', protocol: 'ftp', ports: [21], at: at(9, ' aspf apply policy 1 outbound') }] };
    const r = exportIptables(p, STATEFUL);
    expect(r.value).toBe('');
    expect(r.diagnostics.map((d) => d.message)).toEqual([
      "iptables attaches helpers only in the raw table's PREROUTING chain, before routing: inspection outbound on GigabitEthernet2/1/10 cannot be exported (the nft export can)",
    ]);
  });
});

describe('default interface map', () => {
  it('names interfaces fw0, fw1, … in order of first appearance', () => {
    expect([...defaultInterfaceMap([...policyInterfaces(seedActive()), 'Vlan-interface10'])]).toEqual([
      [CLIENT_IF, 'fw0'],
      [SERVER_IF, 'fw1'],
      ['Vlan-interface10', 'fw2'],
    ]);
  });
});

describe.skipIf(checkerUnavailable !== undefined)(`exported rulesets pass the real checkers${checkerUnavailable ? ` (skipped: ${checkerUnavailable})` : ''}`, () => {
  const cases: [string, Policy, boolean][] = [
    ['seed-active', seedActive(), false],
    ['seed-passive', seedPassive(), false],
    ['stateful port 21', statefulPort21(), true],
    ['every condition kind', conditions(), false],
  ];
  for (const [name, p, stateful] of cases) {
    it(`nft -c accepts the ${name} export`, () => {
      const r = exportNft(p, { interfaceMap: IFMAP, stateful });
      expect(r.value).not.toBe('');
      expect(runChecker('nft', r.value)).toEqual({ ok: true, output: '' });
    });
    it(`iptables-restore --test and ip6tables-restore --test accept the ${name} export`, () => {
      const r4 = exportIptables(p, { interfaceMap: IFMAP, stateful });
      expect(runChecker('iptables-restore', r4.value)).toEqual({ ok: true, output: '' });
      const r6 = exportIp6tables(p, { interfaceMap: IFMAP, stateful });
      expect(runChecker('ip6tables-restore', r6.value)).toEqual({ ok: true, output: '' });
    });
  }

  it('nft -c rejects a ruleset with a syntax error, so the checks above can fail', () => {
    expect(runChecker('nft', 'table inet ftpwall { chain forward { tcp dport >> 21 accept } }').ok).toBe(false);
  });
});
