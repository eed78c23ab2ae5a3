/**
 * One model: a scenario's simulation and the replay of that simulation's own
 * pcapng (what `--pcap-out` writes) describe the same flows, packets and engine
 * events, field for field. Only what one side cannot know differs: the session
 * name (scenarios) and the capture-only fields (interfaces, announcement link,
 * "in reality" notes), which are checked against the trace instead.
 */
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Trace } from '../../src/engine/trace.js';
import type { Flow, PacketRow, RunReport } from '../../src/model/index.js';
import { formatIp, parsePrefix, type IpAddress } from '../../src/net/address.js';
import { buildCaptureRun, makeTopology, replayCapture, writeTracePcapng, type Topology, type TopologyEntry } from '../../src/replay/index.js';
import { openCapture } from '../../src/wire/index.js';
import { createStaticFirewall } from '../../src/engine/static.js';
import { createStatefulFirewall } from '../../src/engine/stateful/firewall.js';
import { loadPolicy, ROOT, run } from '../helpers/run.js';

const POLICIES: readonly [string, 'static' | 'stateful'][] = [
  ['rules/seed-active.cfg', 'static'],
  ['rules/seed-passive.cfg', 'static'],
  ['rules/stateful.cfg', 'stateful'],
];
const scenarios = readdirSync(resolve(ROOT, 'scenarios')).filter((f) => f.endsWith('.yaml')).sort();
const dir = mkdtempSync(join(tmpdir(), 'ftpwall-one-model-'));

/** The simulation's own topology: an address sits behind the interface its packets came in on (or, never a source, left by). */
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

/**
 * What a capture cannot know, by scenario: after AUTH TLS the 227 travels encrypted, so the
 * replay cannot link the data connection to it and calls it `other`.
 */
const UNSEEN_ANNOUNCEMENT = new Set(['ftps']);

const CAPTURE_ONLY = ['clientInterface', 'serverInterface', 'crossesFirewall', 'announcedBy', 'inReality'] as const;

function withoutCaptureFields(f: Flow): Flow {
  const copy: Record<string, unknown> = { ...f };
  for (const k of CAPTURE_ONLY) delete copy[k];
  return copy as unknown as Flow;
}

function withoutSession(f: Flow): Flow {
  const { session: _s, ...rest } = f;
  return rest;
}

function rowWithoutSimulatorFacts(p: PacketRow): PacketRow {
  const { session: _s, note: _n, ...rest } = p;
  return rest;
}

function replayed(trace: Trace, configFile: string, engine: 'static' | 'stateful', name: string): RunReport {
  const file = join(dir, `${name}.pcapng`);
  const written = writeTracePcapng(file, trace);
  expect(written.diagnostics).toEqual([]);
  const policy = loadPolicy(configFile);
  const topology = topologyOf(trace);
  const outcome = replayCapture(openCapture(file), {
    topology,
    firewall: engine === 'static' ? createStaticFirewall(policy) : createStatefulFirewall(policy),
    keepPackets: true,
  });
  expect(outcome.diagnostics).toEqual([]);
  return buildCaptureRun({ name, source: file, config: configFile, engine }, outcome.replay, topology);
}

describe('a scenario and the replay of its own pcapng give the same model', () => {
  for (const file of scenarios) {
    const name = file.replace(/\.yaml$/, '');
    for (const [config, engine] of POLICIES) {
      const cfg = config.replace(/^rules\/|\.cfg$/g, '');
      it(`${name} through ${cfg} [${engine}]: whole Flow objects, packet rows and engine events are equal`, () => {
        const { trace, report: sim } = run(`scenarios/${file}`, config, engine);
        const cap = replayed(trace, config, engine, `${name}.${cfg}`);
        expect(sim.origin).toBe('scenario');
        expect(cap.origin).toBe('capture');
        const expected = sim.flows.map(withoutSession).map((f) => (UNSEEN_ANNOUNCEMENT.has(name) && f.role === 'data' ? { ...f, role: 'other' as const } : f));
        expect(cap.flows.map(withoutCaptureFields)).toEqual(expected);
        expect(cap.packets).toEqual(sim.packets.map(rowWithoutSimulatorFacts));
        expect(cap.events).toEqual(sim.events.filter((e) => e.kind !== 'endpoint'));
        // the capture-only fields agree with the trace: each flow's ends sit where its packets entered
        for (const f of cap.flows) {
          const first = trace.packets.find((tp) => tp.n === f.packetNumbers[0])!;
          const fromClient = sim.packets[first.n - 1]!.src === f.client;
          expect(f.crossesFirewall).toBe(true);
          expect([f.clientInterface, f.serverInterface]).toEqual(fromClient ? [first.ingress, first.egress] : [first.egress, first.ingress]);
        }
      });
    }
  }
});
