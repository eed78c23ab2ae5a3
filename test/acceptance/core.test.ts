/**
 * Issue 2's acceptance points, end to end: bundled configs × bundled scenarios
 * through the parser, the simulator and the static engine.
 */
import { describe, expect, it } from 'vitest';
import { TCP_ACK, TCP_SYN } from '../../src/net/packet.js';
import { printableFirstLine } from '../../src/report/run.js';
import { lineOf, run } from '../helpers/run.js';

const ACTIVE = 'scenarios/active-download.yaml';
const PASSIVE = 'scenarios/passive-download.yaml';

describe('seed-active.cfg (the seed ACL for active mode)', () => {
  it('lets the active download work', () => {
    const { report } = run(ACTIVE, 'rules/seed-active.cfg');
    expect(report.ftp.works).toBe(true);
    expect(report.flows.map((f) => [f.role, f.outcome])).toEqual([
      ['control', 'passed'],
      ['data', 'passed'],
    ]);
  });

  it('breaks the passive download at the server SYN-ACK, denied by `rule deny ip`', () => {
    const { report } = run(PASSIVE, 'rules/seed-active.cfg');
    expect(report.ftp.works).toBe(false);
    const data = report.flows.find((f) => f.role === 'data')!;
    expect(data.outcome).toBe('blocked');
    expect(data.firstBlocked!.packet).toMatch(/^SYN-ACK 192\.168\.10\.1:\d+ → 10\.0\.0\.2:\d+$/);
    const denyLine = lineOf('rules/seed-active.cfg', 'rule deny ip');
    expect(data.firstBlocked!.provenance).toMatchObject({ kind: 'rule', acl: '3000', ruleText: 'rule 10 deny ip' });
    expect(data.firstBlocked!.by).toBe(`acl 3000 rule 10 (rules/seed-active.cfg:${denyLine})`);
    expect(report.ftp.summary).toBe(`login works, data connection blocked: ${data.firstBlocked!.packet} denied by ${data.firstBlocked!.by}`);
  });
});

describe('seed-passive.cfg (the seed ACL for passive mode)', () => {
  it('lets the passive download work', () => {
    const { report } = run(PASSIVE, 'rules/seed-passive.cfg');
    expect(report.ftp.works).toBe(true);
  });

  it('breaks the active download: the server data SYN from port 20 is not `gt 1024`', () => {
    const { report } = run(ACTIVE, 'rules/seed-passive.cfg');
    expect(report.ftp.works).toBe(false);
    const data = report.flows.find((f) => f.role === 'data')!;
    expect(data.firstBlocked!.packet).toMatch(/^SYN 192\.168\.10\.1:20 → 10\.0\.0\.2:\d+$/);
    expect(data.firstBlocked!.by).toBe(`acl 3000 rule 10 (rules/seed-passive.cfg:${lineOf('rules/seed-passive.cfg', 'rule deny ip')})`);
  });

  it('retransmits the blocked data SYN with backoff 1 s, 2 s, 4 s … and then sends 425 on the control connection', () => {
    const { trace } = run(ACTIVE, 'rules/seed-passive.cfg');
    const syns = trace.packets.filter((tp) => tp.packet.srcPort === 20 && (tp.packet.tcpFlags & (TCP_SYN | TCP_ACK)) === TCP_SYN);
    expect(syns.length).toBeGreaterThanOrEqual(3);
    expect(syns.every((tp) => tp.verdict.action === 'deny')).toBe(true);
    const gaps = syns.slice(1).map((tp, i) => tp.tMs - syns[i]!.tMs);
    expect(gaps).toEqual(gaps.map((_, i) => 1000 * 2 ** i));
    const reply425 = trace.packets.find((tp) => printableFirstLine(tp.packet.payload)?.startsWith('425 '));
    expect(reply425).toBeDefined();
    expect(reply425!.tMs).toBeGreaterThan(syns.at(-1)!.tMs);
    expect(reply425!.packet.srcPort).toBe(21);
  });
});

describe('a client whose control port is exactly 1024', () => {
  it.each(['rules/seed-active.cfg', 'rules/seed-passive.cfg'])('fails on the control connection under %s (gt excludes the bound)', (cfg) => {
    const { report } = run('scenarios/control-port-1024.yaml', cfg);
    expect(report.ftp.works).toBe(false);
    const control = report.flows.find((f) => f.role === 'control')!;
    expect(control.client).toBe('10.0.0.2:1024');
    expect(control.outcome).toBe('blocked');
    expect(control.firstBlocked!.packet).toBe('SYN-ACK 192.168.10.1:21 → 10.0.0.2:1024');
    expect(report.ftp.summary).toMatch(/^control connection blocked: SYN-ACK 192\.168\.10\.1:21 → 10\.0\.0\.2:1024 denied by acl 3000 rule 10/);
  });
});

describe('what happens to packets no rule matches', () => {
  it('passes them when the ACL has no final deny (Comware default permit)', () => {
    const { report, trace } = run(ACTIVE, 'rules/no-final-deny.cfg');
    expect(report.ftp.works).toBe(true);
    const dataSyn = trace.packets.find((tp) => tp.packet.srcPort === 20)!;
    expect(dataSyn.verdict).toMatchObject({ action: 'permit', by: { kind: 'default', reason: 'no-match' } });
  });

  it('denies them with `packet-filter default deny`, naming that line', () => {
    const { report } = run(ACTIVE, 'rules/default-deny.cfg');
    expect(report.ftp.works).toBe(false);
    const data = report.flows.find((f) => f.role === 'data')!;
    const line = lineOf('rules/default-deny.cfg', 'packet-filter default deny');
    expect(data.firstBlocked!.by).toBe(
      `packet-filter default deny (rules/default-deny.cfg:${line}) (no rule of acl 3000 matched inbound on GigabitEthernet2/1/10)`,
    );
  });
});

describe('determinism', () => {
  it('the same scenario and config give the same trace, byte for byte', () => {
    const a = run('scenarios/list-and-two-retr.yaml', 'rules/seed-passive.cfg');
    const b = run('scenarios/list-and-two-retr.yaml', 'rules/seed-passive.cfg');
    expect(JSON.stringify(a.report)).toBe(JSON.stringify(b.report));
  });
});
