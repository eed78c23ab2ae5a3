import { describe, expect, it } from 'vitest';
import { recordSnapshots } from '../../src/engine/recorder.js';
import { createStatefulFirewall } from '../../src/engine/stateful/firewall.js';
import { createStaticFirewall } from '../../src/engine/static.js';
import { simulate } from '../../src/sim/run.js';
import { loadBundledScenario, loadPolicy } from '../helpers/run.js';
import type { ConnectionView, ExpectationView, TablesView } from '../../src/engine/stateful/firewall.js';
import type { Firewall } from '../../src/engine/verdict.js';
import { withRecordedCapture } from '../helpers/recorded-capture.js';

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
    expect(snaps.at(n - 2)!.expectations).toEqual([]);
    expect(snaps.at(n - 1)!.expectations).toEqual([
      { id: 1, tuple: '10.0.0.2:* → 192.168.10.1:50020', trigger: '227', openedByPacket: n, master: 1, expiresMs: open.tMs + 300_000 },
    ]);
    // the next packet is the data SYN: the pinhole is gone, connection 2 is tracked
    expect(snaps.at(n)!.expectations).toEqual([]);
    expect(snaps.at(n)!.connections.map((c) => [c.id, c.tuple, c.state, c.related])).toEqual([
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
    const a = snaps.at(i)!;
    const b = snaps.at(i + 1)!;
    expect(a.connections[0]!.id).toBe(1);
    expect(b.connections[0]).toBe(a.connections[0]);
    // the expectation list, empty in both, is shared too
    expect(b.expectations).toBe(a.expectations);
  });

  it('records nothing for the static engine, which keeps no tables', () => {
    const rec = recordSnapshots(createStaticFirewall(loadPolicy('rules/seed-passive.cfg')));
    const trace = simulate(scenario, rec.firewall);
    expect(trace.packets.length).toBeGreaterThan(10);
    expect(rec.snapshots().length).toBe(0);
  });

  // The recorder keeps what each packet changed, the whole tables every RECORDER_KEYFRAME recorded packets,
  // and rebuilds a packet's tables when asked: they must be the engine's own tables after that packet, read in
  // any order, with the entries a packet did not change the same objects as before it.
  it('gives back the tables the engine had after every packet of a capture of hundreds of live connections, in any order', () => {
    withRecordedCapture(128, (t) => JSON.stringify(t), ({ log, expected }) => {
      expect(log.length).toBe(expected.length);
      let most = 0;
      let gone = 0;
      let before: TablesView | undefined;
      for (let i = 0; i < expected.length; i++) {
        const t = log.at(i);
        if (!t) continue;
        most = Math.max(most, t.connections.length);
        if (before) {
          const ids = new Set(t.connections.map((c) => c.id));
          gone += before.connections.filter((c) => !ids.has(c.id)).length;
        }
        before = t;
      }
      expect(most).toBeGreaterThan(100);
      expect(gone).toBeGreaterThan(100);
      // in order, then backwards, then in a scattered order (a fresh log each time: what was read last is kept)
      const forward = Array.from({ length: expected.length }, (_, i) => i);
      const scattered = forward.filter((i) => i % 5 === 0).map((i) => (i * 7919) % expected.length);
      for (const order of [forward, forward.filter((i) => i % 5 === 0).reverse(), scattered]) {
        const wrong: number[] = [];
        for (const i of order) {
          const t = log.at(i);
          if ((t === undefined ? undefined : JSON.stringify(t)) !== expected[i]) wrong.push(i);
        }
        expect(wrong).toEqual([]);
      }
      // read in order: an entry the packet did not change is the object it was after the packet before
      let prev: TablesView | undefined;
      let shared = 0;
      for (let i = 0; i < expected.length; i++) {
        const t = log.at(i);
        if (!t) continue;
        if (prev) {
          const before = new Map(prev.connections.map((c) => [c.id, c]));
          for (const c of t.connections) {
            const b = before.get(c.id);
            if (b && JSON.stringify(b) === JSON.stringify(c)) {
              if (c !== b) throw new Error(`packet ${i + 1}: connection ${c.id} did not change but is another object`);
              shared++;
            }
          }
        }
        prev = t;
      }
      expect(shared).toBeGreaterThan(expected.length * 50);
    });
  });

  it('rebuilds scripted tables exactly: entries added, changed and removed anywhere, unchanged packets, packets not stepped, past many keyframes', () => {
    // a seeded walk over 2,000 packets: each stepped packet adds, changes and removes entries (the highest ids too)
    let seed = 20261203;
    const rnd = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    const view = (id: number, expiresMs: number): ConnectionView => ({ id, tuple: `tcp 10.0.0.${id % 250}:${id} → 192.168.10.1:21`, state: 'ESTABLISHED', seenReply: true, assured: false, expiresMs, helper: undefined, related: false, session: true });
    const pinhole = (id: number, expiresMs: number): ExpectationView => ({ id, tuple: `10.0.0.2:* → 192.168.10.1:${50000 + (id % 1000)}`, trigger: '227', openedByPacket: id, master: 1, expiresMs });
    let live: ConnectionView[] = [];
    let pinholes: ExpectationView[] = [];
    let nextId = 1;
    const scripted: (TablesView | undefined)[] = [];
    for (let n = 1; n <= 2000; n++) {
      if (rnd(10) === 0) continue; // not stepped
      const kind = rnd(6);
      if (kind === 1) for (let k = rnd(4); k > 0; k--) live.push(view(nextId++, n));
      if (kind === 2 && live.length > 0) live = live.filter(() => rnd(5) !== 0);
      if (kind === 3 && live.length > 0) live = live.slice(0, live.length - 1 - rnd(Math.min(3, live.length))); // the highest go
      if (kind === 4 && live.length > 0) {
        const k = rnd(live.length);
        live = live.map((c, i) => (i === k || i === live.length - 1 ? view(c.id, n * 1000) : c));
      }
      // kind 0 and 5: nothing changes
      // expectations come and go too, several at once: one opened, any consumed (the lowest while higher stay), one's timer moved
      const move = rnd(8);
      if (move === 0) pinholes = [...pinholes, pinhole(n, n)];
      if (move === 1 && pinholes.length > 0) pinholes = pinholes.filter(() => rnd(3) !== 0);
      if (move === 2 && pinholes.length > 1) pinholes = pinholes.slice(1);
      if (move === 3 && pinholes.length > 0) pinholes = pinholes.map((e, i) => (i === pinholes.length - 1 ? pinhole(e.id, n * 1000) : e));
      scripted[n - 1] = { connections: live, expectations: pinholes };
    }
    const inner = {
      engine: 'stateful' as const,
      step: () => ({ verdict: { action: 'permit' as const, by: { kind: 'default' as const, reason: 'no-binding' as const, interface: 'x', direction: 'inbound' as const } }, events: [] }),
      advanceTo: () => [],
      snapshot: (): TablesView => current,
    };
    let current: TablesView = { connections: [], expectations: [] };
    const rec = recordSnapshots(inner as unknown as Firewall);
    for (let i = 0; i < scripted.length; i++) {
      const t = scripted[i];
      if (!t) continue;
      current = t;
      rec.firewall.step({} as Parameters<Firewall['step']>[0], { n: i + 1, nowMs: i, ingress: 'a', egress: 'b' });
    }
    const most = scripted.reduce((m, t) => Math.max(m, t?.expectations.length ?? 0), 0);
    expect(most).toBeGreaterThan(3);
    const log = rec.snapshots();
    expect(log.length).toBe(scripted.length);
    const text = (t: TablesView | undefined): string | undefined => (t === undefined ? undefined : JSON.stringify(t));
    const forward = Array.from({ length: scripted.length }, (_, i) => i);
    for (const order of [forward, [...forward].reverse(), forward.map((i) => (i * 7919) % scripted.length)]) {
      const wrong = order.filter((i) => text(log.at(i)) !== text(scripted[i]));
      expect(wrong).toEqual([]);
    }
    // what changed between two stepped packets, applied to the tables of the first, gives those of the second
    const stepped = forward.filter((i) => scripted[i] !== undefined);
    const wrongSpans: string[] = [];
    for (let k = 0; k < 400; k++) {
      const a = k === 0 ? -1 : stepped[rnd(stepped.length)]!;
      const b = stepped[Math.min(stepped.length - 1, stepped.indexOf(a) + 1 + rnd(k % 2 === 0 ? 3 : 300))]!;
      const c = log.changesBetween!(a, b);
      const before = a < 0 ? { connections: [], expectations: [] } : scripted[a]!;
      if (c === undefined) {
        if (text(before) !== text(scripted[b])) wrongSpans.push(`${a}..${b}: nothing changed`);
        continue;
      }
      const byId = new Map(before.connections.map((x) => [x.id, x]));
      for (const id of c.removed) byId.delete(id);
      for (const x of c.changed) byId.set(x.id, x);
      const rebuilt = { connections: [...byId.values()].sort((x, y) => x.id - y.id), expectations: c.expectations };
      const gone = new Set(c.removed);
      if (text(rebuilt) !== text(scripted[b]) || c.changed.some((x) => gone.has(x.id))) wrongSpans.push(`${a}..${b}`);
    }
    expect(wrongSpans).toEqual([]);
  });

  it('reads a packet after a long run of packets that changed nothing in one hop (no recursion as deep as the run)', () => {
    const tables: TablesView = { connections: [{ id: 1, tuple: 'tcp 10.0.0.2:50000 → 192.168.10.1:21', state: 'ESTABLISHED', seenReply: true, assured: true, expiresMs: 5, helper: 'ftp', related: false, session: true }], expectations: [] };
    const inner = { engine: 'stateful' as const, step: () => ({ verdict: { action: 'permit' as const, by: { kind: 'default' as const, reason: 'no-binding' as const, interface: 'x', direction: 'inbound' as const } }, events: [] }), advanceTo: () => [], snapshot: () => tables };
    const rec = recordSnapshots(inner as unknown as Firewall);
    const packets = 300_000;
    for (let n = 1; n <= packets; n++) rec.firewall.step({} as Parameters<Firewall['step']>[0], { n, nowMs: n, ingress: 'a', egress: 'b' });
    const log = rec.snapshots();
    const last = log.at(packets - 1)!;
    expect(last.connections[0]!.expiresMs).toBe(5);
    // every packet of the run is the first packet's tables, the same object
    expect(log.at(0)).toBe(log.at(packets / 2));
  });
});
