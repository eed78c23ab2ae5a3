/**
 * Diagnostics are data: every problem found in user input is collected as a
 * Diagnostic and reported once at the edge (the CLI), never thrown from a parser.
 */

/** How bad a diagnostic is: errors make the CLI exit 2, warnings and infos do not. */
export type Severity = 'error' | 'warning' | 'info';

/** A place in a text file. */
export interface SourceSpan {
  readonly file: string;
  /** 1-based line number */
  readonly line: number;
  /** 1-based column, in characters */
  readonly column: number;
  /** length of the offending text in characters (at least 1 for a caret) */
  readonly length: number;
  /** the whole source line, without its line terminator */
  readonly lineText: string;
}

/** A place in a binary file (captures). */
export interface ByteLocation {
  readonly file: string;
  /** 0-based byte offset from the start of the file */
  readonly byteOffset: number;
  /** 1-based packet (record) number, when the problem belongs to one */
  readonly packet?: number;
}

/** One located problem in user input. */
export interface Diagnostic {
  readonly severity: Severity;
  readonly message: string;
  readonly span?: SourceSpan;
  readonly bytes?: ByteLocation;
  /** a fix to offer, e.g. "did you mean 'rule'?" */
  readonly suggestion?: string;
}

/** A parser's answer: what it could build, and everything it noticed on the way. */
export interface Parsed<T> {
  readonly value: T;
  readonly diagnostics: readonly Diagnostic[];
}

/** True when any diagnostic is an error. */
export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}

/** Builds a span for `length` characters at 1-based `column` of 1-based `line` in `text`'s lines. */
export function spanAt(file: string, lineText: string, line: number, column: number, length: number): SourceSpan {
  return clampSpan({ file, line, column, length, lineText });
}

/**
 * A span kept inside the line it names: 1 ≤ column ≤ line length + 1 (just past the end, for
 * "missing …"), 1 ≤ length, and column + length − 1 ≤ line length + 1.
 */
export function clampSpan(span: SourceSpan): SourceSpan {
  const max = span.lineText.length + 1;
  const column = Math.min(Math.max(1, Number.isFinite(span.column) ? Math.floor(span.column) : 1), max);
  const length = Math.min(Math.max(1, Number.isFinite(span.length) ? Math.floor(span.length) : 1), max - column + 1);
  return column === span.column && length === span.length ? span : { ...span, column, length };
}

/** Styling hooks so the CLI can add colour without this module knowing about terminals. */
export interface DiagnosticStyle {
  readonly severity: (severity: Severity, text: string) => string;
  readonly caret: (text: string) => string;
  readonly location: (text: string) => string;
}

const PLAIN: DiagnosticStyle = { severity: (_s, t) => t, caret: (t) => t, location: (t) => t };

/**
 * Formats a diagnostic the way compilers do:
 * ```
 * rules/broken.cfg:4:2: error: unknown command 'rele' (did you mean 'rule'?)
 *   4 |  rele deny ip
 *     |  ^^^^
 * ```
 */
export function formatDiagnostic(d: Diagnostic, style: DiagnosticStyle = PLAIN): string {
  const where = d.span
    ? `${d.span.file}:${d.span.line}:${d.span.column}: `
    : d.bytes
      ? `${d.bytes.file}: byte ${d.bytes.byteOffset}${d.bytes.packet !== undefined ? `, packet ${d.bytes.packet}` : ''}: `
      : '';
  const suggestion = d.suggestion ? ` (${d.suggestion})` : '';
  let out = `${style.location(where)}${style.severity(d.severity, d.severity)}: ${d.message}${suggestion}`;
  if (d.span) {
    const gutter = String(d.span.line);
    const pad = ' '.repeat(gutter.length);
    // tabs and control characters would move the caret or disturb the terminal: one visible column each
    // eslint-disable-next-line no-control-regex
    const lineText = d.span.lineText.replace(/\t/g, ' ').replace(/[\u0000-\u001f\u007f]/g, '\ufffd');
    const caretPad = ' '.repeat(Math.max(0, d.span.column - 1));
    const caretLen = Math.max(1, Math.min(d.span.length, Math.max(1, lineText.length - d.span.column + 1)));
    out += `\n ${gutter} | ${lineText}\n ${pad} | ${caretPad}${style.caret('^'.repeat(caretLen))}`;
  }
  return out;
}

/** Sorts diagnostics by file, line, column, keeping the order of equal places. */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return diagnostics
    .map((d, i) => ({ d, i }))
    .sort((a, b) => {
      const fa = a.d.span?.file ?? a.d.bytes?.file ?? '';
      const fb = b.d.span?.file ?? b.d.bytes?.file ?? '';
      if (fa !== fb) return fa < fb ? -1 : 1;
      const la = a.d.span?.line ?? a.d.bytes?.byteOffset ?? 0;
      const lb = b.d.span?.line ?? b.d.bytes?.byteOffset ?? 0;
      if (la !== lb) return la - lb;
      const ca = a.d.span?.column ?? 0;
      const cb = b.d.span?.column ?? 0;
      return ca !== cb ? ca - cb : a.i - b.i;
    })
    .map((x) => x.d);
}

/**
 * Levenshtein distance, for "did you mean" suggestions.
 * Bounded: returns early once the distance exceeds `max`.
 */
export function editDistance(a: string, b: string, max = 3): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      cur.push(v);
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > max) return max + 1;
    prev = cur;
  }
  return prev[b.length]!;
}

/** The closest candidate within a small edit distance, for "did you mean '…'?". */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  const w = word.toLowerCase();
  const threshold = w.length <= 3 ? 1 : 2;
  let best: string | undefined;
  let bestDistance = threshold + 1;
  for (const c of candidates) {
    const d = editDistance(w, c.toLowerCase(), threshold);
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}
