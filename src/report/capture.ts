/** The text lines that follow a capture run's flow table: counters, topology, data links, notes. */
import { countWord as plural, type RunReport } from '../model/index.js';
import { hangingWrap } from './text-wrap.js';

/** Every line fits this many columns; a long one wraps under itself, indented two more. */
const WIDTH = 100;

function wrapped(out: string[], indent: string, text: string): void {
  for (const l of hangingWrap(indent, `${indent}  `, text, WIDTH)) out.push(l);
}

/** Lines that follow the flow table of a capture run (none for a scenario run). */
export function captureLines(run: RunReport): string[] {
  if (run.capture === undefined) return [];
  const s = run.capture.stats;
  const out: string[] = [''];
  const skipped = Object.entries(s.skipped).map(([why, k]) => `${k} ${why}`);
  wrapped(
    out,
    '  ',
    `capture: ${plural(s.records, 'record')}, ${plural(s.packets, 'IP packet')}: ${s.crossing} crossing the firewall (${s.permitted} permitted, ${s.denied} denied), ${s.notCrossing} not crossing` +
      (s.malformed > 0 ? `; ${s.malformed} malformed skipped` : '') +
      (skipped.length > 0 ? `; not IP: ${skipped.join(', ')}` : ''),
  );
  wrapped(out, '  ', `topology: ${run.capture.topology}`);
  const full = s.events['conntrack-table-full'] ?? 0;
  const replaced = s.events['expectation-replaced'] ?? 0;
  const helperDrops = s.events['helper-drop'] ?? 0;
  if (s.earlyDrops > 0 || full > 0 || replaced > 0 || helperDrops > 0) {
    const parts: string[] = [];
    if (s.earlyDrops > 0) parts.push(`${s.earlyDrops} unassured ${s.earlyDrops === 1 ? 'entry' : 'entries'} evicted to make room (early_drop)`);
    if (full > 0) parts.push(`${plural(full, 'packet')} dropped because the table was full (conntrack-table-full)`);
    if (replaced > 0) parts.push(`${plural(replaced, 'expectation')} replaced by a newer one on the same control connection (expectation-replaced)`);
    if (helperDrops > 0) parts.push(`${plural(helperDrops, 'packet')} dropped by the FTP helper (helper-drop)`);
    wrapped(out, '  ', `conntrack: ${parts.join('; ')}`);
  }
  if (run.capture.flowsTruncated) out.push(`  (flow table shows the first ${run.flows.length} flows)`);
  const links = run.flows.filter((f) => f.announcedBy);
  if (links.length > 0) {
    out.push('  data connections:');
    for (const f of links) {
      const a = f.announcedBy!;
      wrapped(out, '    ', `flow ${f.id} announced by ${a.trigger} in packet ${a.packet} on flow ${a.controlFlow} (${a.endpoint})`);
    }
  }
  const notCrossing = run.flows.filter((f) => f.crossesFirewall === false);
  for (const f of notCrossing) wrapped(out, '  ', `flow ${f.id}: both ends on ${f.clientInterface}: does not cross the firewall, no verdicts`);
  if (run.capture.notes.length > 0) {
    out.push('  in reality:');
    for (const n of run.capture.notes) wrapped(out, '    ', n);
  }
  return out;
}
