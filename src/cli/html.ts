/** `--format html` for the commands: records table snapshots while a run simulates, and builds the page. */
import { readFileSync } from 'node:fs';
export { exposureLine } from '../analysis/exposure-text.js';
import { recordSnapshots, type SnapshotSeries } from '../engine/recorder.js';
import type { Firewall } from '../engine/verdict.js';
import type { TextOut } from '../output/json.js';
import { writeHtml, type HtmlDocument, type HtmlMatrixColumn, type ReportRun } from '../report/html/render.js';

/** Snapshots recorded per run, keyed by the run's report object. */
export type SnapshotsByRun = Map<object, SnapshotSeries>;
/** A sentence (capitalised, with its full stop) the page or diagram shows above a run's packets (a capture's window of them), keyed by the run's report object. */
export type PageNotes = Map<object, string>;

/** Wraps a firewall with a recorder when `on`; `keep` stores the snapshots once the run's report exists. */
export function maybeRecord(firewall: Firewall, on: boolean): { firewall: Firewall; keep: (report: object, into: SnapshotsByRun) => void } {
  if (!on) return { firewall, keep: () => undefined };
  const rec = recordSnapshots(firewall);
  return { firewall: rec.firewall, keep: (report, into) => into.set(report, rec.snapshots()) };
}

/** The texts of the configs the runs name (already read once by the loader). */
export function configTexts(files: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of new Set(files)) {
    try {
      out[f] = readFileSync(f, 'utf8');
    } catch {
      // the loader read it moments ago; without it the page says the text is not available
    }
  }
  return out;
}

/** The HTML page of a replay, written to `out` in pieces (writeHtml). */
export function replayHtml(runs: readonly ReportRun[], snapshots: SnapshotsByRun, notes?: PageNotes): (out: TextOut) => void {
  const title = runs.length === 1 ? `ftpwall replay: ${runs[0]!.scenario} × ${runs[0]!.config}` : `ftpwall replay: ${runs.length} runs`;
  const doc: HtmlDocument = {
    title,
    runs: runs.map((report) => {
      const s = snapshots.get(report);
      const window = notes?.get(report);
      return { report, ...(s ? { snapshots: s } : {}), ...(window !== undefined ? { window } : {}) };
    }),
    configs: configTexts(runs.map((r) => r.config)),
  };
  return (out) => writeHtml(out, doc);
}

/** The HTML page of a comparison: the matrix, then every cell's run. */
export function compareHtml(
  scenarios: readonly string[],
  columns: readonly { readonly config: string; readonly engine: string; readonly runs: readonly ReportRun[]; readonly exposure: readonly string[] }[],
  snapshots: SnapshotsByRun,
): (out: TextOut) => void {
  const runs: ReportRun[] = [];
  const cols: HtmlMatrixColumn[] = columns.map((c) => {
    const idx = c.runs.map((r) => {
      runs.push(r);
      return runs.length - 1;
    });
    return { config: c.config, engine: c.engine, runs: idx, exposure: c.exposure };
  });
  const doc: HtmlDocument = {
    title: `ftpwall compare: ${scenarios.length} scenario${scenarios.length === 1 ? '' : 's'} × ${columns.length} polic${columns.length === 1 ? 'y' : 'ies'}`,
    runs: runs.map((report) => {
      const s = snapshots.get(report);
      return s ? { report, snapshots: s } : { report };
    }),
    configs: configTexts(columns.map((c) => c.config)),
    matrix: { scenarios, columns: cols },
  };
  return (out) => writeHtml(out, doc);
}
