/**
 * H3C ASPF scope (facts sheet 7.1-7.5): a connection is a session only when its first packet,
 * permitted by the packet filters, crossed an interface in a direction where ASPF is applied; the
 * session's later packets and its FTP data connections pass; every other packet meets the filters.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/dialects/load.js';
import { createStatefulFirewall } from '../../../src/engine/stateful/firewall.js';
import { TCP_ACK, TCP_SYN } from '../../../src/net/packet.js';
import type { Policy } from '../../../src/policy/model.js';
import { buildRunReport } from '../../../src/report/run.js';
import { simulate } from '../../../src/sim/run.js';
import { loadBundledScenario } from '../../helpers/run.js';

const STATEFUL = readFileSync('rules/stateful.cfg', 'utf8');
const CLIENT_SIDE = 'GigabitEthernet2/1/1';
const SERVER_SIDE = 'GigabitEthernet2/1/10';

/** rules/stateful.cfg with its one `aspf apply` moved to `iface` in `direction`. */
function aspfAt(iface: string, direction: 'inbound' | 'outbound', extra = ''): Policy {
  const without = STATEFUL.replace(' aspf apply policy 1 inbound\n', '');
  const text = without.replace(`interface ${iface}\n`, `interface ${iface}\n aspf apply policy 1 ${direction}\n`) + extra;
  const { value, diagnostics } = parseConfig(text, 'aspf.cfg');
  expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return value;
}

function runMode(mode: string, policy: Policy) {
  const scenario = loadBundledScenario(`scenarios/${mode}.yaml`);
  const fw = createStatefulFirewall(policy);
  const trace = simulate(scenario, fw);
  return { trace, report: buildRunReport({ scenario: mode, source: mode, config: 'aspf.cfg', engine: 'stateful' }, trace), fw };
}

const MODES = ['active-download', 'passive-download'] as const;

describe('ASPF creates sessions only where it is applied', () => {
  // MSR-sec p.258: "apply an ASPF in the outbound direction of the external interface or in the inbound
  // direction of the internal interface": here, where the clients' SYNs enter or where they leave.
  it.each([
    [CLIENT_SIDE, 'inbound'],
    [SERVER_SIDE, 'outbound'],
  ] as const)('ASPF %s %s, crossed by the client SYN to port 21, lets FTP work in active and passive mode', (iface, dir) => {
    for (const mode of MODES) {
      const { report, trace } = runMode(mode, aspfAt(iface, dir));
      expect(report.ftp.works, mode).toBe(true);
      const synAck = trace.packets.find((tp) => tp.connection?.role === 'control' && (tp.packet.tcpFlags & (TCP_SYN | TCP_ACK)) === (TCP_SYN | TCP_ACK))!;
      expect(synAck.verdict.by).toMatchObject({ kind: 'conntrack', state: 'established' });
    }
  });

  it.each([
    [SERVER_SIDE, 'inbound'],
    [CLIENT_SIDE, 'outbound'],
  ] as const)('ASPF %s %s, never crossed by the client SYN, leaves FTP blocked by the server side filter', (iface, dir) => {
    for (const mode of MODES) {
      const { report, trace, fw } = runMode(mode, aspfAt(iface, dir));
      expect(report.ftp.works, mode).toBe(false);
      const control = report.flows.find((f) => f.role === 'control')!;
      expect(control.outcome).toBe('blocked');
      // the SYN-ACK is not a session's return traffic: it meets acl 3001 inbound on the server side
      expect(control.firstBlocked?.packet).toMatch(/^SYN-ACK 192\.168\.10\.1:21 → 10\.0\.0\.2:50000$/);
      expect(control.firstBlocked?.provenance).toMatchObject({ kind: 'rule', acl: '3001', ruleId: 0, interface: SERVER_SIDE, direction: 'inbound' });
      // conntrack still has the connection (as the kernel does), but it is not a session and has no helper
      const created = trace.events.find((e) => e.kind === 'conntrack-new')!;
      expect(created.text).toContain('not a session: its first packet crossed no interface and direction where ASPF is applied');
      expect(fw.connections().every((c) => !c.session && c.helper === undefined)).toBe(true);
    }
  });

  it('an FTP data connection of a session passes without a rule, as an associated entry (sheet 7.5)', () => {
    const { trace } = runMode('active-download', aspfAt(CLIENT_SIDE, 'inbound'));
    const dataSyn = trace.packets.find((tp) => tp.connection?.role === 'data' && (tp.packet.tcpFlags & (TCP_SYN | TCP_ACK)) === TCP_SYN)!;
    // the server's SYN from port 20 enters the server side, where acl 3001 denies everything
    expect(dataSyn.ingress).toBe(SERVER_SIDE);
    expect(dataSyn.verdict).toMatchObject({ action: 'permit', by: { kind: 'conntrack', state: 'related' } });
  });

  it('Comware 7 ASPF without detect ftp still makes the control connection a session, but opens no data connection (sheet 7.4)', () => {
    const policy = aspfAt(CLIENT_SIDE, 'inbound');
    const noFtp = parseConfig(STATEFUL.replace(' detect ftp\n', ' detect http\n'), 'aspf.cfg').value;
    expect(noFtp.inspections).toEqual([]);
    expect(policy.inspections).toHaveLength(1);
    const { report, trace } = runMode('passive-download', noFtp);
    expect(report.flows.find((f) => f.role === 'control')!.outcome).toBe('passed');
    expect(report.flows.find((f) => f.role === 'data')!.outcome).toBe('blocked');
    expect(trace.events.some((e) => e.kind === 'expectation-open')).toBe(false);
  });

  it('--inspect ftp keeps its meaning: every connection is a session, wherever ASPF is applied', () => {
    const policy = aspfAt(SERVER_SIDE, 'inbound');
    const scenario = loadBundledScenario('scenarios/passive-download.yaml');
    const fw = createStatefulFirewall(policy, { inspections: [{ interface: '*', direction: 'both', protocol: 'ftp', ports: [21] }] });
    const report = buildRunReport({ scenario: 'p', source: 'p', config: 'aspf.cfg', engine: 'stateful' }, simulate(scenario, fw));
    expect(report.ftp.works).toBe(true);
  });

  it('a policy without any ASPF creates no sessions: the stateful engine gives the static verdicts', () => {
    const none = parseConfig(STATEFUL.replace(' aspf apply policy 1 inbound\n', ''), 'aspf.cfg').value;
    expect(none.sessionScope).toEqual({ points: [], passes: 'before-filters' });
    const { report } = runMode('passive-download', none);
    expect(report.ftp.works).toBe(false);
    expect(report.flows.find((f) => f.role === 'control')!.firstBlocked?.provenance).toMatchObject({ kind: 'rule', acl: '3001' });
  });
});

