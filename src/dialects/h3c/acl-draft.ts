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
import { ruleBodyOfLine, statementKeyOfBody } from './rule-text.js';
import type { Token } from './lexer.js';
import type { H3cAcl, H3cRule } from './vendor.js';

/** An open batch of edits to one ACL state; read the rules here, write them only through the functions below. */
export interface AclDraft {
  /** the state the batch started from; it never changes */
  readonly base: H3cAcl;
  /** the next state being built; read and write its scalar fields, never its `rules` */
  readonly draft: Draft<H3cAcl>;
  /**
   * the rules as they stand, in creation order, as frozen objects, with a hole (undefined) where one was removed:
   * written only by the functions below; read them with liveRules() or ruleById()
   */
  readonly rules: (H3cRule | undefined)[];
  /** the statement key (ruleStatementKey) of each rule of `rules`, at the same position ('' at a hole) */
  readonly keys: string[];
  /** the text (ruleBody in the ACL's category) of each rule of `rules`, at the same position ('' at a hole) */
  readonly bodies: string[];
  /**
   * holes in `rules`: a removal leaves one instead of moving every later rule and its index entry (`undo rule`
   * of each rule of a large ACL in turn was O(N²)); they are closed when they are half the array, and at the end
   */
  holes: number;
  /** a bit per rule id in use, made when the highest rule is first removed (the next highest is then found in it) */
  idBits: Uint32Array | undefined;
  /** true once `rules` differs from the base's */
  rulesChanged: boolean;
  /** index in `rules` of each rule id (ids are unique in an ACL) */
  readonly posById: Map<number, number>;
  /** ids of the rules with each statement key: one id, or a list when two are alike (undoing a setting can do that) */
  readonly idsByBody: Map<string, number | number[]>;
  /** the highest rule id, -1 when there is no rule */
  maxId: number;
}

/** A rule rendered once: its statement key (duplicate detection) and its text (ruleBody). */
export interface RuleRendering {
  readonly key: string;
  readonly body: string;
}

/** The keys and texts of the rules of a finished ACL state, at the positions of its rules. */
interface RulesText {
  readonly keys: readonly string[];
  readonly bodies: readonly string[];
}

/**
 * The statement keys and texts of the rules of each finished ACL state, by its (frozen) rules array:
 * entering the view of a large ACL again reuses them instead of rendering every rule again, and
 * convert.ts takes the texts (ruleBodies). One entry per ACL state, not per rule: a weak map of a
 * hundred thousand rules costs the garbage collector dearly.
 */
const textOfRules = new WeakMap<readonly H3cRule[], RulesText>();

/** The text (ruleBody in its ACL's category) of each rule of `acl`, at the positions of `acl.rules`, when the parser rendered them. */
export function ruleBodies(acl: H3cAcl): readonly string[] | undefined {
  return textOfRules.get(acl.rules)?.bodies;
}

/** Opens a batch of edits on `acl` (O(rules) once). */
export function openAclDraft(acl: H3cAcl): AclDraft {
  // The ACL's scalar fields are edited on a shallow mutable copy: an immer draft (a Proxy, finished
  // by a walk) per ACL view made parsing tens of thousands of small named ACLs slow (issue 14, finding 9).
  const known = textOfRules.get(acl.rules);
  const e: AclDraft = {
    base: acl,
    draft: { ...acl } as Draft<H3cAcl>,
    rules: acl.rules.slice(),
    keys: [],
    bodies: [],
    holes: 0,
    idBits: undefined,
    rulesChanged: false,
    posById: new Map(),
    idsByBody: new Map(),
    maxId: -1,
  };
  if (known) {
    for (const k of known.keys) e.keys.push(k);
    for (const b of known.bodies) e.bodies.push(b);
  } else
    for (const r of acl.rules) {
      const t = renderRule(e, r);
      e.keys.push(t.key);
      e.bodies.push(t.body);
    }
  reindex(e);
  return e;
}

