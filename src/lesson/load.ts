/**
 * Lessons: a directory with lesson.yaml (title, introduction, narrated steps,
 * an exercise), a scenario and configs. This reads lesson.yaml into a Lesson,
 * every key checked, every problem located (file:line:col).
 */
import type { Diagnostic, Parsed, SourceSpan } from '../diag/diagnostic.js';
import { formatIp, parseIp } from '../net/address.js';
import { YamlReader, type Entries, type YNode } from '../scenario/yaml-read.js';

/** Which packet a step points at: the first after the previous step's packet that matches every field given. */
export interface StepSelector {
  /** the packet's FTP text starts with this (case-insensitive) */
  readonly text?: string;
  readonly action?: 'permit' | 'deny';
  /** an engine event of this kind was caused by the packet */
  readonly event?: string;
  /** TCP flags exactly, e.g. `S` or `SA` */
  readonly flags?: string;
}

/** One narrated step. */
export interface LessonStep {
  readonly say: string;
  readonly at?: StepSelector;
  /** where the step is in lesson.yaml, for messages */
  readonly span: SourceSpan;
}

/** What one run of a graded answer must show. */
export interface ExerciseRun {
  /** scenario file, relative to the lesson directory */
  readonly scenario: string;
  /** the FTP verdict the run must have */
  readonly works?: boolean;
  /** every flow to or from this address must be blocked, and there must be one */
  readonly blocked?: string;
}

/** A bound on what the answer's policy exposes (compare's port pairs) between the scenarios' hosts. */
export interface ExposureLimit {
  /** initiator address; absent: every pair of hosts, both ways, summed */
  readonly from?: string;
  readonly to?: string;
  readonly max: number;
}

/** The exercise that ends a lesson. */
export interface Exercise {
  readonly task: string;
  /** the file the learner edits, relative to the lesson directory */
  readonly file: string;
  /** a correct answer, relative to the lesson directory */
  readonly solution: string;
  readonly runs: readonly ExerciseRun[];
  readonly limits: readonly ExposureLimit[];
  readonly hints: { readonly works?: string; readonly blocked?: string; readonly exposure?: string };
}

/** A lesson as lesson.yaml describes it. */
export interface Lesson {
  readonly name: string;
  readonly title: string;
  readonly summary: string;
  readonly scenario: string;
  readonly config: string;
  readonly intro: readonly string[];
  readonly steps: readonly LessonStep[];
  readonly exercise: Exercise;
}

const TOP_KEYS = ['title', 'summary', 'scenario', 'config', 'intro', 'steps', 'exercise'] as const;
const STEP_KEYS = ['say', 'at'] as const;
const AT_KEYS = ['text', 'action', 'event', 'flags'] as const;
const EXERCISE_KEYS = ['task', 'file', 'solution', 'runs', 'limits', 'hints'] as const;
const RUN_KEYS = ['scenario', 'works', 'blocked'] as const;
const LIMIT_KEYS = ['from', 'to', 'max'] as const;
const HINT_KEYS = ['works', 'blocked', 'exposure'] as const;

/** A required text entry: 'missing' once when absent, else its text. */
function requiredText(r: YamlReader, e: Entries, key: string, what: string): string | undefined {
  if (!e.has(key)) return r.error(e.node, `${what} is missing '${key}'`);
  return r.string(e.get(key), `'${key}'`);
}

function paragraphs(r: YamlReader, node: YNode, what: string): string[] {
  if (node === undefined || node === null) return [];
  const list = r.list(node, what);
  return (list ?? []).flatMap((n) => {
    const s = r.string(n, `each paragraph of ${what}`);
    return s === undefined ? [] : [s.trim()];
  });
}

function address(r: YamlReader, node: YNode, what: string): string | undefined {
  const text = r.string(node, what);
  if (text === undefined) return undefined;
  const a = parseIp(text.trim());
  if (!a) return r.error(node, `${what} '${text}' is not an IPv4 or IPv6 address`);
  return formatIp(a);
}

function selector(r: YamlReader, node: YNode): StepSelector | undefined {
  const e = r.map(node, "a step's 'at'", AT_KEYS);
  if (!e) return undefined;
  const out: { -readonly [K in keyof StepSelector]: StepSelector[K] } = {};
  if (e.has('text')) out.text = r.string(e.get('text'), "'at.text'");
  if (e.has('action')) out.action = r.oneOf(e.get('action'), "'at.action'", ['permit', 'deny'] as const);
  if (e.has('event')) out.event = r.string(e.get('event'), "'at.event'");
  if (e.has('flags')) out.flags = r.string(e.get('flags'), "'at.flags'");
  if (Object.keys(out).length === 0) return r.error(node, "a step's 'at' needs at least one of text, action, event, flags");
  return out;
}