describe('Comware 5 ASPF needs firewall enable', () => {
  const c5 = (enable: boolean) =>
    parseConfig(
      STATEFUL.replace('aspf policy 1\n', 'aspf-policy 1\n')
        .replace(' aspf apply policy 1 inbound\n', ' firewall aspf 1 inbound\n')
        .replace(/ packet-filter (300\d) inbound/g, ' firewall packet-filter $1 inbound')
        .replace(/^/, enable ? 'firewall enable\n' : ''),
      'c5.cfg',
    );

  it('with firewall enable, firewall aspf and firewall packet-filter work as in Comware 7', () => {
    const p = c5(true);
    expect(p.diagnostics.filter((d) => d.severity !== 'info')).toEqual([]);
    // Comware 5 `detect ftp` tracks the FTP control connections only (sheet 7.4: detect tcp/udp are explicit)
    expect(p.value.sessionScope?.points).toMatchObject([{ interface: CLIENT_SIDE, direction: 'inbound', protocols: [{ proto: 6, dstPorts: [21] }] }]);
    expect(runMode('passive-download', p.value).report.ftp.works).toBe(true);
  });

  it('without it, neither the packet filters nor ASPF act, and both say so', () => {
    const p = c5(false);
    expect(p.diagnostics.filter((d) => d.severity === 'warning').map((d) => `${d.span?.line}: ${d.message}`)).toEqual([
      "25: Comware 5 filters with 'firewall packet-filter' only after 'firewall enable', which this config lacks: this packet filter does not filter",
      "26: Comware 5 applies ASPF only after 'firewall enable', which this config lacks: nothing is inspected here",
    ]);
    expect(p.value.bindings).toEqual([]);
    expect(p.value.sessionScope?.points).toEqual([]);
    // nothing filters: FTP works through an unfiltered device
    expect(runMode('passive-download', p.value).report.ftp.works).toBe(true);
  });
});
