import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadPolicy, run } from '../helpers/run.js';

// Each Comware 7 construct, written as a config of its own, must give exactly the verdicts of an
// equivalent plain config on every bundled scenario: packet by packet, and FTP works or not.
const SCENARIOS = readdirSync('scenarios').filter((f) => f.endsWith('.yaml')).map((f) => `scenarios/${f}`);

/** Per packet: number, action; and the FTP verdict. */
function verdicts(scenario: string, config: string): { packets: string[]; works: boolean } {
  const { trace, report } = run(scenario, config, 'static');
  return { packets: trace.packets.map((p) => `${p.n} ${p.ingress}→${p.egress} ${p.verdict.action}`), works: report.ftp.works };
}

const PAIRS: [string, string, string][] = [
  ['object groups (address and port groups, a remark)', 'test/fixtures/h3c/c7/og-passive.cfg', 'rules/seed-passive.cfg'],
  ['step … start, rule remarks and flow-logging', 'test/fixtures/h3c/c7/step-start-passive.cfg', 'rules/seed-passive.cfg'],
  ['a global packet filter', 'test/fixtures/h3c/c7/global-passive.cfg', 'test/fixtures/h3c/c7/global-plain.cfg'],
  ['zone pairs with packet filters', 'test/fixtures/h3c/c7/zone-pair-passive.cfg', 'rules/seed-passive.cfg'],
  ['a security policy with object groups', 'test/fixtures/h3c/c7/security-policy-passive.cfg', 'rules/seed-passive.cfg'],
];

describe('Comware 7 constructs give the verdicts of the equivalent plain config', () => {
  for (const [what, c7, plain] of PAIRS)
    it(`${what}: ${c7} and ${plain} agree on every bundled scenario`, () => {
      let blocked = 0;
      for (const s of SCENARIOS) {
        const a = verdicts(s, c7);
        expect(a, s).toEqual(verdicts(s, plain));
        if (!a.works) blocked++;
      }
      // the comparison means something only if the policies block some scenarios and not others
      expect(blocked).toBeGreaterThan(0);
      expect(blocked).toBeLessThan(SCENARIOS.length);
    });
});

describe('what the Comware 7 constructs decide', () => {
  it('numbers automatic rules from the start of `step 10 start 100`', () => {
    const acl = loadPolicy('test/fixtures/h3c/c7/step-start-passive.cfg').acls[0]!;
    expect(acl.rules.map((r) => r.id)).toEqual([100, 110, 120]);
  });

  it('names the zone pair and the ACL rule that denies, and the security policy default that drops', () => {
    const zp = run('scenarios/active-download.yaml', 'test/fixtures/h3c/c7/zone-pair-passive.cfg').report;
    const sp = run('scenarios/active-download.yaml', 'test/fixtures/h3c/c7/security-policy-passive.cfg').report;
    expect(zp.ftp.summary).toBe(
      'login works, data connection blocked: SYN 192.168.10.1:20 → 10.0.0.2:50001 denied by acl 3000 rule 10 (test/fixtures/h3c/c7/zone-pair-passive.cfg:6)',
    );
    expect(sp.ftp.summary).toBe(
      'login works, data connection blocked: SYN 192.168.10.1:20 → 10.0.0.2:50001 denied by security-policy default drop (no rule matched Untrust → Trust)',
    );
  });

  it('expands a rule with object groups into sub-rules with its id and text', () => {
    const acl = loadPolicy('test/fixtures/h3c/c7/og-passive.cfg').acls[0]!;
    expect(acl.rules.map((r) => `${r.id} ${r.text}`)).toEqual([
      '0 rule 0 permit tcp source object-group ftp-server source-port object-group ftp-control destination-port object-group high',
      '5 rule 5 permit tcp source object-group ftp-server source-port object-group high destination-port object-group high',
      '10 rule 10 deny ip',
    ]);
    expect(acl.rules[0]).toMatchObject({ src: { kind: 'v4', wildcard: 0 }, srcPort: { ranges: [[21, 21]] }, dstPort: { ranges: [[1025, 65535]] } });
  });
});
