/**
 * Tokens of `nft list ruleset` / `nft -f` text: words, quoted strings, braces, commas, semicolons and
 * line ends, each with its line and column. `#` starts a comment outside quotes.
 */
import { spanAt, type SourceSpan } from '../../diag/diagnostic.js';

/** One token. */
export interface NftToken {
  readonly kind: 'word' | 'string' | '{' | '}' | ',' | ';' | 'nl';
  readonly text: string;
  readonly line: number;
  readonly col: number;
  readonly len: number;
}

/** Splits the text into tokens. */
export function lexNft(text: string): NftToken[] {
  const out: NftToken[] = [];
  const lines = text.split(/\r?\n/);
  for (let n = 0; n < lines.length; n++) {
    const s = lines[n]!;
    let i = 0;
    while (i < s.length) {
      const ch = s[i]!;
      if (ch === ' ' || ch === '\t') {
        i++;
        continue;
      }
      if (ch === '#') break;
      if (ch === '{' || ch === '}' || ch === ',' || ch === ';') {
        out.push({ kind: ch, text: ch, line: n + 1, col: i + 1, len: 1 });
        i++;
        continue;
      }
      if (ch === '"') {
        let j = i + 1;
        let t = '';
        while (j < s.length && s[j] !== '"') {
          if (s[j] === '\\' && j + 1 < s.length) j++;
          t += s[j];
          j++;
        }
        out.push({ kind: 'string', text: t, line: n + 1, col: i + 1, len: Math.min(j + 1, s.length) - i });
        i = j + 1;
        continue;
      }
      let j = i;
      while (j < s.length && !' \t{},;"#'.includes(s[j]!)) j++;
      out.push({ kind: 'word', text: s.slice(i, j), line: n + 1, col: i + 1, len: j - i });
      i = j;
    }
    out.push({ kind: 'nl', text: '', line: n + 1, col: s.length + 1, len: 1 });
  }
  return out;
}

/** The span of a token in `lines`. */
export function tokenSpan(file: string, lines: readonly string[], t: NftToken): SourceSpan {
  return spanAt(file, lines[t.line - 1] ?? '', t.line, t.col, t.len);
}
