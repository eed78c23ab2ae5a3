import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { normalizeInterfaceName } from '../../../src/dialects/h3c/index.js';
import { aclOf, briefs, fixture, text, texts } from './helpers.js';

describe('ACL headers', () => {
  const p = fixture('named-acls.cfg');

  it('accepts named, numbered, Comware 5 number+name and name+category forms without diagnostics', () => {
    expect(briefs(p)).toEqual([]);
    expect(p.value.acls.map((a) => [a.name, a.number, a.category])).toEqual([
      ['web-in', undefined, 'advanced'],
      ['3001', 3001, 'advanced'],
      ['2000', 2000, 'basic'],
      ['2001', 2001, 'basic'],
      ['legacy', undefined, 'advanced'],
    ]);
  });

  it('resolves packet-filter name X to the ACL, case-insensitively, and binds by the ACL name', () => {
    expect(p.value.bindings.map((b) => [b.interface, b.direction, b.acl])).toEqual([
      ['GigabitEthernet2/1/1', 'inbound', 'web-in'],
      ['GigabitEthernet2/1/1', 'outbound', '3001'],
      ['GigabitEthernet2/1/2', 'inbound', '2000'],
    ]);
  });

  it('re-enters an existing ACL view and appends to it', () => {
    const q = text('acl advanced 3000\n rule deny tcp\nacl number 3000\n rule deny udp\n');
    expect(texts(aclOf(q, '3000'))).toEqual(['rule 0 deny tcp', 'rule 5 deny udp']);
  });

  it('reads acl ipv6 number as an IPv6 ACL', () => {
    expect(fixture('ipv6-forms.cfg').value.acls[0]).toMatchObject({ name: '3001', family: 6, category: 'advanced' });
  });

  const errors: [string, string][] = [
    ['acl number 4000', '1:12 error: ACL 4000 is not an IPv4 basic (2000-2999) or advanced (3000-3999) ACL (ftpwall simulates only basic and advanced IP ACLs)'],
    ['acl advanced 2000', '1:14 error: advanced ACL numbers are 3000-3999, not 2000'],
    ['acl advance 3000', "1:5 error: expected 'advanced', 'basic', 'number' or 'name' after 'acl', got 'advance' (did you mean 'advanced'?)"],
    ['acl advanced 3000 match-order first', "1:31 error: expected 'config' or 'auto' after 'match-order'"],
    ['acl name newone', "1:5 error: ACL 'newone' does not exist yet: say whether it is 'advanced' or 'basic' (write 'acl advanced name newone')"],
    ['acl advanced name 9lives', "1:19 error: bad ACL name '9lives': it must start with a letter and must not be 'all'"],
  ];
  for (const [line, expected] of errors)
    it(`reports '${line}'`, () => {
      expect(briefs(text(`${line}\n`))).toEqual([expected]);
    });

  it('refuses to change the match order of an ACL that has rules', () => {
    const q = text('acl advanced 3000\n rule deny ip\nacl advanced 3000 match-order auto\n');
    expect(briefs(q)).toEqual([
      '3:19 error: cannot change the match order of acl 3000: it already has rules (Comware changes the match order only of an empty ACL)',
    ]);
  });

  it('keeps the ACL description, and step', () => {
    const q = text('acl advanced 3000\n description FTP  server in\n step 4\n');
    expect(aclOf(q, '3000')).toMatchObject({ description: 'FTP  server in', step: 4 });
    expect(briefs(text('acl advanced 3000\n step 21\n'))).toEqual(['2:7 error: a step 21 is out of range (1-20)']);
  });
});

