/**
 * `--format mermaid`: a run as a Mermaid `sequenceDiagram` with the ladder's lanes
 * (client, ingress interface, firewall, egress interface, server) and the
 * Markdown's content: verdict, flows, arrows (a denied one ends at the firewall
 * with a cross), pinhole notes, folded bulk data, and the deciding config line.
 */
import type { RunReport } from '../model/index.js';
import { ruleLineOf } from './rule-line.js';
import { diagramSteps, packetLabel, sidesOf } from './steps.js';
import { formatBytes, shortInterface } from './text-wrap.js';
import { nameList } from '../diag/name-list.js';

/** Text safe in a Mermaid message or note: `#`, `;`, `<`, `>` as entity codes, one line. */
export function mermaidText(s: string): string {
  return s.replace(/[\r\n]+/g, ' ').replace(/[#;<>]/g, (c) => (c === '<' ? '#lt;' : c === '>' ? '#gt;' : `#${c.charCodeAt(0)};`));
}

/** The Mermaid sequence diagram of one run, as lines (without a Markdown fence). */
/** `window`: which packets it draws, when not all of the run's (a long capture's window), as a sentence. */
export function formatMermaid(run: RunReport, window?: string): string[] {
  const sides = sidesOf(run);
  const t = mermaidText;
  const out = ['sequenceDiagram'];
  out.push(`  title ${t(`${run.scenario} × ${run.config} [${run.engine}]: ${run.ftp.works ? 'FTP works' : 'FTP fails'}`)}`);
  out.push(`  participant C as ${t(`client ${nameList(sides.leftHosts)}`)}`);
  out.push(`  participant I as ${t(shortInterface(sides.leftInterface))}`);
  out.push(`  participant F as firewall`);
  out.push(`  participant E as ${t(shortInterface(sides.rightInterface))}`);
  out.push(`  participant S as ${t(`server ${nameList(sides.rightHosts)}`)}`);
  out.push(`  Note over C,S: ${t(run.ftp.summary)}`);
  if (window !== undefined) out.push(`  Note over C,S: ${t(window)}`);
  for (const f of run.flows) out.push(`  Note over C,S: ${t(`flow ${f.id} ${f.role} ${f.client} → ${f.server}: ${f.outcome}${f.firstBlocked ? ` at packet ${f.firstBlocked.n}` : ''}`)}`);
  for (const s of diagramSteps(run, sides)) {
    if (s.kind === 'packet') {
      const p = s.packet;
      const label = `${p.n}. ${packetLabel(p, sides)}`;
      const [from, to] = s.heading === 'right' ? ['C', 'S'] : ['S', 'C'];
      if (p.action === 'permit') out.push(`  ${from}->>${to}: ${t(label)}`);
      else out.push(`  ${from}-xF: ${t(`${label} ✗ denied by ${p.by}`)}`);
    } else if (s.kind === 'event') out.push(`  Note over F: ${t(`${s.label}: ${s.event.text}`)}`);
    else
      out.push(
        `  Note over C,S: ${t(`… ${s.dataSegments} data segments, ${formatBytes(s.bytes)}${s.acks > 0 ? `, ${s.acks} ACKs` : ''} on flow ${s.flow}, all permitted (${s.firstN}–${s.lastN}) …`)}`,
      );
  }
  for (const f of run.flows) {
    const rule = f.firstBlocked ? ruleLineOf(f.firstBlocked.provenance) : undefined;
    if (rule) out.push(`  Note over F: ${t(`flow ${f.id} denied by ${rule.file}:${rule.line}: ${rule.text.trim()}`)}`);
  }
  return out;
}
