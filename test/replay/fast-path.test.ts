/**
 * Fast path = rich path. A replay without per-packet output runs the engine with recording off
 * (one reused packet view, no event text, control lines made into strings only when read); with
 * packets kept it runs the same code with recording on. Both must give the same verdict for every
 * packet and the same flows, counters and summary, on every bundled scenario's own capture (what
 * `--pcap-out` writes, the captures the kernel agreement replays) and on every corpus capture.
 */
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createStaticFirewall } from '../../src/engine/static.js';
import { createStatefulFirewall } from '../../src/engine/stateful/firewall.js';
import type { Trace } from '../../src/engine/trace.js';
import { describeProvenance, type TraceEvent } from '../../src/engine/verdict.js';
import { formatIp, parsePrefix, type IpAddress } from '../../src/net/address.js';
import type { Policy } from '../../src/policy/model.js';
import { completeTopology, makeTopology, replayCapture, scanCapture, writeTracePcapng, type CaptureFlow, type PacketTap, type Topology, type TopologyEntry } from '../../src/replay/index.js';
import { openCapture } from '../../src/wire/index.js';
import { interfaceAddressMap } from '../../src/scenario/interfaces.js';
import type { StatefulOptions } from '../../src/engine/stateful/firewall.js';
import { loadBundledScenario, loadPolicy, ROOT, run } from '../helpers/run.js';
import { CORPUS, corpusFiles } from './helpers.js';

type Engine = 'static' | 'stateful';

/** The configs each bundled scenario is replayed through: the kernel agreement's three, the wrong-side ASPF, and the NAT ones. */
const CONFIGS: readonly [string, Engine][] = [
  ['rules/seed-active.cfg', 'static'],
  ['rules/seed-passive.cfg', 'static'],
  ['rules/stateful.cfg', 'stateful'],
  ['rules/aspf-wrong-side.cfg', 'stateful'],
];
const NAT_CONFIGS: readonly [string, Engine][] = [
  ['rules/nat-outbound.cfg', 'stateful'],
  ['rules/nat-server.cfg', 'stateful'],
  ['rules/nat-outbound-no-alg.cfg', 'stateful'],
];
const LINUX_CONFIGS: readonly [string, Engine][] = [
  ['rules/linux/ftp-forward.rules', 'stateful'],
  ['rules/linux/ftp-forward.nft', 'stateful'],
];
/** The Linux NAT rulesets: DNAT publishes the server of linux/nat-*, MASQUERADE hides the client of linux/nat-client-* (with and without the helper). */
const LINUX_DNAT = ['rules/linux-dnat.iptables', 'rules/linux-dnat.nft', 'rules/linux-dnat-no-helper.iptables'];
const LINUX_MASQUERADE = ['rules/linux-masquerade.iptables', 'rules/linux-masquerade.nft', 'rules/linux-masquerade-no-helper.iptables'];

const dir = mkdtempSync(join(tmpdir(), 'ftpwall-fast-path-'));

/** The simulation's own topology: an address sits behind the interface its packets came in on. */
function topologyOf(trace: Trace): Topology {
  const seen = new Map<string, TopologyEntry>();
  const place = (a: IpAddress, iface: string): void => {
    const text = `${formatIp(a)}/${a.family === 4 ? 32 : 128}`;
    if (!seen.has(text)) seen.set(text, { prefix: parsePrefix(text)!, iface, origin: 'test' });
  };
  for (const tp of trace.packets) place(tp.packet.src, tp.ingress);
  for (const tp of trace.packets) place(tp.packet.dst, tp.egress);
  return makeTopology([...seen.values()], undefined);
}

/** One replay; every packet's verdict as `n action by` (`n -` when it does not cross). */
function replayOnce(file: string, policy: Policy, engine: Engine, topology: Topology, rich: boolean, options: StatefulOptions, tapped = true) {
  const verdicts: string[] = [];
  const tap: PacketTap = (_p, _tMs, n, v) => verdicts.push(v === undefined ? `${n} -` : `${n} ${v.action} ${describeProvenance(v.by, v.action)}`);
  const firewall = engine === 'static' ? createStaticFirewall(policy) : createStatefulFirewall(policy, options);
  // without a tap nor packet rows nothing reads a permitted packet's provenance: the engine's verdict detail is off
  const out = replayCapture(openCapture(file), { topology, firewall, keepPackets: rich, keepControlLines: rich, ...(tapped ? { tap } : {}) });
  return { replay: out.replay, diagnostics: out.diagnostics, verdicts };
}

/** A flow without its packet numbers (kept only with per-packet output). */
function withoutNumbers(f: CaptureFlow): CaptureFlow {
  return { ...f, packetNumbers: [] };
}

