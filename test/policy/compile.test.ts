import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PROTO_TCP, PROTO_UDP, TCP_ACK, TCP_SYN, type Packet } from '../../src/net/packet.js';
import { addrMatches, compileAcl, firstMatch, portMatches } from '../../src/policy/compile.js';
import type { AddrMatch, PortMatch, Rule } from '../../src/policy/model.js';
import { acl, port, rule, tcp, v4 } from '../helpers/build.js';

/** The obvious definition of first match, to check the compiled tree against. */
function linearFirstMatch(rules: readonly Rule[], p: Packet): Rule | undefined {
  const ports = p.fragment !== 'later' && (p.proto === PROTO_TCP || p.proto === PROTO_UDP);
  return rules.find((r) => {
    if (r.protocol !== 'any' && r.protocol !== p.proto) return false;
    if (!addrMatches(r.src, p.src) || !addrMatches(r.dst, p.dst)) return false;
    const l4 = r.srcPort || r.dstPort || r.established || r.tcpFlags;
    if (l4 && !ports) return false;
    if (r.srcPort && !portMatches(r.srcPort, p.srcPort)) return false;
    if (r.dstPort && !portMatches(r.dstPort, p.dstPort)) return false;
    if (r.established && (p.tcpFlags & 0x14) === 0) return false;
    if (r.tcpFlags && (p.tcpFlags & r.tcpFlags.mask) !== r.tcpFlags.value) return false;
    return true;
  });
}

describe('wildcard address matching', () => {
  it('a zero wildcard matches exactly one host', () => {
    const m = v4('192.168.10.1', '0.0.0.0');
    expect(addrMatches(m, tcp('192.168.10.1', 1, '1.1.1.1', 1, 0).src)).toBe(true);
    expect(addrMatches(m, tcp('192.168.10.2', 1, '1.1.1.1', 1, 0).src)).toBe(false);
  });

  it('a non-contiguous wildcard 0.0.255.0 matches 192.168.X.1 for every X and nothing else', () => {
    const m = v4('192.168.0.1', '0.0.255.0');
    for (let x = 0; x < 256; x++) expect(addrMatches(m, tcp(`192.168.${x}.1`, 1, '1.1.1.1', 1, 0).src)).toBe(true);
    for (const other of ['192.168.5.2', '192.169.5.1', '10.168.5.1', '192.168.5.0'])
      expect(addrMatches(m, tcp(other, 1, '1.1.1.1', 1, 0).src)).toBe(false);
  });

  it('neq matches every port but the operand', () => {
    expect(portMatches(port.neq(21), 21)).toBe(false);
    expect(portMatches(port.neq(21), 20)).toBe(true);
    expect(portMatches(port.neq(21), 65535)).toBe(true);
  });
});

