import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatDiagnostic, hasErrors } from '../../../src/diag/diagnostic.js';
import { TCP_ACK, TCP_SYN } from '../../../src/net/packet.js';
import { compileAcl, firstMatch } from '../../../src/policy/compile.js';
import { findAcl } from '../../../src/policy/model.js';
import { tcp } from '../../helpers/build.js';
import { aclOf, briefs, bundled, texts } from './helpers.js';

describe('bundled configs in rules/', () => {
  const files = readdirSync('rules').filter((f) => f.endsWith('.cfg') && f !== 'broken.cfg');

  it('bundles the configs the CLI and scenarios refer to', () => {
    expect(files.sort()).toEqual([
      'aspf-wrong-side.cfg', 'comware5.cfg', 'current-config-dump.cfg', 'default-deny.cfg', 'ipv6.cfg', 'match-order-auto.cfg',
      'nat-outbound-no-alg.cfg', 'nat-outbound.cfg', 'nat-server-no-alg.cfg', 'nat-server.cfg', 'no-final-deny.cfg', 'passive-range.cfg', 'seed-active.cfg', 'seed-passive.cfg', 'stateful-v6.cfg', 'stateful.cfg',
    ]);
  });

  for (const f of files)
    it(`${f} parses without errors or warnings, and every binding finds its ACL`, () => {
      const p = bundled(f);
      expect(p.diagnostics.filter((d) => d.severity !== 'info')).toEqual([]);
      for (const b of p.value.bindings) expect(findAcl(p.value, b.acl, b.family)).toBeDefined();
    });

  it('seed-active.cfg is the original active-mode ACL bound inbound on the server side', () => {
    const p = bundled('seed-active.cfg');
    expect(texts(aclOf(p, '3000'))).toEqual([
      'rule 0 permit tcp source 192.168.10.1 0 source-port eq 21 destination-port gt 1024',
      'rule 5 permit tcp source 192.168.10.1 0 source-port eq 20 destination-port gt 1024',
      'rule 10 deny ip',
    ]);
    expect(p.value.bindings.map((b) => `${b.interface} ${b.direction} ${b.acl}`)).toEqual(['GigabitEthernet2/1/10 inbound 3000']);
    expect(p.value.interfaces).toEqual(['GigabitEthernet2/1/1', 'GigabitEthernet2/1/10']);
    expect(p.value.defaultAction).toEqual({ action: 'permit' });
  });

  it('seed-passive.cfg permits server high port to client high port and denies the rest', () => {
    const acl = compileAcl(aclOf(bundled('seed-passive.cfg'), '3000'));
    expect(firstMatch(acl, tcp('192.168.10.1', 40000, '10.0.0.2', 50000, TCP_ACK))?.id).toBe(5);
    expect(firstMatch(acl, tcp('192.168.10.1', 20, '10.0.0.2', 50000, TCP_SYN))?.id).toBe(10);
  });

  it('no-final-deny.cfg and default-deny.cfg differ only in the default action', () => {
    const a = bundled('no-final-deny.cfg').value;
    const b = bundled('default-deny.cfg').value;
    expect(texts(a.acls[0]!)).toEqual(texts(b.acls[0]!));
    expect(a.defaultAction).toEqual({ action: 'permit' });
    expect(b.defaultAction).toMatchObject({ action: 'deny', at: { file: 'rules/default-deny.cfg', line: 3 } });
  });

  it('stateful.cfg inspects FTP inbound on the client side, where control connections arrive', () => {
    const p = bundled('stateful.cfg');
    expect(p.value.inspections.map(({ at, ...i }) => ({ ...i, line: at?.line }))).toEqual([
      { interface: 'GigabitEthernet2/1/1', direction: 'inbound', protocol: 'ftp', ports: [21], line: 26 },
    ]);
    const client = compileAcl(aclOf(p, '3000'));
    expect(firstMatch(client, tcp('10.0.0.2', 50000, '192.168.10.1', 21, TCP_SYN))?.action).toBe('permit');
    expect(firstMatch(client, tcp('10.0.0.2', 50001, '192.168.10.1', 40000, TCP_SYN))?.action).toBe('deny');
    expect(firstMatch(compileAcl(aclOf(p, '3001')), tcp('192.168.10.1', 20, '10.0.0.2', 50001, TCP_SYN))?.action).toBe('deny');
  });

  it('stateful-v6.cfg and ipv6.cfg bind IPv6 ACLs with packet-filter ipv6', () => {
    expect(bundled('stateful-v6.cfg').value.bindings.map((b) => `${b.interface} ${b.family} ${b.acl}`)).toEqual([
      'GigabitEthernet2/1/1 6 3000',
      'GigabitEthernet2/1/10 6 3001',
    ]);
    expect(bundled('ipv6.cfg').value.bindings).toMatchObject([{ interface: 'GigabitEthernet2/1/10', family: 6, acl: '3000' }]);
  });

  it('comware5.cfg gives the same server-side ACL as seed-passive.cfg', () => {
    const c5 = bundled('comware5.cfg').value;
    expect(texts(c5.acls[0]!).map((t) => t.replace(/ eq ftp/, ' eq 21'))).toEqual(texts(aclOf(bundled('seed-passive.cfg'), '3000')));
    expect(c5.bindings.map((b) => `${b.interface} ${b.direction} ${b.acl}`)).toEqual([
      'GigabitEthernet2/1/1 inbound 3001',
      'GigabitEthernet2/1/10 inbound 3000',
    ]);
  });

  it('current-config-dump.cfg finds the seed ACL and binding and counts the skipped lines in one info', () => {
    const p = bundled('current-config-dump.cfg');
    // 52: the unmodelled lines, not the 3 primary `ip address` lines of interfaces (read: Easy IP translates to them)
    expect(briefs(p)).toEqual([
      '3:2 info: skipped 52 lines of unsupported sections: version, sysname, clock, telnet, irf, ospf, lldp, system-working-mode, password-recovery, vlan, interface settings, scheduler, line, ip, info-center, snmp-agent, ssh, radius, domain, role, user-group, local-user, ntp-service',
    ]);
    expect(texts(aclOf(p, '3000'))).toHaveLength(3);
    expect(p.value.bindings.map((b) => `${b.interface} ${b.direction} ${b.acl}`)).toEqual(['GigabitEthernet2/1/10 inbound 3000']);
    expect(p.value.interfaces).toEqual(['NULL0', 'LoopBack0', 'GigabitEthernet2/1/1', 'GigabitEthernet2/1/10']);
  });
});

