import { wrappedText } from '../helpers/cli.js';
import { readdirSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createStatefulFirewall } from '../../src/engine/stateful/firewall.js';
import { createStaticFirewall } from '../../src/engine/static.js';
import { buildCaptureRun, completeTopology, replayCapture, scanCapture, type CaptureFlow, type CaptureRun } from '../../src/replay/index.js';
import { captureLines } from '../../src/report/capture.js';
import { reportJson, type RunReport } from '../../src/report/run.js';
import { written } from '../helpers/report-stream.js';
import { formatRun } from '../../src/report/table.js';
import { openCapture } from '../../src/wire/index.js';
import { ROOT, run } from '../helpers/run.js';
import { bundledPolicy, CORPUS, corpusFiles } from '../replay/helpers.js';


const scenarios = readdirSync(resolve(ROOT, 'scenarios'))
  .filter((f) => f.endsWith('.yaml'))
  .sort();

/** A corpus capture replayed through the seed-active policy: its flows one by one and its run. */
function captureRun(file: string, engine: 'static' | 'stateful' = 'static'): { flows: CaptureFlow[]; run: CaptureRun; whole: CaptureRun } {
  const policy = bundledPolicy('seed-active.cfg', '172.23.0.2');
  const guess = completeTopology(policy, undefined, scanCapture(openCapture(file), [21]).servers);
  const firewall = () => (engine === 'static' ? createStaticFirewall(policy) : createStatefulFirewall(policy));
  const flows: CaptureFlow[] = [];
  const streamed = replayCapture(openCapture(file), { topology: guess.topology, firewall: firewall(), onFlow: (f) => flows.push(f) });
  const held = replayCapture(openCapture(file), { topology: guess.topology, firewall: firewall() });
  const label = { name: basename(file), source: file, config: 'rules/seed-active.cfg', engine };
  return { flows, run: buildCaptureRun(label, streamed.replay, guess.topology), whole: buildCaptureRun(label, held.replay, guess.topology) };
}

describe('streamed reports', () => {
  it('scenario runs written one at a time give the same JSON and table text as the whole-report functions', () => {
    const runs: RunReport[] = scenarios.slice(0, 6).map((f) => run(`scenarios/${f}`, 'rules/stateful.cfg', 'stateful').report);
    expect(written({ format: 'json', packets: false, summary: false }, (s) => runs.forEach((r) => s.run(r)))).toBe(reportJson(runs));
    const table = runs.flatMap((r, i) => [...(i > 0 ? [''] : []), ...formatRun(r, { packets: true })]);
    expect(written({ format: 'table', packets: true, summary: false }, (s) => runs.forEach((r) => s.run(r)))).toBe(`${table.join('\n')}\n`);
  });

  it('a capture with few flows is held and written exactly as before, in id order', () => {
    const file = resolve(CORPUS, corpusFiles().find((f) => f.includes('download-passive'))!);
    const { flows, run: r, whole } = captureRun(file);
    expect(r.flows).toEqual([]);
    expect([...flows].sort((a, b) => a.id - b.id)).toEqual(whole.flows);
    const viaStream = (format: 'json' | 'table'): string =>
      written({ format, packets: false, summary: false }, (s) => {
        const c = s.capture({ scenario: r.scenario, source: r.source, config: r.config, engine: r.engine });
        for (const f of flows) c.flow(f);
        c.end(r);
      });
    expect(viaStream('json')).toBe(reportJson([whole as unknown as RunReport]));
    expect(viaStream('table')).toBe(`${[...formatRun(whole as unknown as RunReport, { packets: false }), ...captureLines(whole)].join('\n')}\n`);
  });

  it('past the held flows the JSON streams the flows array and stays one valid document with every flow once', () => {
    const file = resolve(CORPUS, corpusFiles().find((f) => f.includes('download-passive'))!);
    const { flows, run: r, whole } = captureRun(file);
    const text = written({ format: 'json', packets: false, summary: false, heldFlows: 2 }, (s) => {
      s.run(whole);
      const c = s.capture({ scenario: r.scenario, source: r.source, config: r.config, engine: r.engine });
      for (const f of flows) c.flow(f);
      c.end(r);
    });
    const doc = JSON.parse(text) as { schemaVersion: number; runs: CaptureRun[] };
    expect(doc.schemaVersion).toBe(1);
    expect(doc.runs).toHaveLength(2);
    const streamed = doc.runs[1]!;
    expect(Object.keys(streamed).sort()).toEqual(Object.keys(doc.runs[0]!).sort());
    expect(streamed.flows.map((f) => f.id).sort((a, b) => a - b)).toEqual(whole.flows.map((f) => f.id));
    expect(streamed.ftp).toEqual(whole.ftp);
    expect(streamed.capture.stats).toEqual(whole.capture.stats);
  });

  it('past the held flows the table lists each flow as it finishes, with its links and notes under it, and the verdict after', () => {
    const file = resolve(CORPUS, corpusFiles().find((f) => f.includes('download-passive'))!);
    const { flows, run: r, whole } = captureRun(file);
    const text = written({ format: 'table', packets: false, summary: false, heldFlows: 1 }, (s) => {
      const c = s.capture({ scenario: r.scenario, source: r.source, config: r.config, engine: r.engine });
      for (const f of flows) c.flow(f);
      c.end(r);
    });
    const lines = text.split('\n');
    // every line fits 100 columns: the heading and the notes wrap under themselves
    expect(lines.filter((l) => [...l].length > 100)).toEqual([]);
    expect(text.startsWith(`${r.scenario}`)).toBe(true);
    expect(text).toMatch(wrappedText(`${r.scenario} (${r.source}) × rules/seed-active.cfg [static]\n  more than 1 flows: each is listed in order of first packet once it and the flows before it have finished, the verdict follows\n`));
    expect(lines.some((l) => /^ {2}# {2}role {5}client/.test(l))).toBe(true);
    for (const f of whole.flows) expect(lines.some((l) => l.startsWith(`  ${f.id}  `) && l.includes(f.client))).toBe(true);
    for (const f of whole.flows.filter((x) => x.announcedBy)) expect(text).toMatch(wrappedText(`↳ announced by ${f.announcedBy!.trigger} in packet ${f.announcedBy!.packet}`));
    for (const f of whole.flows.filter((x) => x.inReality)) expect(text).toMatch(wrappedText(`↳ ${f.inReality}`));
    expect(text).toMatch(wrappedText(`\n\n  FTP fails: ${whole.ftp.summary}\n`));
    expect(text).toContain('\n  capture: ');
  });

  it('--summary keeps only the blocked flows, in both formats', () => {
    const file = resolve(CORPUS, corpusFiles().find((f) => f.includes('download-passive'))!);
    const { flows, run: r, whole } = captureRun(file);
    const blocked = whole.flows.filter((f) => f.outcome === 'blocked');
    expect(blocked.length).toBeGreaterThan(0);
    expect(blocked.length).toBeLessThan(whole.flows.length);
    const json = written({ format: 'json', packets: false, summary: true }, (s) => {
      const c = s.capture({ scenario: r.scenario, source: r.source, config: r.config, engine: r.engine });
      for (const f of flows) c.flow(f);
      c.end(r);
    });
    expect((JSON.parse(json) as { runs: CaptureRun[] }).runs[0]!.flows.map((f) => f.id)).toEqual(blocked.map((f) => f.id));
  });
});
