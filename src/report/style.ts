/** Text styling for reports: plain by default; the CLI passes ANSI colours on a TTY. */
import { visibleWidth, wrapText } from './text-wrap.js';

export { visibleWidth } from './text-wrap.js';

/** Functions that wrap text in a style. */
export interface Style {
  readonly good: (s: string) => string;
  readonly bad: (s: string) => string;
  readonly warn: (s: string) => string;
  readonly dim: (s: string) => string;
  readonly bold: (s: string) => string;
}

const id = (s: string): string => s;

/** No styling at all (files, pipes, NO_COLOR). */
export const PLAIN_STYLE: Style = { good: id, bad: id, warn: id, dim: id, bold: id };

const ansi =
  (open: number, close: number) =>
  (s: string): string =>
    `\u001b[${open}m${s}\u001b[${close}m`;

/** ANSI colours for a terminal. */
export const ANSI_STYLE: Style = {
  good: ansi(32, 39),
  bad: ansi(31, 39),
  warn: ansi(33, 39),
  dim: ansi(2, 22),
  bold: ansi(1, 22),
};

/** A last column narrower than this is not wrapped beside the others: its text goes on the lines below the row. */
export const MIN_LAST_COLUMN = 36;

/**
 * formatTable within `width` columns: a row that would be wider keeps its other cells on the
 * first line and wraps its last (plain-text) cell at spaces under that column; when that column
 * would have fewer than MIN_LAST_COLUMN columns, or a word of the cell is wider than it, the last
 * cell goes on the lines below the row, indented by `indent` and four spaces instead.
 */
export function formatTableWithin(rows: readonly (readonly string[])[], width: number, indent = '  '): string[] {
  const lines = formatTable(rows, indent);
  if (lines.every((l) => visibleWidth(l) <= width)) return lines;
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, visibleWidth(c))));
  const out: string[] = [];
  rows.forEach((r, k) => {
    for (const l of fitRow(lines[k]!, r, widths, width, indent)) out.push(l);
  });
  return out;
}

/** One formatted table row (`line`, cells `r` in columns of `widths`) within `width` columns, as formatTableWithin lays it out. */
export function fitRow(line: string, r: readonly string[], widths: readonly number[], width: number, indent = '  '): string[] {
  if (visibleWidth(line) <= width || r.length < 2) return [line];
  const out: string[] = [];
  const lead = indent + r.slice(0, -1).map((c, i) => c + ' '.repeat(Math.max(0, widths[i]! - visibleWidth(c)))).join('  ') + '  ';
  const last = r[r.length - 1]!;
  if (visibleWidth(lead.trimEnd()) > width) return stackedRow(r, widths, width, indent);
  const room = width - visibleWidth(lead);
  // beside the row only when the column is wide enough and no word of the cell would be cut
  if (room >= MIN_LAST_COLUMN && last.split(' ').every((w) => visibleWidth(w) <= room)) {
    const parts = wrapText(last, room);
    out.push(lead + parts[0]!);
    for (const p of parts.slice(1)) out.push(' '.repeat(visibleWidth(lead)) + p);
  } else {
    out.push(lead.trimEnd());
    for (const p of wrapText(last, width - indent.length - 4)) out.push(`${indent}    ${p}`);
  }
  return out;
}

/** A row whose cells do not fit on one line: cells in their columns while they fit, then the rest below, indented. */
function stackedRow(r: readonly string[], widths: readonly number[], width: number, indent: string): string[] {
  const out: string[] = [];
  let line = indent;
  let i = 0;
  for (; i < r.length; i++) {
    const cell = i === r.length - 1 ? r[i]! : r[i]! + ' '.repeat(Math.max(0, widths[i]! - visibleWidth(r[i]!)));
    if (visibleWidth(line) + visibleWidth(cell.trimEnd()) > width) break;
    line += `${cell}  `;
  }
  out.push(line.trimEnd());
  const rest = r.slice(i).filter((c) => c !== '').join('  ');
  for (const p of wrapText(rest, width - indent.length - 4)) out.push(`${indent}    ${p}`);
  return out;
}

/**
 * Fits prose lines within `width` columns: a longer line is wrapped at spaces, its continuation
 * lines indented two columns more than the line itself (ANSI codes take no width).
 */
export function fitLines(lines: readonly string[], width: number): string[] {
  const out: string[] = [];
  for (const line of lines) {
    if (visibleWidth(line) <= width) {
      out.push(line);
      continue;
    }
    const indent = /^ */.exec(line)![0];
    const parts = wrapText(line.slice(indent.length), width - indent.length - 2);
    out.push(indent + parts[0]!);
    for (const p of parts.slice(1)) out.push(`${indent}  ${p}`);
  }
  return out;
}

/**
 * A wide matrix within `width` columns: when formatTable's lines would be wider, the columns after
 * the first are split, in order, into as few consecutive groups as fit, each printed as a table of
 * its own with the first column repeated, a blank line between groups. A single column too wide by
 * itself keeps its group alone (its lines are then wider than `width`).
 */
export function formatMatrixWithin(rows: readonly (readonly string[])[], width: number, indent = '  '): string[] {
  const lines = formatTable(rows, indent);
  if (lines.every((l) => visibleWidth(l) <= width) || rows.length === 0) return lines;
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, visibleWidth(c))));
  const groups: number[][] = [];
  let used = indent.length + widths[0]!;
  for (let i = 1; i < widths.length; i++) {
    const last = groups[groups.length - 1];
    if (last && used + 2 + widths[i]! <= width) {
      last.push(i);
      used += 2 + widths[i]!;
    } else {
      groups.push([i]);
      used = indent.length + widths[0]! + 2 + widths[i]!;
    }
  }
  const out: string[] = [];
  groups.forEach((g, k) => {
    if (k > 0) out.push('');
    for (const l of formatTable(rows.map((r) => [r[0]!, ...g.map((i) => r[i] ?? '')]), indent)) out.push(l);
  });
  return out;
}

/** Pads cells to column widths; the last column is not padded. Widths ignore ANSI codes. */
export function formatTable(rows: readonly (readonly string[])[], indent = '  '): string[] {
  const visible = visibleWidth;
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, visible(c))));
  return rows.map(
    (r) =>
      indent +
      r
        .map((c, i) => (i === r.length - 1 ? c : c + ' '.repeat(widths[i]! - visible(c))))
        .join('  ')
        .trimEnd(),
  );
}
