/** `ftpwall replay`: scenarios and captures through one config, reported as tables or JSON, optionally exported as pcapng. */
import { boundHeapGrowth } from './heap-growth.js';
import { basename } from 'node:path';
import { hasErrors } from '../diag/diagnostic.js';
import { simulate } from '../sim/run.js';
import { expandEach } from '../probe/each.js';
import { buildRunReport, startRunReport, type RunReport } from '../report/run.js';
import { RowSpill, type HandedRows } from './row-spill.js';
import { JsonTraceSpill, TraceSpill } from './trace-spill.js';
import { formatRuns } from '../report/formats.js';
import { createReportStream } from '../report/stream.js';
import { writeTracePcapng } from '../replay/index.js';
import { scenarioWallClockAndWarning } from './wall-clock.js';
import type { Policy } from '../policy/model.js';
import type { Scenario } from '../scenario/model.js';
import { checkScenariosFit, engineOptions, loadConfigs, loadScenarios, makeFirewall, resolveEngine } from './inputs.js';
import { engineFlagsOf } from './inputs.js';
import { EXIT_EXPECTATION_FAILED, EXIT_OK, InputProblems, prepareOutputs, printDiagnostics, styleFor, writeOutput, writeOutputWith } from './io.js';
import { maybeRecord, replayHtml, type PageNotes, type SnapshotsByRun } from './html.js';
import { openOutputSink } from './output-sink.js';
import { jobsOption } from './jobs.js';
import { givenTopology, isCapture, runCapture, runCaptureSharded, startCapture } from './replay-capture.js';
import { atOption, stepWindowOption, type ReplayOptions } from './replay-options.js';
import { idOrder } from '../parallel/id-order.js';
import { runScenarioItems, type ScenarioRunItem, type ScenarioRunResult } from './replay-runs.js';

export type { ReplayOptions } from './replay-options.js';

/** The wall clock a scenario runs at; the warning when the policy has time ranges and nothing says when is printed. */
export function scenarioWallClock(policy: Policy, scenario: Scenario, atMs: number | undefined): number {
  const r = scenarioWallClockAndWarning(policy, scenario, atMs);
  printDiagnostics(r.warnings);
  return r.wallMs;
}

export { engineOptions } from './inputs.js';

