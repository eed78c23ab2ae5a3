/**
 * Runs a lesson: simulates its scenario through its config (table snapshots
 * recorded), finds the packet each narrated step points at, and measures what
 * the config exposes. Files come through a reader, so this module does no I/O.
 */
import { hasErrors, type Diagnostic, type Parsed } from '../diag/diagnostic.js';
import { parseConfig } from '../dialects/load.js';
import type { Exposure } from '../analysis/exposure.js';
import { recordSnapshots, type SnapshotSeries } from '../engine/recorder.js';
import { createStatefulFirewall, type TablesView } from '../engine/stateful/firewall.js';
import { createStaticFirewall } from '../engine/static.js';
import type { Policy } from '../policy/model.js';
import { buildRunReport, type RunReport } from '../report/run.js';
import { scenarioExposure } from '../report/exposure.js';
import { loadScenario } from '../scenario/load.js';
import type { Scenario } from '../scenario/model.js';
import { simulate } from '../sim/run.js';
import type { Lesson, LessonStep, StepSelector } from './load.js';

/** Reads a file of a lesson by its path relative to the lesson directory: its text and the path to show, or undefined. */
export type LessonReader = (relative: string) => { readonly text: string; readonly path: string } | undefined;

/** A step with the packet it points at. */
export interface ResolvedStep {
  readonly step: LessonStep;
  /** 1-based packet number, when the step has `at` */
  readonly packet?: number;
}

/** A lesson that ran. */
export interface LessonRun {
  readonly lesson: Lesson;
  readonly report: RunReport;
  readonly snapshots: SnapshotSeries;
  readonly steps: readonly ResolvedStep[];
  readonly configPath: string;
  readonly configText: string;
  readonly exposure: readonly Exposure[];
}

/** A loaded config and its engine (auto: stateful when the config applies ASPF). */
export interface LoadedPolicy {
  readonly policy: Policy;
  readonly engine: 'static' | 'stateful';
  readonly path: string;
  readonly text: string;
}

/** Reads and parses a config; problems as diagnostics. */
export function readPolicy(read: LessonReader, relative: string, diagnostics: Diagnostic[]): LoadedPolicy | undefined {
  const f = read(relative);
  if (!f) {
    diagnostics.push({ severity: 'error', message: `cannot read ${relative}` });
    return undefined;
  }
  const parsed = parseConfig(f.text, f.path);
  for (const d of parsed.diagnostics) diagnostics.push(d);
  if (hasErrors(parsed.diagnostics)) return undefined;
  return { policy: parsed.value, engine: parsed.value.inspections.length > 0 ? 'stateful' : 'static', path: f.path, text: f.text };
}

/** Reads and checks a scenario; problems as diagnostics. */
export function readScenario(read: LessonReader, relative: string, diagnostics: Diagnostic[]): Scenario | undefined {
  const f = read(relative);
  if (!f) {
    diagnostics.push({ severity: 'error', message: `cannot read ${relative}` });
    return undefined;
  }
  const parsed = loadScenario(f.text, f.path);
  for (const d of parsed.diagnostics) diagnostics.push(d);
  return hasErrors(parsed.diagnostics) ? undefined : parsed.value;
}

/** Simulates a scenario through a policy, recording table snapshots. */
export function runScenario(scenario: Scenario, p: LoadedPolicy): { report: RunReport; snapshots: SnapshotSeries } {
  const rec = recordSnapshots(p.engine === 'stateful' ? createStatefulFirewall(p.policy) : createStaticFirewall(p.policy));
  const trace = simulate(scenario, rec.firewall);
  return { report: buildRunReport({ scenario: scenario.name, source: scenario.source, config: p.path, engine: p.engine }, trace), snapshots: rec.snapshots() };
}

/** What the policy lets open between the scenarios' hosts beyond what their FTP used (compare's exposure). */
export function exposureOf(p: LoadedPolicy, scenarios: readonly Scenario[], reports: readonly RunReport[]): Exposure[] {
  return scenarioExposure(p.policy, p.engine, scenarios, reports);
}

function matches(sel: StepSelector, report: RunReport, n: number, eventKinds: ReadonlyMap<number, ReadonlySet<string>>): boolean {
  const p = report.packets[n - 1]!;
  if (sel.text !== undefined && !(p.text ?? '').toLowerCase().startsWith(sel.text.toLowerCase())) return false;
  if (sel.action !== undefined && p.action !== sel.action) return false;
  if (sel.flags !== undefined && p.flags !== sel.flags) return false;
  if (sel.event !== undefined && !eventKinds.get(n)?.has(sel.event)) return false;
  return true;
}

/** Runs a lesson end to end. A step whose packet is not found is an error located in lesson.yaml. */
export function runLesson(lesson: Lesson, read: LessonReader): Parsed<LessonRun | undefined> {
  const diagnostics: Diagnostic[] = [];
  const scenario = readScenario(read, lesson.scenario, diagnostics);
  const policy = readPolicy(read, lesson.config, diagnostics);
  if (!scenario || !policy) return { value: undefined, diagnostics };
  const { report, snapshots } = runScenario(scenario, policy);
  const eventKinds = new Map<number, Set<string>>();
  for (const e of report.events) {
    if (e.packet === undefined) continue;
    const set = eventKinds.get(e.packet) ?? new Set<string>();
    set.add(e.kind);
    eventKinds.set(e.packet, set);
  }
  const steps: ResolvedStep[] = [];
  let after = 0;
  for (const step of lesson.steps) {
    if (!step.at) {
      steps.push({ step });
      continue;
    }
    let found: number | undefined;
    for (let n = after + 1; n <= report.packets.length && found === undefined; n++) if (matches(step.at, report, n, eventKinds)) found = n;
    if (found === undefined) {
      diagnostics.push({
        severity: 'error',
        message: `no packet after packet ${after} matches this step's 'at' (${JSON.stringify(step.at)}) in ${scenario.name} × ${policy.path}`,
        span: step.span,
      });
      continue;
    }
    after = found;
    steps.push({ step, packet: found });
  }
  if (hasErrors(diagnostics)) return { value: undefined, diagnostics };
  const exposure = exposureOf(policy, [scenario], [report]);
  return { value: { lesson, report, snapshots, steps, configPath: policy.path, configText: policy.text, exposure }, diagnostics };
}
