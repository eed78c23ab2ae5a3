/**
 * The `cli` fuzz target: random command lines (commands, options, values, bundled,
 * mutated, missing and odd files) parsed and run in-process by the real commander
 * program. Located input problems (InputProblems) and usage errors are fine;
 * anything else escaping is a crash. Outputs go to a private temporary directory.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import type { Diagnostic } from '../src/diag/diagnostic.js';
import { mutateText } from './mutate.js';
import type { Rng } from './rng.js';
import type { Target, TargetResult } from './targets.js';

type Program = { parseAsync(argv: string[]): Promise<unknown>; commands: readonly { configureOutput(o: object): unknown }[]; configureOutput(o: object): unknown };

const quietWrite = (() => true) as unknown as typeof process.stdout.write;

/** Imports the CLI without letting main() print: main(process.argv) runs on import. */
async function loadCli(): Promise<{ buildProgram: () => Program; InputProblems: new (...a: never[]) => { diagnostics: readonly Diagnostic[] } }> {
  const argv = process.argv;
  const out = process.stdout.write;
  const err = process.stderr.write;
  const exitCode = process.exitCode;
  process.argv = [argv[0]!, 'ftpwall', '--version'];
  process.stdout.write = quietWrite;
  process.stderr.write = quietWrite;
  try {
    const main = (await import('../src/cli/main.js')) as unknown as { buildProgram: () => Program };
    const io = (await import('../src/cli/io.js')) as unknown as { InputProblems: new (...a: never[]) => { diagnostics: readonly Diagnostic[] } };
    return { buildProgram: main.buildProgram, InputProblems: io.InputProblems };
  } finally {
    process.argv = argv;
    process.stdout.write = out;
    process.stderr.write = err;
    process.exitCode = exitCode;
  }
}

const cli = await loadCli();

let workDir: string | undefined;
let nullDevice = '/dev/null';
function work(): string {
  if (!workDir) {
    workDir = mkdtempSync(join(tmpdir(), `ftpwall-fuzz-cli-${process.pid}-`));
    const dir = workDir;
    process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
    // a null device of our own (root): the host's /dev/null is never named, whatever it has become
    if (process.getuid?.() === 0 && spawnSync('mknod', ['-m', '666', join(dir, 'null'), 'c', '1', '3']).status === 0) nullDevice = join(dir, 'null');
  }
  return workDir;
}

/** The null device command lines use. */
function devNull(): string {
  work();
  return nullDevice;
}

function list(dir: string, ext: RegExp): string[] {
  try {
    return readdirSync(dir)
      .filter((f) => ext.test(f))
      .sort()
      .map((f) => join(dir, f));
  } catch {
    return [];
  }
}

/** Work budget for fuzzed runs, unless the command line names a smaller one. */
const FUZZ_MAX_PACKETS = '20000';

interface Corpus {
  readonly configs: string[];
  /** Linux rulesets (iptables-save, nft) */
  readonly rulesets: string[];
  readonly scenarios: string[];
  readonly captures: string[];
}
let corpus: Corpus | undefined;

/**
 * The files command lines name: copies of the bundled configs, scenarios and small captures in
 * the private work directory, so no command line (an output naming an input) can touch the originals.
 */
function files(root: string): Corpus {
  if (corpus) return corpus;
  const copyAll = (paths: string[], sub: string): string[] => {
    const dir = join(work(), sub);
    mkdirSync(dir, { recursive: true });
    return paths.map((p) => {
      const to = join(dir, basename(p));
      copyFileSync(p, to);
      return to;
    });
  };
  corpus = {
    configs: copyAll(list(resolve(root, 'rules'), /\.cfg$/), 'rules'),
    rulesets: copyAll([...list(resolve(root, 'rules'), /\.(iptables|nft)$/), ...list(resolve(root, 'rules/linux'), /\.(rules|nft)$/)], 'rulesets'),
    scenarios: copyAll(list(resolve(root, 'scenarios'), /\.yaml$/), 'scenarios'),
    captures: copyAll(list(resolve(root, '../shared/corpus/pcap'), /\.(pcap|pcapng)$/).filter((f) => statSync(f).size < 100_000), 'captures'),
  };
  return corpus;
}

let counter = 0;

/** A mutated copy of a bundled file in the work directory. */
function mutatedFile(rng: Rng, from: readonly string[], ext: string): string {
  const texts = from.map((f) => readFileSync(f, 'utf8'));
  const file = join(work(), `m${process.pid}-${counter++ % 64}${ext}`);
  writeFileSync(file, mutateText(rng.pick(texts), rng, texts));
  return file;
}

