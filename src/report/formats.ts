/** The text formats of runs beside table and JSON: ladder, Markdown, Mermaid; one document for several runs. */
import type { RunReport } from '../model/index.js';
import { formatLadder } from './ladder.js';
import { formatMarkdown } from './markdown.js';
import { formatMermaid } from './mermaid.js';
import type { Style } from './style.js';

/** A diagram or document format of runs. */
export type RunFormat = 'ladder' | 'md' | 'mermaid';

/** Several runs in one format, as the text of a file (ends with a newline). */
export function formatRuns(runs: readonly RunReport[], format: RunFormat, style?: Style, windows?: ReadonlyMap<object, string>): string {
  // a run that draws a window of its packets (a long capture) says which
  const w = (r: RunReport): string | undefined => windows?.get(r);
  if (format === 'ladder') return `${runs.map((r) => formatLadder(r, { ...(style ? { style } : {}), ...(w(r) !== undefined ? { window: w(r)! } : {}) }).join('\n')).join('\n\n')}\n`;
  if (format === 'md') return `${runs.map((r) => formatMarkdown(r, w(r)).join('\n')).join('\n\n')}\n`;
  // a Mermaid file holds one diagram: several runs become a Markdown file of mermaid blocks
  if (runs.length === 1) return `${formatMermaid(runs[0]!, w(runs[0]!)).join('\n')}\n`;
  return `${runs.map((r) => [`## ${r.scenario} × ${r.config} [${r.engine}]`, '', '```mermaid', ...formatMermaid(r, w(r)), '```'].join('\n')).join('\n\n')}\n`;
}
