/** Shared helpers of the replay tests: loading configs, replaying a corpus file, asking tshark. */
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseConfig } from '../../src/dialects/load.js';
import { createStaticFirewall } from '../../src/engine/static.js';
import { createStatefulFirewall } from '../../src/engine/stateful/firewall.js';
import type { Policy } from '../../src/policy/model.js';
import { completeTopology, replayCapture, scanCapture, type ReplayOutcome, type Topology } from '../../src/replay/index.js';
import { openCapture } from '../../src/wire/index.js';

export const ROOT = resolve(__dirname, '../..');
export const CORPUS = resolve(ROOT, '../shared/corpus/pcap');

/** Every capture of the corpus (file names). */
export function corpusFiles(): string[] {
  return readdirSync(CORPUS)
    .filter((f) => /\.(pcap|pcapng)$/.test(f))
    .sort();
}

/** Parses a config from text; fails the test on errors. */
export function policyFrom(text: string, file: string): Policy {
  const r = parseConfig(text, file);
  const errors = r.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) throw new Error(`config ${file}: ${errors.map((d) => d.message).join('; ')}`);
  return r.value;
}

/** A bundled config (rules/NAME), optionally with its server address 192.168.10.1 replaced. */
export function bundledPolicy(name: string, server?: string): Policy {
  const text = readFileSync(resolve(ROOT, 'rules', name), 'utf8');
  return policyFrom(server ? text.replaceAll('192.168.10.1', server) : text, `rules/${name}`);
}

/** Replays a capture file with a topology (guessed when undefined) through the config's engine. */
export function replayFile(
  file: string,
  policy: Policy,
  engine: 'static' | 'stateful',
  options: { topology?: Topology; keepPackets?: boolean; keepControlLines?: boolean } = {},
): ReplayOutcome & { topology: Topology; message: string | undefined } {
  const guess = completeTopology(policy, options.topology, scanCapture(openCapture(file), [21]).servers);
  const firewall = engine === 'static' ? createStaticFirewall(policy) : createStatefulFirewall(policy);
  const out = replayCapture(openCapture(file), {
    topology: guess.topology,
    firewall,
    keepPackets: options.keepPackets ?? false,
    keepControlLines: options.keepControlLines ?? false,
  });
  return { ...out, topology: guess.topology, message: guess.message };
}

/** True when tshark can be run. */
export const HAVE_TSHARK = spawnSync('tshark', ['-v'], { encoding: 'utf8' }).status === 0;
if (!HAVE_TSHARK) process.stderr.write('replay tests: tshark is not installed: the comparisons with tshark are skipped\n');

/** Runs tshark with arguments; returns stdout (throws when it fails). */
export function tshark(args: readonly string[]): { stdout: string; stderr: string } {
  const r = spawnSync('tshark', args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`tshark ${args.join(' ')} failed: ${r.stderr}`);
  return { stdout: r.stdout, stderr: r.stderr };
}

/** tshark's TCP conversations as sorted `a <-> b` lines, each pair's ends sorted, IPv6 without brackets. */
export function tsharkConversations(file: string): string[] {
  const out: string[] = [];
  for (const line of tshark(['-r', file, '-q', '-z', 'conv,tcp']).stdout.split('\n')) {
    const m = /^(\S+)\s+<->\s+(\S+)\s/.exec(line);
    if (m) out.push(pair(m[1]!, m[2]!));
  }
  return out.sort();
}

/** ftpwall's endpoints as tshark prints them: `[2001:db8::1]:21` → `2001:db8::1:21`. */
export function plainEndpoint(e: string): string {
  return e.replace(/^\[(.*)\]:(\d+)$/, '$1:$2');
}

/** An order-independent pair of endpoints. */
export function pair(a: string, b: string): string {
  const [x, y] = [plainEndpoint(a), plainEndpoint(b)].sort();
  return `${x} <-> ${y}`;
}

/** Lines of `tshark -T fields` for the given fields and display filter, split on tabs. */
export function tsharkFields(file: string, filter: string, fields: readonly string[]): string[][] {
  const args = ['-r', file, '-Y', filter, '-T', 'fields', ...fields.flatMap((f) => ['-e', f])];
  return tshark(args)
    .stdout.split('\n')
    .filter((l) => l.length > 0)
    .map((l) => l.split('\t'));
}