describe('interfaces and packet-filter bindings', () => {
  it('normalises interface names when the type is unambiguous, and keeps them otherwise', () => {
    expect(normalizeInterfaceName('GigabitEthernet 2/1/10')).toBe('GigabitEthernet2/1/10');
    expect(normalizeInterfaceName('gi2/1/10')).toBe('GigabitEthernet2/1/10');
    expect(normalizeInterfaceName('GE2/1/10')).toBe('GigabitEthernet2/1/10');
    expect(normalizeInterfaceName('xge1/0/1')).toBe('Ten-GigabitEthernet1/0/1');
    expect(normalizeInterfaceName('vlan-interface10')).toBe('Vlan-interface10');
    expect(normalizeInterfaceName('T1/0/1')).toBe('T1/0/1');
    expect(normalizeInterfaceName('Foo0/1')).toBe('Foo0/1');
  });

  it('accepts a pasted CLI session: prompts stripped, columns kept, abbreviated interface', () => {
    const p = fixture('session-paste.cfg');
    expect(briefs(p)).toEqual([]);
    expect(p.value.bindings).toEqual([
      {
        interface: 'GigabitEthernet2/1/10',
        direction: 'inbound',
        family: 4,
        acl: '3000',
        at: { file: 'test/fixtures/h3c/session-paste.cfg', line: 6, column: 28, length: 26, lineText: '[H3C-GigabitEthernet2/1/10]packet-filter 3000 inbound' },
      },
    ]);
    expect(aclOf(p, '3000').rules[0]!.at.column).toBe(24);
  });

  it('accepts the Comware 5 ip-group and firewall packet-filter forms; without firewall enable the firewall form does not filter', () => {
    const p = fixture('comware5-bindings.cfg');
    expect(briefs(p)).toEqual([
      "7:39 warning: applying a single rule ('rule 0') is not simulated: the whole ACL is applied",
      "9:2 warning: Comware 5 filters with 'firewall packet-filter' only after 'firewall enable', which this config lacks: this packet filter does not filter (add 'firewall enable' in system view)",
    ]);
    // MSR5 / MSR50-5 (sheet 3.4): "firewall enable — Required, Disabled by default"; the ip-group form is the switches' and needs nothing
    expect(p.value.bindings.map((b) => `${b.interface} ${b.direction} ${b.acl}`)).toEqual([
      'GigabitEthernet1/0/1 inbound 3000',
      'GigabitEthernet1/0/2 outbound 3000',
    ]);
    const enabled = text(`firewall enable\n${readFileSync('test/fixtures/h3c/comware5-bindings.cfg', 'utf8')}`);
    expect(enabled.value.bindings.map((b) => b.interface)).toEqual(['GigabitEthernet1/0/1', 'GigabitEthernet1/0/2', 'Ethernet0/0']);
    expect(p.value.defaultAction).toMatchObject({ action: 'deny', at: { line: 1, column: 1 } });
  });

  it('sets the default action from packet-filter default deny, and defaults to permit otherwise', () => {
    expect(text('packet-filter default deny\n').value.defaultAction).toEqual({
      action: 'deny',
      at: { file: 't.cfg', line: 1, column: 1, length: 26, lineText: 'packet-filter default deny' },
    });
    expect(text('acl advanced 3000\n').value.defaultAction).toEqual({ action: 'permit' });
  });

  it('warns about a binding to an ACL that does not exist', () => {
    expect(briefs(text('interface GigabitEthernet2/1/10\n packet-filter 3999 inbound\n'))).toEqual([
      '2:2 warning: acl 3999 is not defined: no rule can match on GigabitEthernet2/1/10 inbound, so the default action (permit) applies to every packet',
    ]);
  });

  it('keeps only the last packet filter per interface, direction and family, and says so', () => {
    const p = text('interface GigabitEthernet2/1/10\n packet-filter 3000 inbound\n packet-filter 3001 inbound\nacl advanced 3000\nacl advanced 3001\n');
    expect(p.value.bindings.map((b) => b.acl)).toEqual(['3001']);
    expect(briefs(p)).toEqual(['3:2 warning: this packet filter replaces the one at line 2: Comware applies one IPv4 ACL per interface and direction']);
  });

  it('removes a packet filter with undo packet-filter', () => {
    const p = text('acl advanced 3000\ninterface GigabitEthernet2/1/10\n packet-filter 3000 inbound\n undo packet-filter 3000 inbound\n');
    expect(p.value.bindings).toEqual([]);
  });

  it('reports packet-filter errors with positions', () => {
    expect(briefs(text('interface GigabitEthernet2/1/10\n packet-filter 3000 in\n packet-filter 1000 inbound\n packet-filtr 3000 inbound\n'))).toEqual([
      "2:21 error: expected 'inbound' or 'outbound' after '3000'",
      '3:16 error: an ACL number 1000 is out of range (2000-3999)',
      "4:2 error: unknown command 'packet-filtr' (did you mean 'packet-filter'?)",
    ]);
    expect(briefs(text('packet-filter 3000 inbound\n'))).toEqual([
      "1:1 error: 'packet-filter 3000' must be given in an interface view (put it under an 'interface …' line)",
    ]);
  });
});

