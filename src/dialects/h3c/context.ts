/** Shared parser state: the config being built, the current view, diagnostics and skip accounting. */
import type { Diagnostic, SourceSpan } from '../../diag/diagnostic.js';
import { tokenSpan, type Line, type Token } from './lexer.js';
import type { AclDraft } from './acl-draft.js';
import type { H3cAcl, H3cAspfPolicy, H3cConfig, H3cInterface } from './vendor.js';

/** The CLI view a line is interpreted in, as on the device. */
export type View =
  | { readonly kind: 'system' }
  | { readonly kind: 'acl'; readonly acl: H3cAcl }
  | { readonly kind: 'interface'; readonly iface: H3cInterface }
  | { readonly kind: 'aspf'; readonly policy: H3cAspfPolicy }
  /** inside a section ftpwall does not interpret; `indent` is the indentation of its header */
  | { readonly kind: 'skip'; readonly indent: number; readonly name: string };

/** Mutable state of one parse. */
export interface ParseContext {
  readonly config: H3cConfig;
  readonly diags: Diagnostic[];
  view: View;
  /** true once any command other than a skipped one has been seen (a later bare `rule` is then an error) */
  sawCommand: boolean;
  skipped: { lines: number; names: string[]; first?: SourceSpan };
  /**
   * The edits of the current ACL view, batched on one draft of the view's ACL (whose state in
   * `config.acls` and `view` is the one before the view's edits until the batch is finished:
   * acl-view.ts finishAclView, called whenever the parser leaves the view or the input ends).
   */
  aclDraft?: AclDraft;
}

/**
 * Stores the next state of an ACL (from acl-edit.ts) in place of `prev`: in the config's
 * list, at the same index, and in the current view when it is that ACL's view.
 */
export function replaceAcl(ctx: ParseContext, prev: H3cAcl, next: H3cAcl): void {
  if (next === prev) return;
  const i = ctx.config.acls.indexOf(prev);
  if (i < 0) throw new Error('invariant: an edited ACL state is not the current one in the config');
  ctx.config.acls[i] = next;
  if (ctx.view.kind === 'acl' && ctx.view.acl === prev) ctx.view = { kind: 'acl', acl: next };
}

/** Adds an error at a token. */
export function errorAt(ctx: ParseContext, line: Line, token: Token | undefined, message: string, suggestion?: string): void {
  const t = token ?? line.tokens[line.tokens.length - 1]!;
  ctx.diags.push({ severity: 'error', message, span: tokenSpan(line, t), ...(suggestion ? { suggestion } : {}) });
}

/** Adds a warning at a token. */
export function warnAt(ctx: ParseContext, line: Line, token: Token, message: string, suggestion?: string): void {
  ctx.diags.push({ severity: 'warning', message, span: tokenSpan(line, token), ...(suggestion ? { suggestion } : {}) });
}

/** Counts a skipped line under `name` for the one "skipped N lines" info. */
export function skipLine(ctx: ParseContext, line: Line, name: string): void {
  ctx.skipped.lines++;
  if (!ctx.skipped.names.includes(name)) ctx.skipped.names.push(name);
  if (!ctx.skipped.first) {
    const t = line.tokens[0]!;
    ctx.skipped.first = { file: line.file, line: line.lineNo, column: t.column, length: line.text.trimEnd().length - t.column + 1, lineText: line.text };
  }
}

/** The span of a whole command, from its first word to the end of the line. */
export function commandSpan(line: Line, from = 0): SourceSpan {
  const t = line.tokens[from] ?? line.tokens[0]!;
  return { file: line.file, line: line.lineNo, column: t.column, length: Math.max(1, line.text.trimEnd().length - t.column + 1), lineText: line.text };
}

/** Parses a decimal token within [lo, hi]; reports and returns undefined otherwise. */
export function numberToken(ctx: ParseContext, line: Line, t: Token | undefined, what: string, lo: number, hi: number, after: string): number | undefined {
  if (!t) {
    errorAt(ctx, line, undefined, `expected ${what} after '${after}'`);
    return undefined;
  }
  if (!/^\d+$/.test(t.text)) {
    errorAt(ctx, line, t, `expected ${what} after '${after}', got '${t.text}'`);
    return undefined;
  }
  const n = Number(t.text);
  if (n < lo || n > hi) {
    errorAt(ctx, line, t, `${what} ${t.text} is out of range (${lo}-${hi})`);
    return undefined;
  }
  return n;
}
