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
      'stateful inspection: none',
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
      'stateful inspection: ASPF policy 1 detect ftp on GigabitEthernet2/1/1 inbound, rules/stateful.cfg:26',
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
      'stateful inspection: ftp on every interface both directions (ports 21, 2121) (command line)',
    ]);
  });
});
