/** `ftpwall replay`: scenarios and captures through one config, reported as tables or JSON, optionally exported as pcapng. */
import { openSync, readSync, closeSync } from 'node:fs';
import { basename } from 'node:path';
import { hasErrors, type Diagnostic } from '../diag/diagnostic.js';
import { simulate } from '../sim/run.js';
import { buildRunReport, reportDocument, reportJsonReplacer, type RunReport } from '../report/run.js';
import { formatRun } from '../report/table.js';
import {
  buildCaptureRun,
  captureLines,
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
  type CaptureRun,
  type Topology,
  type TopologyEntry,
} from '../replay/index.js';
import { openCapture } from '../wire/index.js';
import { engineOptions, loadConfigs, loadScenarios, makeFirewall, resolveEngine, type EngineChoice, type EngineOptions, type LoadedConfig } from './inputs.js';
import { EXIT_EXPECTATION_FAILED, EXIT_OK, InputProblems, prepareOutputs, printDiagnostics, readText, styleFor, writeJsonOutput, writeLines } from './io.js';

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
  /** `PREFIX@IFACE`, repeatable (captures) */
  readonly inside?: string[];
  readonly outsideInterface?: string;
  readonly topology?: string;
  /** write the run's packets with verdict comments as pcapng */
  readonly pcapOut?: string;
  /** `--max-packets`: the simulation work limit */
  readonly maxPackets?: number;
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
      problems.push(...r.diagnostics);
      topo = r.value;
    }
  }
  const entries: TopologyEntry[] = [...(topo?.entries ?? [])];
  for (const t of opts.inside ?? []) {
    const r = parseInsideOption(t);
    problems.push(...r.diagnostics);
    if (r.value) entries.push(r.value);
  }
  if (hasErrors(problems)) throw new InputProblems(problems);
  const def = opts.outsideInterface ?? topo?.defaultIface;
  if (entries.length === 0 && def === undefined) return undefined;
  const t = makeTopology(entries, def);
  printDiagnostics([...problems, ...checkInterfaces(t, interfacesOf(config.policy))]);
  return t;
}

/** Replays one capture; `pcapOut` receives its packets with verdict comments. */
function runCapture(file: string, opts: ReplayOptions, config: LoadedConfig, eo: EngineOptions): CaptureRun {
  const controlPorts = [21, ...eo.ftpPorts];
  const first = openCapture(file);
  if (first.fatal) throw new InputProblems(first.diagnostics);
  const scan = scanCapture(first, controlPorts);
  const guess = completeTopology(config.policy, givenTopology(opts, config), scan.servers);
  if (guess.message) process.stderr.write(`ftpwall: info: ${guess.message}\n`);
  const engine = resolveEngine(opts.engine, config.policy, eo);
  const out = opts.pcapOut !== undefined ? createCaptureExport(opts.pcapOut, scan.firstSec, scan.firstNsec) : undefined;
  const reader = openCapture(file);
  let outcome;
  try {
    outcome = replayCapture(reader, {
      topology: guess.topology,
      firewall: makeFirewall(engine, config.policy, eo),
      controlPorts,
      keepPackets: opts.packets,
      ...(out ? { tap: out.tap } : {}),
    });
  } catch (e) {
    out?.writer.abort();
    throw e;
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
  return buildCaptureRun({ name: basename(file), source: file, config: config.file, engine }, outcome.replay, guess.topology);
}

/** Runs the replay; returns the exit status. */
export function runReplay(inputs: readonly string[], opts: ReplayOptions): number {
  const eo = engineOptions(opts);
  if (opts.pcapOut !== undefined && inputs.length !== 1)
    throw new InputProblems([{ severity: 'error', message: `--pcap-out writes one run: give exactly one scenario or capture, not ${inputs.length}` }]);
  prepareOutputs(
    [
      { option: '--pcap-out', path: opts.pcapOut },
      { option: '-o', path: opts.output },
    ],
    [...inputs.map((path) => ({ option: 'input', path })), { option: '--config', path: opts.config }, { option: '--topology', path: opts.topology }],
  );
  if (opts.pcapOut === '-' && (opts.output === undefined || opts.output === '-'))
    throw new InputProblems([{ severity: 'error', message: '--pcap-out - and the report would both go to stdout', suggestion: 'write the report to a file with -o FILE' }]);
  const kinds = inputs.map((f) => (isCapture(f) ? 'capture' : 'scenario'));
  const [config] = loadConfigs([opts.config], printDiagnostics);
  const scenarios = loadScenarios(
    inputs.filter((_, i) => kinds[i] === 'scenario'),
    printDiagnostics,
    opts.maxPackets,
  );
  if (!kinds.includes('capture') && ((opts.inside?.length ?? 0) > 0 || opts.outsideInterface !== undefined || opts.topology !== undefined)) {
    givenTopology(opts, config!); // still checked, so a typo is not silently ignored
    printDiagnostics([{ severity: 'warning', message: '--inside, --outside-interface and --topology place the hosts of captures; scenarios name their interfaces themselves, so they are ignored here' }]);
  }
  let si = 0;
  const runs: (RunReport | CaptureRun)[] = inputs.map((file, i) => {
    if (kinds[i] === 'capture') return runCapture(file, opts, config!, eo);
    const scenario = scenarios[si++]!;
    const engine = resolveEngine(opts.engine, config!.policy, eo);
    const trace = simulate(scenario, makeFirewall(engine, config!.policy, eo));
    if (opts.pcapOut !== undefined) {
      const w = writeTracePcapng(opts.pcapOut, trace);
      if (hasErrors(w.diagnostics)) throw new InputProblems(w.diagnostics);
    }
    return buildRunReport({ scenario: scenario.name, source: scenario.source, config: config!.file, engine }, trace);
  });
  if (opts.format === 'json') writeJsonOutput(opts.output, reportDocument(runs), reportJsonReplacer);
  else {
    const style = opts.output ? undefined : styleFor(process.stdout);
    const lines = runs.flatMap((r, i) => [
      ...(i > 0 ? [''] : []),
      ...formatRun(r, { packets: opts.packets, ...(style ? { style } : {}) }),
      ...('capture' in r ? captureLines(r) : []),
    ]);
    writeLines(opts.output, lines);
  }
  if (opts.expect) {
    const want = opts.expect === 'works';
    const off = runs.filter((r) => r.ftp.works !== want);
    for (const r of off) process.stderr.write(`ftpwall: expected FTP to ${want ? 'work' : 'be blocked'} in ${r.scenario} × ${r.config}: ${r.ftp.summary}\n`);
    if (off.length > 0) return EXIT_EXPECTATION_FAILED;
  }
  return EXIT_OK;
}
