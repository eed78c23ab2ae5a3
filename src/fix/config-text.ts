/**
 * A device config as lines of text, patched by inserting lines only: the
 * original text, comments and line endings stay as they were.
 */
import { normalizeInterfaceName } from '../dialects/h3c/keywords.js';
import type { Acl } from '../policy/model.js';

/** Lines added at one place, for the report. */
export interface Insertion {
  /** 1-based line number in the patched text of the first inserted line */
  readonly line: number;
  readonly lines: readonly string[];
}

/** A config's text with insert-only edits. */
export class ConfigText {
  private lines: string[];
  private readonly eol: string;
  private readonly finalEol: boolean;

  constructor(text: string) {
    this.eol = text.includes('\r\n') ? '\r\n' : '\n';
    this.finalEol = text.endsWith('\n');
    const body = this.finalEol ? text.slice(0, text.endsWith('\r\n') ? -2 : -1) : text;
    this.lines = body === '' ? [] : body.split(/\r?\n/);
  }

  /** The text with every insertion. */
  text(): string {
    return this.lines.join(this.eol) + (this.finalEol || this.lines.length > 0 ? this.eol : '');
  }

  /** A copy to patch further. */
  clone(): ConfigText {
    return new ConfigText(this.text());
  }

  /** Inserts lines before 1-based line `line` (line count + 1 appends). */
  insertBefore(line: number, added: readonly string[]): Insertion {
    const at = Math.max(0, Math.min(this.lines.length, line - 1));
    // rebuilt rather than spliced with a spread, so a long insertion never meets the call-argument limit
    this.lines = [...this.lines.slice(0, at), ...added, ...this.lines.slice(at)];
    return { line: at + 1, lines: added };
  }

  /** The 1-based line of `rule`'s text, moved up over the comment lines just above it (they belong to it). */
  ruleAnchor(ruleLine: number): number {
    let l = ruleLine;
    while (l > 1 && /^\s+#/.test(this.lines[l - 2] ?? '')) l--;
    return l;
  }

  /** The last 1-based line of the view that starts at `headerLine` (its indented lines). */
  viewEnd(headerLine: number): number {
    let l = headerLine;
    while (l < this.lines.length && /^\s+\S/.test(this.lines[l] ?? '')) l++;
    return l;
  }

  /** The 1-based header line of an ACL view (from the parsed ACL's own span). */
  aclHeader(acl: Acl): number {
    return acl.at.line;
  }

  /** The 1-based line of `interface NAME`, matching names as the parser normalises them. */
  interfaceHeader(name: string): number | undefined {
    const want = normalizeInterfaceName(name);
    const i = this.lines.findIndex((l) => {
      const m = /^interface\s+(\S+)\s*$/i.exec(l);
      return m !== null && normalizeInterfaceName(m[1]!) === want;
    });
    return i < 0 ? undefined : i + 1;
  }

  /** Where a new top-level section goes: before the first `interface` line, else before `return`, else at the end. */
  sectionPlace(): number {
    const iface = this.lines.findIndex((l) => /^interface\s/i.test(l));
    if (iface >= 0) return iface + 1;
    const ret = this.lines.findIndex((l) => /^return\s*$/.test(l));
    return ret >= 0 ? ret + 1 : this.lines.length + 1;
  }

  /** Where a new interface block goes: before `return`, else at the end. */
  endPlace(): number {
    const ret = this.lines.findIndex((l) => /^return\s*$/.test(l));
    return ret >= 0 ? ret + 1 : this.lines.length + 1;
  }

  /** True when some line matches `pattern`. */
  matches(pattern: RegExp): boolean {
    return this.lines.some((l) => pattern.test(l));
  }

  /** Numbers already used by `pattern`'s first group anywhere in the text. */
  numbersUsed(pattern: RegExp): Set<number> {
    const used = new Set<number>();
    for (const l of this.lines) {
      const m = pattern.exec(l);
      if (m) used.add(Number(m[1]));
    }
    return used;
  }
}
