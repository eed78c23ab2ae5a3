/**
 * `probe --format html`: the probe's matrices (mode × client profile, per server, client side and
 * server profile), each cell linking to the ladder of the run that shows its verdict: the run of
 * its first blocked packet, or a working run. Cells of one server with the same mode, verdict and
 * blocking rule share one ladder (so the page stays under 1 MB), re-simulated here with the table
 * snapshots recorded.
 */
import { formatIp } from '../net/address.js';
import { rangeText } from '../probe/cells.js';
import type { ProbeCell, ProbeResult } from '../probe/probe.js';
import { PROBE_MODES } from '../probe/profiles.js';
import { probeScenario, type RunSetup } from '../probe/simulate.js';
import { formatLadder } from '../report/ladder.js';
import { hangingWrap } from '../report/text-wrap.js';
import type { Style } from '../report/style.js';
import { renderHtml, type HtmlCell, type HtmlRun, type HtmlTable } from '../report/html/render.js';
import { buildRunReport, type RunReport } from '../report/run.js';
import { simulate } from '../sim/run.js';
import { maybeRecord } from './html.js';
import type { PreparedProbe } from './probe.js';

function verdictCell(c: ProbeCell, run: number | undefined): HtmlCell {
  const text =
    c.verdict === 'partly' ? `partly ${c.workingPorts.toLocaleString('en-US')}/${c.totalPorts.toLocaleString('en-US')}` : c.verdict === 'n/a' ? '-' : c.verdict;
  const tone = c.verdict === 'works' ? 'good' : c.verdict === 'blocked' ? 'bad' : c.verdict === 'partly' ? 'warn' : 'dim';
  return { text, tone, title: c.summary, ...(run !== undefined ? { run } : {}) };
}

/** A run of the probe with the whole run report (the HTML page reads its run part). */
type ExampleRun = HtmlRun & { readonly report: RunReport };

/** The run that shows one cell's verdict, with its snapshots. */
function exampleRun(prepared: PreparedProbe, result: ProbeResult, c: ProbeCell, title: string): ExampleRun | undefined {
  const req = prepared.request;
  const server = req.servers.find((s) => formatIp(s.address) === c.server && s.interface === c.serverInterface);
  const client = result.clients.find((x) => x.server === c.server && formatIp(x.address) === c.client && x.interface === c.clientInterface);
  const sp = req.serverProfiles.find((p) => p.name === c.serverProfile);
  const cp = req.clientProfiles.find((p) => p.name === c.clientProfile);
  if (!server || !client || !sp || !cp || !c.example) return undefined;
  const setup: RunSetup = { server, client, serverProfile: sp, clientProfile: cp, mode: c.mode, firewall: req.firewall };
  const rec = maybeRecord(req.firewall(), true);
  const trace = simulate(probeScenario(setup, c.example), rec.firewall);
  const report = buildRunReport({ scenario: title, source: '(probe)', config: prepared.file, engine: req.engine }, trace);
  const snapshots = new Map<object, import('../engine/recorder.js').SnapshotSeries>();
  rec.keep(report, snapshots);
  const s = snapshots.get(report);
  return s && s.length > 0 ? { report, snapshots: s } : { report };
}

/** Cells that share a ladder: one server, mode, verdict and blocking rule (and port count when partly). */
function ladderKey(c: ProbeCell): string {
  return `${c.server}|${c.mode}|${c.verdict}|${c.verdict === 'partly' ? `${c.workingPorts}/${c.totalPorts}` : ''}|${c.firstBlocked?.by ?? ''}`;
}

/** One run per group of cells that share a ladder (ladderKey), with the title that says what it stands for. */
export function sharedExampleRuns(prepared: PreparedProbe, result: ProbeResult): { readonly key: string; readonly run: ExampleRun }[] {
  // one ladder per server, mode, verdict and blocking rule, whichever client side and profiles: the page
  // stays small (a run is ~30 KB), and a cell's own summary is its link's title
  const shared = new Map<string, ProbeCell[]>();
  for (const c of result.cells) {
    if (c.verdict === 'n/a' || !c.example) continue;
    const list = shared.get(ladderKey(c));
    if (list) list.push(c);
    else shared.set(ladderKey(c), [c]);
  }
  const out: { key: string; run: ExampleRun }[] = [];
  for (const [key, list] of shared) {
    const c = list[0]!;
    const ports = c.example!;
    const others = list.length - 1;
    const title =
      `${c.mode} ${c.verdict}${c.firstBlocked ? ` by ${c.firstBlocked.by}` : ''}: ${c.clientProfile} against ${c.serverProfile}, ${c.client} (${c.clientInterface}) → ${c.server}, ` +
      `client ports ${ports.control}/${ports.clientData}, server ${ports.server[0] === ports.server[1] ? ports.server[0] : rangeText(ports.server[0], ports.server[1])}` +
      `${others > 0 ? `; stands for ${others} more cell${others === 1 ? '' : 's'} with this verdict` : ''}`;
    const run = exampleRun(prepared, result, c, title);
    if (run) out.push({ key, run });
  }
  return out;
}

