import { describe, expect, it } from 'vitest';
import { recordSnapshots } from '../../src/engine/recorder.js';
import { createStatefulFirewall } from '../../src/engine/stateful/firewall.js';
import { createStaticFirewall } from '../../src/engine/static.js';
import { simulate } from '../../src/sim/run.js';
import { loadBundledScenario, loadPolicy } from '../helpers/run.js';

describe('recordSnapshots', () => {
  const scenario = loadBundledScenario('scenarios/passive-download.yaml');

  it('records the stateful tables after every packet: the 227 opens a pinhole that the data SYN consumes', () => {
    const rec = recordSnapshots(createStatefulFirewall(loadPolicy('rules/stateful.cfg')));
    const trace = simulate(scenario, rec.firewall);
    const snaps = rec.snapshots();
    expect(snaps.length).toBe(trace.packets.length);
    const open = trace.events.find((e) => e.kind === 'expectation-open')!;
    const n = open.packet!;
    expect(Buffer.from(trace.packets[n - 1]!.packet.payload).toString('latin1')).toMatch(/^227 /);
    expect(snaps[n - 2]!.expectations).toEqual([]);
    expect(snaps[n - 1]!.expectations).toEqual([
      { id: 1, tuple: '10.0.0.2:* → 192.168.10.1:50020', trigger: '227', openedByPacket: n, master: 1, expiresMs: open.tMs + 300_000 },
    ]);
    // the next packet is the data SYN: the pinhole is gone, connection 2 is tracked
    expect(snaps[n]!.expectations).toEqual([]);
    expect(snaps[n]!.connections.map((c) => [c.id, c.tuple, c.state, c.related])).toEqual([
      [1, 'tcp 10.0.0.2:50000 → 192.168.10.1:21', 'ESTABLISHED', false],
      [2, 'tcp 10.0.0.2:50001 → 192.168.10.1:50020', 'SYN_SENT', true],
    ]);
  });

  it('shares what did not change between snapshots (structural sharing), and records the same verdicts as the bare engine', () => {
    const rec = recordSnapshots(createStatefulFirewall(loadPolicy('rules/stateful.cfg')));
    const trace = simulate(scenario, rec.firewall);
    const bare = simulate(scenario, createStatefulFirewall(loadPolicy('rules/stateful.cfg')));
    expect(trace.packets.map((p) => [p.verdict.action, p.verdict.by])).toEqual(bare.packets.map((p) => [p.verdict.action, p.verdict.by]));
    expect(trace.events).toEqual(bare.events);
    const snaps = rec.snapshots();
    // two data segments in a row (connection 2): connection 1's entry is the same object in both
    const i = trace.packets.findIndex((p, k) => k > 0 && p.connection?.id === 2 && p.packet.payload.length > 0 && trace.packets[k + 1]?.connection?.id === 2);
    const a = snaps[i]!;
    const b = snaps[i + 1]!;
    expect(a.connections[0]!.id).toBe(1);
    expect(b.connections[0]).toBe(a.connections[0]);
    // the expectation list, empty in both, is shared too
    expect(b.expectations).toBe(a.expectations);
  });

  it('records nothing for the static engine, which keeps no tables', () => {
    const rec = recordSnapshots(createStaticFirewall(loadPolicy('rules/seed-passive.cfg')));
    const trace = simulate(scenario, rec.firewall);
    expect(trace.packets.length).toBeGreaterThan(10);
    expect(rec.snapshots()).toEqual([]);
  });
});
