/**
 * A capture replay as a run of the report contract (same fields as a scenario
 * run, `sessions` empty, `packets` empty unless asked for), plus a `capture`
 * section: counters, topology, data-connection links and "in reality" notes.
 */
import type { TraceEvent } from '../engine/verdict.js';
import type { CaptureFlow, CapturePacketRow, CaptureReplay, ReplayStats } from './flow-types.js';
import { describeTopology, type Topology } from './topology.js';

/** The capture-only part of a run report. */
export interface CaptureSection {
  readonly stats: ReplayStats;
  /** one line: `192.168.10.1/32 on GigabitEthernet2/1/10; everything else on GigabitEthernet2/1/1` */
  readonly topology: string;
  /** true when more flows existed than were reported row by row */
  readonly flowsTruncated: boolean;
  readonly notes: readonly string[];
}

/** One capture run, shaped like the report layer's RunReport. */
export interface CaptureRun {
  readonly scenario: string;
  readonly source: string;
  readonly config: string;
  readonly engine: 'static' | 'stateful';
  readonly ftp: { readonly works: boolean; readonly summary: string };
  readonly sessions: readonly never[];
  readonly flows: readonly CaptureFlow[];
  readonly packets: readonly CapturePacketRow[];
  readonly events: readonly TraceEvent[];
  readonly capture: CaptureSection;
}

/** What the run is about. */
export interface CaptureLabel {
  readonly name: string;
  readonly source: string;
  readonly config: string;
  readonly engine: 'static' | 'stateful';
}

/** Builds the run of one capture replay. */
export function buildCaptureRun(label: CaptureLabel, r: CaptureReplay, topology: Topology): CaptureRun {
  return {
    scenario: label.name,
    source: label.source,
    config: label.config,
    engine: label.engine,
    ftp: { works: r.works, summary: r.summary },
    sessions: [],
    flows: r.flows,
    packets: r.packets,
    events: r.events,
    capture: { stats: r.stats, topology: describeTopology(topology), flowsTruncated: r.flowsTruncated, notes: r.notes },
  };
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** Lines that follow the flow table of a capture run: counters, topology, data links, notes. */
export function captureLines(run: CaptureRun): string[] {
  const s = run.capture.stats;
  const out: string[] = [''];
  const skipped = Object.entries(s.skipped).map(([why, k]) => `${k} ${why}`);
  out.push(
    `  capture: ${plural(s.records, 'record')}, ${plural(s.packets, 'IP packet')}: ${s.crossing} crossing the firewall (${s.permitted} permitted, ${s.denied} denied), ${s.notCrossing} not crossing` +
      (s.malformed > 0 ? `; ${s.malformed} malformed skipped` : '') +
      (skipped.length > 0 ? `; not IP: ${skipped.join(', ')}` : ''),
  );
  out.push(`  topology: ${run.capture.topology}`);
  const full = s.events['conntrack-table-full'] ?? 0;
  const replaced = s.events['expectation-replaced'] ?? 0;
  const helperDrops = s.events['helper-drop'] ?? 0;
  if (s.earlyDrops > 0 || full > 0 || replaced > 0 || helperDrops > 0) {
    const parts: string[] = [];
    if (s.earlyDrops > 0) parts.push(`${s.earlyDrops} unassured ${s.earlyDrops === 1 ? 'entry' : 'entries'} evicted to make room (early_drop)`);
    if (full > 0) parts.push(`${plural(full, 'packet')} dropped because the table was full (conntrack-table-full)`);
    if (replaced > 0) parts.push(`${plural(replaced, 'expectation')} replaced by a newer one on the same control connection (expectation-replaced)`);
    if (helperDrops > 0) parts.push(`${plural(helperDrops, 'packet')} dropped by the FTP helper (helper-drop)`);
    out.push(`  conntrack: ${parts.join('; ')}`);
  }
  if (run.capture.flowsTruncated) out.push(`  (flow table shows the first ${run.flows.length} flows)`);
  const links = run.flows.filter((f) => f.announcedBy);
  if (links.length > 0) {
    out.push('  data connections:');
    for (const f of links) {
      const a = f.announcedBy!;
      out.push(`    flow ${f.id} announced by ${a.trigger} in packet ${a.packet} on flow ${a.controlFlow} (${a.endpoint})`);
    }
  }
  const notCrossing = run.flows.filter((f) => !f.crossesFirewall);
  for (const f of notCrossing) out.push(`  flow ${f.id}: both ends on ${f.clientInterface}: does not cross the firewall, no verdicts`);
  if (run.capture.notes.length > 0) {
    out.push('  in reality:');
    for (const n of run.capture.notes) out.push(`    ${n}`);
  }
  return out;
}