/** Finishes the batch (which must not be used after): the next deeply frozen state, or the base itself when nothing changed. */
export function finishAclDraft(e: AclDraft): H3cAcl {
  const next = e.draft as H3cAcl & { rules: readonly H3cRule[] };
  if (e.holes > 0) closeHoles(e);
  if (e.rulesChanged) (next as { rules: readonly H3cRule[] }).rules = e.rules as H3cRule[];
  const base = e.base as unknown as Record<string, unknown>;
  const copy = next as unknown as Record<string, unknown>;
  const keys = new Set([...Object.keys(base), ...Object.keys(copy)]);
  let changed = false;
  for (const k of keys) if (base[k] !== copy[k]) changed = true;
  if (!changed) return e.base;
  // rules are frozen one by one as they are written (pushRule, replaceRule, renumberRules) or come frozen from the
  // base: the new rules array is frozen by Object.freeze, and immer's deep freeze of the state then finds it frozen
  // instead of asking each of its rules again
  if (e.rulesChanged) Object.freeze(e.rules);
  const state = freeze(next, true);
  textOfRules.set(state.rules, { keys: e.keys, bodies: e.bodies });
  return state;
}

/** The rules as they stand, in creation order (a copy without the holes). */
export function liveRules(e: AclDraft): H3cRule[] {
  const out: H3cRule[] = [];
  for (let pos = 0; pos < e.rules.length; pos++) {
    const r = e.rules[pos];
    if (r !== undefined) out.push(r);
  }
  return out;
}

/** How many rules the ACL has as it stands. */
export function ruleCount(e: AclDraft): number {
  return e.rules.length - e.holes;
}

/** The rule with that id, if any. */
export function ruleById(e: AclDraft, id: number): H3cRule | undefined {
  const pos = e.posById.get(id);
  return pos === undefined ? undefined : e.rules[pos];
}

/**
 * The statement key and text of a rule for this batch's ACL (findTwin, pushRule and replaceRule take them, so a
 * rule is rendered once); `words`, the tokens of the rule's line when there are, let ruleBodyOfLine read the text there.
 */
export function renderRule(e: AclDraft, r: H3cRule, words?: readonly Token[]): RuleRendering {
  const body = ruleBodyOfLine(r, e.base.family, e.base.category, words);
  return { key: statementKeyOfBody(r, e.base.family, e.base.category, body), body };
}

/** The first rule, in creation order, other than `r` itself (same id) with the same statement (`key`, statementKey) as `r`. */
export function findTwin(e: AclDraft, r: H3cRule, key: string): H3cRule | undefined {
  const ids = e.idsByBody.get(key);
  if (ids === undefined) return undefined;
  if (typeof ids === 'number') return ids === r.id ? undefined : e.rules[e.posById.get(ids)!];
  let best: number | undefined;
  for (const id of ids) {
    const pos = e.posById.get(id)!;
    if (id !== r.id && (best === undefined || pos < best)) best = pos;
  }
  return best === undefined ? undefined : e.rules[best];
}

/** Appends a new rule (its id must not exist yet); `t` is its renderRule. */
export function pushRule(e: AclDraft, r: H3cRule, t: RuleRendering): void {
  freezeRule(r);
  e.rules.push(r);
  e.keys.push(t.key);
  e.bodies.push(t.body);
  e.rulesChanged = true;
  addToIndex(e, r, t.key, e.rules.length - 1);
  if (e.idBits) setIdBit(e.idBits, r.id, true);
}

/** Replaces the rule with `r.id` by `r` (`t` its renderRule), at the same position. */
export function replaceRule(e: AclDraft, r: H3cRule, t: RuleRendering): void {
  const pos = e.posById.get(r.id);
  if (pos === undefined) throw new Error(`invariant: rule ${r.id} is not in the ACL draft`);
  freezeRule(r);
  removeBody(e, e.rules[pos]!, e.keys[pos]!);
  e.rules[pos] = r;
  e.keys[pos] = t.key;
  e.bodies[pos] = t.body;
  e.rulesChanged = true;
  addToIndex(e, r, t.key, pos);
}

/** Removes the rule with that id (it must exist): O(1) amortised, the later rules keep their positions. */
export function removeRule(e: AclDraft, id: number): void {
  const pos = e.posById.get(id);
  if (pos === undefined) throw new Error(`invariant: rule ${id} is not in the ACL draft`);
  removeBody(e, e.rules[pos]!, e.keys[pos]!);
  e.rules[pos] = undefined;
  e.keys[pos] = '';
  e.bodies[pos] = '';
  e.holes++;
  e.rulesChanged = true;
  e.posById.delete(id);
  if (id === e.maxId) {
    // the next highest id from a bit per id (ids are 0..MAX_RULE_ID): a bounded scan, not one over the rules
    const bits = (e.idBits ??= idBitsOf(e));
    setIdBit(bits, id, false);
    e.maxId = highestIdUpTo(bits, id);
  } else if (e.idBits) setIdBit(e.idBits, id, false);
  if (e.holes >= 64 && 2 * e.holes >= e.rules.length) closeHoles(e);
}

