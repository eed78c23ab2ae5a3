/** `ftpwall lesson [NAME]`, `ftpwall lesson check NAME FILE`: built-in lessons, shown step by step, and their exercises graded. */
import { readdirSync, readFileSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { closest, hasErrors, type Diagnostic } from '../diag/diagnostic.js';
import { gradeAnswer } from '../lesson/grade.js';
import { lessonHtml } from '../lesson/html.js';
import { loadLesson, type Lesson } from '../lesson/load.js';
import { runLesson, type LessonReader } from '../lesson/run.js';
import { gradeText, lessonText, wrap } from '../lesson/text.js';
import { EXIT_EXPECTATION_FAILED, EXIT_OK, InputProblems, printDiagnostics, readText, styleFor, writeOutput } from './io.js';

/** Options of `lesson`, as commander parses them. */
export interface LessonOptions {
  readonly all: boolean;
  readonly format: 'text' | 'html';
  readonly output?: string;
}

/** Where the lessons are: `lessons/` at the package root (from dist/cli/ or src/cli/). */
export const LESSONS_DIR = fileURLToPath(new URL('../../lessons/', import.meta.url));

function shown(abs: string): string {
  const rel = relative(process.cwd(), abs);
  return rel.startsWith('..') || isAbsolute(rel) ? abs : rel;
}

function lessonNames(): string[] {
  try {
    return readdirSync(LESSONS_DIR, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort();
  } catch {
    return [];
  }
}

function readerFor(name: string): LessonReader {
  return (rel) => {
    const abs = join(LESSONS_DIR, name, rel);
    try {
      return { text: readFileSync(abs, 'utf8'), path: shown(abs) };
    } catch {
      return undefined;
    }
  };
}

/** Loads lesson NAME; an unknown name is bad input with the closest name suggested. */
function lessonNamed(name: string): Lesson {
  const names = lessonNames();
  if (!names.includes(name)) {
    const near = closest(name, names);
    throw new InputProblems([{ severity: 'error', message: `no lesson '${name}'`, suggestion: near ? `did you mean '${near}'?` : `lessons: ${names.join(', ')}` }]);
  }
  const file = join(LESSONS_DIR, name, 'lesson.yaml');
  const problems: Diagnostic[] = [];
  const text = readText(file, problems);
  if (text === undefined) throw new InputProblems(problems);
  const r = loadLesson(text, shown(file), name);
  if (!r.value || hasErrors(r.diagnostics)) throw new InputProblems(r.diagnostics);
  return r.value;
}

function list(): number {
  const lines = ['Lessons (ftpwall lesson NAME; --all prints one whole; --format html -o FILE writes it as a page):', ''];
  for (const name of lessonNames()) {
    const l = lessonNamed(name);
    lines.push(`  ${name.padEnd(14)} ${l.title}`);
    for (const w of wrap(l.summary, ' '.repeat(17))) lines.push(w);
    lines.push('');
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  return EXIT_OK;
}

function check(name: string | undefined, file: string | undefined): number {
  if (name === undefined || file === undefined)
    throw new InputProblems([{ severity: 'error', message: "'lesson check' needs a lesson name and a config file", suggestion: "e.g. 'ftpwall lesson check passive my-answer.cfg'" }]);
  const lesson = lessonNamed(name);
  const problems: Diagnostic[] = [];
  const text = readText(file, problems);
  if (text === undefined) throw new InputProblems(problems);
  const r = gradeAnswer(lesson, readerFor(name), { text, path: file });
  if (!r.value) throw new InputProblems(r.diagnostics);
  printDiagnostics(r.diagnostics);
  process.stdout.write(`${gradeText(lesson, r.value, styleFor(process.stdout)).join('\n')}\n`);
  return r.value.ok ? EXIT_OK : EXIT_EXPECTATION_FAILED;
}

async function stepThrough(blocks: readonly (readonly string[])[], tail: readonly string[]): Promise<void> {
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    for (const [i, b] of blocks.entries()) {
      process.stdout.write(`\n${b.join('\n')}\n`);
      if (i < blocks.length - 1) await new Promise<void>((done) => rl.question('  (Enter for the next step) ', () => done()));
    }
    process.stdout.write(`\n${tail.join('\n')}\n`);
  } finally {
    rl.close();
  }
}

/** Runs `lesson`; returns the exit status, or a promise of it while stepping through on a terminal. */
export function runLessonCommand(args: readonly string[], opts: LessonOptions): number | Promise<number> {
  if (args.length === 0) return list();
  if (args[0] === 'check') return check(args[1], args[2]);
  if (args.length > 1) throw new InputProblems([{ severity: 'error', message: `'lesson' takes one lesson name, not ${args.length} arguments`, suggestion: "to grade an answer: 'ftpwall lesson check NAME FILE'" }]);
  const name = args[0]!;
  const lesson = lessonNamed(name);
  const r = runLesson(lesson, readerFor(name));
  if (!r.value) throw new InputProblems(r.diagnostics);
  printDiagnostics(r.diagnostics);
  const dir = shown(join(LESSONS_DIR, name));
  if (opts.format === 'html') {
    writeOutput(opts.output, lessonHtml(r.value, dir));
    return EXIT_OK;
  }
  const style = styleFor(process.stdout);
  const t = lessonText(r.value, dir, opts.output ? { good: String, bad: String, warn: String, dim: String, bold: String } : style);
  const interactive = !opts.all && opts.output === undefined && process.stdin.isTTY === true && process.stdout.isTTY === true;
  if (!interactive) {
    writeOutput(opts.output, `${[...t.head, ...t.steps.flatMap((b) => ['', ...b]), '', ...t.tail].join('\n')}\n`);
    return EXIT_OK;
  }
  return stepThrough([t.head, ...t.steps], t.tail).then(() => EXIT_OK);
}
