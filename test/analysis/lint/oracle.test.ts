import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyzeAcl } from '../../../src/analysis/lint/anomalies.js';
import { contains } from '../../../src/analysis/lint/space.js';
import type { HeaderPoint } from '../../../src/analysis/lint/witness.js';
import { portRanges } from '../../../src/dialects/h3c/convert.js';
import { ipv4 } from '../../../src/net/address.js';
import type { Packet } from '../../../src/net/packet.js';
import { compileAcl, firstMatch } from '../../../src/policy/compile.js';
import type { Acl, Action, AddrMatch, PortMatch, Rule } from '../../../src/policy/model.js';

/**
 * A brute-force oracle: every packet of a reduced header space in which every class of the
 * full space has a representative (rules use only 10.0.0.0/30 with wildcards on the last two
 * bits, ports around 20-22, flags SYN/ACK/RST), classified by the packet filter's own
 * first-match lookup (policy/compile.ts), must agree with the exact analysis.
 */
const BASE = 0x0a000000; // 10.0.0.0
const ADDRS = [BASE, BASE + 1, BASE + 2, BASE + 3, 0x0b000000];
/** one port per class of the rules' bounds (every rule's ports are ops on 20-22) */
const PORTS = [19, 20, 21, 22, 23];
const FLAG_SETS = [0, 0x02, 0x10, 0x12, 0x04, 0x14, 0x06, 0x16];
const PROTOS = [6, 17, 1, 47];

const span = { file: 'mem.cfg', line: 1, column: 1, length: 1, lineText: '' };

const addrArb: fc.Arbitrary<AddrMatch> = fc.oneof(
  fc.constant<AddrMatch>({ kind: 'any' }),
  fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 })).map(([low, w]) => ({ kind: 'v4' as const, addr: (BASE + (low & ~w)) >>> 0, wildcard: w })),
);

const portArb: fc.Arbitrary<PortMatch | undefined> = fc.oneof(
  fc.constant(undefined),
  fc.tuple(fc.constantFrom('eq', 'neq', 'lt', 'gt', 'range') as fc.Arbitrary<PortMatch['op']>, fc.integer({ min: 20, max: 22 }), fc.integer({ min: 20, max: 22 })).map(([op, a, b]) => {
    const operands = op === 'range' ? [Math.min(a, b), Math.max(a, b)] : [a];
    return { op, operands, ranges: portRanges({ op, operands }) };
  }),
);

const ruleArb: fc.Arbitrary<Omit<Rule, 'id'>> = fc
  .record({
    action: fc.constantFrom<Action>('permit', 'deny'),
    protocol: fc.constantFrom<number | 'any'>(6, 17, 1, 'any'),
    src: addrArb,
    dst: addrArb,
    srcPort: portArb,
    dstPort: portArb,
    flags: fc.constantFrom<'none' | 'established' | 'syn' | 'ack0'>('none', 'none', 'established', 'syn', 'ack0'),
    fragment: fc.boolean(),
    icmpType: fc.constantFrom<number | undefined>(undefined, 0, 8),
  })
  .map((r) => {
    const tcpUdp = r.protocol === 6 || r.protocol === 17;
    return {
      action: r.action,
      protocol: r.protocol,
      src: r.src,
      dst: r.dst,
      ...(tcpUdp && r.srcPort ? { srcPort: r.srcPort } : {}),
      ...(tcpUdp && r.dstPort ? { dstPort: r.dstPort } : {}),
      ...(r.protocol === 6 && r.flags === 'established' ? { established: true } : {}),
      ...(r.protocol === 6 && r.flags === 'syn' ? { tcpFlags: { mask: 0x02, value: 0x02 } } : {}),
      ...(r.protocol === 6 && r.flags === 'ack0' ? { tcpFlags: { mask: 0x14, value: 0 } } : {}),
      ...(r.fragment && r.icmpType === undefined ? { fragmentOnly: true } : {}),
      ...(r.protocol === 1 && r.icmpType !== undefined ? { icmpType: r.icmpType } : {}),
      text: '',
      at: span,
    };
  });

function* packets(): Generator<Packet> {
  for (const proto of PROTOS)
    for (const fragment of ['none', 'first', 'later'] as const)
      for (const s of ADDRS)
        for (const d of ADDRS) {
          const ports = fragment !== 'later' && (proto === 6 || proto === 17);
          for (const sp of ports ? PORTS : [0])
            for (const dp of ports ? PORTS : [0])
              for (const flags of proto === 6 && fragment !== 'later' ? FLAG_SETS : [0])
                for (const icmpType of proto === 1 && fragment !== 'later' ? [0, 8, 3] : [undefined])
                  yield { src: ipv4(s), dst: ipv4(d), proto, srcPort: sp, dstPort: dp, tcpFlags: flags, seq: 0, ack: 0, window: 0, payload: new Uint8Array(0), fragment, ...(icmpType !== undefined ? { icmpType, icmpCode: 0 } : {}) };
        }
}

