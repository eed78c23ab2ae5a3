/**
 * `verify --format html` without a kernel: the page rendered from verify results built around a real
 * simulation, with kernel flows as a kernel run reports them (one that disagrees on the data flow),
 * shows both sides per flow, marks the disagreement, links every row to the simulated ladder, and
 * lists a not-comparable run with its reasons. The kernel test (test/cli/verify-html.test.ts) runs
 * the real thing.
 */
import { describe, expect, it } from 'vitest';
import { verifyHtml } from '../../../src/cli/verify-html.js';
import { recordSnapshots } from '../../../src/engine/recorder.js';
import { createStatefulFirewall } from '../../../src/engine/stateful/firewall.js';
import { buildRunReport } from '../../../src/report/run.js';
import { simulate } from '../../../src/sim/run.js';
import { compareRuns } from '../../../src/verify/agreement.js';
import type { KernelFlow } from '../../../src/verify/kernel-flows.js';
import type { KernelRun } from '../../../src/verify/kernel.js';
import type { VerifyJob, VerifyResult } from '../../../src/verify/verify.js';
import { tableNotes, tableRows } from '../../helpers/html.js';
import { lineOf, loadBundledScenario, loadPolicy } from '../../helpers/run.js';

describe('verify --format html, from verify results', () => {
  const scenario = loadBundledScenario('scenarios/passive-download.yaml');
  const policy = loadPolicy('rules/stateful.cfg');
  const rec = recordSnapshots(createStatefulFirewall(policy));
  const simulation = buildRunReport({ scenario: scenario.name, source: scenario.source, config: 'rules/stateful.cfg', engine: 'stateful' }, simulate(scenario, rec.firewall));
  const job: VerifyJob = { scenario, policy, config: 'rules/stateful.cfg', engine: 'stateful', interfaceMap: new Map() };
  // the kernel as it would report a data connection it dropped (the simulation passes it)
  const kernelFlows: KernelFlow[] = simulation.flows.map((f) => ({
    id: f.id,
    session: f.session!,
    role: f.role === 'other' ? 'other' : f.role,
    proto: 'tcp',
    client: f.client,
    server: f.server,
    outcome: f.role === 'data' ? 'blocked' : 'passed',
    firstBlocked: f.role === 'data' ? { n: 14, packet: `SYN ${f.client} → ${f.server}`, ingress: 'GigabitEthernet2/1/1', device: 'fw0' } : null,
    packets: 3,
    dropped: f.role === 'data' ? 3 : 0,
    handshakeForwarded: f.role !== 'data',
  }));
  const kernel: KernelRun = {
    scenario: scenario.name,
    source: scenario.source,
    diagnostics: [],
    flows: kernelFlows,
    sessions: [],
    expectations: [],
    pendingExpectations: [],
    conntrack: [],
    counters: [],
    capture: undefined,
    listing: undefined,
    arrived: [],
    notes: ['SYN retries: net.ipv4.tcp_syn_retries=2'],
  };
  const agreement = compareRuns({
    kernel: kernelFlows,
    simulation: simulation.flows,
    replay: [],
    kernelSessions: [{ session: 'download', verdict: { works: false, summary: 'RETR failed: connect timed out' } }],
    simulationSessions: simulation.sessions,
  });
  const results: VerifyResult[] = [
    { kind: 'compared', job, agreement, kernel, simulation, simulationTables: rec.snapshots(), replayDiagnostics: [], readback: undefined, payloads: [] },
    { kind: 'not-comparable', job: { ...job, scenario: { ...scenario, source: 'scenarios/ftps.yaml' } }, reasons: ['vsftpd runs without TLS here'] },
  ];
  const html = verifyHtml(results, 'verify: 0 of 1 runs agree (agreement: 0/2 flows); 1 not comparable (reasons above)');

  it('shows, per flow, the kernel, the simulation and the replay side by side, and marks the disagreements', () => {
    const rows = tableRows(html, 'verify scenarios/passive-download.yaml × rules/stateful.cfg [stateful]: kernel vs ftpwall, flow by flow');
    expect(rows[0]).toEqual(['flow', 'kernel (Linux netfilter)', 'ftpwall simulation', 'ftpwall replay of the kernel capture', 'agree?']);
    expect(rows.slice(1)).toEqual(
      agreement.flows.map((f) => [
        `download ${f.simulation!.role} ${f.client} → ${f.server}`,
        f.simulation!.role === 'data' ? `data blocked at SYN ${f.client} → ${f.server} on GigabitEthernet2/1/1: not forwarded` : `${f.simulation!.role} passed`,
        `${f.simulation!.role} passed`,
        '— (no such flow)',
        `NO: ${f.problem}`,
      ]),
    );
    expect(simulation.flows.map((f) => f.outcome)).toEqual(['passed', 'passed']);
    // the disagreeing cells are marked as such (class bad), the flow cell links to the simulated ladder
    expect(html).toContain('<td><span class="bad">NO: no such flow in the replay</span></td>');
    expect(html).toMatch(/<th scope="row"><a class="bad" href="#run-1">download data /);
    const notes = tableNotes(html, 'verify scenarios/passive-download.yaml × rules/stateful.cfg [stateful]: kernel vs ftpwall, flow by flow');
    expect(notes[0]).toBe('disagreement: 2 of 2 flows, 1 of 1 FTP verdicts');
    expect(notes[1]).toBe(`session download: FTP fails in the kernel (RETR failed: connect timed out), works in the simulation (${simulation.sessions[0]!.summary}) — DISAGREE`);
    expect(notes).toContain('note: SYN retries: net.ipv4.tcp_syn_retries=2');
  });

  it('draws the simulated run with its tables, opening at the 227 pinhole step in the data', () => {
    const data = JSON.parse(/<script id="ftpwall-data" type="application\/json">([\s\S]*?)<\/script>/.exec(html)![1]!) as {
      runs: { id: string; tables: boolean; steps: { n: number; events: string[]; line?: number; by?: string }[] }[];
    };
    expect(data.runs.map((r) => r.id)).toEqual(['run-1']);
    expect(data.runs[0]!.tables).toBe(true);
    const open = simulation.events.find((e) => e.kind === 'expectation-open')!;
    expect(data.runs[0]!.steps.find((s) => s.n === open.packet)!.events).toContain(`expectation-open: ${open.text}`);
    // the control SYN is decided by the ACL line that permits it
    const syn = data.runs[0]!.steps.find((s) => s.n === 1)!;
    expect(syn.line).toBe(Number(/:(\d+)\)$/.exec(syn.by!)![1]));
    expect(syn.line).toBeGreaterThan(0);
    expect(html).toContain(`id="run-1-L${syn.line}"`);
    expect(lineOf('rules/stateful.cfg', 'acl advanced 3000')).toBeLessThan(syn.line!);
  });

  it('lists a run that was not compared with its reasons, and the summary line on top', () => {
    expect(tableRows(html, 'verify scenarios/ftps.yaml × rules/stateful.cfg [stateful]: not comparable, not run')).toEqual([['reason'], ['vsftpd runs without TLS here']]);
    expect(html).toContain('<p class="prose">verify: 0 of 1 runs agree (agreement: 0/2 flows); 1 not comparable (reasons above)</p>');
  });
});
