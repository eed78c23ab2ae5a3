/** The human-readable report of runs: a verdict line, a flow table, and optionally the packet trace. */
import type { RunReport } from './run.js';
import { formatTable, PLAIN_STYLE, type Style } from './style.js';

/** Options for the text report. */
export interface TableOptions {
  /** include the per-packet trace with events */
  readonly packets: boolean;
  readonly style?: Style;
}

function ms(tMs: number): string {
  return (tMs / 1000).toFixed(3);
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
  out.push('', ...formatTable(rows));
  if (options.packets) {
    out.push('', '  packets:');
    const eventsAt = new Map<number, string[]>();
    const loose: { tMs: number; text: string }[] = [];
    for (const e of run.events) {
      if (e.packet !== undefined) eventsAt.set(e.packet, [...(eventsAt.get(e.packet) ?? []), `${e.kind}: ${e.text}`]);
      else loose.push({ tMs: e.tMs, text: `${e.kind}: ${e.text}` });
    }
    const prows: string[][] = [['n', 't(s)', 'flow', 'packet', 'len', 'verdict', 'by']];
    const addLoose = (upTo: number): void => {
      while (loose.length > 0 && loose[0]!.tMs <= upTo) {
        const e = loose.shift()!;
        prows.push(['', ms(e.tMs), '', st.dim(`· ${e.text}`), '', '', '']);
      }
    };
    for (const p of run.packets) {
      addLoose(p.tMs);
      const what = `${p.flags ?? p.proto} ${p.src} → ${p.dst}${p.text !== undefined ? `  "${p.text}"` : ''}`;
      prows.push([
        String(p.n),
        ms(p.tMs),
        String(p.flow),
        what,
        String(p.len),
        p.action === 'permit' ? st.good('permit') : st.bad('deny'),
        `${p.by}${p.note ? ` · ${p.note}` : ''}`,
      ]);
      if (p.natSrc !== undefined || p.natDst !== undefined || p.natText !== undefined) {
        // NAT: the packet as it left the firewall (the row above is as it arrived)
        const t = p.natText ?? p.text;
        prows.push(['', '', '', `⇒ leaves as ${p.natSrc ?? p.src} → ${p.natDst ?? p.dst}${t !== undefined ? `  "${t}"` : ''}`, '', '', '']);
      }
      for (const e of eventsAt.get(p.n) ?? []) prows.push(['', '', '', st.dim(`↳ ${e}`), '', '', '']);
    }
    addLoose(Number.POSITIVE_INFINITY);
    out.push(...formatTable(prows));
  }
  return out;
}
