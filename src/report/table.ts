/** The human-readable report of runs: a verdict line, a flow table, and optionally the packet trace. */
import type { RunReport } from '../model/index.js';
import { formatPacketTrace, PACKET_TRACE_WIDTH } from './packets.js';
import { fitLines, formatTableWithin, PLAIN_STYLE, type Style } from './style.js';

/** Options for the text report. */
export interface TableOptions {
  /** include the per-packet trace with events */
  readonly packets: boolean;
  readonly style?: Style;
}

/** Formats one run as lines of text, each at most PACKET_TRACE_WIDTH (100) columns: longer text wraps under itself. */
export function formatRun(run: RunReport, options: TableOptions): string[] {
  const st = options.style ?? PLAIN_STYLE;
  // a working session's summary already starts with "FTP works"
  const verdict = run.ftp.works ? (run.ftp.summary.startsWith('FTP works') ? '' : `${st.good('FTP works')}: `) : `${st.bad('FTP fails')}: `;
  const out: string[] = [];
  const width = PACKET_TRACE_WIDTH;
  for (const l of fitLines([`${run.scenario} (${run.source}) × ${run.config} [${run.engine}]`], width)) out.push(st.bold(l));
  for (const l of fitLines([`  ${verdict}${run.ftp.summary.replace(/^FTP works/, st.good('FTP works'))}`], width)) out.push(l);
  if (run.sessions.length > 1) for (const s of run.sessions) for (const l of fitLines([`    ${s.name}: ${s.works ? st.good('works') : st.bad('fails')}: ${s.summary}`], width)) out.push(l);
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
  for (const line of formatTableWithin(rows, width)) out.push(line);
  if (options.packets) {
    out.push('', '  packets:');
    for (const line of formatPacketTrace(run, st)) out.push(line);
  }
  return out;
}
