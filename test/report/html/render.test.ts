import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { recordSnapshots, type SnapshotSeries } from '../../../src/engine/recorder.js';
import { createStatefulFirewall } from '../../../src/engine/stateful/firewall.js';
import { createStaticFirewall } from '../../../src/engine/static.js';
import { configLine, MIN_FOLD, pageRun, type PageStep } from '../../../src/report/html/page-data.js';
import { renderHtml } from '../../../src/report/html/render.js';
import { buildRunReport, type RunReport } from '../../../src/report/run.js';
import { simulate } from '../../../src/sim/run.js';
import { loadBundledScenario, loadPolicy, ROOT } from '../../helpers/run.js';

function run(scenario: string, config: string): { report: RunReport; snapshots: SnapshotSeries } {
  const s = loadBundledScenario(`scenarios/${scenario}.yaml`);
  const policy = loadPolicy(config);
  const stateful = policy.inspections.length > 0;
  const rec = recordSnapshots(stateful ? createStatefulFirewall(policy) : createStaticFirewall(policy));
  const trace = simulate(s, rec.firewall);
  return { report: buildRunReport({ scenario: s.name, source: s.source, config, engine: stateful ? 'stateful' : 'static' }, trace), snapshots: rec.snapshots() };
}

const stepAt = (steps: readonly PageStep[], n: number): PageStep => steps.find((s) => s.n === n || (s.n <= n && (s.last ?? s.n) >= n))!;

describe('the HTML page data', () => {
  it('narrates the 227 as the helper reading it and opening a one-shot pinhole', () => {
    const { report, snapshots } = run('passive-download', 'rules/stateful.cfg');
    const page = pageRun({ report, snapshots }, 0);
    const n = report.events.find((e) => e.kind === 'expectation-open')!.packet!;
    expect(stepAt(page.steps, n).narration).toBe(
      'The server 192.168.10.1 answers “227 Entering Passive Mode (192,168,10,1,195,100).”; conntrack knows the connection, so the firewall passes it; ' +
        "the firewall's FTP helper reads it and opens a one-shot pinhole for 10.0.0.2:* → 192.168.10.1:50020.",
    );
    // and the data SYN that uses it
    expect(stepAt(page.steps, n + 1).narration).toBe(
      'The client 10.0.0.2 opens a data connection to 192.168.10.1:50020 (SYN); it matches a pinhole (expectation from 227 in packet 12 (conntrack related, connection 2)), so the firewall passes it; ' +
        'the pinhole is used up: it lets no second connection in; conntrack starts tracking it as connection 2 (RELATED).',
    );
    expect(stepAt(page.steps, n + 1).v).toBe('r');
  });

  it('narrates a denied SYN-ACK with the rule, and points at the rule line of the config', () => {
    const { report } = run('passive-download', 'rules/seed-active.cfg');
    const page = pageRun({ report }, 0);
    const blocked = report.flows.find((f) => f.firstBlocked)!.firstBlocked!;
    const step = stepAt(page.steps, blocked.n);
    expect(step.v).toBe('d');
    expect(step.narration).toBe(
      'The server 192.168.10.1 accepts the data connection from 10.0.0.2:50001 (SYN-ACK); the firewall drops it: acl 3000 rule 10 (rules/seed-active.cfg:10) denies it.',
    );
    expect(step.line).toBe(10);
    expect(readFileSync(resolve(ROOT, 'rules/seed-active.cfg'), 'utf8').split('\n')[9]).toBe(' rule deny ip');
    expect(page.tables).toBe(false);
  });

  it('reads the config line from `by` only for the run\'s own config', () => {
    expect(configLine('acl 3000 rule 10 (rules/seed-active.cfg:10)', 'rules/seed-active.cfg')).toBe(10);
    expect(configLine('packet-filter default deny (rules/default-deny.cfg:9) (no rule of acl 3000 matched inbound on X)', 'rules/default-deny.cfg')).toBe(9);
    expect(configLine('conntrack established (connection 1)', 'rules/stateful.cfg')).toBeUndefined();
    expect(configLine('acl 3000 rule 10 (rules/other.cfg:10)', 'rules/stateful.cfg')).toBeUndefined();
  });

  it('folds a run of data segments into one step with their count and size', () => {
    const { report } = run('passive-download', 'rules/stateful.cfg');
    const page = pageRun({ report }, 0);
    const folds = page.steps.filter((s) => s.last !== undefined);
    expect(folds.map((s) => [s.n, s.last, s.label])).toEqual([[19, 25, '… 7 data segments, 9.8 KiB']]);
    expect(report.packets.slice(18, 25).reduce((a, p) => a + p.len, 0)).toBe(10_000);
  });

  for (const scenario of readdirSync(resolve(ROOT, 'scenarios')).filter((f) => f.endsWith('.yaml')).map((f) => f.replace(/\.yaml$/, ''))) {
    it(`${scenario}: every packet is in exactly one step, a denied or eventful one never in a fold, folds have at least ${MIN_FOLD}`, () => {
      const config = scenario.startsWith('ipv6') ? 'rules/stateful-v6.cfg' : 'rules/stateful.cfg';
      for (const cfg of [config, scenario.startsWith('ipv6') ? 'rules/ipv6.cfg' : 'rules/seed-active.cfg']) {
        const { report, snapshots } = run(scenario, cfg);
        const page = pageRun({ report, snapshots }, 0);
        const covered: number[] = [];
        for (const s of page.steps) if (s.n > 0) for (let n = s.n; n <= (s.last ?? s.n); n++) covered.push(n);
        expect(covered).toEqual(report.packets.map((p) => p.n));
        const withEvents = new Set(report.events.flatMap((e) => (e.packet !== undefined ? [e.packet] : [])));
        for (const s of page.steps.filter((x) => x.last !== undefined)) {
          expect(s.last! - s.n + 1).toBeGreaterThanOrEqual(MIN_FOLD);
          for (let n = s.n; n <= s.last!; n++) {
            expect(report.packets[n - 1]!.action).toBe('permit');
            expect(withEvents.has(n)).toBe(false);
          }
        }
        // timer events (no packet) are steps of their own
        expect(page.steps.filter((s) => s.v === 'e').length).toBe(report.events.filter((e) => e.packet === undefined).length);
      }
    });
  }
});

describe('renderHtml', () => {
  it('writes one self-contained page: a CSP that forbids network requests, no external URL, the data escaped', () => {
    const { report, snapshots } = run('passive-download', 'rules/stateful.cfg');
    const hostile = '# </script><script>alert(1)</script> <!-- \u2028\n rule deny ip\n';
    const html = renderHtml({ title: 'a <b> test', runs: [{ report: { ...report, config: 'x.cfg' }, snapshots }], configs: { 'x.cfg': hostile } });
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'">`);
    expect(html.match(/<script/g)!.length).toBe(2);
    expect(html).not.toContain('<script>alert');
    expect(html).toContain('<code># &lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt; &lt;!-- \u2028</code>');
    expect(html).toContain('<title>a &lt;b&gt; test</title>');
    const urls = [...html.matchAll(/https?:\/\/[^\s"'<)]+/g)].map((m) => m[0]);
    expect(new Set(urls)).toEqual(new Set(['http://www.w3.org/2000/svg']));
  });
});
