/** The human-readable report of runs: a verdict line, a flow table, and optionally the packet trace. */
import type { RunReport } from '../model/index.js';
import { formatPacketTrace } from './packets.js';
import { formatTable, PLAIN_STYLE, type Style } from './style.js';

/** Options for the text report. */
export interface TableOptions {
  /** include the per-packet trace with events */
  readonly packets: boolean;
  readonly style?: Style;
}

/** Formats one run as lines of text. */
export function formatRun(run: RunReport, options: TableOptions): string[] {
  const st = options.style ?? PLAIN_STYLE;
  // a working session's summary already starts with "FTP works"
  const verdict = run.ftp.works ? (run.ftp.summary.startsWith('FTP works') ? '' : `${st.good('FTP works')}: `) : `${st.bad('FTP fails')}: `;
  const out: string[] = [];
  out.push(st.bold(`${run.scenario} (${run.source}) × ${run.config} [${run.engine}]`));
  out.push(`  ${verdict}${run.ftp.summary.replace(/^FTP works/, st.good('FTP works'))}`);
  if (run.sessions.length > 1) for (const s of run.sessions) out.push(`    ${s.name}: ${s.works ? st.good('works') : st.bad('fails')}: ${s.summary}`);
  const rows: string[][] = [['#', 'role', 'client', 'server', 'outcome', 'first blocked packet']];
  for (const f of run.flows) {
    rows.push([
      String(f.id),
      f.role,
      f.client,
      f.server,
      f.outcome === 'passed' ? st.good('passed') : st.bad('blocked'),
      f.firstBlocked ? `#${f.firstBlocked.n} ${f.firstBlocked.packet} denied by ${f.firstBlocked.by}` : '',
    ]);
  }
  out.push('');
  for (const line of formatTable(rows)) out.push(line);
  if (options.packets) {
    out.push('', '  packets:');
    for (const line of formatPacketTrace(run, st)) out.push(line);
  }
  return out;
}
