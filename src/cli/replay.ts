/** `ftpwall replay`: scenarios and captures through one config, reported as tables or JSON, optionally exported as pcapng. */
import { boundHeapGrowth } from './heap-growth.js';
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { hasErrors, type Diagnostic } from '../diag/diagnostic.js';
import { simulate } from '../sim/run.js';
import { expandEach } from '../probe/each.js';
import { buildRunReport, startRunReport, type RunReport } from '../report/run.js';
import { RowSpill, type HandedRows } from './row-spill.js';
import { TraceSpill } from './trace-spill.js';
import { formatRuns } from '../report/formats.js';
import { createReportStream } from '../report/stream.js';
import {
  buildCaptureRun,
  checkInterfaces,
  completeTopology,
  createCaptureExport,
  interfacesOf,
  makeTopology,
  parseInsideOption,
  parseTopologyFile,
  replayCapture,
  scanCapture,
  writeTracePcapng,
  type CaptureFlow,
  type CaptureRun,
  type PacketRowSink,
  type PacketWindow,
  type Topology,
  type TopologyEntry,
} from '../replay/index.js';
import { openCapture } from '../wire/index.js';
import { parseWallClock } from '../policy/time-range.js';
import { scenarioWallClockAndWarning } from './wall-clock.js';
import type { Policy } from '../policy/model.js';
import type { Scenario } from '../scenario/model.js';
import { checkScenariosFit, engineOptions, loadConfigs, loadScenarios, makeFirewall, resolveEngine, type EngineChoice, type EngineOptions, type LoadedConfig } from './inputs.js';
import { engineFlagsOf } from './inputs.js';
import { EXIT_EXPECTATION_FAILED, EXIT_OK, InputProblems, prepareOutputs, printDiagnostics, readText, styleFor, writeOutput, writeOutputWith } from './io.js';
import { maybeRecord, replayHtml, type PageNotes, type SnapshotsByRun } from './html.js';
import { DEFAULT_HTML_STEPS, DEFAULT_STEP_WINDOW, parseStepWindow, windowSentence } from './step-window.js';
import { openOutputSink } from './output-sink.js';
import { startProgress } from './progress.js';
import { jobsOption } from './jobs.js';
import { replaySharded, tooManyFlowsToShard } from './capture-shards.js';

/** nf_conntrack_max when --conntrack-max is not given (the stateful engine's default). */
const DEFAULT_CONNTRACK_MAX = 65536;
import { idOrder } from '../parallel/id-order.js';
import { runScenarioItems, type ScenarioRunItem, type ScenarioRunResult } from './replay-runs.js';

/** Options of `replay`, as commander parses them. */
export interface ReplayOptions {
  /** `--platform`: the kind of H3C device */
  readonly platform?: string;
  /** `--dialect`: the config dialect (default: detected from the content) */
  readonly dialect?: string;
  /** one or more configs (`-c A -c B`): each input runs through each config */
  readonly config: readonly string[];
  readonly engine: EngineChoice;
  readonly format: 'table' | 'json' | 'ladder' | 'md' | 'mermaid' | 'html';
  readonly packets: boolean;
  readonly expect?: 'works' | 'blocked';
  readonly inspect?: string;
  readonly ftpPort: number[];
  readonly loose: boolean;
  /** `--no-nat-ftp` (commander: true unless given) */
  readonly natFtp?: boolean;
  readonly output?: string;
  /** `PREFIX@IFACE`, repeatable (captures) */
  readonly inside?: string[];
  readonly outsideInterface?: string;
  readonly topology?: string;
  /** write the run's packets with verdict comments as pcapng */
  readonly pcapOut?: string;
  /** `--at`: the device's wall clock at the start, ISO 8601 */
  readonly at?: string;
  /** totals and blocked flows only */
  readonly summary?: boolean;
  /** a progress bar on a terminal's stderr (commander's --no-progress sets false) */
  readonly progress?: boolean;
  /** `--max-packets`: the simulation work limit */
  readonly maxPackets?: number;
  /** `--jobs`: worker threads (default: the core count); a capture is sharded by host pair */
  readonly jobs?: number;
  readonly conntrackTimeout?: string[];
  readonly expectationTimeout?: string;
  readonly conntrackMax?: string;
  /** `--steps FIRST-LAST`: the packets of a capture the HTML step-through holds */
  readonly steps?: string;
}

/** The formats that draw a capture's packets one by one: a window of them (--steps). */
const DRAWN_FORMATS: ReadonlySet<ReplayOptions['format']> = new Set(['html', 'ladder', 'md', 'mermaid']);

/**
 * `--steps` as the window of packets a capture's page or diagram draws (html; ladder, md and mermaid with
 * --packets or --steps), or an input problem; undefined when the format draws no packets.
 */
