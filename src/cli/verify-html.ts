/**
 * `verify --format html`: per scenario × config, the kernel's and ftpwall's verdicts side by side,
 * flow by flow (kernel, simulation, replay of the kernel's capture), disagreements marked, then the
 * simulated run as a ladder with the conntrack and expectation tables at each packet.
 */
import { formatDiagnostic } from '../diag/diagnostic.js';
import { renderHtml, type HtmlCell, type HtmlRun, type HtmlTable } from '../report/html/render.js';
import type { FlowCell, FlowRow } from '../verify/agreement.js';
import type { VerifyResult } from '../verify/verify.js';
import { configTexts } from './html.js';

function outcomeCell(c: FlowCell | undefined, run: number): HtmlCell {
  if (c === undefined) return { text: '— (no such flow)', tone: 'dim', run };
  return { text: `${c.role} ${c.outcome}${c.blockedAt ? ` at ${c.blockedAt}` : ''}`, tone: c.outcome === 'passed' ? 'good' : 'bad', run };
}

function flowRow(f: FlowRow, run: number): HtmlCell[] {
  const role = f.kernel?.role ?? f.simulation?.role ?? f.replay?.role ?? 'other';
  return [
    { text: `${f.session ? `${f.session} ` : ''}${role} ${f.client} → ${f.server}`, run, ...(f.agree ? {} : { tone: 'bad' as const }) },
    outcomeCell(f.kernel, run),
    outcomeCell(f.simulation, run),
    outcomeCell(f.replay, run),
    f.agree ? { text: 'yes', tone: 'good' } : { text: `NO: ${f.problem ?? 'differs'}`, tone: 'bad' },
  ];
}

/** The heading of one result, as the text report prints it. */
function head(r: VerifyResult): string {
  return `verify ${r.job.scenario.source} × ${r.job.config} [${r.job.engine}]`;
}

/** The verify results as one self-contained HTML page; `summary` is the closing line of the text report. */
export function verifyHtml(results: readonly VerifyResult[], summary: string): string {
  const runs: HtmlRun[] = [];
  const tables: HtmlTable[] = [];
  for (const r of results) {
    if (r.kind === 'not-comparable') {
      tables.push({ title: `${head(r)}: not comparable, not run`, head: ['reason'], rows: r.reasons.map((x) => [{ text: x, tone: 'dim' }]) });
      continue;
    }
    if (r.kind === 'refused') {
      tables.push({ title: `${head(r)}: refused`, head: ['problem'], rows: r.diagnostics.map((d) => [{ text: formatDiagnostic(d), tone: 'bad' }]) });
      continue;
    }
    runs.push(r.simulationTables ? { report: r.simulation, snapshots: r.simulationTables } : { report: r.simulation });
    const run = runs.length - 1;
    const a = r.agreement;
    const agreeing = a.flows.filter((f) => f.agree).length;
    const sessionsAgreeing = a.sessions.filter((s) => s.agree).length;
    const verdict = (w: boolean): string => (w ? 'works' : 'fails');
    const notes: HtmlCell[] = [
      a.agree
        ? { text: `agreement: ${agreeing}/${a.flows.length} flows, ${sessionsAgreeing}/${a.sessions.length} FTP verdicts`, tone: 'good' }
        : { text: `disagreement: ${a.flows.length - agreeing} of ${a.flows.length} flows, ${a.sessions.length - sessionsAgreeing} of ${a.sessions.length} FTP verdicts`, tone: 'bad' },
      ...a.sessions.map(
        (s): HtmlCell => ({
          text: `session ${s.session}: FTP ${verdict(s.kernel.works)} in the kernel (${s.kernel.summary}), ${verdict(s.simulation.works)} in the simulation (${s.simulation.summary})${s.agree ? '' : ' — DISAGREE'}`,
          ...(s.agree ? {} : { tone: 'bad' as const }),
        }),
      ),
      ...r.kernel.expectations
        .filter((e) => e.event === 'NEW')
        .map((e): HtmlCell => ({ text: `kernel FTP helper expectation: ${e.src}:* → ${e.dst}, announced on ${e.masterClient} → ${e.masterServer} (timeout ${e.timeoutSec} s)` })),
      ...r.kernel.notes.map((n): HtmlCell => ({ text: `note: ${n}`, tone: 'dim' })),
      ...r.replayDiagnostics.map((d): HtmlCell => ({ text: `replay: ${d.message}`, tone: 'warn' })),
      ...(r.kernel.capture ? [{ text: `kernel capture: ${r.kernel.capture.file}${r.kernel.capture.arrived ? ` (as arrived: ${r.kernel.capture.arrived})` : ''}`, tone: 'dim' as const }] : []),
    ];
    tables.push({
      title: `${head(r)}: kernel vs ftpwall, flow by flow`,
      head: ['flow', 'kernel (Linux netfilter)', 'ftpwall simulation', 'ftpwall replay of the kernel capture', 'agree?'],
      rows: a.flows.map((f) => flowRow(f, run)),
      notes,
    });
  }
  return renderHtml({
    title: `ftpwall verify: ${results.length} run${results.length === 1 ? '' : 's'} through the Linux kernel and ftpwall`,
    intro: [
      summary,
      'Each flow is matched by its client and server endpoints and compared by role and outcome in the kernel, in ftpwall’s simulation of the scenario and in ftpwall’s replay of the capture the kernel run made. Each table links to the simulated run’s ladder below.',
    ],
    runs,
    configs: configTexts(results.map((r) => r.job.config)),
    tables,
  });
}
