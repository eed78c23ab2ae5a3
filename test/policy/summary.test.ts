import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseH3cConfig } from '../../src/dialects/h3c/index.js';
import { summarizePolicy } from '../../src/policy/summary.js';
import { acl, policy, rule } from '../helpers/build.js';

function summaryOf(file: string): string[] {
  return summarizePolicy(parseH3cConfig(readFileSync(file, 'utf8'), file).value);
}

describe('summarizePolicy', () => {
  it('lists the ACL with its rules, each interface, the Comware default and no inspection for the active seed', () => {
    expect(summaryOf('rules/seed-active.cfg')).toEqual([
      'acl advanced 3000 (match-order config, step 5): 3 rules, rules/seed-active.cfg:3',
      '  rule 0 permit tcp source 192.168.10.1 0 source-port eq 21 destination-port gt 1024',
      '  rule 5 permit tcp source 192.168.10.1 0 source-port eq 20 destination-port gt 1024',
      '  rule 10 deny ip',
      'GigabitEthernet2/1/1: no packet filter',
      'GigabitEthernet2/1/10: packet-filter 3000 inbound',
      'default action: permit (Comware default)',
      'ASPF: none applied: no connection state is kept and no FTP inspection; every packet is judged on its own by the rules above',
    ]);
  });

  it('names the packet-filter default deny line and where it is', () => {
    expect(summaryOf('rules/default-deny.cfg')).toContain('packet-filter default deny (rules/default-deny.cfg:3)');
  });

  it('names the ASPF policy and the interface it inspects', () => {
    expect(summaryOf('rules/stateful.cfg').slice(-5)).toEqual([
      'GigabitEthernet2/1/1: packet-filter 3000 inbound',
      'GigabitEthernet2/1/10: packet-filter 3001 inbound',
      'default action: permit (Comware default)',
      'ASPF sessions: connections whose first packet is permitted inbound on GigabitEthernet2/1/1 (rules/stateful.cfg:26)',
      'FTP inspection: ASPF policy 1 detect ftp on GigabitEthernet2/1/1 inbound, rules/stateful.cfg:26',
    ]);
  });

  it('shows IPv6 ACLs and bindings, named ACLs, and bindings to missing ACLs', () => {
    expect(summaryOf('rules/ipv6.cfg')[0]).toBe('acl ipv6 advanced 3000 (match-order config, step 5): 3 rules, rules/ipv6.cfg:3');
    expect(summaryOf('rules/ipv6.cfg')).toContain('GigabitEthernet2/1/10: packet-filter ipv6 3000 inbound');
    expect(summaryOf('test/fixtures/h3c/named-acls.cfg')).toContain('GigabitEthernet2/1/1: packet-filter name web-in inbound, packet-filter 3001 outbound');
    expect(summaryOf('rules/broken.cfg')).toContain('GigabitEthernet2/1/10: packet-filter 3000 inbound, packet-filter 3001 outbound (acl not defined)');
  });

  it('summarises a policy built by hand, including a command-line inspection on every interface', () => {
    const p = policy([acl('3000', [rule(0, 'deny')])], [['eth0', 'outbound', '3000']], {
      inspections: [{ interface: '*', direction: 'both', protocol: 'ftp', ports: [21, 2121] }],
      defaultAction: { action: 'deny' },
    });
    expect(summarizePolicy(p)).toEqual([
      'acl advanced 3000 (match-order config, step 5): 1 rule, test.cfg:1',
      '  rule 0 deny',
      'eth0: packet-filter 3000 outbound',
      'default action: deny',
      'FTP inspection: --inspect ftp on every interface both directions (ports 21, 2121)',
    ]);
  });

  // ASPF applied without 'detect ftp' still keeps sessions (h3c-comware-acl.md: ASPF tracks TCP, UDP and
  // ICMP sessions on the interface); the summary must say so and must not claim there is no ASPF.
  it('says a config keeps ASPF sessions but opens no FTP pinhole when its ASPF policy lacks detect ftp', () => {
    const file = 'aspf-no-ftp.cfg';
    const text = [
      'acl advanced 3000',
      ' rule 0 permit tcp destination-port eq 21',
      ' rule 5 deny ip',
      'aspf policy 1',
      ' detect http',
      'interface GigabitEthernet2/1/1',
      ' aspf apply policy 1 inbound',
      'interface GigabitEthernet2/1/10',
      ' packet-filter 3000 inbound',
    ].join('\n');
    const lines = summarizePolicy(parseH3cConfig(text, file).value);
    expect(lines.slice(-2)).toEqual([
      'ASPF sessions: connections whose first packet is permitted inbound on GigabitEthernet2/1/1 (aspf-no-ftp.cfg:7)',
      "FTP inspection: none: no applied ASPF policy has 'detect ftp', so no pinhole opens for an FTP data connection (it is a new connection and meets the packet filters)",
    ]);
    expect(lines.some((l) => /\bnone applied\b|stateful inspection: none/.test(l))).toBe(false);
  });

  it('says each fact once: sessions and FTP inspection for stateful.cfg, neither for the seeds', () => {
    for (const file of ['rules/seed-active.cfg', 'rules/seed-passive.cfg', 'rules/stateful.cfg', 'rules/aspf-wrong-side.cfg']) {
      const lines = summaryOf(file);
      const sessions = lines.filter((l) => l.startsWith('ASPF sessions: ')).length;
      const ftp = lines.filter((l) => l.startsWith('FTP inspection: ') && !l.startsWith('FTP inspection: none')).length;
      const none = lines.filter((l) => l.startsWith('ASPF: none applied')).length;
      // either the config applies ASPF (sessions, and here detect ftp) or it says none is applied, never both
      expect({ file, sessions: sessions > 0, ftp: ftp > 0, none: none > 0 }).toEqual({ file, sessions: none === 0, ftp: none === 0, none: !file.includes('stateful') && !file.includes('aspf') });
    }
  });
});