function stepWindowOption(opts: ReplayOptions): { window: PacketWindow; chosen: boolean } | undefined {
  if (!DRAWN_FORMATS.has(opts.format)) {
    if (opts.steps !== undefined)
      throw new InputProblems([{ severity: 'error', message: `--steps '${opts.steps}' chooses the packets a capture's HTML step-through or diagram draws, and the format is ${opts.format}`, suggestion: 'add --format html (or ladder, md, mermaid), or drop --steps' }]);
    return undefined;
  }
  if (opts.steps === undefined) return opts.format === 'html' || opts.packets ? { window: DEFAULT_STEP_WINDOW, chosen: false } : undefined;
  const w = parseStepWindow(opts.steps);
  if (typeof w === 'string') throw new InputProblems([{ severity: 'error', message: `--steps ${w}`, suggestion: `e.g. --steps 1-${DEFAULT_HTML_STEPS} (the default), or --steps 600000 for the ${DEFAULT_HTML_STEPS.toLocaleString('en-US')} packets from packet 600,000` }]);
  return { window: w, chosen: true };
}

/** `--at` as device wall-clock ms, or an input problem. */
function atOption(opts: ReplayOptions): number | undefined {
  if (opts.at === undefined) return undefined;
  const wallMs = parseWallClock(opts.at);
  if (wallMs === undefined)
    throw new InputProblems([{ severity: 'error', message: `--at '${opts.at}': not an ISO 8601 date and time`, suggestion: "write it as 2026-03-02T09:30 (the device's local clock)" }]);
  return wallMs;
}

/** The wall clock a scenario runs at; the warning when the policy has time ranges and nothing says when is printed. */
export function scenarioWallClock(policy: Policy, scenario: Scenario, atMs: number | undefined): number {
  const r = scenarioWallClockAndWarning(policy, scenario, atMs);
  printDiagnostics(r.warnings);
  return r.wallMs;
}

export { engineOptions } from './inputs.js';

const CAPTURE_EXTENSIONS = /\.(pcap|pcapng|cap)$/i;
const CAPTURE_MAGICS = new Set([0xa1b2c3d4, 0xd4c3b2a1, 0xa1b23c4d, 0x4d3cb2a1, 0x0a0d0d0a]);

/** A capture by its name, or by its first four bytes. */
function isCapture(file: string): boolean {
  if (CAPTURE_EXTENSIONS.test(file)) return true;
  try {
    const fd = openSync(file, 'r');
    try {
      const b = Buffer.alloc(4);
      return readSync(fd, b, 0, 4, 0) === 4 && CAPTURE_MAGICS.has(b.readUInt32BE(0));
    } finally {
      closeSync(fd);
    }
  } catch {
    return false; // the scenario loader reports unreadable files
  }
}

/** The topology the options give (prefixes, default), before guessing. */
function givenTopology(opts: ReplayOptions, config: LoadedConfig): Topology | undefined {
  const problems: Diagnostic[] = [];
  let topo: Topology | undefined;
  if (opts.topology !== undefined) {
    const text = readText(opts.topology, problems);
    if (text !== undefined) {
      const r = parseTopologyFile(text, opts.topology);
      for (const d of r.diagnostics) problems.push(d);
      topo = r.value;
    }
  }
  const entries: TopologyEntry[] = [...(topo?.entries ?? [])];
  for (const t of opts.inside ?? []) {
    const r = parseInsideOption(t);
    for (const d of r.diagnostics) problems.push(d);
    if (r.value) entries.push(r.value);
  }
  if (hasErrors(problems)) throw new InputProblems(problems);
  const def = opts.outsideInterface ?? topo?.defaultIface;
  if (entries.length === 0 && def === undefined) return undefined;
  const t = makeTopology(entries, def);
  const unknown = checkInterfaces(t, interfacesOf(config.policy));
  if (hasErrors(unknown)) throw new InputProblems([...problems, ...unknown]);
  printDiagnostics(problems);
  return t;
}

/** What a capture's replay starts from: its scan, the topology, the engine and the device clock. */
interface CaptureStart {
  readonly controlPorts: number[];
  readonly scan: ReturnType<typeof scanCapture>;
  readonly topology: Topology;
  readonly engine: 'static' | 'stateful';
  readonly wallClockStartMs: number;
}

/** Scans a capture and settles the topology (said on stderr when guessed), engine and clock. */
function startCapture(file: string, opts: ReplayOptions, config: LoadedConfig, eo: EngineOptions): CaptureStart {
  const controlPorts = [21, ...eo.ftpPorts];
  const first = openCapture(file);
  if (first.fatal) throw new InputProblems(first.diagnostics);
  const scan = scanCapture(first, controlPorts);
  const guess = completeTopology(config.policy, givenTopology(opts, config), scan.servers);
  if (guess.message) process.stderr.write(`ftpwall: info: ${guess.message}\n`);
  const engine = resolveEngine(opts.engine, config.policy, eo);
  // MASQUERADE translates to the outgoing interface's address, which only a scenario's interfaces: gives
  const masq = config.policy.nat?.find((r) => r.kind === 'masquerade');
  if (masq && engine === 'stateful')
    throw new InputProblems([{ severity: 'error', message: `MASQUERADE translates to the address of the interface a connection leaves by, which a capture does not tell (${file})`, span: masq.at, suggestion: 'replay a scenario that gives interfaces: { NAME: ADDRESS }, or SNAT to a fixed address' }]);
  // a capture's own timestamps are the device clock (UTC; the device's time zone is not known)
  const wallClockStartMs = atOption(opts) ?? scan.firstSec * 1000 + Math.floor(scan.firstNsec / 1e6);
  return { controlPorts, scan, topology: guess.topology, engine, wallClockStartMs };
}

