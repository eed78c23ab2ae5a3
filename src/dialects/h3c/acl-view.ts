/**
 * The `acl` command (creating or entering an ACL view) and the commands of an
 * ACL view: `rule`, `rule N comment`, `undo rule`, `step`, `description`.
 *
 * Header forms (Comware 7 and the Comware 5 compatible ones):
 * `acl [ipv6] {advanced|basic} {N [name X] | name X} [match-order {config|auto}]`,
 * `acl [ipv6] number N [name X] [match-order …]`, `acl name X [advanced|basic]` (Comware 5).
 * Numbers: 2000-2999 basic, 3000-3999 advanced; 4000-4999 (Ethernet frame header) and
 * 5000-5999 (user-defined) are not IP ACLs and not supported.
 */
import { suggest } from './suggest.js';
import type { IpFamily } from '../../net/address.js';
import type { MatchOrder } from '../../policy/model.js';
import { finishAclDraft, openAclDraft, ruleById, ruleCount, type AclDraft } from './acl-draft.js';
import { createAcl, editDescription, editRule, editRuleComment, editStep, editUndoRule, setMatchOrder, UNDO_RULE_WORDS } from './acl-edit.js';
import { addAcl, commandSpan, errorAt, lookupAcl, numberToken, replaceAcl, type ParseContext } from './context.js';
import { allDigits, restOfLine, type Line, type Token } from './lexer.js';
import { parseRuleCommand, parseRuleId } from './rule-parser.js';
import { describeAcl } from './rule-text.js';
import type { H3cAcl } from './vendor.js';

/** Comware's default rule numbering step. */
export const DEFAULT_STEP = 5;

/** The category an ACL number belongs to, or undefined when it is not an IP ACL number. */
export function categoryOfNumber(n: number): 'basic' | 'advanced' | undefined {
  if (n >= 2000 && n <= 2999) return 'basic';
  if (n >= 3000 && n <= 3999) return 'advanced';
  return undefined;
}

/** Finds an ACL by number or name (names are case-insensitive on Comware). */
export function findVendorAcl(acls: readonly H3cAcl[], family: IpFamily, ref: { number: number } | { name: string }): H3cAcl | undefined {
  if ('number' in ref) return acls.find((a) => a.family === family && a.number === ref.number);
  const lower = ref.name.toLowerCase();
  return acls.find((a) => a.family === family && a.name?.toLowerCase() === lower);
}

/** A lookup of ACLs by number or name built once (O(ACLs)); each lookup is then O(1), unlike findVendorAcl. */
export function indexVendorAcls(acls: readonly H3cAcl[]): (family: IpFamily, ref: { number: number } | { name: string }) => H3cAcl | undefined {
  const byKey = new Map<string, H3cAcl>();
  for (const a of acls) {
    if (a.number !== undefined && !byKey.has(`${a.family}#${a.number}`)) byKey.set(`${a.family}#${a.number}`, a);
    if (a.name !== undefined && !byKey.has(`${a.family}n${a.name.toLowerCase()}`)) byKey.set(`${a.family}n${a.name.toLowerCase()}`, a);
  }
  return (family, ref) => byKey.get('number' in ref ? `${family}#${ref.number}` : `${family}n${ref.name.toLowerCase()}`);
}

