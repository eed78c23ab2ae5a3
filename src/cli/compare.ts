/** `ftpwall compare`: scenarios × (config, engine), plus each policy's exposure beyond FTP's needs. */
import type { Exposure } from '../analysis/exposure.js';
import { ipKey } from '../net/address.js';
import { boundHeapGrowth } from './heap-growth.js';
import { REPORT_SCHEMA_VERSION, startRunReport, type RunReport } from '../report/run.js';
import { formatRuns } from '../report/formats.js';
import { scenarioExposure } from '../report/exposure.js';
import { fitLines, formatMatrixWithin, formatTable, visibleWidth, type Style } from '../report/style.js';
import { PACKET_TRACE_WIDTH } from '../report/packets.js';
import { simulate } from '../sim/run.js';
import { startCountProgress } from './progress.js';
import { checkScenariosFit, loadConfigs, loadScenarios, makeFirewall, resolveEngine, type EngineChoice, type EngineOptions, type LoadedConfig } from './inputs.js';
import { scenarioWallClockAndWarning } from './wall-clock.js';
import { jobsOption, runJobs, type JobItem } from './jobs.js';
import type { Diagnostic } from '../diag/diagnostic.js';
import { EXIT_OK, InputProblems, prepareOutputs, printDiagnostics, styleFor, writeJsonOutput, writeOutput, writeOutputWith } from './io.js';
import { engineOptions } from './inputs.js';
import { compareHtml, exposureLine, maybeRecord, type SnapshotsByRun } from './html.js';
import { expandEach } from '../probe/each.js';
import { conclusionLines, concludePolicies, type PolicyColumn } from './compare-conclusion.js';
import type { Scenario } from '../scenario/model.js';

/** Options of `compare`, as commander parses them. */
export interface CompareOptions {
  /** `--platform`: the kind of H3C device */
  readonly platform?: string;
  /** `--dialect`: the config dialect (default: detected from the content) */
  readonly dialect?: string;
  readonly config: string[];
  readonly engine: string;
  readonly format: 'table' | 'json' | 'ladder' | 'md' | 'mermaid' | 'html';
  readonly inspect?: string;
  readonly loose: boolean;
  /** `--no-nat-ftp` (commander: true unless given) */
  readonly natFtp?: boolean;
  readonly output?: string;
  /** a progress bar on a terminal's stderr (--no-progress sets false) */
  readonly progress?: boolean;
  /** `--max-packets`: the simulation work limit */
  readonly maxPackets?: number;
  /** `--jobs`: worker threads (default: the core count) */
  readonly jobs?: number;
}

type Column = PolicyColumn & {
  readonly exposure: Exposure[];
  /** why the exposure was not computed (Linux rulesets) */
  readonly notAnalysed?: string;
};

function parseEngines(text: string): EngineChoice[] {
  const list = text.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const bad = list.filter((e) => e !== 'static' && e !== 'stateful' && e !== 'auto');
  if (bad.length > 0 || list.length === 0)
    throw new InputProblems([
      { severity: 'error', message: `--engine '${text}': expected a comma-separated list of static, stateful, auto`, suggestion: "e.g. '--engine static,stateful'" },
    ]);
  return list as EngineChoice[];
}


/** What every cell of a comparison reads: the loaded configs and the expanded scenarios. */
export interface CompareInputs {
  readonly configs: readonly LoadedConfig[];
  /** every input, once per passive-port cell (passivePortChoice: each) */
  readonly scenarios: readonly Scenario[];
  readonly engineOptions: EngineOptions;
  /** the engines of each config, in the order asked, duplicates gone */
  readonly engines: readonly (readonly ('static' | 'stateful')[])[];
}

/** Loads a comparison's inputs; `print` hears the warnings (a worker passes a no-op: the main thread has printed them). */
export function loadCompareInputs(inputs: readonly string[], opts: CompareOptions, print: (d: readonly Diagnostic[]) => void): CompareInputs {
  const eo = engineOptions(opts);
  const choices = parseEngines(opts.engine);
  const configs = loadConfigs(opts.config, print, opts.platform, opts.dialect);
  const loaded = loadScenarios(inputs, print, opts.maxPackets, comparePacketRows(opts.format));
  checkScenariosFit(loaded, configs);
  // passivePortChoice: each runs a scenario once per passive-port cell of every config's rules
  const scenarios: Scenario[] = loaded.flatMap((s) => expandEach(s, configs.map((c) => c.policy)).map((v) => v.scenario));
  const engines = configs.map((cfg) => [...new Set(choices.map((e) => resolveEngine(e, cfg.policy, eo)))]);
  return { configs, scenarios, engineOptions: eo, engines };
}