/** Replays one capture, its flows to `onFlow` as they finish (kept in the run when undefined); `pcapOut` receives its packets with verdict comments. */
function runCapture(
  file: string,
  opts: ReplayOptions,
  config: LoadedConfig,
  eo: EngineOptions,
  start: CaptureStart,
  onFlow: ((f: CaptureFlow) => void) | undefined,
  page: { readonly snapshots: SnapshotsByRun; readonly notes: PageNotes; readonly steps: { window: PacketWindow; chosen: boolean } | undefined },
  rows: PacketRowSink | undefined,
): CaptureRun {
  const { controlPorts, scan, engine } = start;
  const guess = { topology: start.topology };
  const out = opts.pcapOut !== undefined ? createCaptureExport(opts.pcapOut, scan.firstSec, scan.firstNsec) : undefined;
  const reader = openCapture(file);
  const rec = maybeRecord(makeFirewall(engine, config.policy, eo, start.wallClockStartMs), opts.format === 'html');
  const bar = opts.progress === false ? undefined : startProgress(file);
  let outcome;
  try {
    outcome = replayCapture(reader, {
      topology: guess.topology,
      firewall: rec.firewall,
      controlPorts,
      keepPackets: opts.packets || page.steps !== undefined,
      ...(page.steps ? { packetWindow: page.steps.window } : {}),
      ...(rows ? { packetSink: rows } : {}),
      ...(onFlow ? { onFlow } : {}),
      ...(bar ? { progress: bar.update } : {}),
      ...(out ? { tap: out.tap } : {}),
    });
  } catch (e) {
    out?.writer.abort();
    throw e;
  } finally {
    bar?.stop();
  }
  if (hasErrors(outcome.diagnostics)) {
    out?.writer.abort();
    throw new InputProblems(outcome.diagnostics);
  }
  printDiagnostics(outcome.diagnostics);
  if (out) {
    const w = out.writer.close();
    if (hasErrors(w.diagnostics)) throw new InputProblems(w.diagnostics);
  }
  const run = buildCaptureRun({ name: basename(file), source: file, config: config.file, engine }, outcome.replay, guess.topology);
  rec.keep(run, page.snapshots);
  if (page.steps) {
    const rows = outcome.replay.packets;
    const held = rows.length === 0 ? undefined : { first: rows[0]!.n, last: rows[rows.length - 1]!.n };
    const sentence = windowSentence({ asked: page.steps.window, held, records: outcome.replay.stats.records, chosen: page.steps.chosen }, opts.format === 'html');
    if (sentence !== undefined) {
      process.stderr.write(`ftpwall: ${held ? 'info' : 'warning'}: ${file}: ${sentence}\n`);
      page.notes.set(run, sentence);
    }
  }
  return run;
}

/**
 * Replays one capture sharded by host pair on `jobs` workers, its flows to `onFlow` in
 * id order; undefined (said on stderr) when one job must replay it to be exact.
 */
async function runCaptureSharded(file: string, opts: ReplayOptions, config: LoadedConfig, eo: EngineOptions, start: CaptureStart, jobs: number, onFlow: (f: CaptureFlow) => void): Promise<CaptureRun | undefined> {
  const tooMany = tooManyFlowsToShard(start.scan, statSync(file).size);
  if (tooMany !== undefined) {
    process.stderr.write(`ftpwall: info: ${file}: replayed in one job, not ${jobs} shards: ${tooMany}\n`);
    return undefined;
  }
  const bar = opts.progress === false ? undefined : startProgress(file);
  let r;
  try {
    r = await replaySharded(
      {
        file,
        config: config.file,
        ...(opts.platform !== undefined ? { platform: opts.platform } : {}),
        ...(opts.dialect !== undefined ? { dialect: opts.dialect } : {}),
        flags: engineFlagsOf(opts),
        engine: start.engine,
        topology: start.topology,
        controlPorts: start.controlPorts,
        wallClockStartMs: start.wallClockStartMs,
      },
      jobs,
      eo.maxConnections ?? DEFAULT_CONNTRACK_MAX,
      bar?.update,
    );
  } finally {
    bar?.stop();
  }
  if (!r.exact) {
    // the report is the same either way; say why it took one job
    process.stderr.write(`ftpwall: info: ${file}: replayed in one job, not ${jobs} shards: ${r.why}\n`);
    return undefined;
  }
  if (hasErrors(r.diagnostics)) throw new InputProblems(r.diagnostics);
  printDiagnostics(r.diagnostics);
  for (const f of r.flows) onFlow(f);
  const replay = { stats: r.stats, flows: [], flowsTruncated: r.flows.length > 0, packets: [], events: [], controlLines: [], notes: [], works: r.works, summary: r.summary };
  return buildCaptureRun({ name: basename(file), source: file, config: config.file, engine: start.engine }, replay, start.topology);
}

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
        const trace = flows && opts.packets ? new TraceSpill() : undefined;
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
