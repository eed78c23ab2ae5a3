/**
 * Platform differences (facts sheet 1.1/1.2 auto-order tie-break, 5.2 TCP flags, 5.4 Comware 5 fragments):
 * the config tells the platform where it can, `--platform` overrides, and the verdicts follow.
 */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/dialects/load.js';
import { createStaticFirewall } from '../../../src/engine/static.js';
import { TCP_ACK, TCP_SYN } from '../../../src/net/packet.js';
import type { Platform } from '../../../src/policy/model.js';
import { tcp } from '../../helpers/build.js';

const IFACE = 'GigabitEthernet2/1/10';

function parsed(text: string, platform?: Platform) {
  return parseConfig(text, 't.cfg', 'h3c', platform ? { platform } : {});
}

function decide(text: string, packet = tcp('192.168.10.1', 21, '10.0.0.2', 50000, TCP_SYN | TCP_ACK), platform?: Platform): string {
  const fw = createStaticFirewall(parsed(text, platform).value);
  const v = fw.step(packet, { n: 1, nowMs: 0, ingress: IFACE, egress: 'GigabitEthernet2/1/1' }).verdict;
  return v.by.kind === 'rule' ? `${v.action} by rule ${v.by.ruleId}` : `${v.action} by ${v.by.kind}`;
}

describe('the platform a config tells', () => {
  it.each([
    ['security-zone name Trust\n', 'firewall'],
    ['interface GigabitEthernet1/0/1\n port link-type trunk\n', 'switch'],
    ['firewall enable\n', 'router'],
    ['sysname S5130-EDGE\n', 'switch'],
    ['sysname MSR3620\n', 'router'],
    ['sysname F1000-AK\n', 'firewall'],
  ] as const)('%j is a %s', (text, platform) => {
    expect(parsed(text).value.platform).toBe(platform);
  });

  it('is a router, with a located warning, when the config does not tell and it matters', () => {
    const p = parsed('acl advanced 3000\n rule 0 deny tcp syn 1 ack 0\n');
    expect(p.value.platform).toBe('router');
    expect(p.diagnostics.map((d) => `${d.span?.line}:${d.span?.column} ${d.message}`)).toEqual([
      '2:2 this config does not tell the kind of device, and it matters here: TCP flag conditions combined in one rule (acl 3000 rule 0) are ORed on routers and firewalls, ANDed on switches; ftpwall assumes a router',
    ]);
    expect(parsed('acl advanced 3000\n rule 0 deny tcp syn 1\n').diagnostics).toEqual([]);
    expect(parsed('acl advanced 3000\n rule 0 deny tcp syn 1 ack 0\n', 'switch').diagnostics).toEqual([]);
  });
});

describe('TCP flags of one rule', () => {
  const cfg = `acl advanced 3000\n rule 0 deny tcp syn 1 ack 0\n rule 5 permit ip\ninterface ${IFACE}\n packet-filter 3000 inbound\n`;
  // MSR-acl: "The TCP flags in a rule are ORed. … ack 0 psh 1 matches packets that have the ACK flag bit not set or the PSH flag bit set."
  it('are ORed on routers: a SYN-ACK has SYN set, so syn 1 ack 0 matches it', () => {
    expect(decide(cfg, undefined, 'router')).toBe('deny by rule 0');
    expect(decide(cfg, undefined, 'firewall')).toBe('deny by rule 0');
    expect(decide(cfg, tcp('192.168.10.1', 21, '10.0.0.2', 50000, TCP_ACK), 'router')).toBe('permit by rule 5');
  });

  it('are ANDed on switches: a SYN-ACK has ACK set, so syn 1 ack 0 does not match it', () => {
    expect(decide(cfg, undefined, 'switch')).toBe('permit by rule 5');
    expect(decide(cfg, tcp('192.168.10.1', 21, '10.0.0.2', 50000, TCP_SYN), 'switch')).toBe('deny by rule 0');
  });
});

describe('match-order auto tie-break', () => {
  // rules 10 and 5 tie on every depth-first criterion; rule 10 is configured first
  const cfg = `acl advanced 3000 match-order auto\n rule 10 permit tcp source 192.168.10.1 0\n rule 5 deny tcp source 192.168.10.1 0\ninterface ${IFACE}\n packet-filter 3000 inbound\n`;
  it('routers and firewalls: the smaller rule id wins (sheet 1.1)', () => {
    expect(decide(cfg, undefined, 'router')).toBe('deny by rule 5');
    expect(decide(cfg, undefined, 'firewall')).toBe('deny by rule 5');
  });

  it('switches: the rule configured earlier wins (sheet 1.2)', () => {
    expect(decide(cfg, undefined, 'switch')).toBe('permit by rule 10');
  });
});

describe('Comware 5 non-first fragments (match-fragments)', () => {
  const body = `acl number 3000\n rule 0 permit tcp destination-port eq 21\n rule 5 deny ip\ninterface ${IFACE}\n`;
  const fragment = tcp('192.168.10.1', 0, '10.0.0.2', 0, 0, { fragment: 'later' });
  it('normal matching (the default) checks layer 3 only, so a port rule matches a non-first fragment', () => {
    expect(decide(`firewall enable\n${body} firewall packet-filter 3000 inbound\n`, fragment)).toBe('permit by rule 0');
    expect(decide(`firewall enable\n${body} firewall packet-filter 3000 inbound match-fragments normally\n`, fragment)).toBe('permit by rule 0');
  });

  it('exact matching is not simulated: a warning, and the fragment meets only rules without ports', () => {
    const text = `firewall enable\n${body} firewall packet-filter 3000 inbound match-fragments exactly\n`;
    expect(parsed(text).diagnostics.map((d) => d.message)[0]).toMatch(/^match-fragments exactly matches non-first fragments/);
    expect(decide(text, fragment)).toBe('deny by rule 5');
  });

  it('Comware 7 packet-filter: a port rule never matches a non-first fragment', () => {
    expect(decide(`${body} packet-filter 3000 inbound\n`, fragment)).toBe('deny by rule 5');
  });

  it('a non-fragment still meets the port condition in normal matching', () => {
    expect(decide(`firewall enable\n${body} firewall packet-filter 3000 inbound\n`, tcp('192.168.10.1', 20, '10.0.0.2', 50000, TCP_SYN))).toBe('deny by rule 5');
  });
});
