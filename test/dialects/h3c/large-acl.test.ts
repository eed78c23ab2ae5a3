import { describe, expect, it } from 'vitest';
import { aclOf, briefs, text, texts } from './helpers.js';

// Admins check ACLs with thousands of rules (DESIGN.md, Performance targets), so the parser
// applies the rules of one ACL view through an index instead of rescanning the ACL per line.
// These are correctness checks on a large ACL; speed is not asserted.

/** `rule permit tcp source 10.0.X.Y 0 destination-port eq 21`, a different source for each k. */
function ruleLine(k: number): string {
  return ` rule permit tcp source 10.${Math.floor(k / 250)}.${k % 250}.1 0 destination-port eq 21`;
}

describe('a generated 3,000-rule ACL', () => {
  it('numbers the rules 0, 5, 10, … in the order written, and still refuses the 3,000th rule as a repeat of the first', () => {
    // 2,999 distinct rules, then as the 3,000th a repeat of the first one.
    const lines = ['acl advanced 3000', ...Array.from({ length: 2999 }, (_, k) => ruleLine(k)), ruleLine(0)];
    const p = text(`${lines.join('\n')}\n`);
    const acl = aclOf(p, '3000');
    expect(acl.rules).toHaveLength(2999);
    expect(acl.rules.map((r) => r.id)).toEqual(Array.from({ length: 2999 }, (_, k) => k * 5));
    expect(texts(acl)[0]).toBe('rule 0 permit tcp source 10.0.0.1 0 destination-port eq 21');
    expect(texts(acl)[2998]).toBe('rule 14990 permit tcp source 10.11.248.1 0 destination-port eq 21');
    expect(briefs(p)).toEqual([
      '3001:2 warning: this rule repeats rule 0 of acl 3000: Comware refuses a rule identical to an existing one, so the line has no effect',
    ]);
  });
});
