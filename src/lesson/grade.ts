/**
 * `ftpwall lesson check NAME FILE`: grades an answer to a lesson's exercise by
 * replaying the exercise's scenarios through the answer's config and counting
 * the port pairs it exposes (compare's exposure), with the lesson's hint for
 * each check that fails.
 */
import { hasErrors, type Diagnostic, type Parsed } from '../diag/diagnostic.js';
import { parseConfig } from '../dialects/load.js';
import { hostOf } from '../report/html/narrate.js';
import type { RunReport } from '../report/run.js';
import type { Scenario } from '../scenario/model.js';
import type { Lesson } from './load.js';
import { exposureOf, readScenario, runScenario, type LessonReader, type LoadedPolicy } from './run.js';

/** One check of a grading. */
export interface GradeCheck {
  readonly ok: boolean;
  /** what was checked and what was found */
  readonly text: string;
  /** the lesson's hint, for a failed check */
  readonly hint?: string;
}

/** The outcome of a grading. */
export interface Grade {
  readonly ok: boolean;
  readonly checks: readonly GradeCheck[];
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}

/** Grades the config text `answer` (shown as `path`) against the lesson's exercise. */
export function gradeAnswer(lesson: Lesson, read: LessonReader, answer: { readonly text: string; readonly path: string }): Parsed<Grade | undefined> {
  const diagnostics: Diagnostic[] = [];
  const parsed = parseConfig(answer.text, answer.path);
  for (const d of parsed.diagnostics) diagnostics.push(d);
  if (hasErrors(parsed.diagnostics)) return { value: undefined, diagnostics };
  const policy: LoadedPolicy = { policy: parsed.value, engine: parsed.value.inspections.length > 0 ? 'stateful' : 'static', path: answer.path, text: answer.text };
  const ex = lesson.exercise;
  const scenarios: Scenario[] = [];
  const reports: RunReport[] = [];
  const checks: GradeCheck[] = [];
  for (const run of ex.runs) {
    const scenario = readScenario(read, run.scenario, diagnostics);
    if (!scenario) continue;
    const { report } = runScenario(scenario, policy);
    scenarios.push(scenario);
    reports.push(report);
    const label = `${scenario.name} × ${answer.path} [${policy.engine}]`;
    if (run.works !== undefined) {
      const ok = report.ftp.works === run.works;
      checks.push({
        ok,
        text: `${label}: FTP should ${run.works ? 'work' : 'fail'}; ${report.ftp.summary}`,
        ...(!ok && ex.hints.works ? { hint: ex.hints.works } : {}),
      });
    }
    if (run.blocked !== undefined) {
      const touching = report.flows.filter((f) => hostOf(f.client) === run.blocked || hostOf(f.server) === run.blocked);
      const passed = touching.filter((f) => f.outcome === 'passed');
      const ok = touching.length > 0 && passed.length === 0;
      const found =
        touching.length === 0
          ? `no connection to or from ${run.blocked} was tried`
          : passed.length === 0
            ? `the firewall blocked ${touching.length === 1 ? 'it' : `all ${touching.length}`}: ${touching[0]!.firstBlocked?.by ?? ''}`
            : `${passed.length} connection${passed.length === 1 ? '' : 's'} passed, e.g. ${passed[0]!.client} → ${passed[0]!.server}`;
      checks.push({ ok, text: `${label}: every connection with ${run.blocked} should be blocked; ${found}`, ...(!ok && ex.hints.blocked ? { hint: ex.hints.blocked } : {}) });
    }
  }
  if (hasErrors(diagnostics)) return { value: undefined, diagnostics };
  if (ex.limits.length > 0) {
    const exposure = exposureOf(policy, scenarios, reports);
    for (const limit of ex.limits) {
      let pairs = 0;
      let what: string;
      if (limit.from !== undefined && limit.to !== undefined) {
        for (const e of exposure) if (e.initiator === limit.from && e.responder === limit.to) pairs += e.portPairs;
        what = `unsolicited connections ${limit.from} → ${limit.to}`;
      } else {
        for (const e of exposure) pairs += e.portPairs;
        what = "unsolicited connections between the scenarios' hosts, both ways";
      }
      const ok = pairs <= limit.max;
      checks.push({
        ok,
        text: `${what}: ${count(pairs)} port pair${pairs === 1 ? '' : 's'} (at most ${count(limit.max)} allowed)`,
        ...(!ok && ex.hints.exposure ? { hint: ex.hints.exposure } : {}),
      });
    }
  }
  return { value: { ok: checks.every((c) => c.ok), checks }, diagnostics };
}
