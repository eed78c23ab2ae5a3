/** End-to-end helpers: load bundled configs and scenarios the way the CLI does, and run them. */
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { formatDiagnostic } from '../../src/diag/diagnostic.js';
import { parseConfig } from '../../src/dialects/load.js';
import { createStaticFirewall } from '../../src/engine/static.js';
import { createStatefulFirewall, type StatefulOptions } from '../../src/engine/stateful/firewall.js';
import type { Trace } from '../../src/engine/trace.js';
import type { Policy } from '../../src/policy/model.js';
import { buildRunReport, type RunReport } from '../../src/report/run.js';
import { loadScenario } from '../../src/scenario/load.js';
import type { Scenario } from '../../src/scenario/model.js';
import { simulate } from '../../src/sim/run.js';

/** The repository root. */
export const ROOT = resolve(__dirname, '../..');

/** Loads a bundled config (path relative to the repo, e.g. 'rules/seed-active.cfg'); fails on any error. */
export function loadPolicy(file: string): Policy {
  const { value, diagnostics } = parseConfig(readFileSync(resolve(ROOT, file), 'utf8'), file);
  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) throw new Error(errors.map((d) => formatDiagnostic(d)).join('\n'));
  return value;
}

/** Loads a bundled scenario; fails on any error. */
export function loadBundledScenario(file: string): Scenario {
  const { value, diagnostics } = loadScenario(readFileSync(resolve(ROOT, file), 'utf8'), file);
  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (!value || errors.length > 0) throw new Error(errors.map((d) => formatDiagnostic(d)).join('\n'));
  return value;
}

/** 1-based number of the first line of `file` that, trimmed, equals `text` (so tests derive lines, not hard-code them). */
export function lineOf(file: string, text: string): number {
  const lines = readFileSync(resolve(ROOT, file), 'utf8').split(/\r?\n/);
  const i = lines.findIndex((l) => l.trim() === text);
  if (i < 0) throw new Error(`'${text}' not found in ${file}`);
  return i + 1;
}

/** Runs a scenario through a config with an engine; returns the trace and the report. */
export function run(
  scenarioFile: string,
  configFile: string,
  engine: 'static' | 'stateful' = 'static',
  options: StatefulOptions = {},
): { trace: Trace; report: RunReport } {
  const scenario = loadBundledScenario(scenarioFile);
  const policy = loadPolicy(configFile);
  const fw = engine === 'static' ? createStaticFirewall(policy) : createStatefulFirewall(policy, options);
  const trace = simulate(scenario, fw);
  return { trace, report: buildRunReport({ scenario: scenario.name, source: scenarioFile, config: configFile, engine }, trace) };
}

/** The bundled configs the golden and streaming tests run every scenario through, with their engine. */
export const GOLDEN_POLICIES: readonly [string, 'static' | 'stateful'][] = [
  ['rules/seed-active.cfg', 'static'],
  ['rules/seed-passive.cfg', 'static'],
  ['rules/stateful.cfg', 'stateful'],
];

/** The bundled scenario file names (scenarios/*.yaml), sorted. */
export function bundledScenarioNames(): string[] {
  return readdirSync(resolve(ROOT, 'scenarios'))
    .filter((f) => f.endsWith('.yaml'))
    .sort();
}
