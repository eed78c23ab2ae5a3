/**
 * The nat chains of a Linux ruleset in the stateful engine: walked like any chain (jumps, RETURN,
 * negations) on a connection's first packet only, at their place in the hook order (nat PREROUTING
 * after mangle, nat POSTROUTING after filter), with the ports get_unique_tuple gives.
 */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/dialects/load.js';
import { createStatefulFirewall } from '../../src/engine/stateful/firewall.js';
import type { StepContext } from '../../src/engine/verdict.js';
import { formatEndpoint, parseIp, type IpAddress } from '../../src/net/address.js';
import { TCP_ACK, TCP_SYN, type Packet } from '../../src/net/packet.js';

function tcp(src: string, dst: string, sport: number, dport: number, flags: number): Packet {
  return { src: parseIp(src)!, dst: parseIp(dst)!, proto: 6, srcPort: sport, dstPort: dport, tcpFlags: flags, seq: 1000, ack: flags & TCP_ACK ? 5000 : 0, window: 65535, payload: new Uint8Array(0), fragment: 'none' };
}

/** wan0 faces 203.0.113.0/24, lan0 the 192.168.10.0/24 servers: routing by destination. */
const route = (dst: IpAddress): string | undefined => (formatEndpoint(dst, 0).startsWith('192.168.10.') ? 'lan0' : 'wan0');
const IN: StepContext = { n: 1, nowMs: 0, ingress: 'wan0', egress: 'wan0', route };
const OUT: StepContext = { n: 1, nowMs: 0, ingress: 'lan0', egress: 'wan0', route };

function firewall(text: string, file: string, addresses?: Record<string, string>): ReturnType<typeof createStatefulFirewall> {
  const { value, diagnostics } = parseConfig(text, file);
  expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  const interfaceAddresses = addresses ? new Map(Object.entries(addresses).map(([k, v]) => [k, parseIp(v)!])) : undefined;
  return createStatefulFirewall(value, interfaceAddresses ? { interfaceAddresses } : {});
}

const leaves = (r: ReturnType<ReturnType<typeof createStatefulFirewall>['step']>): string =>
  r.packet ? `${formatEndpoint(r.packet.src, r.packet.srcPort)} → ${formatEndpoint(r.packet.dst, r.packet.dstPort)}` : 'untranslated';

describe('nat chains of an iptables-save ruleset', () => {
  const text = [
    '*nat',
    ':PREROUTING ACCEPT [0:0]',
    ':POSTROUTING ACCEPT [0:0]',
    ':pub - [0:0]',
    '-A PREROUTING -i wan0 -j pub',
    '-A pub -s 203.0.113.66/32 -j RETURN',
    '-A pub ! -d 198.51.100.100/32 -j RETURN',
    '-A pub -p tcp -m multiport --dports 21,2121 -j DNAT --to-destination 192.168.10.10:21',
    '-A pub -p tcp -m tcp --dport 50000:50100 -j DNAT --to-destination 192.168.10.10:50020-50040',
    'COMMIT',
    '*filter',
    ':FORWARD ACCEPT [0:0]',
    'COMMIT',
    '',
  ].join('\n');

  it('a user chain, RETURN and a negation decide which first packets are translated', () => {
    const fw = firewall(text, 'nat.rules');
    expect(leaves(fw.step(tcp('203.0.113.5', '198.51.100.100', 40000, 2121, TCP_SYN), IN))).toBe('203.0.113.5:40000 → 192.168.10.10:21');
    // RETURN for this source: the packet falls through to the PREROUTING policy, untranslated
    expect(leaves(fw.step(tcp('203.0.113.66', '198.51.100.100', 40000, 21, TCP_SYN), IN))).toBe('untranslated');
    // ! -d: another public address is not published
    expect(leaves(fw.step(tcp('203.0.113.5', '198.51.100.101', 40001, 21, TCP_SYN), IN))).toBe('untranslated');
  });

  it('a port range keeps a destination port already in it, and gives the range\'s first port otherwise (get_unique_tuple, no random offset for DNAT)', () => {
    const fw = firewall(text, 'nat.rules');
    expect(leaves(fw.step(tcp('203.0.113.5', '198.51.100.100', 40000, 50030, TCP_SYN), IN))).toBe('203.0.113.5:40000 → 192.168.10.10:50030');
    expect(leaves(fw.step(tcp('203.0.113.5', '198.51.100.100', 40001, 50090, TCP_SYN), IN))).toBe('203.0.113.5:40001 → 192.168.10.10:50020');
  });

  it('the binding is made on the first packet: the reply is un-DNATed, later packets follow it even when the rules would not match them', () => {
    const fw = firewall(text, 'nat.rules');
    fw.step(tcp('203.0.113.5', '198.51.100.100', 40000, 21, TCP_SYN), IN);
    const back = fw.step(tcp('192.168.10.10', '203.0.113.5', 21, 40000, TCP_SYN | TCP_ACK), { ...OUT, n: 2 });
    expect(leaves(back)).toBe('198.51.100.100:21 → 203.0.113.5:40000');
  });
});