/** The probe as one self-contained HTML page. */
export function probeHtml(prepared: PreparedProbe, result: ProbeResult): string {
  const runs: HtmlRun[] = [];
  const tables: HtmlTable[] = [];
  const runOf = new Map<string, number>();
  for (const { key, run } of sharedExampleRuns(prepared, result)) {
    runs.push(run);
    runOf.set(key, runs.length - 1);
  }
  const linkOf = (c: ProbeCell): number | undefined => (c.verdict === 'n/a' ? undefined : runOf.get(ladderKey(c)));
  const groups = new Map<string, ProbeCell[]>();
  for (const c of result.cells) {
    const key = `${c.server} ← ${c.client} (${c.clientInterface}), server profile ${c.serverProfile}`;
    const g = groups.get(key);
    if (g) g.push(c);
    else groups.set(key, [c]);
  }
  for (const [key, cells] of groups) {
    const profiles = [...new Set(cells.map((c) => c.clientProfile))];
    const modes = PROBE_MODES.filter((m) => cells.some((c) => c.mode === m));
    const rows = modes.map((m) => [
      { text: m } as HtmlCell,
      ...profiles.map((p) => {
        const c = cells.find((x) => x.mode === m && x.clientProfile === p);
        return c ? verdictCell(c, linkOf(c)) : { text: '' };
      }),
    ]);
    const notes: HtmlCell[] = cells
      .filter((c) => c.verdict === 'blocked' || c.verdict === 'partly')
      .map((c) => {
        const run = linkOf(c);
        return { text: `${c.mode} ${c.clientProfile}: ${c.summary}`, tone: c.verdict === 'blocked' ? 'bad' : 'warn', ...(run !== undefined ? { run } : {}) };
      });
    tables.push({ title: key, head: ['mode', ...profiles], rows, notes });
  }
  const intro: string[] = [];
  for (const s of result.servers) intro.push(`FTP server ${formatIp(s.address)} behind ${s.interface} (from ${s.origin}).`);
  for (const c of result.clients) intro.push(`Clients of ${c.server}: ${c.any ? `any address on ${c.interface}, shown as ${formatIp(c.address)}` : `${formatIp(c.address)} on ${c.interface}`}.`);
  for (const o of result.openFamilies)
    intro.push(`IPv${o.open} open: ${o.interface} filters IPv${o.filtered} ${o.direction} (acl ${o.acl}, ${o.at}) but has no IPv${o.open} packet filter ${o.direction}: every IPv${o.open} packet passes there.`);
  for (const n of result.notes) intro.push(`Note: ${n}`);
  intro.push(
    'Each cell links to the ladder of a run that shows its verdict: the run of its first blocked packet, or a working run. Cells of one server, mode, verdict and blocking rule share one ladder (its title names the cell it was run for); hover a cell for its own summary.',
  );
  const counts = { works: 0, blocked: 0, partly: 0 };
  for (const c of result.cells) if (c.verdict !== 'n/a') counts[c.verdict]++;
  const outro = [`${counts.works} ${counts.works === 1 ? 'cell works' : 'cells work'}, ${counts.partly} partly, ${counts.blocked} blocked (${result.cells.reduce((n, c) => n + c.runs, 0)} simulations, every port of every range covered by port-space cells).`];
  return renderHtml({ title: `ftpwall probe: ${prepared.file} [${result.engine}]`, intro, runs, configs: { [prepared.file]: prepared.text }, tables, outro });
}

/**
 * `probe --format ladder`: the text ladder of each run that shows a verdict (one per server, mode,
 * verdict and blocking rule, as on the HTML page), under a heading that says which cells it stands for.
 */
export function probeLadders(prepared: PreparedProbe, result: ProbeResult, style?: Style): string {
  const out: string[] = [];
  for (const { run } of sharedExampleRuns(prepared, result)) {
    if (out.length > 0) out.push('');
    for (const l of hangingWrap('## ', '   ', run.report.scenario, 100)) out.push(l);
    for (const line of formatLadder(run.report, style ? { style } : {})) out.push(line);
  }
  return `${out.join('\n')}\n`;
}
