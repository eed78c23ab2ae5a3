import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseH3cConfig } from '../../../src/dialects/h3c/index.js';

const WORDS = [
  'acl', 'advanced', 'basic', 'number', 'name', 'ipv6', 'rule', 'permit', 'deny', 'tcp', 'udp', 'ip', 'icmp', 'source',
  'destination', 'source-port', 'destination-port', 'eq', 'gt', 'lt', 'neq', 'range', 'established', 'syn', '1', '0',
  '21', '65535', '70000', '3000', '192.168.10.1', '0.0.0.255', '2001:db8::1/64', 'any', 'interface', 'GE2/1/1',
  'packet-filter', 'inbound', 'outbound', 'default', 'aspf', 'policy', 'apply', 'detect', 'ftp', 'firewall', 'undo',
  'step', 'comment', 'quit', 'return', '#', 'vlan', 'match-order', 'auto', 'ip-group', 'port-mapping', 'application',
  'port', 'time-range', 'icmp-type', 'echo', '[H3C]', '<H3C>', 'description', 'x',
];

describe('robustness', () => {
  it('never throws, and every diagnostic points inside the text it names', () => {
    const line = fc.tuple(fc.nat(2), fc.array(fc.constantFrom(...WORDS), { maxLength: 9 })).map(([indent, ws]) => ' '.repeat(indent) + ws.join(' '));
    fc.assert(
      fc.property(fc.array(line, { maxLength: 25 }), (lines) => {
        const text = lines.join('\n');
        const { value, diagnostics } = parseH3cConfig(text, 'f.cfg');
        const all = text.split('\n');
        for (const d of diagnostics) {
          if (!d.span) continue;
          expect(d.span.lineText).toBe(all[d.span.line - 1]);
          expect(d.span.column).toBeGreaterThanOrEqual(1);
          expect(d.span.column).toBeLessThanOrEqual(d.span.lineText.length + 2);
        }
        for (const a of value.acls) for (const r of a.rules) expect(r.id).toBeLessThanOrEqual(65534);
      }),
      { numRuns: 400, seed: 20240601 },
    );
  });

  it('survives arbitrary text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (s) => {
        expect(() => parseH3cConfig(s, 'f.cfg')).not.toThrow();
      }),
      { numRuns: 300, seed: 7 },
    );
  });
});