/** Replays `file` both ways and checks that they agree; returns the rich replay's packet count and events. */
function expectSameBothWays(file: string, policy: Policy, engine: Engine, topology: Topology, options: StatefulOptions = {}): { packets: number; events: readonly TraceEvent[] } {
  const fast = replayOnce(file, policy, engine, topology, false, options);
  const rich = replayOnce(file, policy, engine, topology, true, options);
  const bare = replayOnce(file, policy, engine, topology, false, options, false);
  expect(fast.verdicts).toEqual(rich.verdicts);
  // verdict detail off (no tap, no rows): the same flows, blocked packets, counters and summary
  expect(bare.replay.flows.map(withoutNumbers)).toEqual(rich.replay.flows.map(withoutNumbers));
  expect(bare.replay.stats).toEqual(rich.replay.stats);
  expect([bare.replay.works, bare.replay.summary, bare.replay.notes]).toEqual([rich.replay.works, rich.replay.summary, rich.replay.notes]);
  // the rich rows say the same as the tap, packet by packet
  expect(rich.replay.packets.map((r) => `${r.n} ${r.action} ${r.by}`)).toEqual(rich.verdicts.filter((v) => !v.endsWith(' -')));
  expect(fast.replay.flows.map(withoutNumbers)).toEqual(rich.replay.flows.map(withoutNumbers));
  expect(fast.replay.stats).toEqual(rich.replay.stats);
  expect([fast.replay.works, fast.replay.summary, fast.replay.notes]).toEqual([rich.replay.works, rich.replay.summary, rich.replay.notes]);
  expect(fast.diagnostics).toEqual(rich.diagnostics);
  // recording off builds no events, yet counts them; recording on builds exactly the events counted
  expect(fast.replay.events).toEqual([]);
  expect(fast.replay.packets).toEqual([]);
  const byKind: Record<string, number> = {};
  for (const e of rich.replay.events) byKind[e.kind] = (byKind[e.kind] ?? 0) + 1;
  expect(rich.replay.stats.events).toEqual(byKind);
  return { packets: rich.verdicts.length, events: rich.replay.events };
}

const scenarios = readdirSync(resolve(ROOT, 'scenarios'))
  .filter((f) => f.endsWith('.yaml'))
  .sort();

describe('fast path = rich path on every bundled scenario’s own capture (--pcap-out)', () => {
  for (const file of scenarios) {
    const name = file.replace(/\.yaml$/, '');
    const configs = name.startsWith('nat-') ? [...CONFIGS, ...NAT_CONFIGS] : CONFIGS;
    for (const [config, engine] of configs) {
      it(`${name} through ${config} [${engine}]`, () => {
        const { trace } = run(`scenarios/${file}`, config, engine);
        const pcap = join(dir, `${name}.${config.replace(/\W/g, '_')}.pcapng`);
        expect(writeTracePcapng(pcap, trace).diagnostics).toEqual([]);
        const r = expectSameBothWays(pcap, loadPolicy(config), engine, topologyOf(trace));
        expect(r.packets).toBe(trace.packets.length);
      });
    }
  }
  // the NAT scenarios (linux/nat-*) go through the NAT rulesets below: ftp-forward's addresses are not theirs
  for (const file of readdirSync(resolve(ROOT, 'scenarios/linux')).filter((f) => !f.startsWith('nat-') && f.endsWith('.yaml')).sort()) {
    for (const [config, engine] of LINUX_CONFIGS) {
      it(`linux/${file} through ${config} [${engine}]`, () => {
        const { trace } = run(`scenarios/linux/${file}`, config, engine);
        const pcap = join(dir, `linux-${file}.${config.replace(/\W/g, '_')}.pcapng`);
        expect(writeTracePcapng(pcap, trace).diagnostics).toEqual([]);
        const r = expectSameBothWays(pcap, loadPolicy(config), engine, topologyOf(trace));
        expect(r.events.length).toBeGreaterThan(0);
      });
    }
  }
  // NAT in Linux rulesets: the scenario's interfaces: give MASQUERADE its address, in the simulation and in the replay
  for (const file of readdirSync(resolve(ROOT, 'scenarios/linux')).filter((f) => f.startsWith('nat-') && f.endsWith('.yaml')).sort()) {
    const scenario = `scenarios/linux/${file}`;
    for (const config of file.startsWith('nat-client-') ? LINUX_MASQUERADE : LINUX_DNAT) {
      it(`linux/${file} through ${config} [stateful]`, () => {
        const addresses = interfaceAddressMap(loadBundledScenario(scenario).interfaces);
        const options: StatefulOptions = addresses ? { interfaceAddresses: addresses } : {};
        const { trace } = run(scenario, config, 'stateful', options);
        const pcap = join(dir, `linux-${file}.${config.replace(/\W/g, '_')}.pcapng`);
        expect(writeTracePcapng(pcap, trace).diagnostics).toEqual([]);
        const r = expectSameBothWays(pcap, loadPolicy(config), 'stateful', topologyOf(trace), options);
        expect(r.packets).toBe(trace.packets.length);
        // the replay translated: its first connection carries the ruleset's NAT binding
        expect(r.events.find((e) => e.kind === 'conntrack-new')?.text).toMatch(new RegExp(`; NAT: (DNAT|MASQUERADE) .*\\(${config}:\\d+\\)`));
      });
    }
  }
});

describe('fast path = rich path on every corpus capture', () => {
  for (const file of corpusFiles()) {
    for (const [config, engine] of [CONFIGS[1]!, CONFIGS[2]!]) {
      it(`${file} through ${config} [${engine}]`, () => {
        const path = resolve(CORPUS, file);
        const policy = loadPolicy(config);
        const topology = completeTopology(policy, undefined, scanCapture(openCapture(path), [21]).servers).topology;
        const r = expectSameBothWays(path, policy, engine, topology);
        expect(r.packets).toBeGreaterThan(0);
      });
    }
  }
});
