/** Shared parser state: the config being built, the current view, diagnostics and skip accounting. */
import type { Diagnostic, SourceSpan } from '../../diag/diagnostic.js';
import { tokenSpan, type Line, type Token } from './lexer.js';
import type { AclDraft } from './acl-draft.js';
import type { H3cAcl, H3cAspfPolicy, H3cConfig, H3cInterface, H3cObjectGroup, H3cSecurityRule, H3cZone, H3cZonePair } from './vendor.js';

/** The CLI view a line is interpreted in, as on the device. */
export type View =
  | { readonly kind: 'system' }
  | { readonly kind: 'acl'; readonly acl: H3cAcl }
  /** `members`: the interfaces of an `interface range` view (each gets the view's packet filters) */
  | { readonly kind: 'interface'; readonly iface: H3cInterface; readonly members?: readonly H3cInterface[] }
  | { readonly kind: 'object-group'; readonly group: H3cObjectGroup }
  | { readonly kind: 'zone'; readonly zone: H3cZone }
  | { readonly kind: 'zone-pair'; readonly pair: H3cZonePair }
  | { readonly kind: 'security-policy'; readonly family: 4 | 6 }
  | { readonly kind: 'security-rule'; readonly family: 4 | 6; readonly rule: H3cSecurityRule }
  /** after an ACL header that was refused: its body is skipped silently (one error, no cascade) */
  | { readonly kind: 'dead'; readonly indent: number }
  | { readonly kind: 'aspf'; readonly policy: H3cAspfPolicy }
  /** inside a section ftpwall does not interpret; `indent` is the indentation of its header */
  | { readonly kind: 'skip'; readonly indent: number; readonly name: string };

/**
 * Lookups of the zone model kept current as the parser adds to it (zone-view.ts), so a config of
 * thousands of zones, zone pairs or security policy rules is not read again for every new one.
 */
export interface ZoneIndex {
  /** zones by lower-cased name (Comware zone names are case-insensitive) */
  readonly zoneByName: Map<string, H3cZone>;
  /** the zone each imported interface is in (one zone per interface) */
  readonly zoneOfInterface: Map<string, H3cZone>;
  /** zone pairs by lower-cased `source destination` */
  readonly pairByZones: Map<string, H3cZonePair>;
  /** security policy rules of each family: by id, by lower-cased name (each with its place in creation order), and the next free id */
  readonly rules: Map<4 | 6, { readonly byId: Map<number, number>; readonly byName: Map<string, number>; nextId: number }>;
}

/** An empty ZoneIndex. */
export function newZoneIndex(): ZoneIndex {
  return { zoneByName: new Map(), zoneOfInterface: new Map(), pairByZones: new Map(), rules: new Map() };
}

/** Mutable state of one parse. */
export interface ParseContext {
  readonly config: H3cConfig;
  readonly diags: Diagnostic[];
  view: View;
  /** true once any command other than a skipped one has been seen (a later bare `rule` is then an error) */
  sawCommand: boolean;
  skipped: { lines: number; names: Set<string>; first?: SourceSpan };
  /**
   * The edits of the current ACL view, batched on one draft of the view's ACL (whose state in
   * `config.acls` and `view` is the one before the view's edits until the batch is finished:
   * acl-view.ts finishAclView, called whenever the parser leaves the view or the input ends).
   */
  aclDraft?: AclDraft;
  /**
   * Batches of large ACLs whose view was left, by the state they started from (still the one in `config.acls`):
   * entering the view again takes the batch up where it stopped, instead of finishing it and opening a new one, which
   * copies and indexes every rule (a change script that enters one large ACL's view per rule was O(N²)).
   * acl-view.ts finishParkedAcls finishes them all at the end of input, and before anything reads the ACL states.
   */
  readonly parkedAcls: Map<H3cAcl, AclDraft>;
  /** the zone model's lookups (zone-view.ts) */
  readonly zones: ZoneIndex;
  /** position in `config.acls` of each ACL state (replaceAcl keeps it current) */
  readonly aclPos: Map<H3cAcl, number>;
  /** position in `config.acls` by `aclKey` (number and lower-cased name), so a lookup does not scan every ACL */
  readonly aclByKey: Map<string, number>;
  /** inside a `header motd %…%` banner: its delimiter character */
  banner?: string;
}

/** The lookup key of an ACL reference: by number, or by name (case-insensitive on Comware). */
export function aclKey(family: 4 | 6, ref: { readonly number: number } | { readonly name: string }): string {
  return 'number' in ref ? `${family}#${ref.number}` : `${family}n${ref.name.toLowerCase()}`;
}

/** Adds a new ACL to the config and to the lookup indexes. */
export function addAcl(ctx: ParseContext, acl: H3cAcl): void {
  const pos = ctx.config.acls.length;
  ctx.config.acls.push(acl);
  ctx.aclPos.set(acl, pos);
  if (acl.number !== undefined) ctx.aclByKey.set(aclKey(acl.family, { number: acl.number }), pos);
  if (acl.name !== undefined) ctx.aclByKey.set(aclKey(acl.family, { name: acl.name }), pos);
}

/** The current state of the ACL with that number or name, in O(1). */
export function lookupAcl(ctx: ParseContext, family: 4 | 6, ref: { readonly number: number } | { readonly name: string }): H3cAcl | undefined {
  const pos = ctx.aclByKey.get(aclKey(family, ref));
  return pos === undefined ? undefined : ctx.config.acls[pos];
}

/**
 * Stores the next state of an ACL (from acl-edit.ts) in place of `prev`: in the config's
 * list, at the same index, and in the current view when it is that ACL's view.
 */
export function replaceAcl(ctx: ParseContext, prev: H3cAcl, next: H3cAcl): void {
  if (next === prev) return;
  const i = ctx.aclPos.get(prev);
  if (i === undefined || ctx.config.acls[i] !== prev) throw new Error('invariant: an edited ACL state is not the current one in the config');
  ctx.config.acls[i] = next;
  ctx.aclPos.delete(prev);
  ctx.aclPos.set(next, i);
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
  ctx.skipped.names.add(name); // a set: a file of 100,000 distinct unknown words scanned a list per line (31 s)
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