function toPacket(h: HeaderPoint): Packet {
  return { src: ipv4(h.src[0]!), dst: ipv4(h.dst[0]!), proto: h.proto, srcPort: h.srcPort ?? 0, dstPort: h.dstPort ?? 0, tcpFlags: h.tcpFlags ?? 0, seq: 0, ack: 0, window: 0, payload: new Uint8Array(0), fragment: h.fragment, ...(h.icmpType !== undefined ? { icmpType: h.icmpType, icmpCode: h.icmpCode ?? 0 } : {}) };
}

function aclOf(rules: readonly Omit<Rule, 'id'>[]): Acl {
  return { name: '3000', number: 3000, category: 'advanced', family: 4, matchOrder: 'config', step: 5, rules: rules.map((r, i) => ({ ...r, id: i * 5 })), at: span };
}

describe('lint anomalies against a brute-force oracle', () => {
  it('agree on random small ACLs: who decides, redundancy, shadowing, conflicting pairs, containment, default', () => {
    fc.assert(
      fc.property(fc.array(ruleArb, { minLength: 1, maxLength: 6 }), fc.constantFrom<Action>('permit', 'deny'), (rules, defaultAction) => {
        const acl = aclOf(rules);
        const n = acl.rules.length;
        const whole = compileAcl(acl);
        const single = acl.rules.map((r) => compileAcl({ ...acl, rules: [r] }));
        const decides = new Array<boolean>(n).fill(false);
        const redundant = new Array<boolean>(n).fill(true);
        const otherCovered = new Array<boolean>(n).fill(false);
        const conflicts = acl.rules.map(() => new Set<number>());
        // contained[i][s]: every packet of rule s matches rule i
        const contained = acl.rules.map(() => new Array<boolean>(n).fill(true));
        let reachesDefault = false;
        let lookupDisagrees = 0;
        for (const p of packets()) {
          const m = single.map((c) => firstMatch(c, p) !== undefined);
          const first = m.indexOf(true);
          if (firstMatch(whole, p) !== acl.rules[first]) lookupDisagrees++;
          if (first < 0) {
            reachesDefault = true;
            continue;
          }
          for (let i = 0; i < n; i++) for (let s = 0; s < n; s++) if (m[s] && !m[i]) contained[i]![s] = false;
          const a = acl.rules[first]!.action;
          decides[first] = true;
          const next = m.indexOf(true, first + 1);
          const without = next < 0 ? defaultAction : acl.rules[next]!.action;
          if (without !== a) redundant[first] = false;
          for (let j = first + 1; j < n; j++) {
            if (!m[j]) continue;
            if (acl.rules[j]!.action !== a) {
              otherCovered[j] = true;
              conflicts[j]!.add(first);
            }
          }
        }
        expect(lookupDisagrees).toBe(0);
        // index leaves of one rule make the overlap index split on every dimension; the default keeps one leaf here
        for (const got of [analyzeAcl(acl, defaultAction), analyzeAcl(acl, defaultAction, 1)]) {
        expect(got.reachesDefault !== undefined).toBe(reachesDefault);
        if (got.reachesDefault) expect(firstMatch(whole, toPacket(got.reachesDefault))).toBeUndefined();
        for (let i = 0; i < n; i++) {
          const ra = got.rules[i]!;
          expect(ra.decides !== undefined, `rule ${i} decides`).toBe(decides[i]);
          if (ra.decides) expect(firstMatch(whole, toPacket(ra.decides))).toBe(acl.rules[i]);
          if (decides[i]) expect(ra.redundantAfter, `rule ${i} redundant`).toBe(redundant[i]);
          // rules after a catch-all are reported as unreachable (the catch-all decides them): not analysed further
          else if (got.catchAll !== undefined && i > got.catchAll) continue;
          else if (!ra.matchesNothing) {
            expect(ra.coveredBy.some((c) => acl.rules[c.index]!.action !== acl.rules[i]!.action), `rule ${i} shadowed`).toBe(otherCovered[i]);
            for (const c of ra.coveredBy) expect(firstMatch(whole, toPacket(c.witness))).toBe(acl.rules[c.index]);
          }
          expect(ra.conflictCount, `rule ${i} conflicts`).toBe(conflicts[i]!.size);
          expect(new Set(ra.conflicts.map((c) => c.index))).toEqual(conflicts[i]);
          for (const c of ra.conflicts) {
            const p = toPacket(c.witness);
            expect(firstMatch(whole, p)).toBe(acl.rules[c.index]);
            expect(firstMatch(single[i]!, p)).toBe(acl.rules[i]);
            expect(contains(got.boxes[i]!, got.boxes[c.index]!), `rule ${i} contains ${c.index}`).toBe(contained[i]![c.index]);
          }
        }
        }
      }),
      { numRuns: 50, seed: 20261202 },
    );
  }, 120_000);
});
