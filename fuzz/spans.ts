/** The span invariant: every diagnostic's place lies inside the file it names, on the line it names. */
import type { Diagnostic } from '../src/diag/diagnostic.js';

/** What a fuzz input's files hold: name → text (text files) or byte length (binary files). */
export type FileTable = ReadonlyMap<string, string | number>;

/** Line breaks of YAML files as the yaml package reads them: LF or CRLF. */
export const YAML_BREAKS = /\r?\n/;
/** Line breaks of device configs as the H3C lexer reads them: CRLF, CR or LF (device consoles send bare CRs). */
export const CONFIG_BREAKS = /\r\n|\r|\n/;

/** The convention for a file by its name: `.cfg` files are H3C configs, the rest (YAML, iptables-save `.rules`, nft `.nft`: LF or CRLF, as their readers split them) YAML_BREAKS. */
export function breaksFor(file: string): RegExp {
  return /\.cfg$/i.test(file) ? CONFIG_BREAKS : YAML_BREAKS;
}

/**
 * Which line-break conventions a file may have been read with: its name's (`by-name`), or either of
 * the readers' (`any-reader`: the cli target, where `--dialect` makes the Linux readers (LF, CRLF)
 * read a `.cfg` file, or a `.cfg` given as a scenario is read as YAML).
 */
export type BreakRule = 'by-name' | 'any-reader';

/**
 * Problems with one diagnostic's place: line within the file, the span's line text the file's
 * line, 1 ≤ col, col + len − 1 ≤ line length + 1; a byte offset within the file. Empty when fine.
 * With `any-reader`, the place must hold under one of the conventions.
 */
export function spanProblems(d: Diagnostic, files: FileTable, linesCache = new Map<string, string[]>(), rule: BreakRule = 'by-name'): string[] {
  const out: string[] = [];
  if (d.span) {
    const s = d.span;
    const content = files.get(s.file);
    if (typeof content === 'string') {
      const conventions = rule === 'by-name' ? [breaksFor(s.file)] : [CONFIG_BREAKS, YAML_BREAKS];
      let lineProblem: string | undefined;
      for (const breaks of conventions) {
        const key = `${breaks.source}\u0000${s.file}`;
        let lines = linesCache.get(key);
        if (!lines) {
          lines = content.split(breaks);
          linesCache.set(key, lines);
        }
        if (!Number.isInteger(s.line) || s.line < 1 || s.line > lines.length) lineProblem ??= `line ${s.line} outside 1..${lines.length}`;
        else if (lines[s.line - 1] !== s.lineText) lineProblem ??= `line text is not line ${s.line} of the file`;
        else {
          lineProblem = undefined;
          break;
        }
      }
      if (lineProblem !== undefined) out.push(lineProblem);
      if (!Number.isInteger(s.column) || s.column < 1) out.push(`column ${s.column} < 1`);
      if (!Number.isInteger(s.length) || s.length < 1) out.push(`length ${s.length} < 1`);
      if (s.column + s.length - 1 > s.lineText.length + 1) out.push(`col ${s.column} + len ${s.length} − 1 past the line's end (${s.lineText.length} + 1)`);
    }
  }
  if (d.bytes) {
    const size = files.get(d.bytes.file);
    if (typeof size === 'number' && (d.bytes.byteOffset < 0 || d.bytes.byteOffset > size)) out.push(`byte ${d.bytes.byteOffset} outside 0..${size}`);
  }
  return out;
}
