/** Text styling for reports: plain by default; the CLI passes ANSI colours on a TTY. */

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

/** Pads cells to column widths; the last column is not padded. Widths ignore ANSI codes. */
export function formatTable(rows: readonly (readonly string[])[], indent = '  '): string[] {
  // eslint-disable-next-line no-control-regex
  const visible = (s: string): number => s.replace(/\u001b\[[0-9;]*m/g, '').length;
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
