/**
 * A batch of edits to one ACL: one immer draft that every command of an ACL view writes to,
 * finished into the next frozen state once (when the parser leaves the view), plus an index of
 * the rules kept up to date by each write: position by id, ids by statement text, highest id.
 * The rules are edited in a plain array of frozen rule objects that becomes the draft's `rules`
 * when the batch finishes: a write through immer's array proxy costs several microseconds
 * (it inspects the written value), and the batch needs the plain array for its index anyway.
 *
 * Why: an immer `produce` per `rule` line copies and re-walks the whole rules array, and the
 * duplicate check and automatic numbering scanned every rule too, so an N-rule ACL cost O(N²)
 * to parse (10,000 rules: over a minute; DESIGN.md's performance target names 10,000-rule
 * ACLs). With one draft per view and this index, a view of N rules costs O(N).
 * Earlier states stay untouched and every finished state is deeply frozen, as with `produce`; the
 * scalar fields are edited on a shallow copy rather than an immer draft (same result, far less work
 * per view, which matters for configs with tens of thousands of named ACLs).
 */
import { freeze, type Draft } from 'immer';
import { ruleStatementKey } from './rule-text.js';
import type { H3cAcl, H3cRule } from './vendor.js';

/** An open batch of edits to one ACL state; read the rules here, write them only through the functions below. */
export interface AclDraft {
  /** the state the batch started from; it never changes */
  readonly base: H3cAcl;
  /** the next state being built; read and write its scalar fields, never its `rules` */
  readonly draft: Draft<H3cAcl>;
  /** the rules as they stand, in creation order, as frozen objects; written only by the functions below */
  readonly rules: H3cRule[];
  /** true once `rules` differs from the base's */
  rulesChanged: boolean;
  /** index in `rules` of each rule id (ids are unique in an ACL) */
  readonly posById: Map<number, number>;
  /** ids of the rules with each statement text (usually one; undoing a setting can make two alike) */
  readonly idsByBody: Map<string, number[]>;
  /** the highest rule id, -1 when there is no rule */
  maxId: number;
}

/** Opens a batch of edits on `acl` (O(rules) once). */
export function openAclDraft(acl: H3cAcl): AclDraft {
  // The ACL's scalar fields are edited on a shallow mutable copy: an immer draft (a Proxy, finished
  // by a walk) per ACL view made parsing tens of thousands of small named ACLs slow (issue 14, finding 9).
  const e: AclDraft = { base: acl, draft: { ...acl } as Draft<H3cAcl>, rules: [...acl.rules], rulesChanged: false, posById: new Map(), idsByBody: new Map(), maxId: -1 };
  reindex(e);
  return e;
}

/** Finishes the batch (which must not be used after): the next deeply frozen state, or the base itself when nothing changed. */
export function finishAclDraft(e: AclDraft): H3cAcl {
  const next = e.draft as H3cAcl & { rules: readonly H3cRule[] };
  if (e.rulesChanged) (next as { rules: readonly H3cRule[] }).rules = e.rules;
  const base = e.base as unknown as Record<string, unknown>;
  const copy = next as unknown as Record<string, unknown>;
  const keys = new Set([...Object.keys(base), ...Object.keys(copy)]);
  let changed = false;
  for (const k of keys) if (base[k] !== copy[k]) changed = true;
  // rules are frozen one by one as they are written (pushRule, replaceRule): freezing the state walks only new arrays
  return changed ? freeze(next, true) : e.base;
}

/** The rule with that id, if any. */
export function ruleById(e: AclDraft, id: number): H3cRule | undefined {
  const pos = e.posById.get(id);
  return pos === undefined ? undefined : e.rules[pos];
}

/** The first rule, in creation order, other than `r` itself (same id) with the same statement as `r`. */
export function findTwin(e: AclDraft, r: H3cRule): H3cRule | undefined {
  const ids = e.idsByBody.get(cachedBody(r, e.base.family));
  let best: number | undefined;
  for (const id of ids ?? []) {
    const pos = e.posById.get(id)!;
    if (id !== r.id && (best === undefined || pos < best)) best = pos;
  }
  return best === undefined ? undefined : e.rules[best];
}

/** Appends a new rule (its id must not exist yet). */
export function pushRule(e: AclDraft, r: H3cRule): void {
  freeze(r, true);
  e.rules.push(r);
  e.rulesChanged = true;
  addToIndex(e, r, e.rules.length - 1);
}

/** Replaces the rule with `r.id` by `r`, at the same position. */
export function replaceRule(e: AclDraft, r: H3cRule): void {
  const pos = e.posById.get(r.id);
  if (pos === undefined) throw new Error(`invariant: rule ${r.id} is not in the ACL draft`);
  freeze(r, true);
  removeBody(e, e.rules[pos]!);
  e.rules[pos] = r;
  e.rulesChanged = true;
  addToIndex(e, r, pos);
}

/** Removes the rule with that id (it must exist). */
export function removeRule(e: AclDraft, id: number): void {
  const pos = e.posById.get(id);
  if (pos === undefined) throw new Error(`invariant: rule ${id} is not in the ACL draft`);
  removeBody(e, e.rules[pos]!);
  e.rules.splice(pos, 1);
  e.rulesChanged = true;
  e.posById.delete(id);
  for (let k = pos; k < e.rules.length; k++) e.posById.set(e.rules[k]!.id, k);
  if (id === e.maxId) e.maxId = e.rules.reduce((m, r) => Math.max(m, r.id), -1);
}

/** Gives rules new ids (`newId` maps old id → new id; rules keep their positions). */
export function renumberRules(e: AclDraft, newId: ReadonlyMap<number, number>): void {
  e.rules.forEach((r, pos) => {
    const id = newId.get(r.id)!;
    if (id === r.id) return; // unchanged rules keep their object, as an immer no-op assignment would
    e.rules[pos] = freeze({ ...r, id }, true);
    e.rulesChanged = true;
  });
  reindex(e);
}

function reindex(e: AclDraft): void {
  e.posById.clear();
  e.idsByBody.clear();
  e.maxId = -1;
  e.rules.forEach((r, pos) => addToIndex(e, r, pos));
}

function addToIndex(e: AclDraft, r: H3cRule, pos: number): void {
  e.posById.set(r.id, pos);
  if (r.id > e.maxId) e.maxId = r.id;
  const body = cachedBody(r, e.base.family);
  const ids = e.idsByBody.get(body);
  if (ids) ids.push(r.id);
  else e.idsByBody.set(body, [r.id]);
}

function removeBody(e: AclDraft, r: H3cRule): void {
  const body = cachedBody(r, e.base.family);
  const ids = e.idsByBody.get(body);
  if (!ids) return;
  const left = ids.filter((id) => id !== r.id);
  if (left.length > 0) e.idsByBody.set(body, left);
  else e.idsByBody.delete(body);
}

/**
 * Rule texts by rule object. Rules are frozen, so a rule's text never changes and is rendered
 * once, even when a view of a large ACL is entered again (the index is then rebuilt from it).
 */
const bodyCache = new WeakMap<H3cRule, string>();

function cachedBody(r: H3cRule, family: 4 | 6): string {
  let body = bodyCache.get(r);
  if (body === undefined) {
    body = ruleStatementKey(r, family);
    bodyCache.set(r, body);
  }
  return body;
}