describe('broken.cfg', () => {
  const p = bundled('broken.cfg');

  it('reports every mistake in one run, located, with suggestions where obvious', () => {
    expect(hasErrors(p.diagnostics)).toBe(true);
    expect(briefs(p)).toEqual([
      "5:2 error: unknown command 'rele' (did you mean 'rule'?)",
      "6:41 error: bad wildcard mask '0.0.0.256' (a wildcard is a dotted quad such as 0.0.0.255 (1 bits mean \"any value\"), or 0 for one host)",
      '7:58 error: port 70000 is out of range (0-65535)',
      "8:40 error: expected a port after 'eq'",
      "9:17 error: unknown protocol 'tpc' (did you mean 'tcp'?)",
      "10:44 error: range 2000 1024 is empty: the first port must not exceed the second (write 'range 1024 2000')",
      '11:7 error: rule id 70000 is out of range (0-65534)',
      "12:22 error: 'source-port' applies only to tcp or udp rules, and this rule's protocol is 'icmp'",
      "13:39 error: option 'source-port' is given twice (first at column 21)",
      '14:15 error: protocol 300 is out of range (0-255)',
      "15:28 error: bad IPv4 address '192.168.1O.1'",
      '16:34 warning: wildcard 255.255.255.0 looks like a subnet mask: in a wildcard, 1 bits mean "any value" (did you mean 0.0.0.255?)',
      "17:43 warning: time-range 'work' is not defined: rule 60 of acl 3000 is inactive (Comware creates it and applies it only once the time range is configured) (define it, e.g. 'time-range work 08:00 to 18:00 working-day')",
      '21:2 warning: acl 3001 is not defined: no rule can match on GigabitEthernet2/1/10 outbound, so the default action (permit) applies to every packet',
      "22:2 error: rule outside an ACL view (add an 'acl advanced <number>' line before it)",
    ]);
  });

  it('formats the typo the way compilers do', () => {
    expect(formatDiagnostic(p.diagnostics[0]!)).toBe(
      "rules/broken.cfg:5:2: error: unknown command 'rele' (did you mean 'rule'?)\n 5 |  rele deny ip\n   |  ^^^^",
    );
  });

  it('keeps the valid rules, so the rest of the file can still be simulated', () => {
    expect(aclOf(p, '3000').rules.map((r) => r.id)).toEqual([0, 5, 55, 60]);
    expect(aclOf(p, '3000').rules[3]!.timeRange).toBe('work');
  });
});
