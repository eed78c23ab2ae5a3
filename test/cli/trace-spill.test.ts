/**
 * A --packets report of a capture whose rows and events spilled to a temporary file (TraceSpill): the same
 * bytes, table and JSON, as the report of the same run with its rows and events in memory; the file goes.
 */
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { JsonTraceSpill, TraceSpill } from '../../src/cli/trace-spill.js';
import { createStatefulFirewall } from '../../src/engine/stateful/firewall.js';
import { buildCaptureRun, completeTopology, replayCapture, scanCapture, type CaptureFlow } from '../../src/replay/index.js';
import { formatPacketTrace } from '../../src/report/packets.js';
import { written } from '../helpers/report-stream.js';
import { openCapture } from '../../src/wire/index.js';
import { bundledPolicy, CORPUS, corpusFiles } from '../replay/helpers.js';


/** The temporary directory of a spill's held text (spill-file.ts HeldText: undefined until it spills). */
const textDir = (text: unknown): string | undefined => (text as { file: { dir: string | undefined } }).file.dir;
/** The temporary directory a table spill's file sits in (undefined until it spills). */
const spillDir = (spill: TraceSpill): string | undefined => textDir((spill as unknown as { text: unknown }).text);
/** The temporary directories of a table or JSON spill's files (none until it spills). */
const spillDirs = (spill: TraceSpill | JsonTraceSpill): string[] => {
  const texts = spill instanceof TraceSpill ? [(spill as unknown as { text: unknown }).text] : ['rows', 'events'].map((k) => (spill as unknown as Record<string, { text: unknown }>)[k]!.text);
  return texts.map(textDir).filter((d): d is string => d !== undefined);
};

