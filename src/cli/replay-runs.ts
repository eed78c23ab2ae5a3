/** `replay --jobs`: the scenario runs of a replay simulated on worker threads ahead of the report, which takes them in order. */
import type { Diagnostic } from '../diag/diagnostic.js';
import { expandEach } from '../probe/each.js';
import { startRunReport, type RunReport } from '../report/run.js';
import type { Scenario } from '../scenario/model.js';
import { simulate } from '../sim/run.js';
import { engineOptions, loadConfigs, loadScenarios, makeFirewall, type EngineFlags, type LoadedConfig } from './inputs.js';
import { runJobs } from './jobs.js';
import { RowSpill, type HandedRows } from './row-spill.js';
import { scenarioWallClockAndWarning } from './wall-clock.js';

/** One scenario run: a variant of a scenario through one config, the engine already resolved by the main thread. */
export interface ScenarioRunItem {
  readonly kind: 'replay-run';
  readonly scenarioFiles: readonly string[];
  readonly configFiles: readonly string[];
  readonly platform?: string;
  readonly dialect?: string;
  readonly maxPackets?: number;
  readonly flags: EngineFlags;
  readonly engine: 'static' | 'stateful';
  /** `--at` as device wall-clock ms */
  readonly atMs?: number;
  /** the packet rows: kept in the report (`--packets` tables), made as JSON text (handed over in a temporary file), or none */
  readonly packetRows: 'keep' | 'text' | 'none';
  /** 0-based indexes */
  readonly config: number;
  readonly scenario: number;
  readonly variant: number;
}

/** What a run gives back: its report, and the warnings the main thread prints in order. */
export interface ScenarioRunResult {
  readonly report: RunReport;
  /** the JSON text of its packet rows (packetRows 'text'; the report's `packets` is then empty) */
  readonly rows?: HandedRows;
  readonly warnings: readonly Diagnostic[];
}

let loaded: { key: string; configs: LoadedConfig[]; scenarios: Scenario[] } | undefined;

/** Worker side: simulates one run. */
export function runScenarioItem(item: ScenarioRunItem): ScenarioRunResult {
  const key = JSON.stringify([item.scenarioFiles, item.configFiles, item.platform, item.dialect, item.maxPackets]);
  if (loaded?.key !== key) {
    const quiet = (): void => undefined;
    loaded = { key, configs: loadConfigs(item.configFiles, quiet, item.platform, item.dialect), scenarios: loadScenarios(item.scenarioFiles, quiet, item.maxPackets, item.packetRows === 'keep') };
  }
  return simulateRun(loaded.configs, loaded.scenarios, item);
}

/** Simulates the run `item` names among loaded configs and scenarios. */
export function simulateRun(configs: readonly LoadedConfig[], scenarios: readonly Scenario[], item: ScenarioRunItem): ScenarioRunResult {
  const config = configs[item.config]!;
  const scenario = expandEach(scenarios[item.scenario]!, [config.policy])[item.variant]!.scenario;
  const clock = scenarioWallClockAndWarning(config.policy, scenario, item.atMs);
  const spill = item.packetRows === 'text' ? new RowSpill() : undefined;
  try {
    const b = startRunReport({ scenario: scenario.name, source: scenario.source, config: config.file, engine: item.engine }, spill ? spill.add : item.packetRows === 'keep' ? 'keep' : 'none');
    const trace = simulate(scenario, makeFirewall(item.engine, config.policy, engineOptions(item.flags), clock.wallMs, scenario), { onPacket: b.add });
    const report = b.finish(trace);
    return spill ? { report, rows: spill.handOff(), warnings: clock.warnings } : { report, warnings: clock.warnings };
  } finally {
    spill?.dispose();
  }
}

/** Main side: every item on `jobs` jobs (this thread one of them, with its loaded inputs); the results in item order. */
export function runScenarioItems(items: readonly ScenarioRunItem[], jobs: number, configs: readonly LoadedConfig[], scenarios: readonly Scenario[]): Promise<ScenarioRunResult[]> {
  return runJobs<ScenarioRunResult>(items, jobs, undefined, undefined, (_item, i) => simulateRun(configs, scenarios, items[i]!));
}
