import { describe, expect, it } from 'vitest';
import { PROTO_TCP, TCP_ACK, TCP_SYN } from '../../src/net/packet.js';
import { checkAcls, compilePolicy, createStaticFirewall } from '../../src/engine/static.js';
import { describeProvenance } from '../../src/engine/verdict.js';
import { acl, at, policy, port, rule, tcp, v4 } from '../helpers/build.js';

const OUT = 'GigabitEthernet2/1/1';
const IN = 'GigabitEthernet2/1/10';

/** The seed's active-mode ACL, bound inbound on the server-facing interface. */
function seedActive() {
  return policy(
    [
      acl('3000', [
        rule(0, 'permit', { protocol: PROTO_TCP, src: v4('192.168.10.1'), srcPort: port.eq(21), dstPort: port.gt(1024) }),
        rule(5, 'permit', { protocol: PROTO_TCP, src: v4('192.168.10.1'), srcPort: port.eq(20), dstPort: port.gt(1024) }),
        rule(10, 'deny'),
      ]),
    ],
    [[IN, 'inbound', '3000']],
  );
}

describe('static engine', () => {
  it('passes a packet that enters on an interface with no ACL and names that default', () => {
    const v = checkAcls(compilePolicy(seedActive()), tcp('10.0.0.2', 50000, '192.168.10.1', 21, TCP_SYN), OUT, IN);
    expect(v.action).toBe('permit');
    expect(describeProvenance(v.by, v.action)).toBe('default permit (no ACL bound inbound on GigabitEthernet2/1/1)');
  });

  it('permits the server reply from port 21 by rule 0 and names file and line', () => {
    const v = checkAcls(compilePolicy(seedActive()), tcp('192.168.10.1', 21, '10.0.0.2', 50000, TCP_SYN | TCP_ACK), IN, OUT);
    expect(v.action).toBe('permit');
    expect(describeProvenance(v.by)).toBe('acl 3000 rule 0 (test.cfg:1)');
  });

  it('denies a passive-mode SYN-ACK from a high server port by the final deny rule', () => {
    const v = checkAcls(compilePolicy(seedActive()), tcp('192.168.10.1', 50021, '10.0.0.2', 50001, TCP_SYN | TCP_ACK), IN, OUT);
    expect(v.action).toBe('deny');
    expect(v.by).toMatchObject({ kind: 'rule', acl: '3000', ruleId: 10, interface: IN, direction: 'inbound' });
  });

  it('`gt 1024` excludes 1024 itself', () => {
    const c = compilePolicy(seedActive());
    expect(checkAcls(c, tcp('192.168.10.1', 21, '10.0.0.2', 1024, TCP_SYN | TCP_ACK), IN, OUT).action).toBe('deny');
    expect(checkAcls(c, tcp('192.168.10.1', 21, '10.0.0.2', 1025, TCP_SYN | TCP_ACK), IN, OUT).action).toBe('permit');
  });

  it('without a final deny an unmatched packet is permitted by the Comware default', () => {
    const p = policy([acl('3000', [rule(0, 'permit', { protocol: PROTO_TCP, srcPort: port.eq(21) })])], [[IN, 'inbound', '3000']]);
    const v = checkAcls(compilePolicy(p), tcp('192.168.10.1', 50021, '10.0.0.2', 50001, TCP_SYN), IN, OUT);
    expect(v.action).toBe('permit');
    expect(describeProvenance(v.by, v.action)).toBe('default permit (no rule of acl 3000 matched inbound on GigabitEthernet2/1/10)');
  });

  it('with `packet-filter default deny` an unmatched packet is denied and the line is named', () => {
    const p = policy([acl('3000', [rule(0, 'permit', { protocol: PROTO_TCP, srcPort: port.eq(21) })])], [[IN, 'inbound', '3000']], {
      defaultAction: { action: 'deny', at: at(9, 'packet-filter default deny') },
    });
    const v = checkAcls(compilePolicy(p), tcp('192.168.10.1', 50021, '10.0.0.2', 50001, TCP_SYN), IN, OUT);
    expect(v.action).toBe('deny');
    expect(describeProvenance(v.by, v.action)).toBe(
      'packet-filter default deny (test.cfg:9) (no rule of acl 3000 matched inbound on GigabitEthernet2/1/10)',
    );
  });

  it('the default does not apply on interfaces without any ACL', () => {
    const p = policy([acl('3000', [rule(0, 'deny')])], [[IN, 'inbound', '3000']], { defaultAction: { action: 'deny' } });
    expect(checkAcls(compilePolicy(p), tcp('10.0.0.2', 50000, '192.168.10.1', 21, TCP_SYN), OUT, IN).action).toBe('permit');
  });

  it('checks the outbound ACL of the egress interface after the inbound one', () => {
    const p = policy(
      [acl('3001', [rule(0, 'deny', { protocol: PROTO_TCP, dstPort: port.eq(21) })])],
      [[IN, 'outbound', '3001']],
    );
    const v = checkAcls(compilePolicy(p), tcp('10.0.0.2', 50000, '192.168.10.1', 21, TCP_SYN), OUT, IN);
    expect(v.action).toBe('deny');
    expect(v.by).toMatchObject({ kind: 'rule', acl: '3001', direction: 'outbound', interface: IN });
    expect(v.checks).toHaveLength(2);
  });

  it('a bound ACL that is not defined applies the default action', () => {
    const p = policy([], [[IN, 'inbound', '3999']]);
    const v = checkAcls(compilePolicy(p), tcp('192.168.10.1', 1, '10.0.0.2', 2, TCP_SYN), IN, OUT);
    expect(v.action).toBe('permit');
    expect(v.by).toMatchObject({ kind: 'default', reason: 'acl-missing', acl: '3999' });
  });

  it('as a Firewall it is stateless: the same packet gets the same verdict and no events', () => {
    const fw = createStaticFirewall(seedActive());
    const p = tcp('192.168.10.1', 20, '10.0.0.2', 50001, TCP_SYN);
    const a = fw.step(p, { n: 1, nowMs: 0, ingress: IN, egress: OUT });
    const b = fw.step(p, { n: 2, nowMs: 5000, ingress: IN, egress: OUT });
    expect(a).toEqual(b);
    expect(a.verdict.by).toMatchObject({ ruleId: 5 });
    expect(a.events).toEqual([]);
  });
});
