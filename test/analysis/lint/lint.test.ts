import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/dialects/load.js';
import { lintPolicy, type LintReport } from '../../../src/analysis/lint/lint.js';

const ROOT = resolve(__dirname, '../../..');

function lint(rel: string): LintReport {
  const text = readFileSync(resolve(ROOT, rel), 'utf8');
  const { value, diagnostics } = parseConfig(text, rel);
  expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return lintPolicy(value, text);
}

/** kind, line, rule id, and the rule ids of the related rules: what a reader checks first. */
function summary(r: LintReport, withSuppressed = false): string[] {
  return r.findings
    .filter((f) => withSuppressed || !f.suppressedBy)
    .map((f) => `${f.kind} ${f.at.line}:${f.at.column} ${f.ruleId ?? '-'} [${f.related.map((x) => /rule (\d+)/.exec(x.label)?.[1] ?? x.label).join(',')}]`);
}

describe('lint: rule anomalies', () => {
  it('finds exactly one finding per anomaly class, each with the right pair of rules', () => {
    expect(summary(lint('test/fixtures/lint/anomalies.cfg'))).toEqual([
      'shadowed 5:2 10 [5]',
      'redundant 7:2 12 [14]',
      'redundant 11:2 20 [15]',
      'correlated 14:2 30 [25]',
      'generalisation 17:2 40 [35]',
    ]);
  });

  it('gives each anomaly a witness packet that shows it', () => {
    const byRule = new Map(lint('test/fixtures/lint/anomalies.cfg').findings.map((f) => [f.ruleId, f]));
    // rule 10 permits 10.1.1.7 → port 21; rule 5 denies it first
    expect(byRule.get(10)!.witness!.text).toBe('tcp 10.1.1.7:1025 > 10.0.0.2:21, flags S');
    expect(byRule.get(10)!.message).toBe('acl 3000 rule 10 (permit) never matches: earlier rule 5 (line 4, deny) decides every packet it would match');
    // a packet both rule 25 (deny, 53-100 from 10.3/16) and rule 30 (permit, 50-60) match
    const w = byRule.get(30)!.witness!;
    expect(w.protocol).toBe('udp');
    expect(w.src.startsWith('10.3.')).toBe(true);
    expect(w.dstPort! >= 53 && w.dstPort! <= 60).toBe(true);
    expect(byRule.get(40)!.witness!.text).toBe('tcp 10.4.0.1:1025 > 10.0.0.2:22, flags S');
    expect(byRule.get(12)!.witness!.text).toBe('tcp 10.9.9.9:1025 > 192.168.10.1:443, flags S');
  });

  it('reports nothing on a clean config', () => {
    expect(summary(lint('test/fixtures/lint/clean.cfg'))).toEqual([]);
  });

  it('flags rules/no-final-deny.cfg: no final deny, and both permits redundant under the default permit', () => {
    const r = lint('rules/no-final-deny.cfg');
    expect(summary(r)).toEqual([
      'no-final-deny 4:1 - [5]',
      'redundant 5:2 0 [default action (permit)]',
      'ftp-no-aspf 5:2 0 []',
      'redundant 6:2 5 [default action (permit)]',
      'ftp-exposure 6:2 5 [packet-filter 3000 on GigabitEthernet2/1/10 inbound]',
      'family-open 13:2 - []',
    ]);
    expect(r.findings[0]!.message).toBe('acl 3000 has no final deny: packets that match none of its rules are permitted (the default action is permit)');
    expect(r.findings[0]!.witness!.text).toBe('tcp 10.0.0.1:20 > 10.0.0.2:21, flags S');
  });

  it('flags a zone pair that filters IPv4 only (IPv6 between those zones meets the permitting default), not one that filters both', () => {
    const r = lint('test/fixtures/lint/zone-pair-v4-only.cfg');
    const open = r.findings.filter((f) => f.kind === 'family-open');
    expect(open.map((f) => `${f.at.line} ${f.message}`)).toEqual([
      '19 zone-pair Untrust → Trust filters IPv4 (acl 3000) but no IPv6 ACL is applied: every IPv6 packet between those zones meets the default action (permit)',
    ]);
    expect(open[0]!.witness!.family).toBe(6);
  });

  it('flags rules/stateful.cfg for its open IPv6 side on both interfaces', () => {
    const r = lint('rules/stateful.cfg');
    expect(summary(r)).toEqual(['family-open 25:2 - []', 'family-open 30:2 - []']);
    expect(r.findings[0]!.message).toBe(
      'GigabitEthernet2/1/1 inbound filters IPv4 (acl 3000) but no IPv6 ACL is applied: every IPv6 packet passes into GigabitEthernet2/1/1',
    );
    expect(r.findings[0]!.witness!.family).toBe(6);
  });

  it('counts the seed-passive high-port exposure in port pairs as compare does', () => {
    const f = lint('rules/seed-passive.cfg').findings.find((x) => x.kind === 'ftp-exposure')!;
    // SYN from 192.168.10.1 with source port 21 or 1025-65535 (64512 ports) to destination ports 1025-65535 (64511)
    expect(f.message).toContain('on 4161733632 port pairs (64512 source × 64511 destination ports)');
    expect(f.ruleId).toBe(5);
  });

  it('reports rules after a catch-all as unreachable, not as shadowed', () => {
    const text = 'acl advanced 3000\n rule 5 deny ip\n rule 10 permit tcp destination-port eq 23\n#\nreturn\n';
    const { value } = parseConfig(text, 'mem.cfg');
    const r = lintPolicy(value, text);
    expect(summary(r)).toEqual(['unreachable 3:2 10 [5]']);
    expect(r.findings[0]!.message).toBe('acl 3000 rule 10 can never match: rule 5 (line 2, deny) before it matches every packet');
  });

  it('treats established, TCP flags and fragments as dimensions: no false shadowing across them', () => {
    const text = [
      'acl advanced 3000',
      ' rule 5 deny tcp established',
      ' rule 10 permit tcp syn 1 ack 0',
      ' rule 15 deny ip fragment',
      ' rule 20 permit udp destination-port eq 53',
      ' rule 25 permit tcp ack 1',
      ' rule 30 permit ip',
      '#',
      'return',
    ].join('\n');
    const { value, diagnostics } = parseConfig(text, 'mem.cfg');
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const r = lintPolicy(value, text);
    expect(summary(r)).toEqual([
      // SYN+RST has syn 1, ack 0 and is established (ACK or RST): rules 5 and 10 share it
      'redundant 3:2 10 [30]',
      'correlated 3:2 10 [5]',
      // a udp port rule cannot match a non-first fragment, so rule 15 does not shadow rule 20
      'redundant 5:2 20 [30]',
      // ack 1 lies inside established
      'shadowed 6:2 25 [5]',
      'redundant 7:2 30 [default action (permit)]',
    ]);
    expect(r.findings[1]!.witness!.text).toBe('tcp 10.0.0.1:1025 > 10.0.0.2:21, flags SR');
  });

  it('follows match-order auto: rules are checked in depth-first order, not as written', () => {
    const r = lint('rules/match-order-auto.cfg');
    // acl 3001 is config order with the deny first: its permits are shadowed; acl 3000 is auto: they are not
    expect(summary(r).filter((s) => s.startsWith('shadowed'))).toEqual(['shadowed 14:2 5 [0]', 'shadowed 15:2 10 [0]']);
  });
});