/** Moves the rules together over the holes, keys and texts with them, and indexes their new positions (O(rules)). */
function closeHoles(e: AclDraft): void {
  let to = 0;
  for (let from = 0; from < e.rules.length; from++) {
    const r = e.rules[from];
    if (r === undefined) continue;
    e.rules[to] = r;
    e.keys[to] = e.keys[from]!;
    e.bodies[to] = e.bodies[from]!;
    e.posById.set(r.id, to);
    to++;
  }
  e.rules.length = to;
  e.keys.length = to;
  e.bodies.length = to;
  e.holes = 0;
}

/** Rule ids 0..65534 (MAX_RULE_ID) as bits. */
const ID_WORDS = 2048;

function idBitsOf(e: AclDraft): Uint32Array {
  const bits = new Uint32Array(ID_WORDS);
  for (const r of e.rules) if (r !== undefined) setIdBit(bits, r.id, true);
  return bits;
}

function setIdBit(bits: Uint32Array, id: number, on: boolean): void {
  const w = id >>> 5;
  if (w >= ID_WORDS) return;
  if (on) bits[w] = bits[w]! | (1 << (id & 31));
  else bits[w] = bits[w]! & ~(1 << (id & 31));
}

/** The highest id set in `bits` at or below `id`, or -1. */
function highestIdUpTo(bits: Uint32Array, id: number): number {
  for (let w = Math.min(id >>> 5, ID_WORDS - 1); w >= 0; w--) {
    // bits above id in its word are clear: id was the highest
    const word = bits[w]!;
    if (word !== 0) return w * 32 + (31 - Math.clz32(word));
  }
  return -1;
}

/** Gives rules new ids (`newId` maps old id → new id; rules keep their positions, statements and texts, which have no id). */
export function renumberRules(e: AclDraft, newId: ReadonlyMap<number, number>): void {
  e.rules.forEach((r, pos) => {
    if (r === undefined) return;
    const id = newId.get(r.id)!;
    if (id === r.id) return; // unchanged rules keep their object, as an immer no-op assignment would
    e.rules[pos] = freeze({ ...r, id }, true);
    e.rulesChanged = true;
  });
  reindex(e);
}

/**
 * Freezes a new rule deeply. Its parts are usually frozen already where the parser made them
 * (operands.ts, rule-parser.ts), and then the rule itself is all that is left to freeze: immer's
 * deep freeze would visit each part only to find it frozen.
 */
function freezeRule(r: H3cRule): void {
  for (const k in r) {
    const v = (r as unknown as Record<string, unknown>)[k];
    if (typeof v === 'object' && v !== null && !Object.isFrozen(v)) {
      freeze(r, true);
      return;
    }
  }
  // a plain object (never a draft) whose parts are all frozen: what immer's freeze(r) would do
  Object.freeze(r);
}

function reindex(e: AclDraft): void {
  e.posById.clear();
  e.idsByBody.clear();
  e.maxId = -1;
  e.idBits = undefined;
  e.rules.forEach((r, pos) => {
    if (r !== undefined) addToIndex(e, r, e.keys[pos]!, pos);
  });
}

function addToIndex(e: AclDraft, r: H3cRule, key: string, pos: number): void {
  e.posById.set(r.id, pos);
  if (r.id > e.maxId) e.maxId = r.id;
  const ids = e.idsByBody.get(key);
  if (ids === undefined) e.idsByBody.set(key, r.id);
  else if (typeof ids === 'number') e.idsByBody.set(key, [ids, r.id]);
  else ids.push(r.id);
}

function removeBody(e: AclDraft, r: H3cRule, key: string): void {
  const ids = e.idsByBody.get(key);
  if (ids === undefined) return;
  const left = typeof ids === 'number' ? [ids].filter((id) => id !== r.id) : ids.filter((id) => id !== r.id);
  if (left.length > 1) e.idsByBody.set(key, left);
  else if (left.length === 1) e.idsByBody.set(key, left[0]!);
  else e.idsByBody.delete(key);
}