/** Runs the replay; returns the exit status. */
export async function runReplay(inputs: readonly string[], opts: ReplayOptions): Promise<number> {
  boundHeapGrowth();
  const eo = engineOptions(opts);
  const jobCount = jobsOption(opts.jobs);
  const steps = stepWindowOption(opts);
  if (opts.pcapOut !== undefined && inputs.length !== 1)
    throw new InputProblems([{ severity: 'error', message: `--pcap-out writes one run: give exactly one scenario or capture, not ${inputs.length}` }]);
  prepareOutputs(
    [
      { option: '--pcap-out', path: opts.pcapOut },
      { option: '-o', path: opts.output },
    ],
    [...inputs.map((path) => ({ option: 'input', path })), ...opts.config.map((path) => ({ option: '--config', path })), { option: '--topology', path: opts.topology }],
  );
  if (opts.pcapOut === '-' && (opts.output === undefined || opts.output === '-'))
    throw new InputProblems([{ severity: 'error', message: '--pcap-out - and the report would both go to stdout', suggestion: 'write the report to a file with -o FILE' }]);
  const kinds = inputs.map((f) => (isCapture(f) ? 'capture' : 'scenario'));
  if (opts.config.length === 0) throw new InputProblems([{ severity: 'error', message: 'replay needs --config <file>' }]);
  if (opts.pcapOut !== undefined && opts.config.length !== 1)
    throw new InputProblems([{ severity: 'error', message: `--pcap-out writes one run: give exactly one --config, not ${opts.config.length}` }]);
  const configs = loadConfigs(opts.config, printDiagnostics, opts.platform, opts.dialect);
  const streamed = opts.format === 'table' || opts.format === 'json';
  // what a scenario run keeps of its packets: rows in memory for --packets tables, --pcap-out and
  // the whole-run formats; the JSON's rows as text (a temporary file past a few MiB); else none
  const rows = !streamed || opts.pcapOut !== undefined || (opts.format === 'table' && opts.packets) ? 'keep' : opts.format === 'json' ? 'text' : 'none';
  const scenarios = loadScenarios(
    inputs.filter((_, i) => kinds[i] === 'scenario'),
    printDiagnostics,
    opts.maxPackets,
    rows === 'keep',
  );
  checkScenariosFit(scenarios, configs);
  if (!kinds.includes('capture') && ((opts.inside?.length ?? 0) > 0 || opts.outsideInterface !== undefined || opts.topology !== undefined)) {
    for (const c of configs) givenTopology(opts, c); // still checked, so a typo is not silently ignored
    printDiagnostics([{ severity: 'warning', message: '--inside, --outside-interface and --topology place the hosts of captures; scenarios name their interfaces themselves, so they are ignored here' }]);
  }
  // every input through every config, configs in the order given
  const jobs = configs.flatMap((config) => {
    let si = 0;
    return inputs.map((file, i) => ({ config, file, kind: kinds[i]!, scenario: kinds[i] === 'scenario' ? scenarios[si++]! : undefined }));
  });
  const snapshots: SnapshotsByRun = new Map();
  const pageNotes: PageNotes = new Map();
  // verdicts only: table and JSON runs are written as they are made; the other formats render whole runs
  const runs: { readonly scenario: string; readonly config: string; readonly ftp: { readonly works: boolean; readonly summary: string } }[] = [];
  const whole: RunReport[] = [];
  const style = opts.output ? undefined : styleFor(process.stdout);
  const sink = streamed ? openOutputSink(opts.output) : undefined;
  const report = sink ? createReportStream(sink.write, { format: opts.format === 'json' ? 'json' : 'table', packets: opts.packets, summary: opts.summary ?? false, ...(style ? { style } : {}) }) : undefined;
  // scenario runs ahead on workers (table and JSON only: the other formats keep snapshots or write pcaps in this thread)
  const ahead = new Map<number, ScenarioRunResult[]>();
  const handedOver = new Set<HandedRows | undefined>();
  if (jobCount > 1 && streamed && opts.pcapOut === undefined) {
    const scenarioFiles = inputs.filter((_, i) => kinds[i] === 'scenario');
    const items: ScenarioRunItem[] = [];
    const owner: number[] = [];
    jobs.forEach(({ config, kind, scenario: s }, j) => {
      if (kind !== 'scenario') return;
      const variants = expandEach(s!, [config.policy]).length;
      for (let variant = 0; variant < variants; variant++) {
        items.push({
          kind: 'replay-run',
          scenarioFiles,
          configFiles: opts.config,
          ...(opts.platform !== undefined ? { platform: opts.platform } : {}),
          ...(opts.dialect !== undefined ? { dialect: opts.dialect } : {}),
          ...(opts.maxPackets !== undefined ? { maxPackets: opts.maxPackets } : {}),
          flags: engineFlagsOf(opts),
          engine: resolveEngine(opts.engine, config.policy, eo),
          ...(atOption(opts) !== undefined ? { atMs: atOption(opts)! } : {}),
          packetRows: rows,
          config: configs.indexOf(config),
          scenario: scenarios.indexOf(s!),
          variant,
        });
        owner.push(j);
      }
    });
    if (items.length > 1) {
      const results = await runScenarioItems(items, jobCount, configs, scenarios);
      for (const r of results) if (r.rows) handedOver.add(r.rows);
      results.forEach((r, i) => {
        const list = ahead.get(owner[i]!) ?? [];
        list.push(r);
        ahead.set(owner[i]!, list);
      });
    }
  }
  try {
    for (const [j, { config, file, kind, scenario: s }] of jobs.entries()) {
      const engine = resolveEngine(opts.engine, config.policy, eo);
      if (kind === 'capture') {
        const flows = report?.capture({ scenario: basename(file), source: file, config: config.file, engine });
        const start = startCapture(file, opts, config, eo);
        // flows are listed in order of first packet (id), whether one job or several replay the capture
        // sharded only on request: every shard has its own heap, engine and flow table (memory: README, Scaling out)
        let run = flows && opts.jobs !== undefined && jobCount > 1 && !opts.packets && opts.pcapOut === undefined ? await runCaptureSharded(file, opts, config, eo, start, jobCount, flows.flow) : undefined;
        // a table or JSON with --packets: the rows and events spill to a temporary file past a few MiB, and are read back after the flows
        const trace = flows && opts.packets ? (opts.format === 'json' ? new JsonTraceSpill() : new TraceSpill()) : undefined;
        try {
          if (run === undefined) {
            const order = flows ? idOrder(flows.flow) : undefined;
            run = runCapture(file, opts, config, eo, start, order?.push, { snapshots, notes: pageNotes, steps }, trace);
            order?.end();
          }
          if (flows) flows.end(run, trace);
          else whole.push(run);
        } finally {
          trace?.dispose();
        }
        runs.push({ scenario: run.scenario, config: run.config, ftp: run.ftp });
        continue;
      }
      // passivePortChoice: each runs the scenario once per passive-port cell
      const variants = expandEach(s!, [config.policy]);
      if (opts.pcapOut !== undefined && variants.length > 1)
        throw new InputProblems([{ severity: 'error', message: `--pcap-out writes one run, but ${file} has passivePortChoice: each and runs ${variants.length} times`, suggestion: 'use passivePortChoice: first or random with --pcap-out' }]);
      const done = ahead.get(j);
      if (done) {
        for (const { report: r, rows: handed, warnings } of done) {
          printDiagnostics(warnings);
          const spill = handed ? RowSpill.take(handed) : undefined;
          handedOver.delete(handed);
          try {
            report!.run(r, spill);
          } finally {
            spill?.dispose();
          }
          runs.push({ scenario: r.scenario, config: r.config, ftp: r.ftp });
        }
        continue;
      }
      for (const { scenario } of variants) {
        if (report && rows !== 'keep') {
          // table or JSON: the packets go through the report builder as they are made, none kept
          const spill = rows === 'text' ? new RowSpill() : undefined;
          try {
            const label = { scenario: scenario.name, source: scenario.source, config: config.file, engine };
            const b = startRunReport(label, spill ? spill.add : 'none');
            const trace = simulate(scenario, makeFirewall(engine, config.policy, eo, scenarioWallClock(config.policy, scenario, atOption(opts)), scenario), { onPacket: b.add });
            const r = b.finish(trace);
            report.run(r, spill);
            runs.push({ scenario: r.scenario, config: r.config, ftp: r.ftp });
          } finally {
            spill?.dispose();
          }
          continue;
        }
        const rec = maybeRecord(makeFirewall(engine, config.policy, eo, scenarioWallClock(config.policy, scenario, atOption(opts)), scenario), opts.format === 'html');
        const trace = simulate(scenario, rec.firewall);
        if (opts.pcapOut !== undefined) {
          const w = writeTracePcapng(opts.pcapOut, trace);
          if (hasErrors(w.diagnostics)) throw new InputProblems(w.diagnostics);
        }
        const r = buildRunReport({ scenario: scenario.name, source: scenario.source, config: config.file, engine }, trace);
        rec.keep(r, snapshots);
        if (report) report.run(r);
        else whole.push(r);
        runs.push({ scenario: r.scenario, config: r.config, ftp: r.ftp });
      }
    }
    if (report) {
      report.end();
      sink!.commit();
    }
  } catch (e) {
    sink?.abort();
    throw e;
  } finally {
    // rows workers handed over that were not written (an error on the way)
    for (const h of handedOver) if (h) RowSpill.take(h).dispose();
  }
  if (opts.format === 'html') writeOutputWith(opts.output, replayHtml(whole, snapshots, pageNotes));
  else if (!streamed) writeOutput(opts.output, formatRuns(whole, opts.format, style, pageNotes));
  if (opts.expect) {
    const want = opts.expect === 'works';
    const off = runs.filter((r) => r.ftp.works !== want);
    for (const r of off) process.stderr.write(`ftpwall: expected FTP to ${want ? 'work' : 'be blocked'} in ${r.scenario} × ${r.config}: ${r.ftp.summary}\n`);
    if (off.length > 0) return EXIT_EXPECTATION_FAILED;
  }
  return EXIT_OK;
}