describe('where the nat stages sit among the other chains (nft priorities)', () => {
  const nat = `table ip nat {\n chain pre { type nat hook prerouting priority dstnat; policy accept;\n  ip daddr 198.51.100.100 tcp dport 21 dnat to 192.168.10.10\n }\n chain post { type nat hook postrouting priority srcnat; policy accept;\n  oifname "wan0" masquerade\n }\n}\n`;

  it('a prerouting chain before dstnat sees the public destination; one after it, the private one', () => {
    const early = firewall(`${nat}table ip t {\n chain m { type filter hook prerouting priority mangle; policy accept; ip daddr 192.168.10.10 drop }\n}\n`, 'a.nft');
    expect(early.step(tcp('203.0.113.5', '198.51.100.100', 40000, 21, TCP_SYN), IN).verdict.action).toBe('permit');
    const late = firewall(`${nat}table ip t {\n chain m { type filter hook prerouting priority 0; policy accept; ip daddr 192.168.10.10 drop }\n}\n`, 'b.nft');
    expect(late.step(tcp('203.0.113.5', '198.51.100.100', 40000, 21, TCP_SYN), IN).verdict).toMatchObject({ action: 'deny', by: { chain: 'm', rule: 1 } });
  });

  it('a postrouting chain after srcnat sees the masqueraded source; one before it, the private one', () => {
    const rule = 'ip saddr 198.51.100.1 drop';
    const before = firewall(`${nat}table ip t {\n chain p { type filter hook postrouting priority 50; policy accept; ${rule} }\n}\n`, 'c.nft', { wan0: '198.51.100.1' });
    const r = before.step(tcp('192.168.10.20', '203.0.113.5', 40000, 21, TCP_SYN), OUT);
    expect([r.verdict.action, leaves(r)]).toEqual(['permit', '198.51.100.1:40000 → 203.0.113.5:21']);
    const after = firewall(`${nat}table ip t {\n chain p { type filter hook postrouting priority 150; policy accept; ${rule} }\n}\n`, 'd.nft', { wan0: '198.51.100.1' });
    expect(after.step(tcp('192.168.10.20', '203.0.113.5', 40000, 21, TCP_SYN), OUT).verdict).toMatchObject({ action: 'deny', by: { chain: 'p', rule: 1 } });
    expect(after.connections()).toEqual([]);
  });

  it('MASQUERADE with no known address for its interface denies with the reason instead of guessing', () => {
    const fw = firewall(nat, 'e.nft');
    expect(fw.step(tcp('192.168.10.20', '203.0.113.5', 40000, 21, TCP_SYN), OUT).verdict).toMatchObject({
      action: 'deny',
      by: { kind: 'invalid', reason: 'MASQUERADE (e.nft:6) needs the address of interface wan0, which the scenario does not give (interfaces:)' },
    });
  });

  it('a nat chain whose policy is drop drops the first packet: no entry is made', () => {
    const fw = firewall(`table ip nat {\n chain pre { type nat hook prerouting priority dstnat; policy drop;\n  tcp dport 21 dnat to 192.168.10.10\n }\n}\n`, 'f.nft');
    expect(fw.step(tcp('203.0.113.5', '198.51.100.100', 40000, 22, TCP_SYN), IN).verdict).toMatchObject({ action: 'deny', by: { reason: 'policy', chain: 'pre' } });
    expect(fw.step(tcp('203.0.113.5', '198.51.100.100', 40001, 21, TCP_SYN), { ...IN, n: 2 }).verdict.action).toBe('permit');
    expect(fw.connections().map((c) => c.tuple)).toEqual(['tcp 203.0.113.5:40001 → 198.51.100.100:21']);
  });
});
