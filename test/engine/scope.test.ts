/**
 * Rules that depend on more than the packet: `vpn-instance` (facts sheet 5.6) and `time-range` (sheet 5.5
 * and the H3C time range guide: periodic statements ORed, absolute statements ORed, the two ANDed).
 */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/dialects/load.js';
import { createStaticFirewall } from '../../src/engine/static.js';
import { createStatefulFirewall } from '../../src/engine/stateful/firewall.js';
import { TCP_ACK, TCP_SYN } from '../../src/net/packet.js';
import { parseWallClock } from '../../src/policy/time-range.js';
import { tcp } from '../helpers/build.js';

const SERVER_SIDE = 'GigabitEthernet2/1/10';
const CLIENT_SIDE = 'GigabitEthernet2/1/1';
const SYN_ACK = tcp('192.168.10.1', 21, '10.0.0.2', 50000, TCP_SYN | TCP_ACK);

function policyOf(text: string) {
  const p = parseConfig(text, 't.cfg');
  expect(p.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return p.value;
}

function verdict(text: string, opts: { vpn?: string; at?: string; nowMs?: number } = {}) {
  const at = opts.at === undefined ? undefined : parseWallClock(opts.at)!;
  const fw = createStaticFirewall(policyOf(text), at === undefined ? {} : { wallClockStartMs: at });
  const ctx = { n: 1, nowMs: opts.nowMs ?? 0, ingress: SERVER_SIDE, egress: CLIENT_SIDE, ...(opts.vpn ? { vpn: opts.vpn } : {}) };
  const v = fw.step(SYN_ACK, ctx).verdict;
  return v.by.kind === 'rule' ? `${v.action} by rule ${v.by.ruleId}` : `${v.action} by ${v.by.kind}`;
}

const VPN_ACL = `acl advanced 3000\n rule 0 permit tcp source 192.168.10.1 0 vpn-instance blue\n rule 5 deny ip\ninterface ${SERVER_SIDE}\n packet-filter 3000 inbound\n`;

describe('vpn-instance', () => {
  it('a rule with a VPN instance does not match public traffic', () => {
    expect(verdict(VPN_ACL)).toBe('deny by rule 5');
  });

  it('it matches the packets of its VPN instance', () => {
    expect(verdict(VPN_ACL, { vpn: 'blue' })).toBe('permit by rule 0');
  });

  it('on routers a rule without a VPN instance matches only public traffic, so a packet of another VPN matches nothing here', () => {
    // C7-zh / VPNFW: "If no VPN instance is specified, the rule applies only to non-VPN packets"
    expect(verdict(VPN_ACL, { vpn: 'red' })).toBe('permit by default');
  });

  it('on switches a VPN rule never takes effect and the others match public and VPN traffic alike', () => {
    // C7-sw-en: "if the vpn-instance keyword is specified for an ACL rule, the ACL does not take effect"
    const policy = { ...policyOf(VPN_ACL), platform: 'switch' as const };
    const fw = createStaticFirewall(policy);
    for (const vpn of [undefined, 'blue'])
      expect(fw.step(SYN_ACK, { n: 1, nowMs: 0, ingress: SERVER_SIDE, egress: CLIENT_SIDE, ...(vpn ? { vpn } : {}) }).verdict.by).toMatchObject({ kind: 'rule', ruleId: 5 });
  });
});

const timed = (ranges: string) => `${ranges}acl advanced 3000\n rule 0 permit tcp source 192.168.10.1 0 time-range work\n rule 5 deny ip\ninterface ${SERVER_SIDE}\n packet-filter 3000 inbound\n`;

describe('time-range', () => {
  const WORK = timed('time-range work 08:00 to 18:00 working-day\n');

  it('a rule naming an undefined time range is inactive, at any time, and check says so', () => {
    expect(verdict(timed(''), { at: '2026-03-02T09:00' })).toBe('deny by rule 5');
    expect(parseConfig(timed(''), 't.cfg').diagnostics.map((d) => d.message)).toContain(
      "time-range 'work' is not defined: rule 0 of acl 3000 is inactive (Comware creates it and applies it only once the time range is configured)",
    );
  });

  it('08:00 to 18:00 working-day: active on a Monday at 09:00, not at 18:00, not on a Saturday', () => {
    expect(verdict(WORK, { at: '2026-03-02T09:00' })).toBe('permit by rule 0'); // Monday
    expect(verdict(WORK, { at: '2026-03-02T07:59' })).toBe('deny by rule 5');
    expect(verdict(WORK, { at: '2026-03-02T18:00' })).toBe('deny by rule 5'); // the end is exclusive
    expect(verdict(WORK, { at: '2026-03-07T10:00' })).toBe('deny by rule 5'); // Saturday
  });

  it('is evaluated at the wall clock of each packet: the start plus the virtual time', () => {
    expect(verdict(WORK, { at: '2026-03-02T17:59:30', nowMs: 0 })).toBe('permit by rule 0');
    expect(verdict(WORK, { at: '2026-03-02T17:59:30', nowMs: 30_000 })).toBe('deny by rule 5');
  });

  it('off-day, daily and day numbers (0 is Sunday)', () => {
    const off = timed('time-range work 00:00 to 24:00 off-day\n');
    expect(verdict(off, { at: '2026-03-07T23:59' })).toBe('permit by rule 0');
    expect(verdict(off, { at: '2026-03-06T12:00' })).toBe('deny by rule 5');
    expect(verdict(timed('time-range work 12:00 to 13:00 daily\n'), { at: '2026-03-04T12:30' })).toBe('permit by rule 0');
    expect(verdict(timed('time-range work 12:00 to 13:00 0 Wed\n'), { at: '2026-03-04T12:30' })).toBe('permit by rule 0');
    expect(verdict(timed('time-range work 12:00 to 13:00 0 Wed\n'), { at: '2026-03-05T12:30' })).toBe('deny by rule 5');
  });

  it('several periodic statements of one name are ORed', () => {
    const split = timed('time-range work 08:00 to 12:00 Mon\ntime-range work 13:00 to 17:00 Mon\n');
    expect(verdict(split, { at: '2026-03-02T11:00' })).toBe('permit by rule 0');
    expect(verdict(split, { at: '2026-03-02T12:30' })).toBe('deny by rule 5');
    expect(verdict(split, { at: '2026-03-02T13:30' })).toBe('permit by rule 0');
  });

  it('absolute statements are ORed with each other and ANDed with the periodic ones', () => {
    const cfg = timed(
      'time-range work 08:00 to 18:00 working-day\ntime-range work from 00:00 2026/01/01 to 00:00 2026/02/01\ntime-range work from 00:00 04/01/2026 to 24:00 04/30/2026\n',
    );
    expect(verdict(cfg, { at: '2026-01-05T09:00' })).toBe('permit by rule 0'); // Monday in January
    expect(verdict(cfg, { at: '2026-03-02T09:00' })).toBe('deny by rule 5'); // Monday in March: no absolute statement covers it
    expect(verdict(cfg, { at: '2026-04-06T09:00' })).toBe('permit by rule 0'); // Monday in April
    expect(verdict(cfg, { at: '2026-01-03T09:00' })).toBe('deny by rule 5'); // Saturday in January
  });

  it('an absolute statement alone: active from its start, inactive from its end', () => {
    const cfg = timed('time-range work from 08:00 2026/03/02\n');
    expect(verdict(cfg, { at: '2026-03-02T07:59' })).toBe('deny by rule 5');
    expect(verdict(cfg, { at: '2030-01-01T00:00' })).toBe('permit by rule 0');
    expect(verdict(timed('time-range work to 08:00 2026/03/02\n'), { at: '2026-03-02T08:00' })).toBe('deny by rule 5');
  });

  it('the stateful engine filters new connections by the same scope', () => {
    const fw = createStatefulFirewall(policyOf(WORK), { wallClockStartMs: parseWallClock('2026-03-07T10:00')! });
    const syn = tcp('192.168.10.1', 20, '10.0.0.2', 50001, TCP_SYN);
    expect(fw.step(syn, { n: 1, nowMs: 0, ingress: SERVER_SIDE, egress: CLIENT_SIDE }).verdict.by).toMatchObject({ kind: 'rule', ruleId: 5 });
  });

  it('reports bad time-range lines with positions', () => {
    const bad = (line: string) => parseConfig(`${line}\n`, 't.cfg').diagnostics.map((d) => `${d.span?.column}: ${d.message}${d.suggestion ? ` (${d.suggestion})` : ''}`);
    expect(bad('time-range work 18:00 to 08:00 daily')).toEqual(['26: the end time 08:00 must be later than the start time 18:00']);
    expect(bad('time-range work 08:00 to 18:00 Funday')).toEqual(['32: unknown day \'Funday\' (use 0-6 (0 is Sunday), Sun … Sat, working-day, off-day or daily)']);
    expect(bad('time-range work from 08:00 2026/02/30')).toEqual(["28: bad date '2026/02/30' after 'from 08:00': expected YYYY/MM/DD or MM/DD/YYYY (1970-2100)"]);
    expect(bad('time-range work 25:00 to 26:00 daily')).toEqual(["17: bad start time '25:00': expected HH:MM from 00:00 to 23:59"]);
  });
});
