/** A lesson as one self-contained HTML page: the step-through with the lesson's words at their packets, and the exercise. */
import { renderHtml } from '../report/html/render.js';
import type { LessonRun } from './run.js';
import { exerciseLines } from './text.js';

/** Renders a lesson run as a page that opens at its first packet. */
export function lessonHtml(run: LessonRun, lessonDir: string): string {
  const notes = new Map<number, string>();
  const loose: string[] = [];
  for (const s of run.steps) {
    if (s.packet === undefined) loose.push(s.step.say);
    else notes.set(s.packet, s.step.say);
  }
  const [, ...exercise] = exerciseLines(run.lesson, lessonDir);
  return renderHtml(
    {
      title: `ftpwall lesson ${run.lesson.name}: ${run.lesson.title}`,
      intro: [run.lesson.summary, ...run.lesson.intro, ...loose, 'Step through with ← / → (or the buttons); the lesson speaks in the blue boxes at its packets.'],
      runs: [{ report: run.report, snapshots: run.snapshots, notes }],
      configs: { [run.configPath]: run.configText },
      outro: [`Exercise: ${exercise.map((l) => l.trim()).join(' ')}`],
    },
    { startAtBlocked: false },
  );
}
