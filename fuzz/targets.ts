/**
 * The fuzz targets: each takes one input (text or bytes) through the same
 * pipeline the CLI runs, and returns the diagnostics it produced with the files
 * they may name. An exception escaping run() is a crash.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Diagnostic } from '../src/diag/diagnostic.js';
import { parseConfig } from '../src/dialects/load.js';
import { createStaticFirewall } from '../src/engine/static.js';
import { createStatefulFirewall } from '../src/engine/stateful/firewall.js';
import { defaultInterfaceMap, policyInterfaces } from '../src/export/interface-map.js';
import { exportIp6tables, exportIptables } from '../src/export/iptables.js';
import { exportNft } from '../src/export/nft.js';
import { writeJson } from '../src/output/json.js';
import { captureLines } from '../src/report/capture.js';
import type { Policy } from '../src/policy/model.js';
import {
  buildCaptureRun,
  checkInterfaces,
  completeTopology,
  describeTopology,
  interfacesOf,
  parseTopologyFile,
  replayCapture,
  scanCapture,
} from '../src/replay/index.js';
import { buildRunReport, reportDocument, reportJsonReplacer, type RunReport } from '../src/report/run.js';
import { formatRun } from '../src/report/table.js';
import { loadScenario } from '../src/scenario/load.js';
import type { Scenario } from '../src/scenario/model.js';
import { checkSimulationWork } from '../src/scenario/work.js';
import { simulate } from '../src/sim/run.js';
import { readCaptureBytes } from '../src/wire/capture.js';
import type { BreakRule, FileTable } from './spans.js';
import type { Rng } from './rng.js';
import { YAML_WORDS } from './mutate.js';

/** The repository root (fuzz/ compiles to dist-fuzz/fuzz/, and runs from source under vitest). */
export function repoRoot(from: string): string {
  let dir = from;
  for (let i = 0; i < 6; i++) {
    try {
      if (readdirSync(dir).includes('package.json') && readdirSync(dir).includes('rules')) return dir;
    } catch {
      // keep going up
    }
    dir = resolve(dir, '..');
  }
  return process.cwd();
}

/** One seed input. */
export interface Seed {
  readonly name: string;
  readonly data: string | Uint8Array;
}

/** What one run produced. */
export interface TargetResult {
  readonly diagnostics: readonly Diagnostic[];
  readonly files: FileTable;
  /** how the span check splits the files into lines (default: by each file's name) */
  readonly breakRule?: BreakRule;
}

/** A fuzz target. */
export interface Target {
  readonly name: string;
  readonly kind: 'text' | 'bytes' | 'argv';
  /** words to swap in for tokens (text targets) */
  readonly words?: readonly string[];
  /** text targets: a mutation of their own language, applied after the generic ones to some inputs */
  mutate?(text: string, rng: Rng): string;
  seeds(root: string): Seed[];
  /** argv targets: a command line made from the Rng */
  generate?(rng: Rng, root: string): string[];
  /** sync for the in-process parsers; the cli target awaits commander's parseAsync (commands load lazily) */
  run(input: string & Uint8Array & readonly string[], root: string): TargetResult | Promise<TargetResult>;
}

const CONFIG_NAME = 'fuzz.cfg';
const SCENARIO_NAME = 'fuzz.yaml';
const TOPOLOGY_NAME = 'fuzz-topology.yaml';
const CAPTURE_NAME = 'fuzz.pcap';
/** Work budget for fuzzed scenarios (packets): inputs stay well under 2 s each. */
const FUZZ_MAX_PACKETS = 20_000;

function textFiles(dir: string, ext: RegExp): Seed[] {
  try {
    return readdirSync(dir)
      .filter((f) => ext.test(f))
      .sort()
      .map((f) => ({ name: join(dir, f), data: readFileSync(join(dir, f), 'utf8') }));
  } catch {
    return [];
  }
}

const cache = new Map<string, unknown>();
function once<T>(key: string, make: () => T): T {
  if (!cache.has(key)) cache.set(key, make());
  return cache.get(key) as T;
}

