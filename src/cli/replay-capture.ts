/**
 * The capture half of `ftpwall replay`: telling a capture from a scenario, the topology the options give, the scan
 * that settles topology, engine and clock, and the replay itself, in one job or sharded by host pair.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { hasErrors, type Diagnostic } from '../diag/diagnostic.js';
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
  type CaptureFlow,
  type CaptureRun,
  type PacketRowSink,
  type PacketWindow,
  type Topology,
  type TopologyEntry,
} from '../replay/index.js';
import { openCapture } from '../wire/index.js';
import { engineFlagsOf, makeFirewall, resolveEngine, type EngineOptions, type LoadedConfig } from './inputs.js';
import { InputProblems, printDiagnostics, readText } from './io.js';
import { maybeRecord, type PageNotes, type SnapshotsByRun } from './html.js';
import { flowsSentence, LISTED_FLOWS, windowSentence } from './step-window.js';
import { startProgress } from './progress.js';
import { replaySharded, tooManyFlowsToShard } from './capture-shards.js';
import { atOption, type ReplayOptions } from './replay-options.js';

/** nf_conntrack_max when --conntrack-max is not given (the stateful engine's default). */
const DEFAULT_CONNTRACK_MAX = 65536;

const CAPTURE_EXTENSIONS = /\.(pcap|pcapng|cap)$/i;
const CAPTURE_MAGICS = new Set([0xa1b2c3d4, 0xd4c3b2a1, 0xa1b23c4d, 0x4d3cb2a1, 0x0a0d0d0a]);

/** A capture by its name, or by its first four bytes. */
export function isCapture(file: string): boolean {
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
export function givenTopology(opts: ReplayOptions, config: LoadedConfig): Topology | undefined {
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
export interface CaptureStart {
  readonly controlPorts: number[];
  readonly scan: ReturnType<typeof scanCapture>;
  readonly topology: Topology;
  readonly engine: 'static' | 'stateful';
  readonly wallClockStartMs: number;
}

/** Scans a capture and settles the topology (said on stderr when guessed), engine and clock. */
export function startCapture(file: string, opts: ReplayOptions, config: LoadedConfig, eo: EngineOptions): CaptureStart {
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
export function runCapture(
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
      // kept in the run for a page or diagram: what it draws, and a bounded number of other flows
      ...(onFlow ? { onFlow } : { listFlows: LISTED_FLOWS }),
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
  const sentences: { text: string; info: boolean }[] = [];
  const isPage = opts.format === 'html';
  const stats = outcome.replay.stats;
  const flowCount = stats.flows.control + stats.flows.data + stats.flows.other;
  const listing = onFlow
    ? undefined
    : flowsSentence(
        {
          flows: flowCount,
          listed: run.flows.length,
          blocked: stats.blockedFlows.control + stats.blockedFlows.data + stats.blockedFlows.other,
          blockedListed: run.flows.filter((f) => f.outcome === 'blocked').length,
          windowed: page.steps !== undefined,
        },
        isPage,
      );
  if (page.steps) {
    const rows = outcome.replay.packets;
    const held = rows.length === 0 ? undefined : { first: rows[0]!.n, last: rows[rows.length - 1]!.n };
    const sentence = windowSentence({ asked: page.steps.window, held, records: stats.records, chosen: page.steps.chosen }, isPage, listing === undefined);
    if (sentence !== undefined) sentences.push({ text: sentence, info: held !== undefined });
  }
  if (listing !== undefined) sentences.push({ text: listing, info: true });
  for (const s of sentences) process.stderr.write(`ftpwall: ${s.info ? 'info' : 'warning'}: ${file}: ${s.text}\n`);
  // the output shows them as sentences of their own
  if (sentences.length > 0) page.notes.set(run, sentences.map((s) => `${s.text.charAt(0).toUpperCase()}${s.text.slice(1)}.`).join(' '));
  return run;
}

/**
 * Replays one capture sharded by host pair on `jobs` workers, its flows to `onFlow` in
 * id order; undefined (said on stderr) when one job must replay it to be exact.
 */
export async function runCaptureSharded(file: string, opts: ReplayOptions, config: LoadedConfig, eo: EngineOptions, start: CaptureStart, jobs: number, onFlow: (f: CaptureFlow) => void): Promise<CaptureRun | undefined> {
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
