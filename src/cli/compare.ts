/** `ftpwall compare`: scenarios × (config, engine), plus each policy's exposure beyond FTP's needs. */
import type { Exposure } from '../analysis/exposure.js';
import { ipKey } from '../net/address.js';
import { REPORT_SCHEMA_VERSION, buildRunReport, type RunReport } from '../report/run.js';
import { formatRuns } from '../report/formats.js';
import { scenarioExposure } from '../report/exposure.js';
import { formatTable, type Style } from '../report/style.js';
import { simulate } from '../sim/run.js';
import { startCountProgress } from './progress.js';
import { checkScenariosFit, loadConfigs, loadScenarios, makeFirewall, resolveEngine, type EngineChoice } from './inputs.js';
import { scenarioWallClock } from './replay.js';
import { EXIT_OK, InputProblems, prepareOutputs, printDiagnostics, styleFor, writeJsonOutput, writeOutput } from './io.js';
import { engineOptions } from './replay.js';
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


/** Runs the comparison; returns the exit status. */
export function runCompare(inputs: readonly string[], opts: CompareOptions): number {
  const eo = engineOptions(opts);
  const engines = parseEngines(opts.engine);
  if (opts.config.length === 0)
    throw new InputProblems([{ severity: 'error', message: 'compare needs at least one --config', suggestion: "e.g. '--config rules/seed-active.cfg --config rules/stateful.cfg'" }]);
  prepareOutputs([{ option: '-o', path: opts.output }], [...inputs.map((path) => ({ option: 'input', path })), ...opts.config.map((path) => ({ option: '--config', path }))]);
  const configs = loadConfigs(opts.config, printDiagnostics, opts.platform, opts.dialect);
  const loaded = loadScenarios(inputs, printDiagnostics, opts.maxPackets);
  checkScenariosFit(loaded, configs);
  // passivePortChoice: each runs a scenario once per passive-port cell of every config's rules
  const scenarios: Scenario[] = loaded.flatMap((s) => expandEach(s, configs.map((c) => c.policy)).map((v) => v.scenario));
  const serverKeys = new Set(scenarios.flatMap((s) => s.sessions.map((x) => ipKey(x.server.address))));
  const columns: Column[] = [];
  const snapshots: SnapshotsByRun = new Map();
  const cells = configs.reduce((n, cfg) => n + new Set(engines.map((e) => resolveEngine(e, cfg.policy, eo))).size, 0) * scenarios.length;
  const bar = opts.progress === false ? undefined : startCountProgress('compare', cells);
  for (const cfg of configs) {
    const resolved = [...new Set(engines.map((e) => resolveEngine(e, cfg.policy, eo)))];
    for (const engine of resolved) {
      const runs = scenarios.map((s) => {
        const rec = maybeRecord(makeFirewall(engine, cfg.policy, eo, scenarioWallClock(cfg.policy, s, undefined), s), opts.format === 'html');
        const report = buildRunReport({ scenario: s.name, source: s.source, config: cfg.file, engine }, simulate(s, rec.firewall));
        rec.keep(report, snapshots);
        bar?.tick();
        return report;
      });
      // the exposure analysis reads H3C ACLs; a Linux ruleset is not analysed yet.
      // FTP's own need, a connection to the server's port 21, is counted apart (needPairs).
      const exposure = cfg.policy.ruleset
        ? []
        : scenarioExposure(cfg.policy, engine, scenarios, runs, (_a, b) => (serverKeys.has(ipKey(b.address)) ? { needPorts: [21] } : {}));
      columns.push({ config: cfg.file, engine, runs, exposure, ...(cfg.policy.ruleset ? { notAnalysed: `not analysed for ${cfg.policy.ruleset.dialect} rulesets yet` } : {}) });
    }
  }
  bar?.stop();
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
    writeOutput(opts.output, compareHtml(scenarios.map((s) => s.name), cols, snapshots));
  } else {
    const lines = formatCompare(columns, scenarios, opts.output ? undefined : styleFor(process.stdout));
    lines.push('');
    for (const l of conclusionLines(concludePolicies(columns, scenarios))) lines.push(l);
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

/** The comparison as text: matrix, per-cell reasons, exposure. */
function formatCompare(columns: readonly Column[], scenarios: readonly Scenario[], st: Style | undefined): string[] {
  const out: string[] = [];
  const head = ['scenario', ...columns.map((c) => `${c.config} [${c.engine}]`)];
  const rows = scenarios.map((s, i) => [s.name, ...columns.map((c) => cell(c.runs[i]!, st, s.expect))]);
  out.push('FTP through each policy:', '');
  for (const line of formatTable([head, ...rows])) out.push(line);
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
  return out;
}