describe('ASPF stateful inspection', () => {
  it('turns Comware 7 aspf apply policy with detect ftp into one inspection per application, with mapped ports', () => {
    const p = fixture('aspf-comware7.cfg');
    expect(briefs(p)).toEqual(['4:2 info: skipped 1 line of unsupported sections: aspf settings']);
    expect(p.value.inspections.map((i) => ({ ...i, at: i.at?.line }))).toEqual([
      { interface: 'GigabitEthernet2/1/1', direction: 'inbound', protocol: 'ftp', ports: [21, 2121], at: 7 },
      { interface: 'GigabitEthernet2/1/10', direction: 'outbound', protocol: 'ftp', ports: [21, 2121], at: 9 },
    ]);
  });

  it('accepts Comware 5 aspf-policy and firewall aspf', () => {
    const p = fixture('aspf-comware5.cfg');
    expect(briefs(p)).toEqual([]);
    expect(p.value.inspections).toMatchObject([{ interface: 'Ethernet0/0', direction: 'outbound', protocol: 'ftp', ports: [21] }]);
  });

  it('warns when the applied policy does not exist or does not detect ftp', () => {
    const p = text('aspf policy 2\n detect http\ninterface GigabitEthernet2/1/1\n aspf apply policy 1 inbound\n aspf apply policy 2 inbound\n');
    expect(briefs(p)).toEqual([
      '4:2 warning: aspf policy 1 is not defined: nothing is inspected on GigabitEthernet2/1/1',
      "5:2 warning: aspf policy 2 does not detect ftp: ASPF still tracks TCP, UDP and ICMP sessions there, but no FTP data connection is opened on GigabitEthernet2/1/1 (add 'detect ftp' to aspf policy 2)",
    ]);
    expect(p.value.inspections).toEqual([]);
    // Comware 7: transport-layer inspection is always on (sheet 7.4), so policy 2 still makes sessions; policy 1 does not exist
    expect(p.value.sessionScope?.points.map((x) => `${x.interface} ${x.direction} ${x.at?.line}`)).toEqual(['GigabitEthernet2/1/1 inbound 5']);
  });
});

describe('input shapes and unsupported sections', () => {
  it('collects a bare rule list into an implicit ACL named after the file, with an info', () => {
    const p = fixture('bare-body.cfg');
    expect(briefs(p)).toEqual([
      "2:1 info: rules without an 'acl' header: they are collected into an implicit advanced ACL named 'bare-body' (after the file) (add 'acl advanced 3000' before the rules and bind it with 'packet-filter')",
    ]);
    expect(texts(aclOf(p, 'bare-body'))).toEqual(['rule 0 permit tcp source 192.168.10.1 0 source-port eq 21', 'rule 5 deny ip']);
  });

  it('reports a rule outside an ACL view once other commands were seen', () => {
    expect(briefs(text('interface GigabitEthernet2/1/1\nquit\nrule deny ip\n'))).toEqual([
      "3:1 error: rule outside an ACL view (add an 'acl advanced <number>' line before it)",
    ]);
  });

  it('skips unrelated sections with their bodies and reports them in one info line', () => {
    const p = text(
      '#\n sysname FW\n#\nvlan 10\n name servers\n#\n ospf 1\n  area 0.0.0.0\n#\nacl advanced 3000\n rule deny ip\n#\nuser-interface vty 0 4\n acl 2000 inbound\nreturn\n',
    );
    expect(briefs(p)).toEqual(['2:2 info: skipped 7 lines of unsupported sections: sysname, vlan, ospf, user-interface']);
    expect(p.value.acls.map((a) => a.name)).toEqual(['3000']);
  });

  it('skips top-level commands it does not model, and reports only a word close to a modelled command whose rest parses as that command', () => {
    // `acl-number` and `foo` are commands ftpwall does not model: skipped and counted;
    // `intreface GigabitEthernet2/1/1` parses as `interface GigabitEthernet2/1/1`: a typo.
    expect(briefs(text('vlan 10\nacl-number 3000\nintreface GigabitEthernet2/1/1\nfoo bar\n'))).toEqual([
      '1:1 info: skipped 3 lines of unsupported sections: vlan, acl-number, foo',
      "3:1 error: unknown command 'intreface' (did you mean 'interface'?)",
    ]);
  });
});
