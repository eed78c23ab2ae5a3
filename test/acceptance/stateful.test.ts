/**
 * Issue 3's acceptance points, end to end: the stateful port-21-only policy
 * against the static seed ACLs, and each helper behaviour in a whole session.
 */
import { describe, expect, it } from 'vitest';
import { TCP_ACK, TCP_SYN } from '../../src/net/packet.js';
import { ipv4 } from '../../src/net/address.js';
import { run } from '../helpers/run.js';

const MODES = ['active-download', 'passive-download', 'epsv-download', 'eprt-download'] as const;

function dataSyns(trace: ReturnType<typeof run>['trace']) {
  return trace.packets.filter(
    (tp) => tp.connection?.role === 'data' && (tp.packet.tcpFlags & (TCP_SYN | TCP_ACK)) === TCP_SYN,
  );
}

describe('a stateful port-21-only policy against the static seed ACLs', () => {
  it.each(MODES)('%s works through rules/stateful.cfg with the stateful engine', (mode) => {
    const { report } = run(`scenarios/${mode}.yaml`, 'rules/stateful.cfg', 'stateful');
    expect(report.ftp.works).toBe(true);
    const data = report.flows.filter((f) => f.role === 'data');
    expect(data.length).toBeGreaterThan(0);
  });

  it.each(MODES)('the data connection of %s passes as RELATED through a pinhole opened by the helper', (mode) => {
    const { trace } = run(`scenarios/${mode}.yaml`, 'rules/stateful.cfg', 'stateful');
    const syn = dataSyns(trace)[0]!;
    expect(syn.verdict.action).toBe('permit');
    expect(syn.verdict.by).toMatchObject({ kind: 'conntrack', state: 'related' });
    const trigger = { 'active-download': 'PORT', 'passive-download': '227', 'epsv-download': '229', 'eprt-download': 'EPRT' }[mode];
    expect(syn.verdict.by.kind === 'conntrack' && syn.verdict.by.expectation?.trigger).toBe(trigger);
    expect(trace.events.some((e) => e.kind === 'expectation-open' && e.text.includes(`opened by ${trigger}`))).toBe(true);
  });

  it('each static seed ACL breaks exactly one of active and passive mode', () => {
    const works = (s: string, c: string) => run(`scenarios/${s}.yaml`, c).report.ftp.works;
    expect([works('active-download', 'rules/seed-active.cfg'), works('passive-download', 'rules/seed-active.cfg')]).toEqual([true, false]);
    expect([works('active-download', 'rules/seed-passive.cfg'), works('passive-download', 'rules/seed-passive.cfg')]).toEqual([false, true]);
  });
});

describe('FTP bounce (PORT naming a third host)', () => {
  it('opens no pinhole, blocks the third-party data connection, and says why', () => {
    const { trace, report } = run('scenarios/bounce.yaml', 'rules/stateful.cfg', 'stateful');
    expect(report.ftp.works).toBe(false);
    const refused = trace.events.find((e) => e.kind === 'expectation-refused');
    expect(refused?.text).toMatch(/^PORT in packet \d+ names 10\.0\.0\.99, not the client 10\.0\.0\.2: no pinhole \(bounce protection\)$/);
    const syn = dataSyns(trace)[0]!;
    expect(syn.packet.dst).toEqual(ipv4((10 << 24) + 99));
    expect(syn.verdict.action).toBe('deny');
  });

  it('with loose, the pinhole opens and the third-party connection passes', () => {
    const { trace } = run('scenarios/bounce.yaml', 'rules/stateful.cfg', 'stateful', { loose: true });
    const syn = dataSyns(trace)[0]!;
    expect(syn.verdict).toMatchObject({ action: 'permit', by: { kind: 'conntrack', state: 'related' } });
  });
});

describe('expectation expiry (300 s)', () => {
  it('a data connection 400 s after the 227 is blocked', () => {
    const { trace, report } = run('scenarios/pasv-wait-400s.yaml', 'rules/stateful.cfg', 'stateful');
    expect(report.ftp.works).toBe(false);
    expect(trace.events.some((e) => e.kind === 'expectation-expired')).toBe(true);
    expect(dataSyns(trace)[0]!.verdict.action).toBe('deny');
  });

  it('a data connection 100 s after the 227 passes', () => {
    const { trace, report } = run('scenarios/pasv-wait-100s.yaml', 'rules/stateful.cfg', 'stateful');
    expect(report.ftp.works).toBe(true);
    expect(dataSyns(trace)[0]!.verdict.by).toMatchObject({ kind: 'conntrack', state: 'related' });
  });
});

describe('pinholes belong to one session', () => {
  it('a data connection from another address cannot use the pinhole', () => {
    const { trace } = run('scenarios/unexpected-source.yaml', 'rules/stateful.cfg', 'stateful');
    const syn = dataSyns(trace)[0]!;
    expect(syn.verdict.action).toBe('deny');
    expect(syn.verdict.by.kind).toBe('rule');
  });

  it('two concurrent sessions each get their own pinhole and both work', () => {
    const { trace, report } = run('scenarios/two-sessions.yaml', 'rules/stateful.cfg', 'stateful');
    expect(report.sessions.map((s) => s.works)).toEqual([true, true]);
    const ids = dataSyns(trace).map((tp) => (tp.verdict.by.kind === 'conntrack' ? tp.verdict.by.expectation?.id : undefined));
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('what the helper cannot read', () => {
  it('a PORT split across two segments: the segment with the partial match is dropped', () => {
    const { trace } = run('scenarios/split-port.yaml', 'rules/stateful.cfg', 'stateful');
    const dropped = trace.packets.find((tp) => tp.verdict.by.kind === 'helper');
    expect(dropped?.verdict.action).toBe('deny');
    expect(dropped?.verdict.by).toMatchObject({ kind: 'helper', reason: "partial match of `PORT'" });
    expect(trace.events.some((e) => e.kind === 'helper-drop')).toBe(true);
  });

  it('after AUTH TLS the control channel is opaque and the data connection depends on the ACL alone', () => {
    const { trace, report } = run('scenarios/ftps.yaml', 'rules/stateful.cfg', 'stateful');
    expect(trace.events.some((e) => e.kind === 'helper-opaque')).toBe(true);
    expect(trace.events.some((e) => e.kind === 'expectation-open')).toBe(false);
    expect(report.ftp.works).toBe(false);
    expect(dataSyns(trace)[0]!.verdict.by.kind).toBe('rule');
  });
});