describe('lint: config checks', () => {
  it('reads the operands as written: host bits under the wildcard or prefix, with a suggestion', () => {
    const r = lint('test/fixtures/lint/host-bits.cfg');
    expect(summary(r)).toEqual(['host-bits 3:27 5 []', 'host-bits 4:33 10 []', 'host-bits 9:27 5 []']);
    const f = r.findings[0]!;
    expect(f.message).toBe('source 172.16.10.10 0.0.0.255 has host bits set under the wildcard: acl 3000 rule 5 matches all of 172.16.10.0-172.16.10.255');
    expect(f.suggestion).toBe('did you mean 172.16.10.0 0.0.0.255, or the single host 172.16.10.10 0?');
    expect(f.at.length).toBe('172.16.10.10 0.0.0.255'.length);
    expect(r.findings[2]!.suggestion).toBe('did you mean 2001:db8:10::/64, or the single host 2001:db8:10::1/128?');
  });

  it('flags ASPF that no FTP control connection reaches, a missing ACL and an empty one', () => {
    const r = lint('test/fixtures/lint/aspf-blocked.cfg');
    expect(summary(r)).toEqual(['aspf-no-ftp 15:2 - [packet-filter 3000 inbound]', 'aspf-no-ftp 15:2 - [packet-filter ipv6 3000 inbound]', 'missing-acl 18:2 - []', 'empty-acl 19:2 - [acl ipv6 3001]']);
    expect(r.findings[0]!.message).toBe(
      'ASPF inspects FTP on GigabitEthernet2/1/1 inbound, but acl 3000 applied there denies every IPv4 TCP SYN to port 21: no FTP control connection reaches ASPF',
    );
  });
});

describe('lint: suppression comments', () => {
  it('silences a kind named on the comment line above the rule or trailing it, and only that kind', () => {
    const r = lint('test/fixtures/lint/suppressed.cfg');
    expect(summary(r, true)).toEqual(['shadowed 6:2 10 [5]', 'redundant 8:2 20 [15]', 'redundant 10:2 25 [45]', 'correlated 10:2 25 [15]']);
    expect(summary(r)).toEqual(['redundant 10:2 25 [45]']);
    const byKind = new Map(r.findings.map((f) => [`${f.kind} ${f.ruleId}`, f.suppressedBy]));
    expect(byKind.get('shadowed 10')).toMatchObject({ line: 5, column: 2 });
    expect(byKind.get('redundant 20')).toMatchObject({ line: 8 });
    expect(byKind.get('correlated 25')).toMatchObject({ line: 9 });
  });

  it('reports a suppression word that is not a kind, with its place', () => {
    const text = 'acl advanced 3000\n # ftpwall: ignore shadowd\n rule 5 deny ip\n#\nreturn\n';
    const { value } = parseConfig(text, 'mem.cfg');
    expect(lintPolicy(value, text).unknownSuppressions).toEqual([
      { word: 'shadowd', at: { file: 'mem.cfg', line: 2, column: 20, length: 7, lineText: ' # ftpwall: ignore shadowd' } },
    ]);
  });
});
