import { describe, expect, it } from 'vitest';
import { summarizePolicy } from '../../../src/policy/summary.js';
import { aclOf, briefs, text } from './helpers.js';

describe('object groups', () => {
  it('expands address ranges into the exact prefixes, and nested groups', () => {
    const p = text(
      'object-group ip address a\n 0 network range 10.0.0.1 10.0.0.6\n 10 network group-object b\nobject-group ip address b\n network subnet 10.9.0.0 255.255.0.0\nacl advanced 3000\n rule permit ip source object-group a\n',
    );
    expect(briefs(p)).toEqual([]);
    expect(aclOf(p, '3000').rules.map((r) => r.src)).toEqual([
      { kind: 'v4', addr: 0x0a000001, wildcard: 0 },
      { kind: 'v4', addr: 0x0a000002, wildcard: 1 },
      { kind: 'v4', addr: 0x0a000004, wildcard: 1 },
      { kind: 'v4', addr: 0x0a000006, wildcard: 0 },
      { kind: 'v4', addr: 0x0a090000, wildcard: 0xffff },
    ]);
  });

  it('expands IPv6 address groups and service-style port groups', () => {
    const p = text(
      'object-group ipv6 address v6\n network subnet 2001:db8:: 64\n network host address 2001:db8:1::1\nobject-group port p\n port eq 21\n port range 2121 2122\nacl ipv6 advanced 3000\n rule permit tcp destination object-group v6 destination-port object-group p\n',
    );
    expect(briefs(p)).toEqual([]);
    expect(aclOf(p, '3000', 6).rules.map((r) => `${r.dst.kind === 'v6' ? r.dst.prefixLen : ''} ${JSON.stringify(r.dstPort?.ranges)}`)).toEqual([
      '64 [[21,21]]',
      '64 [[2121,2122]]',
      '128 [[21,21]]',
      '128 [[2121,2122]]',
    ]);
  });

  const errors: [string, string, string[]][] = [
    ['an undefined group', 'acl advanced 3000\n rule permit ip source object-group nope\n', ["2:2 error: object group 'nope' is not defined (define it with 'object-group ip address nope')"]],
    [
      'a group of the wrong type',
      'object-group port p\n port eq 21\nacl advanced 3000\n rule permit ip source object-group p\n',
      ["4:2 error: object group 'p' is a port group, not ip address"],
    ],
    [
      'a group that contains itself',
      'object-group ip address a\n network group-object b\nobject-group ip address b\n network group-object a\nacl advanced 3000\n rule permit ip source object-group a\n',
      ["4:2 error: object group 'a' contains itself (through a → b)"],
    ],
    [
      'a host name member',
      'object-group ip address a\n 0 network host name www.example.com\n',
      ["2:17 error: 'network host name' is not supported yet: ftpwall reads 'network host address A'"],
    ],
    ['an FQDN group type', 'object-group fqdn x\n', ["1:14 error: 'object-group fqdn' is not supported yet: ftpwall reads 'ip address', 'ipv6 address', 'service' and 'port' object groups"]],
  ];
  for (const [what, cfg, expected] of errors)
    it(`reports ${what} with its position`, () => {
      expect(briefs(text(cfg))).toEqual(expected);
    });
});

describe('global and VLAN packet filters', () => {
  it('reads packet-filter … global and … vlan in system view', () => {
    const p = text('acl advanced 3000\n rule deny ip\npacket-filter 3000 global inbound hardware-count\npacket-filter ipv6 name v6 global outbound\npacket-filter 3000 vlan 10 to 11 outbound\n');
    expect(p.value.globalBindings?.map((g) => `${g.family} ${g.acl} ${g.direction}`)).toEqual(['4 3000 inbound', '6 v6 outbound']);
    expect(p.value.bindings.map((b) => `${b.interface} ${b.direction}`)).toEqual(['Vlan-interface10 outbound', 'Vlan-interface11 outbound']);
    expect(briefs(p)).toEqual([
      '4:1 warning: acl ipv6 v6 is not defined: no rule can match globally outbound',
      '5:1 info: a VLAN packet filter is simulated on the VLAN interfaces (Vlan-interface10 … 11): ftpwall simulates routed traffic only',
    ]);
  });
});

