/**
 * `--format md`: a run as Markdown for a ticket or a wiki page: the verdict, the
 * flows table, each blocked packet with the rule that denied it and that rule's
 * line quoted from the config file, and a capture's notes.
 */
import type { Flow, RunReport } from '../model/index.js';
import { ruleLineOf } from './rule-line.js';

/** Text in a table cell: pipes escaped, no line breaks. */
function cell(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/[\r\n]+/g, ' ');
}

/** Inline code that survives backticks in the text. */
function code(s: string): string {
  if (!s.includes('`')) return `\`${s}\``;
  return `\`\` ${s} \`\``;
}

/** A fenced block whose fence is longer than any backtick run inside. */
function fenced(lines: readonly string[], lang = ''): string[] {
  let fence = '```';
  while (lines.some((l) => l.includes(fence))) fence += '`';
  return [`${fence}${lang}`, ...lines, fence];
}

function seconds(tMs: number): string {
  return (tMs / 1000).toFixed(3);
}

function blockedSection(f: Flow): string[] {
  const b = f.firstBlocked!;
  const out = [`### Blocked: flow ${f.id} (${f.role} ${code(`${f.client} → ${f.server}`)})`, ''];
  out.push(`Packet #${b.n} at ${seconds(b.tMs)} s, ${code(b.packet)}, denied by ${cell(b.by)}.`);
  const rule = ruleLineOf(b.provenance);
  out.push('');
  if (rule) {
    out.push(`${code(rule.file)} line ${rule.line}:`, '');
    for (const l of fenced([rule.text])) out.push(l);
  }
  else out.push(`No config line decided: the ${b.provenance.kind === 'conntrack' ? 'connection tracker' : b.provenance.kind === 'helper' ? 'FTP helper' : b.provenance.kind === 'invalid' ? 'state machine' : 'default action'} did.`);
  if (f.inReality) out.push('', `${f.inReality.charAt(0).toUpperCase()}${f.inReality.slice(1)}.`);
  return out;
}

/** The Markdown of one run, as lines. */
/** `window`: which packets the report lists, when not all of the run's (a long capture's window), as a sentence. */
export function formatMarkdown(run: RunReport, window?: string): string[] {
  const out: string[] = [];
  out.push(`## ${run.scenario} × ${run.config} [${run.engine}]`, '');
  out.push(`**${run.ftp.works ? 'FTP works' : 'FTP fails'}**: ${cell(run.ftp.summary)}`, '');
  out.push(`${run.origin === 'capture' ? 'Capture' : 'Scenario'} ${code(run.source)}, config ${code(run.config)}, ${run.engine} engine.`, '');
  if (window !== undefined) out.push(`> ${cell(window)}`, '');
  if (run.sessions.length > 1) {
    for (const s of run.sessions) out.push(`- ${cell(s.name)}: ${s.works ? 'works' : 'fails'}: ${cell(s.summary)}`);
    out.push('');
  }
  out.push('| # | role | client | server | outcome | packets | bytes passed | first blocked packet |');
  out.push('|---:|---|---|---|---|---:|---:|---|');
  for (const f of run.flows) {
    const blocked = f.firstBlocked ? `#${f.firstBlocked.n} ${cell(f.firstBlocked.packet)}` : '';
    out.push(`| ${f.id} | ${f.role} | ${cell(f.client)} | ${cell(f.server)} | ${f.outcome === 'blocked' ? '**blocked**' : 'passed'} | ${f.packets} | ${f.bytesPassed} | ${blocked} |`);
  }
  for (const f of run.flows)
    if (f.firstBlocked) {
      out.push('');
      for (const l of blockedSection(f)) out.push(l);
    }
  if (run.capture) {
    out.push('', `Topology: ${cell(run.capture.topology)}.`);
    if (run.capture.flowsTruncated) {
      const f = run.capture.stats.flows;
      out.push('', `(the table lists ${run.flows.length.toLocaleString('en-US')} of the capture's ${(f.control + f.data + f.other).toLocaleString('en-US')} flows)`);
    }
  }
  return out;
}
