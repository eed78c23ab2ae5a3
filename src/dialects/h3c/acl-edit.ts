/**
 * Edits an ACL of the vendor model the way Comware does when the commands are
 * typed in order: automatic rule numbering, editing an existing rule, refusing
 * duplicates, `undo rule`, `rule N comment`, `step`.
 *
 * Sources (H3C/HPE Comware ACL command references, `rule (IPv4 advanced ACL view)`):
 * - "If no rule ID is provided when you create an ACL rule, the system automatically assigns it a
 *   rule ID. This rule ID takes the nearest higher multiple of the numbering step to the current
 *   highest rule ID, starting from 0. For example, if the rule numbering step is 5 and the current
 *   highest rule ID is 28, the rule is numbered 30." Default step: 5 (`step` command).
 * - "You can only modify the existing rules of an ACL that uses the match order of config. When
 *   modifying a rule of such an ACL, you may choose to change just some of the settings, in which
 *   case the other settings remain the same." (HP/H3C E4510 ACL reference; Comware 5 S3900:
 *   "the modified part in the rule will replace the original content, while other parts remain
 *   unchanged"). So a re-definition MERGES the new options into the old rule, which keeps its id
 *   (hence its position in config order); the action and protocol, mandatory in the syntax, are
 *   replaced.
 * - "You cannot create a rule with, or modify a rule to have, the same permit/deny statement as an
 *   existing rule in the ACL." A duplicate is refused (warning, the line has no effect).
 * - `step`: "Whenever the step changes, the rules are renumbered, starting from 0" (H3C S5120-SI
 *   ACL manual, Comware 5); ftpwall renumbers too and says so in a warning.
 *
 * Every edit is an immer transform yielding the next frozen ACL state, so a renumbering or merge
 * can never alter a state (or rule) kept earlier, e.g. by a step-by-step view (DESIGN.md: immer for
 * configuration transforms, never per packet). The parser applies all the commands of one ACL
 * view to one draft (`edit…` functions on an AclDraft, acl-draft.ts) and finishes it when it
 * leaves the view, so an N-rule ACL costs O(N); the `apply…`/`set…` functions edit one state at once.
 */
import { freeze, produce } from 'immer';
import { findTwin, finishAclDraft, liveRules, openAclDraft, pushRule, removeRule, renumberRules, replaceRule, ruleById, ruleCount, renderRule, type AclDraft } from './acl-draft.js';
import type { Diagnostic, SourceSpan } from '../../diag/diagnostic.js';
import type { H3cAcl, H3cRule, H3cRuleOptions } from './vendor.js';
import type { MatchOrder } from '../../policy/model.js';
import { MAX_RULE_ID, type RuleCommand } from './rule-parser.js';
import { describeAcl, ruleBody } from './rule-text.js';
import type { Token } from './lexer.js';
import { depthFirst } from './convert.js';

/** A new ACL state, deeply frozen like every state the edits below produce. */
export function createAcl(acl: H3cAcl): H3cAcl {
  return freeze(acl, true);
}

/** The id Comware assigns to a rule written without one: 0, or the next multiple of step above the highest id. */
export function nextRuleId(acl: H3cAcl): number {
  if (acl.rules.length === 0) return 0;
  let highest = -Infinity;
  for (const r of acl.rules) if (r.id > highest) highest = r.id;
  return (Math.floor(highest / acl.step) + 1) * acl.step;
}

/** Why a rule's options do not fit its protocol, or undefined when they do. */
export function protocolMismatch(r: H3cRuleOptions & { protocol: number | 'any' }, family: 4 | 6): string | undefined {
  const p = r.protocol;
  if ((r.srcPort || r.dstPort) && p !== 6 && p !== 17) return 'source-port and destination-port apply only to tcp or udp rules';
  if ((r.established || r.flags) && p !== 6) return 'established and TCP flag options apply only to tcp rules';
  if (r.icmp && p !== (family === 4 ? 1 : 58)) return `icmp-type applies only to ${family === 4 ? 'icmp' : 'icmpv6'} rules`;
  return undefined;
}

/** Applies a `rule` command to `acl`; returns the next state (`acl` itself when the command is refused). */
export function applyRule(acl: H3cAcl, cmd: RuleCommand, at: SourceSpan, diags: Diagnostic[]): H3cAcl {
  return once(acl, (e) => editRule(e, cmd, at, diags));
}

/**
 * Applies a `rule` command to an open batch of edits (a refused command changes nothing); `words` are the tokens
 * of the command's line (at.lineText), when the caller has them: a new rule's text is then read from its line.
 */