/** One cell of the matrix: scenario `scenario` through config `config` with `engine` (all 0-based indexes). */
export interface CompareCell {
  readonly config: number;
  readonly engine: 'static' | 'stateful';
  readonly scenario: number;
}

/** The cells, column by column (config, then engine), each column every scenario in order. */
export function compareCells(c: CompareInputs): CompareCell[] {
  const out: CompareCell[] = [];
  c.configs.forEach((_, config) => {
    for (const engine of c.engines[config]!) for (let scenario = 0; scenario < c.scenarios.length; scenario++) out.push({ config, engine, scenario });
  });
  return out;
}

/** Whether a comparison's format shows packet rows (the diagrams and the HTML page; not the matrix or its JSON). */
export function comparePacketRows(format: CompareOptions['format']): boolean {
  return format !== 'table' && format !== 'json';
}

/** Simulates one cell; the warnings are returned, not printed, so the main thread prints them in order. */
export function runCompareCell(c: CompareInputs, cell: CompareCell, format: CompareOptions['format'], snapshots: SnapshotsByRun): { readonly report: RunReport; readonly warnings: readonly Diagnostic[] } {
  const cfg = c.configs[cell.config]!;
  const s = c.scenarios[cell.scenario]!;
  const clock = scenarioWallClockAndWarning(cfg.policy, s, undefined);
  const rec = maybeRecord(makeFirewall(cell.engine, cfg.policy, c.engineOptions, clock.wallMs, s), format === 'html');
  // the matrix and its JSON show no packet rows: the diagrams and the HTML page do
  const b = startRunReport({ scenario: s.name, source: s.source, config: cfg.file, engine: cell.engine }, comparePacketRows(format) ? 'keep' : 'none');
  const report = b.finish(simulate(s, rec.firewall, { onPacket: b.add }));
  rec.keep(report, snapshots);
  return { report, warnings: clock.warnings };
}

/** Runs the comparison; returns the exit status. */
export async function runCompare(inputs: readonly string[], opts: CompareOptions): Promise<number> {
  boundHeapGrowth();
  if (opts.config.length === 0)
    throw new InputProblems([{ severity: 'error', message: 'compare needs at least one --config', suggestion: "e.g. '--config rules/seed-active.cfg --config rules/stateful.cfg'" }]);
  const jobs = jobsOption(opts.jobs);
  parseEngines(opts.engine);
  prepareOutputs([{ option: '-o', path: opts.output }], [...inputs.map((path) => ({ option: 'input', path })), ...opts.config.map((path) => ({ option: '--config', path }))]);
  const c = loadCompareInputs(inputs, opts, printDiagnostics);
  const { scenarios } = c;
  const serverKeys = new Set(scenarios.flatMap((s) => s.sessions.map((x) => ipKey(x.server.address))));
  const columns: Column[] = [];
  const snapshots: SnapshotsByRun = new Map();
  const cells = compareCells(c);
  const bar = opts.progress === false ? undefined : startCountProgress('compare', cells.length);
  let reports: RunReport[];
  // the HTML page needs each run's conntrack snapshots, which stay in the thread that ran it
  if (jobs > 1 && cells.length > 1 && opts.format !== 'html') {
    const done = await runJobs<{ report: RunReport; warnings: Diagnostic[] }>(
      cells.map((cell) => ({ kind: 'compare-cell', inputs, opts: { ...opts, progress: false }, cell }) satisfies JobItem),
      jobs,
      bar,
      undefined,
      (_item, i) => runCompareCell(c, cells[i]!, opts.format, snapshots) as { report: RunReport; warnings: Diagnostic[] },
    );
    reports = done.map((d) => {
      printDiagnostics(d.warnings);
      return d.report;
    });
  } else {
    reports = cells.map((cell) => {
      const d = runCompareCell(c, cell, opts.format, snapshots);
      printDiagnostics(d.warnings);
      bar?.tick();
      return d.report;
    });
  }
  bar?.stop();
  let at = 0;
  c.configs.forEach((cfg, i) => {
    for (const engine of c.engines[i]!) {
      const runs = reports.slice(at, at + scenarios.length);
      at += scenarios.length;
      // the exposure analysis reads H3C ACLs; a Linux ruleset is not analysed yet.
      // FTP's own need, a connection to the server's port 21, is counted apart (needPairs).
      const exposure = cfg.policy.ruleset
        ? []
        : scenarioExposure(cfg.policy, engine, scenarios, runs, (_a, b) => (serverKeys.has(ipKey(b.address)) ? { needPorts: [21] } : {}));
      columns.push({ config: cfg.file, engine, runs, exposure, ...(cfg.policy.ruleset ? { notAnalysed: `not analysed for ${cfg.policy.ruleset.dialect} rulesets yet` } : {}) });
    }
  });
  if (opts.format === 'ladder' || opts.format === 'md' || opts.format === 'mermaid') {
    // every cell of the matrix, column by column
    writeOutput(opts.output, formatRuns(columns.flatMap((c) => c.runs), opts.format, opts.output ? undefined : styleFor(process.stdout)));
  } else if (opts.format === 'json') {
    const doc = {
      schemaVersion: REPORT_SCHEMA_VERSION,
      kind: 'compare',
      matrix: columns.flatMap((c) =>
        c.runs.map((r) => ({
          scenario: r.scenario,
          source: r.source,
          config: c.config,
          engine: c.engine,
          ftp: r.ftp,
          flows: r.flows.map(({ packetNumbers: _n, ...f }) => f),
        })),
      ),
      exposure: columns.map((c) => ({ config: c.config, engine: c.engine, connections: c.exposure })),
      conclusion: concludePolicies(columns, scenarios),
    };
    writeJsonOutput(opts.output, doc);
  } else if (opts.format === 'html') {
    const cols = columns.map((c) => ({ config: c.config, engine: c.engine, runs: c.runs, exposure: c.exposure.map(exposureLine) }));
    writeOutputWith(opts.output, compareHtml(scenarios.map((s) => s.name), cols, snapshots));
  } else {
    const lines = formatCompare(columns, scenarios, opts.output ? undefined : styleFor(process.stdout));
    lines.push('');
    for (const l of fitLines(conclusionLines(concludePolicies(columns, scenarios)), PACKET_TRACE_WIDTH)) lines.push(l);
    writeOutput(opts.output, `${lines.join('\n')}\n`);
  }
  return EXIT_OK;
}


