/**
 * A lesson as terminal text: an introduction, one block per narrated step (the
 * lesson's words, the packet, the narration sentence, the pinholes open at
 * that moment), and the exercise. The CLI shows the blocks one by one.
 */
import { exposureLine } from '../analysis/exposure-text.js';
import { castOf, narrate } from '../report/html/narrate.js';
import type { Style } from '../report/style.js';
import type { Grade } from './grade.js';
import type { Lesson } from './load.js';
import type { LessonRun } from './run.js';

/** Text width the lesson wraps to (columns). */
export const LESSON_WIDTH = 78;

/** Wraps a paragraph to `width` columns after `indent`. */
export function wrap(text: string, indent = '', width = LESSON_WIDTH): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter((w) => w !== '')) {
    if (line !== '' && indent.length + line.length + 1 + word.length > width) {
      out.push(indent + line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '') out.push(indent + line);
  return out;
}

/** The parts of a lesson's text. */
export interface LessonText {
  readonly head: readonly string[];
  readonly steps: readonly (readonly string[])[];
  readonly tail: readonly string[];
}

/** How the exercise reads, with the command that checks an answer. */
export function exerciseLines(lesson: Lesson, lessonDir: string): string[] {
  return [
    'Exercise',
    ...wrap(lesson.exercise.task, '  '),
    `  Start from ${lessonDir}/${lesson.exercise.file} (copy it and edit the copy), then check your answer:`,
    `    ftpwall lesson check ${lesson.name} YOUR-FILE.cfg`,
  ];
}

/** Renders a lesson run as text blocks. */
export function lessonText(run: LessonRun, lessonDir: string, st: Style): LessonText {
  const { lesson, report } = run;
  const head = [
    st.bold(`Lesson ${lesson.name}: ${lesson.title}`),
    ...wrap(lesson.summary),
    '',
    ...lesson.intro.flatMap((p) => [...wrap(p), '']),
    `Scenario ${report.source} through ${run.configPath} [${report.engine}]: ${report.ftp.summary}`,
  ];
  const cast = castOf(report.flows);
  const flows = new Map(report.flows.map((f) => [f.id, f]));
  const steps = run.steps.map((rs, i) => {
    const lines = [st.bold(`[${i + 1}/${run.steps.length}]`), ...wrap(rs.step.say, '  ')];
    if (rs.packet !== undefined) {
      const p = report.packets[rs.packet - 1]!;
      const events = report.events.filter((e) => e.packet === p.n);
      const verdict = p.action === 'deny' ? st.bad('deny') : st.good('permit');
      lines.push(
        '',
        `  packet ${p.n} at ${(p.tMs / 1000).toFixed(3)} s: ${p.flags ?? p.proto} ${p.src} → ${p.dst}${p.text !== undefined ? ` "${p.text}"` : ''}`,
        `    ${verdict} by ${p.by}`,
      );
      for (const e of events) for (const l of wrap(`${e.kind}: ${e.text}`, '    ')) lines.push(l);
      for (const l of wrap(narrate(p, events, flows.get(p.flow), cast), '  ')) lines.push(st.dim(l));
      const snap = run.snapshots.at(p.n - 1);
      if (snap) {
        const pins = snap.expectations.map((e) => `${e.tuple} (from ${e.trigger} in packet ${e.openedByPacket})`);
        lines.push(`  conntrack: ${snap.connections.length} connection${snap.connections.length === 1 ? '' : 's'}; pinholes: ${pins.length > 0 ? pins.join(', ') : 'none'}`);
      }
    }
    return lines;
  });
  const tail = [
    'What this config opens beyond what FTP needed (unsolicited TCP connections):',
    ...run.exposure.map((e) => `  ${exposureLine(e)}`),
    '',
    ...exerciseLines(lesson, lessonDir),
  ];
  return { head, steps, tail };
}

/** A grading as text: each check with ✓ or ✗, hints under the failed ones, and the verdict. */
export function gradeText(lesson: Lesson, grade: Grade, st: Style): string[] {
  const out: string[] = [];
  for (const c of grade.checks) {
    for (const l of wrap(`${c.ok ? '✓' : '✗'} ${c.text}`, '').map((l, i) => (i === 0 ? (c.ok ? st.good(l) : st.bad(l)) : `  ${l}`))) out.push(l);
    if (c.hint) for (const l of wrap(`hint: ${c.hint}`, '    ')) out.push(l);
  }
  out.push(grade.ok ? st.good(`Correct: the exercise of lesson ${lesson.name} is solved.`) : st.bad(`Not yet: ${grade.checks.filter((c) => !c.ok).length} check${grade.checks.filter((c) => !c.ok).length === 1 ? '' : 's'} failed.`));
  return out;
}