function oneOf(rng: Rng, ...choices: (() => string)[]): string {
  return rng.pick(choices)();
}

/** The built-in lessons' names (`ftpwall lesson`). */
const LESSONS = ['active', 'bounce', 'expiry', 'ipv6', 'passive', 'split-port', 'stateful', 'static-ranges', 'nope'];

const JUNK = ['', '-', '--', 'x', '0', '-1', '65536', '99999999999999999999', '1e3', 'NaN', ' ', '\t', 'static,', ',', 'ftp', 'FTP', '=', 'a=b', '%s', '\u00e9', '../', '/'];

/** A command line. */
function generate(rng: Rng, root: string): string[] {
  const f = files(root);
  const out = (): string =>
    oneOf(
      rng,
      () => join(work(), `out-${rng.int(4)}.txt`),
      () => devNull(),
      () => join(work(), 'no-such-dir', 'x'),
      () => work(),
      () => rng.pick(f.scenarios),
      () => '-',
    );
  const config = (): string =>
    oneOf(
      rng,
      () => rng.pick(f.configs),
      () => rng.pick(f.configs),
      () => mutatedFile(rng, f.configs, '.cfg'),
      () => rng.pick(f.rulesets),
      () => mutatedFile(rng, f.rulesets, rng.pick(['.iptables', '.nft', '.rules'])),
      () => join(work(), 'missing.cfg'),
      () => rng.pick(f.scenarios),
      () => devNull(),
    );
  const input = (): string =>
    oneOf(
      rng,
      () => rng.pick(f.scenarios),
      () => rng.pick(f.scenarios),
      () => mutatedFile(rng, f.scenarios, '.yaml'),
      () => (f.captures.length > 0 ? rng.pick(f.captures) : rng.pick(f.scenarios)),
      () => rng.pick(f.configs),
      () => join(work(), 'missing.yaml'),
      () => work(),
    );
  const value = (good: readonly string[]): string => (rng.chance(0.75) ? rng.pick(good) : rng.pick(JUNK));
  const options: Record<string, () => string[]> = {
    config: () => ['-c', config()],
    engine: () => ['--engine', value(['static', 'stateful', 'auto', 'static,stateful'])],
    format: () => ['-f', value(['table', 'json'])],
    packets: () => ['-p'],
    expect: () => ['--expect', value(['works', 'blocked'])],
    inspect: () => ['--inspect', value(['ftp'])],
    ftpPort: () => ['--ftp-port', value(['21', '2121', '65535'])],
    loose: () => ['--loose'],
    timeout: () => ['--conntrack-timeout', value(['established=3600', 'syn_sent=1', 'nf_conntrack_tcp_timeout_close=10', 'bogus=1'])],
    expectation: () => ['--expectation-timeout', value(['1', '300', '100000'])],
    ctMax: () => ['--conntrack-max', value(['1', '2', '100', '65536'])],
    output: () => ['-o', out()],
    inside: () => ['--inside', value(['192.168.10.0/24@GigabitEthernet2/1/10', '2001:db8::/32@GigabitEthernet2/1/10', '10.0.0.0/33@x', '1.2.3.4'])],
    outside: () => ['--outside-interface', value(['GigabitEthernet2/1/1', 'nope'])],
    topology: () => ['--topology', oneOf(rng, () => mutatedFile(rng, [resolve(root, 'test/fixtures/topology.yaml')].filter((x) => { try { return statSync(x).isFile(); } catch { return false; } }).concat(f.scenarios), '.yaml'), () => rng.pick(f.scenarios))],
    pcapOut: () => ['--pcap-out', out()],
    maxPackets: () => ['--max-packets', value(['1', '100', '10000', '20000'])],
    to: () => ['--to', value(['nft', 'iptables', 'ip6tables'])],
    ifmap: () => ['--interface-map', value(['GigabitEthernet2/1/1=eth0', 'GigabitEthernet2/1/10=eth1,GigabitEthernet2/1/1=eth0', 'x=y', '=', 'a=b=c'])],
    quiet: () => ['-q'],
    dialect: () => ['--dialect', value(['h3c', 'iptables', 'nft'])],
    platform: () => ['--platform', value(['switch', 'router', 'firewall'])],
    jobs: () => ['-j', value(['1', '1', '1', '2'])],
    summary: () => ['--summary'],
    noNatFtp: () => ['--no-nat-ftp'],
    at: () => ['--at', value(['2026-03-02T09:30', '2026-12-31T23:59:59', '2026-02-30T25:00', 'yesterday'])],
    lintFormat: () => ['-f', value(['table', 'json', 'sarif'])],
    failOn: () => ['--fail-on', value(['warning', 'error'])],
    probeFormat: () => ['-f', value(['table', 'json', 'ladder', 'html'])],
    server: () => ['--server', value(['192.168.10.1', '192.168.10.1@GigabitEthernet2/1/10', '2001:db8:10::1', '10.0.0.0/8', '192.168.10.1@nope'])],
    client: () => ['--client', value(['any', '10.0.0.2', '10.0.0.2@GigabitEthernet2/1/1', '2001:db8:1::2', '300.1.1.1'])],
    passivePorts: () => ['--passive-ports', value(['50000-50010', '1024-65535', '50010-50000', '0-70000'])],
    clientProfile: () => ['--client-profile', value(['curl', 'lftp', 'filezilla', 'windows-ftp', 'browser'])],
    serverProfile: () => ['--server-profile', value(['vsftpd', 'proftpd', 'pure-ftpd', 'iis'])],
    mode: () => ['--mode', value(['PORT', 'PASV', 'EPRT', 'EPSV', 'port'])],
    probeExpect: () => ['--expect', value(['works'])],
    candidate: () => ['--candidate', value(['1', '2', '0', '99'])],
    report: () => ['--report', out()],
    lessonAll: () => ['--all'],
    lessonFormat: () => ['-f', value(['text', 'html'])],
    steps: () => ['--steps', value(['1-10', '5', '3-2', '0-9', '1_000-2_000', '1000000-1000001', 'a-b', '-5', ' 2 - 4 '])],
    maxCells: () => ['--max-cells', value(['1', '10', '200000', '0', '1_000', 'lots'])],
    bogus: () => [rng.pick(['--nope', '-z', '--config', '--', '-o', '--help'])],
  };
  const byCommand: Record<string, { args: () => string[]; opts: string[] }> = {
    replay: { args: () => Array.from({ length: 1 + rng.int(2) }, input), opts: ['config', 'config', 'engine', 'format', 'packets', 'expect', 'inspect', 'ftpPort', 'loose', 'timeout', 'expectation', 'ctMax', 'output', 'output', 'inside', 'outside', 'topology', 'pcapOut', 'maxPackets', 'dialect', 'platform', 'jobs', 'summary', 'noNatFtp', 'at', 'steps', 'steps', 'bogus'] },
    compare: { args: () => Array.from({ length: 1 + rng.int(3) }, input), opts: ['config', 'config', 'config', 'engine', 'format', 'inspect', 'loose', 'timeout', 'expectation', 'ctMax', 'output', 'output', 'maxPackets', 'dialect', 'platform', 'jobs', 'noNatFtp', 'bogus'] },
    export: { args: () => [], opts: ['to', 'to', 'config', 'config', 'ifmap', 'engine', 'inspect', 'ftpPort', 'loose', 'output', 'output', 'platform', 'bogus'] },
    check: { args: () => Array.from({ length: 1 + rng.int(2) }, config), opts: ['quiet', 'dialect', 'platform', 'bogus'] },
    lint: { args: () => Array.from({ length: 1 + rng.int(3) }, config), opts: ['lintFormat', 'failOn', 'output', 'output', 'jobs', 'bogus'] },
    probe: { args: () => [], opts: ['config', 'config', 'server', 'client', 'passivePorts', 'clientProfile', 'serverProfile', 'mode', 'engine', 'inspect', 'loose', 'probeFormat', 'probeExpect', 'output', 'jobs', 'maxCells', 'bogus'] },
    fix: { args: () => [], opts: ['config', 'config', 'server', 'client', 'passivePorts', 'clientProfile', 'serverProfile', 'mode', 'engine', 'inspect', 'loose', 'format', 'candidate', 'output', 'report', 'maxCells', 'bogus'] },
    lesson: { args: () => lessonArgs(), opts: ['lessonAll', 'lessonAll', 'lessonFormat', 'output', 'bogus'] },
  };
  function lessonArgs(): string[] {
    const pick = rng.int(3);
    if (pick === 0) return [];
    if (pick === 1) return [value(LESSONS)];
    return ['check', value(LESSONS), oneOf(rng, () => rng.pick(f.configs), () => mutatedFile(rng, f.configs, '.cfg'), () => join(work(), 'missing.cfg'))];
  }
  const command = rng.chance(0.03) ? rng.pick(['help', 'nope', '--version', 'verify']) : rng.pick(Object.keys(byCommand));
  const spec = byCommand[command];
  if (!spec) return command === 'verify' ? ['verify', '--help'] : [command];
  const argv = [command, ...spec.args()];
  const k = rng.int(7);
  for (let i = 0; i < k; i++) for (const a of options[rng.pick(spec.opts)]!()) argv.push(a);
  // keep every run bounded and off the real stdout
  if ((command === 'replay' || command === 'compare') && !argv.includes('--max-packets')) argv.push('--max-packets', FUZZ_MAX_PACKETS);
  // one thread unless the line asks for more (workers are rare and slow to start)
  if ((command === 'replay' || command === 'compare' || command === 'lint' || command === 'probe') && !argv.includes('-j')) argv.push('-j', '1');
  // probe and fix run servers × clients × profiles × modes: one profile each keeps a run well under a second
  if ((command === 'probe' || command === 'fix') && !argv.includes('--client-profile')) argv.push('--client-profile', 'curl');
  if ((command === 'probe' || command === 'fix') && !argv.includes('--server-profile')) argv.push('--server-profile', 'vsftpd');
  if (!argv.includes('-o')) argv.push('-o', join(work(), 'default-out.txt'));
  return argv;
}