function cell(r: RunReport, st: Style | undefined, expect: 'works' | 'blocked' = 'works'): string {
  if (r.ftp.works) {
    const what = expect === 'blocked' ? 'works (expected blocked)' : 'works';
    return st ? (expect === 'blocked' ? st.bad(what) : st.good(what)) : what;
  }
  const blocked = r.flows.filter((f) => f.outcome === 'blocked').map((f) => f.role);
  const what = `${blocked.length > 0 ? `${[...new Set(blocked)].join('+')} blocked` : 'fails'}${expect === 'blocked' ? ' (as expected)' : ''}`;
  return st ? (expect === 'blocked' ? st.good(what) : st.bad(what)) : what;
}

/** The comparison as text: matrix, per-cell reasons, exposure; every line within 100 columns (PACKET_TRACE_WIDTH). */
export function formatCompare(columns: readonly Column[], scenarios: readonly Scenario[], st: Style | undefined): string[] {
  const out: string[] = [];
  const names = columns.map((c) => `${c.config} [${c.engine}]`);
  const rows = scenarios.map((s, i) => [s.name, ...columns.map((c) => cell(c.runs[i]!, st, s.expect))]);
  out.push('FTP through each policy:', '');
  // too wide for 100 columns with the policies as headers: number them, and split the columns if still too wide
  const full = formatTable([['scenario', ...names], ...rows]);
  if (full.every((l) => visibleWidth(l) <= PACKET_TRACE_WIDTH)) for (const line of full) out.push(line);
  else {
    names.forEach((n, i) => out.push(`  (${i + 1}) ${n}`));
    out.push('');
    for (const line of formatMatrixWithin([['scenario', ...names.map((_, i) => `(${i + 1})`)], ...rows], PACKET_TRACE_WIDTH)) out.push(line);
  }
  out.push('');
  out.push('Why:');
  for (const c of columns)
    for (const r of c.runs) out.push(`  ${r.scenario} × ${c.config} [${c.engine}]: ${r.ftp.summary}`);
  out.push('', 'Beyond what FTP needed (unsolicited TCP connections that would open):');
  for (const c of columns) {
    out.push(`  ${c.config} [${c.engine}]:${c.notAnalysed ? ` ${c.notAnalysed}` : ''}`);
    for (const e of c.exposure) {
      out.push(`    ${exposureLine(e)}`);
      for (const x of e.examples.slice(0, 1)) out.push(`      e.g. ${x.from} → ${x.to}: SYN by ${x.syn}; SYN-ACK by ${x.synAck}`);
    }
  }
  return fitLines(out, PACKET_TRACE_WIDTH);
}