describe('compiled first match', () => {
  it('returns the first matching rule in ACL order, not the most specific one', () => {
    const a = acl('3000', [
      rule(0, 'deny', { protocol: PROTO_TCP, dstPort: port.gt(1024) }),
      rule(5, 'permit', { protocol: PROTO_TCP, src: v4('192.168.10.1'), dstPort: port.eq(50001) }),
    ]);
    const hit = firstMatch(compileAcl(a), tcp('192.168.10.1', 20, '10.0.0.2', 50001, TCP_SYN));
    expect(hit?.id).toBe(0);
  });

  it('says explicitly that no rule matched', () => {
    const a = acl('3000', [rule(0, 'permit', { protocol: PROTO_TCP, dstPort: port.eq(21) })]);
    expect(firstMatch(compileAcl(a), tcp('10.0.0.2', 50000, '192.168.10.1', 22, TCP_SYN))).toBeUndefined();
  });

  it('a port condition never matches a non-first fragment, which has no ports', () => {
    const a = acl('3000', [rule(0, 'permit', { protocol: PROTO_TCP, dstPort: port.gt(0) }), rule(5, 'deny')]);
    const frag = tcp('10.0.0.2', 0, '192.168.10.1', 0, 0, { fragment: 'later' });
    expect(firstMatch(compileAcl(a), frag)?.id).toBe(5);
  });

  it('`established` matches segments with ACK or RST, not a bare SYN', () => {
    const a = acl('3000', [rule(0, 'permit', { protocol: PROTO_TCP, established: true })]);
    const c = compileAcl(a);
    expect(firstMatch(c, tcp('1.1.1.1', 1, '2.2.2.2', 2, TCP_SYN))).toBeUndefined();
    expect(firstMatch(c, tcp('1.1.1.1', 1, '2.2.2.2', 2, TCP_SYN | TCP_ACK))?.id).toBe(0);
    expect(firstMatch(c, tcp('1.1.1.1', 1, '2.2.2.2', 2, 0x04))?.id).toBe(0);
  });

  it('agrees with a linear scan on random ACLs of up to 300 rules and random packets', () => {
    const octet = fc.integer({ min: 0, max: 3 });
    const addrArb: fc.Arbitrary<AddrMatch> = fc.oneof(
      fc.constant<AddrMatch>({ kind: 'any' }),
      fc.tuple(octet, octet, fc.constantFrom('0.0.0.0', '0.0.0.255', '0.0.255.0', '0.0.3.1', '0.255.255.255')).map(
        ([a, b, w]) => v4(`10.${a}.${b}.1`, w),
      ),
    );
    const portArb: fc.Arbitrary<PortMatch | undefined> = fc.oneof(
      fc.constant(undefined),
      fc.constantFrom(20, 21, 1023, 1024, 1025, 50000).map(port.eq),
      fc.constantFrom(20, 1024, 50000).map(port.gt),
      fc.constantFrom(21, 1024).map(port.lt),
      fc.constantFrom(21, 1024).map(port.neq),
      fc.tuple(fc.integer({ min: 0, max: 60000 }), fc.integer({ min: 0, max: 5000 })).map(([a, n]) => port.range(a, a + n)),
    );
    const ruleArb = fc
      .record({
        action: fc.constantFrom<'permit' | 'deny'>('permit', 'deny'),
        protocol: fc.constantFrom<'any' | number>('any', PROTO_TCP, PROTO_UDP),
        src: addrArb,
        dst: addrArb,
        srcPort: portArb,
        dstPort: portArb,
        established: fc.boolean(),
      })
      .map((f) => f);
    const packetArb = fc
      .record({
        a: octet,
        b: octet,
        c: octet,
        d: octet,
        sp: fc.constantFrom(0, 20, 21, 1023, 1024, 1025, 40000, 50000, 65535),
        dp: fc.constantFrom(0, 20, 21, 1023, 1024, 1025, 40000, 50000, 65535),
        flags: fc.constantFrom(TCP_SYN, TCP_SYN | TCP_ACK, TCP_ACK),
        proto: fc.constantFrom(PROTO_TCP, PROTO_UDP, 1),
        frag: fc.constantFrom<'none' | 'later'>('none', 'none', 'later'),
      })
      .map(({ a, b, c, d, sp, dp, flags, proto, frag }) =>
        tcp(`10.${a}.${b}.1`, sp, `10.${c}.${d}.1`, dp, flags, { proto, fragment: frag }),
      );
    fc.assert(
      fc.property(fc.array(ruleArb, { minLength: 0, maxLength: 300 }), fc.array(packetArb, { minLength: 1, maxLength: 40 }), (fields, packets) => {
        const rules = fields.map((f, i) => {
          const protocol = f.srcPort || f.dstPort || f.established ? PROTO_TCP : f.protocol;
          return rule(i * 5, f.action, {
            protocol,
            src: f.src,
            dst: f.dst,
            ...(f.srcPort ? { srcPort: f.srcPort } : {}),
            ...(f.dstPort ? { dstPort: f.dstPort } : {}),
            ...(f.established ? { established: true } : {}),
          });
        });
        const compiled = compileAcl(acl('3000', rules));
        // Probe every box edge as well: the cut points of the tree sit exactly there.
        const edges = new Set<number>();
        for (const r of rules)
          for (const m of [r.srcPort, r.dstPort]) for (const [lo, hi] of m?.ranges ?? []) for (const e of [lo - 1, lo, hi, hi + 1]) if (e >= 0 && e <= 65535) edges.add(e);
        const probes = packets.flatMap((p, i) => [...edges].map((e, j) => ({ ...p, srcPort: (i + j) % 2 ? e : p.srcPort, dstPort: (i + j) % 2 ? p.dstPort : e })));
        for (const p of [...packets, ...probes]) expect(firstMatch(compiled, p)?.id).toBe(linearFirstMatch(rules, p)?.id);
      }),
      { numRuns: 150, seed: 20261124 },
    );
  });
});