export function editRule(e: AclDraft, cmd: RuleCommand, at: SourceSpan, diags: Diagnostic[], words?: readonly Token[]): void {
  const acl = e.base; // family, category, number and name: the edits below never change them
  const existing = cmd.id === undefined ? undefined : ruleById(e, cmd.id);
  if (existing) {
    if (e.draft.matchOrder === 'auto') {
      diags.push({
        severity: 'error',
        message: `rule ${existing.id} already exists in ${describeAcl(acl)}, which uses match-order auto: Comware edits rules only in match-order config`,
        span: at,
        suggestion: `remove it first with 'undo rule ${existing.id}'`,
      });
      return;
    }
    const merged: H3cRule = { ...existing, ...definedOptions(cmd.options), action: cmd.action, protocol: cmd.protocol, at };
    const mismatch = protocolMismatch(merged, acl.family);
    if (mismatch) {
      diags.push({ severity: 'error', message: `editing rule ${existing.id} of ${describeAcl(acl)} would leave it invalid: ${mismatch}`, span: at });
      return;
    }
    const t = renderRule(e, merged);
    const twin = findTwin(e, merged, t.key);
    if (twin) {
      diags.push(duplicateWarning(twin, describeAcl(acl), at));
      return;
    }
    const before = ruleBody(existing, acl.family, acl.category);
    replaceRule(e, merged, t);
    diags.push({
      severity: 'info',
      message: `rule ${existing.id} of ${describeAcl(acl)} is edited in place: '${before}' becomes '${ruleBody(merged, acl.family, acl.category)}' (Comware keeps the options not given)`,
      span: at,
    });
    return;
  }
  const step = e.draft.step;
  // Comware's automatic id (see the header): 0, or the next multiple of step above the highest id.
  // With `step N start M` (C7-sw-en) the ids are M, M+N, M+2N, …: the next one above the highest id.
  const start = e.draft.start ?? 0;
  const id = cmd.id ?? (ruleCount(e) === 0 || e.maxId < start ? start : start + (Math.floor((e.maxId - start) / step) + 1) * step);
  if (id > MAX_RULE_ID) {
    diags.push({
      severity: 'error',
      message: `no rule id left in ${describeAcl(acl)}: the next multiple of step ${step} is ${id}, above ${MAX_RULE_ID}`,
      span: at,
      suggestion: 'give the rule an explicit id',
    });
    return;
  }
  const rule = definedOptions(cmd.options) as { -readonly [K in keyof H3cRule]: H3cRule[K] };
  rule.id = id;
  rule.action = cmd.action;
  rule.protocol = cmd.protocol;
  rule.at = at;
  const t = renderRule(e, rule, words);
  const twin = findTwin(e, rule, t.key);
  if (twin) {
    diags.push(duplicateWarning(twin, describeAcl(acl), at));
    return;
  }
  pushRule(e, rule, t);
}

/** Runs edits on a batch opened on `acl` and finishes it: the next state, or `acl` itself when nothing changed. */
function once(acl: H3cAcl, edit: (e: AclDraft) => void): H3cAcl {
  const e = openAclDraft(acl);
  edit(e);
  return finishAclDraft(e);
}

function duplicateWarning(twin: H3cRule, label: string, at: SourceSpan): Diagnostic {
  return {
    severity: 'warning',
    message: `this rule repeats rule ${twin.id} of ${label}: Comware refuses a rule identical to an existing one, so the line has no effect`,
    span: at,
  };
}

/** A new object with the options that are set, in the order given. */
function definedOptions(o: H3cRuleOptions): H3cRuleOptions {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(o)) {
    const v = (o as Record<string, unknown>)[k];
    if (v !== undefined) out[k] = v;
  }
  return out as H3cRuleOptions;
}

/** Settings `undo rule N <setting>…` can remove, mapped to the option they clear. */
const UNDO_FIELDS: Readonly<Record<string, keyof H3cRuleOptions | 'comment'>> = {
  source: 'src',
  destination: 'dst',
  'source-port': 'srcPort',
  'destination-port': 'dstPort',
  established: 'established',
  fragment: 'fragment',
  logging: 'logging',
  counting: 'counting',
  'time-range': 'timeRange',
  'vpn-instance': 'vpnInstance',
  'icmp-type': 'icmp',
  'icmp6-type': 'icmp',
  dscp: 'qos',
  precedence: 'qos',
  tos: 'qos',
  syn: 'flags',
  ack: 'flags',
  fin: 'flags',
  rst: 'flags',
  psh: 'flags',
  urg: 'flags',
  comment: 'comment',
};

/** The words `undo rule N` accepts after the id. */
export const UNDO_RULE_WORDS = Object.keys(UNDO_FIELDS);

/** What `undo rule` did: the next state, or why the ACL is unchanged. */
export type UndoResult = { readonly ok: true; readonly acl: H3cAcl } | { readonly ok: false; readonly problem: string };

/** `undo rule N [setting…]`: removes the rule, or only the named settings. */
export function undoRule(acl: H3cAcl, id: number, settings: readonly string[]): UndoResult {
  let problem: string | undefined;
  const next = once(acl, (e) => {
    problem = editUndoRule(e, id, settings);
  });
  return problem === undefined ? { ok: true, acl: next } : { ok: false, problem };
}

