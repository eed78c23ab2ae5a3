/** `ftpwall replay`: scenarios through one config, reported as tables or JSON. */
import { simulate } from '../sim/run.js';
import { buildRunReport, reportJson, type RunReport } from '../report/run.js';
import { formatRun } from '../report/table.js';
import { loadConfigs, loadScenarios, makeFirewall, resolveEngine, type EngineChoice, type EngineOptions } from './inputs.js';
import { EXIT_EXPECTATION_FAILED, EXIT_OK, InputProblems, printDiagnostics, styleFor, writeOutput } from './io.js';

/** Options of `replay`, as commander parses them. */
export interface ReplayOptions {
  readonly config: string;
  readonly engine: EngineChoice;
  readonly format: 'table' | 'json';
  readonly packets: boolean;
  readonly expect?: 'works' | 'blocked';
  readonly inspect?: string;
  readonly ftpPort: number[];
  readonly loose: boolean;
  readonly output?: string;
}

/** Checks `--inspect`; only FTP has a helper. */
export function engineOptions(opts: { inspect?: string; ftpPort?: number[]; loose: boolean }): EngineOptions {
  if (opts.inspect !== undefined && opts.inspect.toLowerCase() !== 'ftp')
    throw new InputProblems([
      { severity: 'error', message: `--inspect '${opts.inspect}': only 'ftp' has a helper`, suggestion: "use '--inspect ftp'" },
    ]);
  return { inspectFtp: opts.inspect !== undefined, ftpPorts: opts.ftpPort ?? [], loose: opts.loose };
}

const CAPTURE_EXTENSIONS = /\.(pcap|pcapng|cap)$/i;

/** Runs the replay; returns the exit status. */
export function runReplay(inputs: readonly string[], opts: ReplayOptions): number {
  const eo = engineOptions(opts);
  const captures = inputs.filter((f) => CAPTURE_EXTENSIONS.test(f));
  if (captures.length > 0)
    throw new InputProblems(
      captures.map((file) => ({ severity: 'error' as const, message: `${file}: replaying captures is not supported yet (scenarios only)` })),
    );
  const [config] = loadConfigs([opts.config], printDiagnostics);
  const scenarios = loadScenarios(inputs, printDiagnostics);
  const runs: RunReport[] = scenarios.map((scenario) => {
    const engine = resolveEngine(opts.engine, config!.policy, eo);
    const trace = simulate(scenario, makeFirewall(engine, config!.policy, eo));
    return buildRunReport({ scenario: scenario.name, source: scenario.source, config: config!.file, engine }, trace);
  });
  if (opts.format === 'json') writeOutput(opts.output, reportJson(runs));
  else {
    const style = opts.output ? undefined : styleFor(process.stdout);
    const lines = runs.flatMap((r, i) => [...(i > 0 ? [''] : []), ...formatRun(r, { packets: opts.packets, ...(style ? { style } : {}) })]);
    writeOutput(opts.output, `${lines.join('\n')}\n`);
  }
  if (opts.expect) {
    const want = opts.expect === 'works';
    const off = runs.filter((r) => r.ftp.works !== want);
    for (const r of off) process.stderr.write(`ftpwall: expected FTP to ${want ? 'work' : 'be blocked'} in ${r.scenario} × ${r.config}: ${r.ftp.summary}\n`);
    if (off.length > 0) return EXIT_EXPECTATION_FAILED;
  }
  return EXIT_OK;
}
