// A device of 1,100 VLAN interfaces, each binding its own named ACL whose names agree in their first
// characters (`inbound_filter_vlan_N`): the exported rulesets must load. iptables limits a chain name to
// 28 characters and reads a line into a 10,240-byte buffer (a longer comment line is parsed as rules).
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/dialects/load.js';
import { defaultInterfaceMap, policyInterfaces } from '../../src/export/interface-map.js';
import { exportIptables } from '../../src/export/iptables.js';
import { exportNft } from '../../src/export/nft.js';
import { checkerUnavailable, runChecker } from './check.js';

const VLANS = 1100;

function vlanConfig(): string {
  const lines: string[] = [];
  for (let i = 0; i < VLANS; i++) lines.push(`acl advanced name inbound_filter_vlan_${i}`, ' rule 5 permit tcp destination 192.168.10.1 0 destination-port eq 21', ' rule 10 deny ip', '#');
  for (let i = 0; i < VLANS; i++) lines.push(`interface Vlan-interface${i + 1}`, ` packet-filter name inbound_filter_vlan_${i} inbound`, '#');
  return `${lines.join('\n')}\n`;
}

const policy = parseConfig(vlanConfig(), 'vlans.cfg').value;
const options = { interfaceMap: defaultInterfaceMap(policyInterfaces(policy)), stateful: false } as const;

describe(`the export of ${VLANS} VLAN interfaces with look-alike ACL names`, () => {
  const ipt = exportIptables(policy, options).value;

  it('gives every ACL its own chain, named in at most 28 characters', () => {
    const chains = ipt.split('\n').filter((l) => l.startsWith(':acl')).map((l) => l.slice(1).split(' ')[0]!);
    expect(chains.length).toBe(VLANS);
    expect(new Set(chains).size).toBe(VLANS);
    expect(chains.filter((c) => c.length > 28)).toEqual([]);
    // the short form while it fits, the base cut shorter once the number needs it
    expect(chains.slice(0, 3)).toEqual(['acl4_inbound_filter_vlan', 'acl4_inbound_filter_vlan_2', 'acl4_inbound_filter_vlan_3']);
    expect(chains[999]).toBe('acl4_inbound_filter_vla_1000');
    // each binding jumps to its own ACL's chain
    for (const i of [0, 998, 999, VLANS - 1]) {
      const jump = ipt.split('\n').find((l) => l.includes(`packet-filter inbound_filter_vlan_${i} inbound`))!;
      const chain = jump.split(' -j ')[1]!;
      expect(ipt).toContain(`-A ${chain} -m comment --comment "acl inbound_filter_vlan_${i} rule 10 vlans.cfg:`);
    }
  });

  it('writes no line longer than 170 characters (the interface list is wrapped), in either dialect', () => {
    const nft = exportNft(policy, options).value;
    for (const text of [ipt, nft]) {
      expect(text.split('\n').filter((l) => l.length > 170).map((l) => l.slice(0, 60))).toEqual([]);
      const listed = text.split('\n').filter((l) => l.startsWith('# interfaces:') || l.startsWith('#   ')).join(' ');
      expect(listed).toContain('Vlan-interface1 = fw0,');
      expect(listed).toContain(`Vlan-interface${VLANS} = fw${VLANS - 1}`);
    }
  });

  it.skipIf(checkerUnavailable !== undefined)(`loads with iptables-restore --test and nft -c${checkerUnavailable ? ` (skipped: ${checkerUnavailable})` : ''}`, () => {
    expect(runChecker('iptables-restore', ipt)).toEqual({ ok: true, output: '' });
    expect(runChecker('nft', exportNft(policy, options).value)).toEqual({ ok: true, output: '' });
  });
});