/** `undo rule N [setting…]` on an open batch: removes the rule or its named settings; returns why not, if it cannot. */
export function editUndoRule(e: AclDraft, id: number, settings: readonly string[]): string | undefined {
  const rule = ruleById(e, id);
  if (!rule) return `rule ${id} does not exist in ${describeAcl(e.base)}`;
  if (settings.length === 0) {
    removeRule(e, id);
    return undefined;
  }
  const r: Record<string, unknown> = { ...rule };
  for (const s of settings) {
    const field = UNDO_FIELDS[s];
    if (field === 'qos') {
      const left = (r['qos'] as [string, string][] | undefined)?.filter(([k]) => k !== s);
      r['qos'] = left && left.length > 0 ? left : undefined;
    } else if (field === 'flags') {
      const left = (r['flags'] as [string, 0 | 1][] | undefined)?.filter(([k]) => k !== s);
      r['flags'] = left && left.length > 0 ? left : undefined;
    } else if (field) {
      delete r[field];
    }
  }
  replaceRule(e, r as unknown as H3cRule, renderRule(e, r as unknown as H3cRule));
  return undefined;
}

/** `rule N comment TEXT` on an existing rule; returns the next state. Throws when rule N does not exist (callers check). */
export function setRuleComment(acl: H3cAcl, id: number, comment: string): H3cAcl {
  return once(acl, (e) => editRuleComment(e, id, comment));
}

/** `rule N comment TEXT` on an open batch. Throws when rule N does not exist (callers check). */
export function editRuleComment(e: AclDraft, id: number, comment: string): void {
  const rule = ruleById(e, id);
  if (!rule) throw new Error(`invariant: rule ${id} does not exist in ${describeAcl(e.base)}`);
  const next = { ...rule, comment };
  replaceRule(e, next, renderRule(e, next));
}

/** `description TEXT` in an ACL view; returns the next state. */
export function setDescription(acl: H3cAcl, description: string): H3cAcl {
  return once(acl, (e) => editDescription(e, description));
}

/** `description TEXT` on an open batch. */
export function editDescription(e: AclDraft, description: string): void {
  e.draft.description = description;
}

/** `acl … match-order X` on an existing, empty ACL; returns the next state. */
export function setMatchOrder(acl: H3cAcl, matchOrder: MatchOrder): H3cAcl {
  return produce(acl, (d) => {
    d.matchOrder = matchOrder;
  });
}

/** `step N` in an ACL view: sets the step, renumbering existing rules from 0 (Comware 5 behaviour); returns the next state. */
export function setStep(acl: H3cAcl, step: number, at: SourceSpan, diags: Diagnostic[]): H3cAcl {
  return once(acl, (e) => editStep(e, step, at, diags));
}

/** Renumberings a `step` warning lists at most. */
const RENUMBERINGS_SHOWN = 12;

/**
 * `step N [start M]` on an open batch: sets the step, renumbering existing rules from the start id
 * (0 by default) and saying so. A `match-order auto` ACL is renumbered in its match (depth-first)
 * order, not by id (sheet 2.3, C7-sw-en: "rules are in the match order of 0, 10, and 5. Changing the
 * numbering step to 2 renumbers rules 0, 10, and 5 (not 0, 5, and 10) as rules 0, 2, 4").
 */
export function editStep(e: AclDraft, step: number, at: SourceSpan, diags: Diagnostic[], start = 0): void {
  if (step === e.draft.step && start === (e.draft.start ?? 0)) return;
  const sorted = liveRules(e).sort(e.draft.matchOrder === 'auto' ? depthFirst : (a, b) => a.id - b.id);
  // Rule ids are unique in an ACL, so the old id names the rule to renumber; rules keep their creation order.
  const newId = new Map(sorted.map((r, k) => [r.id, start + k * step]));
  e.draft.step = step;
  if (start !== 0 || e.draft.start !== undefined) e.draft.start = start;
  renumberRules(e, newId);
  if (sorted.length === 0) return;
  // an ACL of thousands of rules: the first few renumberings, and how many more
  const shown = sorted.slice(0, RENUMBERINGS_SHOWN).map((r, k) => `${r.id}→${start + k * step}`);
  const renumbered = sorted.length > RENUMBERINGS_SHOWN ? [...shown, `… ${sorted.length - RENUMBERINGS_SHOWN} more`] : shown;
  diags.push({
    severity: 'warning',
    message: `step ${step} renumbers the existing rules of ${describeAcl(e.base)} from ${start}${e.draft.matchOrder === 'auto' ? ' in match order' : ''} (${renumbered.join(', ')}), as Comware documents`,
    span: at,
    suggestion: "put 'step' before the rules to keep their ids",
  });
}
