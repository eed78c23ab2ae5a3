/**
 * Splits Comware config text into lines of words, each word with its 1-based
 * column, so every diagnostic can point at the exact text. Comware commands are
 * one per line, words separated by blanks; `#` and `!` lines are separators or
 * comments. A pasted CLI session is accepted too: `<Sysname>` prompt lines are
 * noise and a `[Sysname-acl-adv-3000]` prompt before a command is stripped.
 */
import { spanAt, type SourceSpan } from '../../diag/diagnostic.js';

/** One word of a line. */
export interface Token {
  /** the word as written */
  readonly text: string;
  /** lower-cased, for keyword comparison (Comware keywords are case-insensitive) */
  readonly lower: string;
  /** 1-based column of the first character */
  readonly column: number;
}

/** One line of the config, tokenised. */
export interface Line {
  readonly file: string;
  /** 1-based line number */
  readonly lineNo: number;
  /** the whole line without terminator */
  readonly text: string;
  /** number of leading blanks before the first word (Comware dumps indent view bodies by one) */
  readonly indent: number;
  readonly tokens: readonly Token[];
  /** what kind of line this is */
  readonly kind: 'command' | 'blank' | 'comment' | 'prompt';
}

/** Splits text into lines (LF, CRLF or CR) and tokenises each. */
export function lexConfig(text: string, file: string): Line[] {
  return [...lexLines(text, file)];
}

/** The lines of `text` one at a time, tokenised as they are read (a large config is never held twice). */
export function* lexLines(text: string, file: string): Generator<Line> {
  let start = 0;
  let lineNo = 0;
  if (!text.includes('\r')) {
    // LF only (the usual case): indexOf finds each break faster than the regular expression below
    for (let end = text.indexOf('\n'); end >= 0; end = text.indexOf('\n', start)) {
      yield lexSpan(text, start, end, ++lineNo, file);
      start = end + 1;
    }
  } else {
    const lineBreak = /\r\n|\r|\n/g;
    for (let m = lineBreak.exec(text); m !== null; m = lineBreak.exec(text)) {
      yield lexSpan(text, start, m.index, ++lineNo, file);
      start = m.index + m[0].length;
    }
  }
  if (start < text.length) yield lexSpan(text, start, text.length, ++lineNo, file);
}

/** Tokenises one line. */
export function lexLine(text: string, lineNo: number, file: string): Line {
  return lexSpan(text, 0, text.length, lineNo, file);
}

/**
 * Tokenises the line source[from, to) (no line break inside), reading the characters from `source` itself:
 * the config text is one flat string, where the line's own slice would be read through its parent.
 */
function lexSpan(source: string, from: number, to: number, lineNo: number, file: string): Line {
  const text = from === 0 && to === source.length ? source : source.slice(from, to);
  let start = from;
  while (start < to && (source.charCodeAt(start) === SPACE || source.charCodeAt(start) === TAB)) start++;
  const indent = start - from;
  if (start >= to) return { file, lineNo, text, indent, kind: 'blank', tokens: NO_TOKENS };
  const first = source.charCodeAt(start);
  if (first === HASH || first === BANG) return { file, lineNo, text, indent, kind: 'comment', tokens: NO_TOKENS };
  // `<Sysname>display current-configuration`: a user-view prompt line, not configuration.
  if (first === LESS && text.indexOf('>', indent) > indent) return { file, lineNo, text, indent, kind: 'prompt', tokens: NO_TOKENS };
  // `[Sysname-acl-adv-3000]rule 0 permit ...`: strip the view prompt, keep columns.
  if (first === BRACKET) {
    const close = text.indexOf(']', indent);
    if (close > indent) {
      start = from + close + 1;
      while (start < to && (source.charCodeAt(start) === SPACE || source.charCodeAt(start) === TAB)) start++;
      if (start >= to) return { file, lineNo, text, indent, kind: 'prompt', tokens: NO_TOKENS };
    }
  }
  const tokens: Token[] = [];
  const n = to;
  let i = start;
  while (i < n) {
    let c = source.charCodeAt(i);
    while (c === SPACE || c === TAB) c = ++i < n ? source.charCodeAt(i) : -1;
    if (i >= n) break;
    const s = i;
    // A `#` word after a command starts a trailing comment (annotated dumps, and `# ftpwall: ignore KIND`
    // lint directives): never part of a name or the command.
    if (c === HASH && tokens.length > 0) break;
    // set when the word has an upper-case ASCII letter or a non-ASCII character: only then can lower-casing change it
    let cased = false;
    while (c !== SPACE && c !== TAB && c !== -1) {
      if ((c >= UPPER_A && c <= UPPER_Z) || c > 127) cased = true;
      c = ++i < n ? source.charCodeAt(i) : -1;
    }
    const word = source.slice(s, i);
    tokens.push({ text: word, lower: cased ? word.toLowerCase() : word, column: s - from + 1 });
  }
  return { file, lineNo, text, indent, kind: 'command', tokens };
}

const NO_TOKENS: readonly Token[] = Object.freeze([]);
const SPACE = 32;
const TAB = 9;
const HASH = 35; // #
const BANG = 33; // !
const LESS = 60; // <
const BRACKET = 91; // [
const UPPER_A = 65;
const UPPER_Z = 90;

/** True when `s` is one or more ASCII digits (what /^\d+$/ matches), by char codes. */
export function allDigits(s: string): boolean {
  if (s.length === 0) return false;
  for (let k = 0; k < s.length; k++) {
    const c = s.charCodeAt(k);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** The span of one token. */
export function tokenSpan(line: Line, token: Token): SourceSpan {
  return spanAt(line.file, line.text, line.lineNo, token.column, token.text.length);
}

/** The span from token `from` to the end of token `to` (inclusive). */
export function rangeSpan(line: Line, from: Token, to: Token): SourceSpan {
  return spanAt(line.file, line.text, line.lineNo, from.column, to.column + to.text.length - from.column);
}

/** The span just after the last token, for "expected … after …" at the end of a line. */
export function endSpan(line: Line): SourceSpan {
  const last = line.tokens[line.tokens.length - 1];
  const column = last ? last.column + last.text.length + 1 : line.text.length + 1;
  return spanAt(line.file, line.text, line.lineNo, column, 1);
}

/** The text of the line from token index `from` to the end, as written (for descriptions and comments). */
export function restOfLine(line: Line, from: number): string {
  const t = line.tokens[from];
  return t ? line.text.slice(t.column - 1).trimEnd() : '';
}