function bundledPolicy(root: string, file: string): Policy {
  return once(`policy ${file}`, () => parseConfig(readFileSync(resolve(root, file), 'utf8'), file).value);
}

function bundledScenario(root: string, file: string): Scenario {
  return once(`scenario ${file}`, () => {
    const s = loadScenario(readFileSync(resolve(root, file), 'utf8'), file).value;
    if (!s) throw new Error(`bundled scenario ${file} does not load`);
    return s;
  });
}

/** Writes a run as the table and the JSON report do, into nothing. */
function renderReports(runs: readonly RunReport[]): void {
  for (const r of runs) formatRun(r, { packets: true });
  writeJson({ write: () => undefined }, reportDocument(runs), reportJsonReplacer);
}

function runScenarioThrough(scenario: Scenario, policy: Policy, engine: 'static' | 'stateful', config: string): RunReport {
  const fw = engine === 'static' ? createStaticFirewall(policy) : createStatefulFirewall(policy);
  return buildRunReport({ scenario: scenario.name, source: scenario.source, config, engine }, simulate(scenario, fw));
}

const H3C_WORDS = [
  'acl', 'advanced', 'basic', 'number', 'name', 'ipv6', 'rule', 'permit', 'deny', 'tcp', 'udp', 'ip', 'icmp', 'source',
  'destination', 'source-port', 'destination-port', 'eq', 'gt', 'lt', 'neq', 'range', 'established', 'syn', '3000', '3001',
  '192.168.10.1', '0.0.0.255', '0', '2001:db8::1/64', 'any', 'interface', 'GigabitEthernet2/1/1', 'packet-filter', 'inbound',
  'outbound', 'default', 'aspf', 'policy', 'apply', 'detect', 'ftp', 'firewall', 'undo', 'step', 'comment', 'quit', 'return',
  '#', 'match-order', 'auto', 'config', 'time-range', 'logging', 'counting', 'fragment', 'vpn-instance', 'object-group',
];

const h3c: Target = {
  name: 'h3c',
  kind: 'text',
  words: H3C_WORDS,
  seeds: (root) => [...textFiles(resolve(root, 'rules'), /\.cfg$/), ...textFiles(resolve(root, 'test/fixtures/h3c'), /\.cfg$/)],
  run(input, root) {
    const text = input as string;
    const files = new Map([[CONFIG_NAME, text]]);
    const parsed = parseConfig(text, CONFIG_NAME);
    const diagnostics: Diagnostic[] = [...parsed.diagnostics];
    if (diagnostics.some((d) => d.severity === 'error')) return { diagnostics, files };
    const policy = parsed.value;
    const scenario = bundledScenario(root, 'scenarios/passive-download.yaml');
    const runs = [runScenarioThrough(scenario, policy, 'static', CONFIG_NAME), runScenarioThrough(scenario, policy, 'stateful', CONFIG_NAME)];
    renderReports(runs);
    const interfaceMap = defaultInterfaceMap(policyInterfaces(policy).filter((n) => n !== '*'));
    for (const stateful of [false, true]) {
      const options = { interfaceMap, stateful, loose: false };
      for (const r of [exportNft(policy, options), exportIptables(policy, options), exportIp6tables(policy, options)]) for (const d of r.diagnostics) diagnostics.push(d);
    }
    return { diagnostics, files };
  },
};

const scenario: Target = {
  name: 'scenario',
  kind: 'text',
  seeds: (root) => textFiles(resolve(root, 'scenarios'), /\.ya?ml$/),
  run(input, root) {
    const text = input as string;
    const files = new Map([[SCENARIO_NAME, text]]);
    const loaded = loadScenario(text, SCENARIO_NAME);
    const diagnostics: Diagnostic[] = [...loaded.diagnostics];
    if (!loaded.value) return { diagnostics, files };
    const work = checkSimulationWork(loaded.value, { maxPackets: FUZZ_MAX_PACKETS });
    for (const d of work) diagnostics.push(d);
    if (work.length > 0) return { diagnostics, files };
    const runs = [
      runScenarioThrough(loaded.value, bundledPolicy(root, 'rules/seed-passive.cfg'), 'static', 'rules/seed-passive.cfg'),
      runScenarioThrough(loaded.value, bundledPolicy(root, 'rules/stateful.cfg'), 'stateful', 'rules/stateful.cfg'),
    ];
    renderReports(runs);
    return { diagnostics, files };
  },
};