/** The files an argv names, for the span check: text files as text, captures as their size. */
function filesOf(argv: readonly string[]): Map<string, string | number> {
  const out = new Map<string, string | number>();
  for (const a of argv) {
    try {
      if (!statSync(a).isFile()) continue;
      const bytes = readFileSync(a);
      out.set(a, /\.(pcap|pcapng|cap)$/.test(a) ? bytes.length : bytes.toString('utf8'));
    } catch {
      // not a file
    }
  }
  return out;
}

/** Runs one command line in-process, quietly. */
async function run(argv: readonly string[]): Promise<TargetResult> {
  // no writes may reach the real stdout: every generated line writes its report to a file
  const i = argv.indexOf('-o');
  const o = i >= 0 ? argv[i + 1] : undefined;
  const safeArgv = o === '-' || o === undefined || o === '/dev/stdout' ? [...argv, '-o', devNull()] : [...argv];
  // belt and braces: a command line writes only into the work directory or /dev/null, never to stdout
  for (let k = 0; k < safeArgv.length - 1; k++) {
    const flag = safeArgv[k];
    if (flag !== '-o' && flag !== '--output' && flag !== '--pcap-out' && flag !== '--report') continue;
    const target = resolve(safeArgv[k + 1]!);
    if (target.startsWith(`${work()}/`) && safeArgv[k + 1] !== '-') continue;
    safeArgv[k + 1] = join(work(), 'redirected.out');
  }
  const out = process.stdout.write;
  const err = process.stderr.write;
  const exitCode = process.exitCode;
  process.stdout.write = quietWrite;
  process.stderr.write = quietWrite;
  const program = cli.buildProgram();
  const silent = { writeOut: () => undefined, writeErr: () => undefined };
  program.configureOutput(silent);
  for (const c of program.commands) c.configureOutput(silent);
  let diagnostics: readonly Diagnostic[] = [];
  try {
    await program.parseAsync(['node', 'ftpwall', ...safeArgv]);
  } catch (e) {
    if (e instanceof cli.InputProblems) diagnostics = e.diagnostics;
    else if (!(e instanceof Error && e.name === 'CommanderError') && !(e as { code?: string }).code?.startsWith('commander.')) throw e;
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
    process.exitCode = exitCode;
  }
  // a `.cfg` may be read by the Linux readers (--dialect) or as a scenario: any reader's line breaks
  return { diagnostics, files: filesOf(safeArgv), breakRule: 'any-reader' };
}

/** The cli target. */
export const cliTarget: Target = {
  name: 'cli',
  kind: 'argv',
  seeds: (root) => list(resolve(root, 'scenarios'), /\.yaml$/).map((name) => ({ name, data: name })),
  generate,
  run: (input) => run(input as unknown as readonly string[]),
};

/** Makes sure the work directory exists (tests). */
export function cliWorkDir(): string {
  const d = work();
  mkdirSync(d, { recursive: true });
  return d;
}