describe('security zones, zone pairs and security policies', () => {
  const cfg = [
    'acl advanced 3000',
    ' rule permit ip',
    'interface GigabitEthernet1/0/1',
    'interface GigabitEthernet1/0/2',
    'security-zone name Trust',
    ' import interface GigabitEthernet1/0/1',
    'security-zone name Untrust',
    ' import interface GigabitEthernet1/0/2',
    'zone-pair security source Trust destination Untrust',
    ' packet-filter 3000',
    'return',
  ].join('\n');

  it('summarises every zone, zone pair and the zone defaults in check', () => {
    const p = text(cfg);
    expect(briefs(p)).toEqual([]);
    expect(summarizePolicy(p.value).slice(-7)).toEqual([
      'GigabitEthernet1/0/2: no packet filter',
      'security-zone Trust: GigabitEthernet1/0/1, t.cfg:5',
      'security-zone Untrust: GigabitEthernet1/0/2, t.cfg:7',
      'zone-pair Trust → Untrust: packet-filter 3000, t.cfg:9',
      'zone defaults: within a zone deny, between zones without a zone pair deny, interfaces in no zone permit',
      'default action: permit (Comware default)',
      'zone sessions: connections whose first packet a zone pair permits (its default ASPF policy inspects every protocol, FTP on port 21)',
    ]);
  });

  // The parser indexes zones, zone pairs and security policy rules as it adds them (a config of thousands
  // scanned them all for every new one); each lookup must find what a scan in config order finds.
  it('finds zones and zone pairs case-insensitively, an interface in one zone only, and a security policy rule by id or name, the earlier first', () => {
    const p = text(
      [
        'security-zone name Trust',
        ' import interface GigabitEthernet1/0/1',
        'security-zone name trust',
        ' import interface GigabitEthernet1/0/3',
        'security-zone name Untrust',
        ' import interface GigabitEthernet1/0/2',
        ' import interface GigabitEthernet1/0/1',
        'security-zone name DMZ',
        ' import interface GigabitEthernet1/0/2',
        'zone-pair security source Trust destination Untrust',
        ' packet-filter 3000',
        'zone-pair security source TRUST destination untrust',
        ' packet-filter ipv6 3001',
        'security-policy ip',
        ' rule 10 name a',
        '  action pass',
        ' rule name b', // the next id: 11
        '  action drop',
        ' rule 5 name c',
        '  action drop',
        ' rule name d', // 12
        '  action drop',
        ' rule 11 name a', // id 11 is b, name a is rule 10, made first: rule 10
        '  source-zone Trust',
        ' rule 5 name e', // rule 5 (c)
        '  action pass',
        ' rule name C', // names are case-insensitive: rule 5 again
        '  destination-zone Untrust',
        ' rule 12 name b', // id 12 is d, name b is rule 11, made before d: rule 11
        '  source-zone Untrust',
        'security-policy ipv6',
        ' rule name a', // each family numbers its own rules: 0
        '  action pass',
        ' rule 0 name q', // rule 0 (a)
        '  source-zone Trust',
      ].join('\n') + '\n',
    );
    expect(briefs(p)).toEqual([
      '7:19 error: GigabitEthernet1/0/1 is already in security zone Trust: an interface belongs to one zone only',
      '9:19 error: GigabitEthernet1/0/2 is already in security zone Untrust: an interface belongs to one zone only',
      '10:1 warning: security policies replace the zone pair packet filters: ftpwall evaluates the security policy rules only',
      '11:2 warning: acl 3000 is not defined: no rule can match between Trust and Untrust',
      '13:2 warning: acl ipv6 3001 is not defined: no rule can match between Trust and Untrust',
    ]);
    expect(summarizePolicy(p.value).filter((l) => /^(security-zone|zone-pair|security-policy)/.test(l))).toEqual([
      'security-zone Trust: GigabitEthernet1/0/1, GigabitEthernet1/0/3, t.cfg:1',
      'security-zone Untrust: GigabitEthernet1/0/2, t.cfg:5',
      'zone-pair Trust → Untrust: packet-filter 3000 (acl not defined), packet-filter ipv6 3001 (acl not defined), t.cfg:10',
      'security-policy ip rule 10 name a: pass Trust → any, t.cfg:15',
      'security-policy ip rule 11 name b: drop Untrust → any, t.cfg:17',
      'security-policy ip rule 5 name c: pass any → Untrust, t.cfg:19',
      'security-policy ip rule 12 name d: drop any → any, t.cfg:21',
      'security-policy ipv6 rule 0 name a: pass Trust → any, t.cfg:32',
    ]);
  });

  it('summarises every security policy rule', () => {
    const p = text(
      'security-zone name Trust\n import interface GigabitEthernet1/0/1\nsecurity-policy ip\n rule 5 name web\n  action pass\n  source-zone Trust\n  destination-ip-subnet 10.0.0.0 24\n  service http\n rule name rest\n  action drop\n',
    );
    expect(briefs(p)).toEqual([]);
    expect(summarizePolicy(p.value).filter((l) => l.startsWith('security-policy'))).toEqual([
      'security-policy ip rule 5 name web: pass Trust → any destination 10.0.0.0 0.0.0.255 service http, t.cfg:4',
      'security-policy ip rule 6 name rest: drop any → any, t.cfg:9',
    ]);
  });

  const errors: [string, string, string[]][] = [
    [
      'an object policy on a zone pair',
      'security-zone name Trust\n import interface GigabitEthernet1/0/1\nzone-pair security source Trust destination Untrust\n object-policy apply ip p\n',
      ["4:2 error: 'object-policy apply' in a zone pair is not supported yet (ftpwall reads 'packet-filter N' in a zone pair)"],
    ],
    [
      'an application condition in a security policy rule',
      'security-zone name Trust\n import interface GigabitEthernet1/0/1\nsecurity-policy ip\n rule 0 name a\n  action pass\n  application http\n',
      ["6:3 error: 'application' in a security policy rule is not supported yet (ftpwall cannot evaluate it, and skipping it would make the rule match more than on the device)"],
    ],
    [
      'an interface imported into the Local zone',
      'security-zone name Local\n import interface GigabitEthernet1/0/1\n',
      ['2:2 error: the Local zone is the device itself: it takes no interface'],
    ],
    [
      'an interface in two zones',
      'security-zone name A\n import interface GigabitEthernet1/0/1\nsecurity-zone name B\n import interface GigabitEthernet1/0/1\n',
      ['4:19 error: GigabitEthernet1/0/1 is already in security zone A: an interface belongs to one zone only'],
    ],
    [
      'zone pairs without any interface in a zone',
      'zone-pair security source Trust destination Untrust\n packet-filter 3000\nacl advanced 3000\n',
      ["1:1 warning: zone pairs or security policies are configured, but no interface is in a security zone: they filter nothing (add 'import interface NAME' under 'security-zone name …')"],
    ],
  ];
  for (const [what, c, expected] of errors)
    it(`reports ${what} with its position`, () => {
      expect(briefs(text(c))).toEqual(expected);
    });
});