const TOPOLOGY_SEEDS: readonly string[] = [
  'GigabitEthernet2/1/10:\n  - 192.168.10.0/24\n  - 2001:db8:10::/64\nGigabitEthernet2/1/1: default\n',
  'inside:\n  - 10.0.0.0/8\noutside: default\n',
  'GigabitEthernet2/1/10: [192.168.10.1/32, 192.168.10.2]\nGigabitEthernet2/1/1:\n  - default\n',
  '# a topology\nGigabitEthernet2/1/10:\n  - 172.23.0.0/16 # the servers\n',
  'GigabitEthernet2/1/1: default\n',
];

const topology: Target = {
  name: 'topology',
  kind: 'text',
  seeds: (root) => [
    ...TOPOLOGY_SEEDS.map((data, i) => ({ name: `topology-${i}.yaml`, data })),
    ...textFiles(resolve(root, 'test/fixtures/topology'), /\.ya?ml$/),
  ],
  run(input, root) {
    const text = input as string;
    const files = new Map([[TOPOLOGY_NAME, text]]);
    const r = parseTopologyFile(text, TOPOLOGY_NAME);
    const diagnostics: Diagnostic[] = [...r.diagnostics];
    if (r.value) {
      for (const d of checkInterfaces(r.value, interfacesOf(bundledPolicy(root, 'rules/stateful.cfg')))) diagnostics.push(d);
      describeTopology(r.value);
    }
    return { diagnostics, files };
  },
};

const pcap: Target = {
  name: 'pcap',
  kind: 'bytes',
  seeds: (root) => {
    const dir = resolve(root, '../shared/corpus/pcap');
    let names: string[] = [];
    try {
      names = readdirSync(dir).filter((f) => /\.(pcap|pcapng)$/.test(f));
    } catch {
      names = [];
    }
    // the 1,000-packet capture is left out: its mutants are slow and add little
    return names
      .sort()
      .map((f) => ({ name: f, data: new Uint8Array(readFileSync(join(dir, f))) }))
      .filter((s) => s.data.length < 200_000);
  },
  run(input, root) {
    const bytes = input as Uint8Array;
    const files = new Map<string, string | number>([[CAPTURE_NAME, bytes.length]]);
    const policy = bundledPolicy(root, 'rules/stateful.cfg');
    const first = readCaptureBytes(bytes, CAPTURE_NAME);
    if (first.fatal) return { diagnostics: first.diagnostics, files };
    const scan = scanCapture(first, [21]);
    const guess = completeTopology(policy, undefined, scan.servers);
    const diagnostics: Diagnostic[] = [];
    for (const engine of ['static', 'stateful'] as const) {
      const reader = readCaptureBytes(bytes, CAPTURE_NAME);
      const fw = engine === 'static' ? createStaticFirewall(policy) : createStatefulFirewall(policy);
      const outcome = replayCapture(reader, { topology: guess.topology, firewall: fw, controlPorts: [21], keepPackets: engine === 'stateful' });
      for (const d of outcome.diagnostics) diagnostics.push(d);
      const run = buildCaptureRun({ name: CAPTURE_NAME, source: CAPTURE_NAME, config: 'rules/stateful.cfg', engine }, outcome.replay, guess.topology);
      captureLines(run);
      formatRun(run as unknown as RunReport, { packets: engine === 'stateful' });
      // the JSON writer is the same for both runs: once is enough
      if (engine === 'stateful') writeJson({ write: () => undefined }, reportDocument([run as unknown as RunReport]), reportJsonReplacer);
    }
    return { diagnostics, files };
  },
};

/** The text, bytes and argv targets by name (cli is added by cli-target.ts). */
export const TARGETS: Record<string, Target> = { h3c, scenario, topology, pcap };

/** Words for the YAML targets. */
export const SCENARIO_WORDS = YAML_WORDS;