/** Handles `acl …` in system view; enters the ACL view on success. */
export function handleAclHeader(ctx: ParseContext, line: Line): void {
  const t = line.tokens;
  let i = 1;
  let family: IpFamily = 4;
  if (t[i]?.lower === 'ipv6') {
    family = 6;
    i++;
  }
  let category: 'basic' | 'advanced' | undefined;
  let number: number | undefined;
  let name: string | undefined;
  let matchOrder: MatchOrder | undefined;
  const kw = t[i];
  if (!kw) return errorAt(ctx, line, undefined, `expected 'advanced', 'basic', 'number' or 'name' after '${t[i - 1]!.text}'`);
  if (kw.lower === 'advanced' || kw.lower === 'basic' || kw.lower === 'number') {
    if (kw.lower !== 'number') category = kw.lower;
    i++;
    if (t[i]?.lower !== 'name') {
      number = numberToken(ctx, line, t[i], 'an ACL number', 0, 9999, kw.text);
      if (number === undefined) return;
      const numberTok = t[i]!;
      const byNumber = categoryOfNumber(number);
      if (!byNumber) return errorAt(ctx, line, numberTok, `ACL ${number} is not an IPv${family} basic (2000-2999) or advanced (3000-3999) ACL`, 'ftpwall simulates only basic and advanced IP ACLs');
      if (category && category !== byNumber) return errorAt(ctx, line, numberTok, `${category} ACL numbers are ${category === 'basic' ? '2000-2999' : '3000-3999'}, not ${number}`);
      category = byNumber;
      i++;
    }
  } else if (kw.lower === 'name') {
    // Comware 5: `acl name X [advanced|basic]` enters (or creates) a named ACL.
  } else if (kw.lower === 'mac' || kw.lower === 'user-defined') {
    return errorAt(ctx, line, kw, `'acl ${kw.text}' is not supported: ftpwall simulates only basic and advanced IP ACLs`);
  } else {
    const near = suggest(kw.lower, ['advanced', 'basic', 'number', 'name', 'ipv6']);
    return errorAt(ctx, line, kw, `expected 'advanced', 'basic', 'number' or 'name' after '${t[i - 1]!.text}', got '${kw.text}'`, near ? `did you mean '${near}'?` : undefined);
  }
  while (i < t.length) {
    const w = t[i]!;
    if (w.lower === 'name' && name === undefined) {
      const n = t[i + 1];
      if (!n) return errorAt(ctx, line, undefined, "expected an ACL name after 'name'");
      if (!/^[A-Za-z]/.test(n.text) || n.lower === 'all') return errorAt(ctx, line, n, `bad ACL name '${n.text}': it must start with a letter and must not be 'all'`);
      name = n.text;
      i += 2;
    } else if (w.lower === 'match-order') {
      const o = t[i + 1];
      if (o?.lower !== 'config' && o?.lower !== 'auto') return errorAt(ctx, line, o, "expected 'config' or 'auto' after 'match-order'");
      matchOrder = o.lower;
      i += 2;
    } else if ((w.lower === 'advanced' || w.lower === 'basic') && kw.lower === 'name' && category === undefined) {
      category = w.lower;
      i++;
    } else {
      return errorAt(ctx, line, w, `unexpected '${w.text}' in acl command`);
    }
  }
  if (number === undefined && name === undefined) return errorAt(ctx, line, kw, `expected an ACL number or 'name' after '${kw.text}'`);
  const found =
    (number !== undefined ? lookupAcl(ctx, family, { number }) : undefined) ??
    (name !== undefined ? lookupAcl(ctx, family, { name }) : undefined);
  if (found) {
    // a parked batch (its view left earlier) holds the rules; the match order changes only on the whole state
    const existing = matchOrder && matchOrder !== found.matchOrder ? currentAcl(ctx, found) : found;
    if (category && category !== existing.category) return errorAt(ctx, line, kw, `${describeAcl(existing)} is a ${existing.category} ACL, not ${category}`);
    if (matchOrder && matchOrder !== existing.matchOrder) {
      if (existing.rules.length > 0)
        return errorAt(ctx, line, t.find((x) => x.lower === 'match-order'), `cannot change the match order of ${describeAcl(existing)}: it already has rules`, 'Comware changes the match order only of an empty ACL');
      const next = setMatchOrder(existing, matchOrder);
      replaceAcl(ctx, existing, next);
      ctx.view = { kind: 'acl', acl: next };
      return;
    }
    ctx.view = { kind: 'acl', acl: existing };
    return;
  }
  if (!category) return errorAt(ctx, line, kw, `ACL '${name ?? ''}' does not exist yet: say whether it is 'advanced' or 'basic'`, `write 'acl advanced name ${name ?? 'NAME'}'`);
  const acl = createAcl({
    family,
    category,
    ...(number !== undefined ? { number } : {}),
    ...(name !== undefined ? { name } : {}),
    matchOrder: matchOrder ?? 'config',
    step: DEFAULT_STEP,
    rules: [],
    at: commandSpan(line),
  });
  addAcl(ctx, acl);
  ctx.view = { kind: 'acl', acl };
}

/**
 * The batch of edits of the ACL view of `acl` (the view's state), opened on first use. All the
 * commands of one view edit one immer draft, finished once by finishAclView: an immer `produce`
 * per `rule` line would copy the whole rules array each time (O(N²) for an N-rule ACL).
 */
function draftOf(ctx: ParseContext, acl: H3cAcl): AclDraft {
  if (ctx.aclDraft?.base === acl) return ctx.aclDraft;
  finishAclView(ctx);
  const parked = ctx.parkedAcls.get(acl);
  if (parked) {
    ctx.parkedAcls.delete(acl);
    return (ctx.aclDraft = parked);
  }
  return (ctx.aclDraft = openAclDraft(acl));
}

/**
 * Batches of at least this many rules are kept open when their view is left (ParseContext.parkedAcls); smaller ones
 * are finished at once (opening one again costs at most this many rules' copies, a bounded cost per view).
 */
const PARK_MIN_RULES = 256;

/**
 * Ends the batch of edits of the current ACL view, if any, when the parser leaves the view: a small batch is
 * finished (its next state stored in the config and the view: replaceAcl), a large one is kept open for the next
 * visit (parked) until finishParkedAcls. Call before leaving an ACL view.
 */
export function finishAclView(ctx: ParseContext): void {
  const open = ctx.aclDraft;
  if (!open) return;
  ctx.aclDraft = undefined;
  if (ruleCount(open) >= PARK_MIN_RULES) ctx.parkedAcls.set(open.base, open);
  else replaceAcl(ctx, open.base, finishAclDraft(open));
}