function exercise(r: YamlReader, node: YNode): Exercise | undefined {
  const e = r.map(node, "'exercise'", EXERCISE_KEYS);
  if (!e) return undefined;
  const task = requiredText(r, e, 'task', "'exercise'");
  const file = requiredText(r, e, 'file', "'exercise'");
  const solution = requiredText(r, e, 'solution', "'exercise'");
  const runs: ExerciseRun[] = [];
  for (const n of e.has('runs') ? (r.list(e.get('runs'), "'exercise.runs'") ?? []) : (r.error(e.node, "'exercise' is missing 'runs'") ?? [])) {
    const m = r.map(n, 'an exercise run', RUN_KEYS);
    if (!m) continue;
    const scenario = requiredText(r, m, 'scenario', 'an exercise run');
    const works = m.has('works') ? r.boolean(m.get('works'), "'works'") : undefined;
    const blocked = m.has('blocked') ? address(r, m.get('blocked'), "'blocked'") : undefined;
    if (scenario !== undefined) runs.push({ scenario, ...(works !== undefined ? { works } : {}), ...(blocked !== undefined ? { blocked } : {}) });
  }
  const limits: ExposureLimit[] = [];
  const limitNode = e.get('limits');
  for (const n of e.has('limits') ? (r.list(limitNode, "'exercise.limits'") ?? []) : []) {
    const m = r.map(n, 'an exposure limit', LIMIT_KEYS);
    if (!m) continue;
    const max = m.has('max') ? r.integer(m.get('max'), "'max'", 0, Number.MAX_SAFE_INTEGER) : r.error(m.node, "an exposure limit is missing 'max'");
    const from = m.has('from') ? address(r, m.get('from'), "'from'") : undefined;
    const to = m.has('to') ? address(r, m.get('to'), "'to'") : undefined;
    if ((from === undefined) !== (to === undefined) && !r.failed) r.error(n, "an exposure limit names both 'from' and 'to', or neither");
    if (max !== undefined) limits.push({ max, ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}) });
  }
  const hints: { -readonly [K in keyof Exercise['hints']]: string } = {};
  if (e.has('hints')) {
    const h = r.map(e.get('hints'), "'exercise.hints'", HINT_KEYS);
    for (const k of HINT_KEYS) if (h?.has(k)) hints[k] = r.string(h.get(k), `'hints.${k}'`)?.trim();
  }
  if (task === undefined || file === undefined || solution === undefined) return undefined;
  return { task: task.trim(), file, solution, runs, limits, hints };
}

/** Reads one lesson.yaml; `name` is the lesson directory's name. */
export function loadLesson(text: string, file: string, name: string): Parsed<Lesson | undefined> {
  const r = new YamlReader(text, file);
  const fail = (): Parsed<undefined> => ({ value: undefined, diagnostics: r.diagnostics });
  if (!r.doc) return fail();
  const root = r.doc.contents as YNode;
  const e = r.map(root, 'a lesson', TOP_KEYS);
  if (!e) return fail();
  const title = requiredText(r, e, 'title', 'the lesson');
  const summary = requiredText(r, e, 'summary', 'the lesson');
  const scenario = requiredText(r, e, 'scenario', 'the lesson');
  const config = requiredText(r, e, 'config', 'the lesson');
  const intro = paragraphs(r, e.get('intro'), "'intro'");
  const steps: LessonStep[] = [];
  for (const n of e.has('steps') ? (r.list(e.get('steps'), "'steps'") ?? []) : (r.error(e.node, "the lesson is missing 'steps'") ?? [])) {
    const m = r.map(n, 'a step', STEP_KEYS);
    if (!m) continue;
    const say = requiredText(r, m, 'say', 'a step');
    const at = m.has('at') ? selector(r, m.get('at')) : undefined;
    if (say !== undefined) steps.push({ say: say.trim(), ...(at ? { at } : {}), span: r.span(n) });
  }
  const exerciseValue = e.has('exercise') ? exercise(r, e.get('exercise')) : r.error(e.node, "the lesson is missing 'exercise'");
  if (r.failed || title === undefined || summary === undefined || scenario === undefined || config === undefined || !exerciseValue) return fail();
  const diagnostics: Diagnostic[] = r.diagnostics;
  return { value: { name, title, summary: summary.trim(), scenario, config, intro, steps, exercise: exerciseValue }, diagnostics };
}