describe('a capture --packets report from spilled rows', () => {
  // captures with timers (expiries), IPv6, NAT-free FTP of every mode, and many packets
  for (const name of corpusFiles().filter((f) => /download-passive\.pcap|ipv6\.pcap|bigtransfer|many-port|upload-active/.test(f))) {
    it(`${name}: table and JSON, spilled to a file, are the bytes of the report held in memory`, () => {
      const file = resolve(CORPUS, name);
      const policy = bundledPolicy('stateful.cfg');
      const topology = completeTopology(policy, undefined, scanCapture(openCapture(file), [21]).servers).topology;
      const label = { name: basename(file), source: file, config: 'rules/stateful.cfg', engine: 'stateful' as const };
      const held = replayCapture(openCapture(file), { topology, firewall: createStatefulFirewall(policy), keepPackets: true });
      const whole = buildCaptureRun(label, held.replay, topology);
      // a hold of 2,000 characters: a few rows in memory, the rest in the file (the JSON spill: two files; both make their text 5 rows or events at a time)
      const dirs: string[] = [];
      for (const format of ['table', 'json'] as const) {
        const spill = format === 'json' ? new JsonTraceSpill(2_000, 5) : new TraceSpill(2_000, 5);
        try {
          const flows: CaptureFlow[] = [];
          const streamed = replayCapture(openCapture(file), { topology, firewall: createStatefulFirewall(policy), keepPackets: true, packetSink: spill, onFlow: (f) => flows.push(f) });
          expect(streamed.replay.packets).toEqual([]);
          expect(streamed.replay.events).toEqual([]);
          expect(spill.rowCount).toBe(whole.packets.length);
          expect(spill.eventCount).toBe(whole.events.length);
          expect(spill.spilled).toBe(true);
          for (const dir of spillDirs(spill)) {
            expect(existsSync(dir) && dir.startsWith(tmpdir())).toBe(true);
            dirs.push(dir);
          }
          expect(spillDirs(spill).length).toBeGreaterThan(0);
          const run = buildCaptureRun(label, streamed.replay, topology);
          for (const summary of [false, true]) {
            const o = { format, packets: true, summary };
            const fromMemory = written(o, (s) => s.run(whole));
            const fromSpill = written(o, (s) => {
              const c = s.capture({ scenario: run.scenario, source: run.source, config: run.config, engine: run.engine });
              for (const f of flows) c.flow(f);
              c.end(run, spill);
            });
            expect(fromSpill, `${format}${summary ? ' --summary' : ''}`).toBe(fromMemory);
            if (format === 'json') expect((JSON.parse(fromSpill) as { runs: { packets: unknown[] }[] }).runs[0]!.packets).toHaveLength(whole.packets.length);
          }
          expect(whole.events.length + whole.packets.length).toBeGreaterThan(10);
        } finally {
          spill.dispose();
        }
      }
      // dispose removes the temporary files and their directories
      for (const dir of dirs) expect(existsSync(dir)).toBe(false);
    });
  }

  it('past the held flows (a capture of many flows) the flows stream and the packets follow them: JSON one document, the table trace the same lines', () => {
    const file = resolve(CORPUS, corpusFiles().find((f) => f.includes('all-data-ipv6'))!);
    const policy = bundledPolicy('stateful.cfg');
    const topology = completeTopology(policy, undefined, scanCapture(openCapture(file), [21]).servers).topology;
    const label = { name: basename(file), source: file, config: 'rules/stateful.cfg', engine: 'stateful' as const };
    const whole = buildCaptureRun(label, replayCapture(openCapture(file), { topology, firewall: createStatefulFirewall(policy), keepPackets: true }).replay, topology);
    expect(whole.flows.length).toBeGreaterThan(2);
    for (const format of ['json', 'table'] as const) {
      const spill = format === 'json' ? new JsonTraceSpill(2_000, 5) : new TraceSpill(2_000, 5);
      try {
        const flows: CaptureFlow[] = [];
        const r = replayCapture(openCapture(file), { topology, firewall: createStatefulFirewall(policy), keepPackets: true, packetSink: spill, onFlow: (f) => flows.push(f) });
        const run = buildCaptureRun(label, r.replay, topology);
        const text = written({ format, packets: true, summary: false, heldFlows: 2 }, (s) => {
          const c = s.capture({ scenario: run.scenario, source: run.source, config: run.config, engine: run.engine });
          for (const f of flows) c.flow(f);
          c.end(run, spill);
        });
        if (format === 'json') {
          const doc = JSON.parse(text) as { runs: { flows: { id: number }[]; packets: unknown[]; events: unknown[] }[] };
          expect(doc.runs[0]!.flows.map((f) => f.id).sort((a, b) => a - b)).toEqual(whole.flows.map((f) => f.id));
          expect(doc.runs[0]!.packets).toEqual(JSON.parse(JSON.stringify(whole.packets)));
          expect(doc.runs[0]!.events).toEqual(JSON.parse(JSON.stringify(whole.events)));
        } else {
          expect(text).toContain('more than 2 flows');
          const trace = formatPacketTrace(whole as never).join('\n');
          expect(text).toContain(`\n  packets:\n${trace}\n\n  FTP works`);
        }
      } finally {
        spill.dispose();
      }
    }
  });

  it('a JSON spill that stayed in memory makes no file, and gives its rows and events apart', () => {
    const spill = new JsonTraceSpill();
    const row = { n: 1, tMs: 0, flow: 1, proto: 'tcp', src: '10.0.0.2:50000', dst: '192.168.10.1:21', flags: 'S', len: 0, ingress: 'a', egress: 'b', action: 'permit', by: 'x' };
    spill.row(row as never);
    spill.event({ tMs: 0, kind: 'conntrack-new', packet: 1, text: 'new → 1' });
    expect(spill.spilled).toBe(false);
    const rows: string[] = [];
    spill.texts('rows', (t) => rows.push(t));
    expect(JSON.parse(`[${rows.join('').slice(1)}]`)).toEqual([row]);
    const events: string[] = [];
    spill.texts('events', (t) => events.push(t));
    expect(events.join('')).toBe(',\n        {\n          "tMs": 0,\n          "kind": "conntrack-new",\n          "packet": 1,\n          "text": "new → 1"\n        }');
    expect(spillDirs(spill)).toEqual([]);
    spill.dispose();
  });

  it('a spill that stayed in memory makes no file', () => {
    const spill = new TraceSpill();
    spill.row({ n: 1, tMs: 0, flow: 1, proto: 'tcp', src: '10.0.0.2:50000', dst: '192.168.10.1:21', flags: 'S', len: 0, ingress: 'a', egress: 'b', action: 'permit', by: 'x' } as never);
    expect(spill.spilled).toBe(false);
    const seen: number[] = [];
    spill.each((row) => seen.push(row!.n));
    expect(seen).toEqual([1]);
    expect(spillDir(spill)).toBeUndefined();
    spill.dispose();
  });
});