/** Finishes every batch, the current view's and the parked ones: the ACL states in the config are then current. Call at the end of input. */
export function finishParkedAcls(ctx: ParseContext): void {
  const open = ctx.aclDraft;
  ctx.aclDraft = undefined;
  if (open) replaceAcl(ctx, open.base, finishAclDraft(open));
  for (const [base, parked] of ctx.parkedAcls) replaceAcl(ctx, base, finishAclDraft(parked));
  ctx.parkedAcls.clear();
}

/** The current state of `acl` (a state in the config): its parked batch finished first, if it has one. */
function currentAcl(ctx: ParseContext, acl: H3cAcl): H3cAcl {
  const parked = ctx.parkedAcls.get(acl);
  if (!parked) return acl;
  ctx.parkedAcls.delete(acl);
  const next = finishAclDraft(parked);
  replaceAcl(ctx, acl, next);
  return next;
}

/**
 * Handles a command in an ACL view; returns false when the word is not an ACL-view command.
 * `acl` is the view's state before its edits; they go to the view's batch (draftOf).
 */
export function handleAclCommand(ctx: ParseContext, line: Line, acl: H3cAcl): boolean {
  const t = line.tokens;
  const first = t[0]!;
  switch (first.lower) {
    case 'rule':
      handleRule(ctx, line, acl);
      return true;
    case 'step': {
      // Comware: `step step-value [start start-value]`, step 1 to 20 (C7-sw-en adds `start`).
      const n = numberToken(ctx, line, t[1], 'a step', 1, 20, 'step');
      if (n === undefined) return true;
      let start = 0;
      if (t[2]) {
        if (t[2].lower !== 'start') {
          errorAt(ctx, line, t[2], `unexpected '${t[2].text}' after 'step ${t[1]!.text}'`, "write 'step N' or 'step N start M'");
          return true;
        }
        const s = numberToken(ctx, line, t[3], 'a start rule id', 0, 65534, 'start');
        if (s === undefined) return true;
        if (t[4]) {
          errorAt(ctx, line, t[4], `unexpected '${t[4].text}' after 'start ${t[3]!.text}'`);
          return true;
        }
        start = s;
      }
      editStep(draftOf(ctx, acl), n, commandSpan(line), ctx.diags, start);
      return true;
    }
    case 'description':
      if (t.length < 2) errorAt(ctx, line, first, "expected a text after 'description'");
      else editDescription(draftOf(ctx, acl), restOfLine(line, 1));
      return true;
    case 'undo':
      if (t[1]?.lower !== 'rule') return false;
      handleUndoRule(ctx, line, acl);
      return true;
    default:
      return false;
  }
}

function handleRule(ctx: ParseContext, line: Line, acl: H3cAcl): void {
  const t = line.tokens;
  // `rule [N] remark TEXT` (Comware 7): a remark between rules; it matches nothing.
  if (t[1]?.lower === 'remark' || (t[1] && allDigits(t[1].text) && t[2]?.lower === 'remark')) return;
  // `rule N comment TEXT`: a comment on an existing rule.
  if (t[1] && allDigits(t[1].text) && t[2]?.lower === 'comment') {
    const id = parseRuleId(line, t[1], ctx.diags);
    if (id === undefined) return;
    const e = draftOf(ctx, acl);
    if (!ruleById(e, id)) return errorAt(ctx, line, t[1], `rule ${id} does not exist in ${describeAcl(acl)}`, "Comware accepts 'rule N comment' only for an existing rule");
    if (t.length < 4) return errorAt(ctx, line, t[2], "expected a text after 'comment'");
    editRuleComment(e, id, restOfLine(line, 3));
    return;
  }
  const cmd = parseRuleCommand(line, acl.family, acl.category, ctx.diags);
  // the span is frozen now: it becomes part of a frozen rule state (acl-draft.ts freezes rules shallowly when their
  // parts are); a plain object of strings and numbers, so Object.freeze does all that immer's freeze would
  if (cmd) editRule(draftOf(ctx, acl), cmd, Object.freeze(commandSpan(line)), ctx.diags, line.tokens);
}

function handleUndoRule(ctx: ParseContext, line: Line, acl: H3cAcl): void {
  const t = line.tokens;
  const idTok = t[2];
  if (!idTok || !/^\d+$/.test(idTok.text)) return errorAt(ctx, line, idTok, "expected a rule id after 'undo rule'");
  const id = parseRuleId(line, idTok, ctx.diags);
  if (id === undefined) return;
  const settings: string[] = [];
  for (const w of t.slice(3) as Token[]) {
    if (!UNDO_RULE_WORDS.includes(w.lower)) {
      const near = suggest(w.lower, UNDO_RULE_WORDS);
      return errorAt(ctx, line, w, `'undo rule' cannot remove '${w.text}'`, near ? `did you mean '${near}'?` : undefined);
    }
    settings.push(w.lower);
  }
  const problem = editUndoRule(draftOf(ctx, acl), id, settings);
  if (problem !== undefined) errorAt(ctx, line, idTok, problem);
}
