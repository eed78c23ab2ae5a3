/**
 * Turns one scenario trace into the run report of the model (src/model/): the FTP
 * verdict in one sentence, flows, packets with verdicts, and events; and the JSON
 * document of several runs.
 */
import type { SessionOutcome, Trace, TracePacket } from '../engine/trace.js';
import { blockedFlowsText, blockedText, countWord, packetRow, REPORT_SCHEMA_VERSION, type Flow, type FlowRole, type PacketRow, type Report, type RunReport, type SessionReport } from '../model/index.js';
import { FlowBuilder, type RoleOf } from './flows.js';
import { printableFirstLine } from '../net/payload-text.js';
import { packetDestination, packetSource } from '../net/packet.js';

export { printableFirstLine } from '../net/payload-text.js';
export { REPORT_SCHEMA_VERSION } from '../model/index.js';
export type { Report, RunReport, SessionReport } from '../model/index.js';

/** One packet as reports show it (the shared row type of scenario and capture runs). */
export type PacketReport = PacketRow;

/** What a run is about, for the report header. */
export interface RunLabel {
  readonly scenario: string;
  readonly source: string;
  readonly config: string;
  readonly engine: 'static' | 'stateful';
}

/** What a run does with each packet's row: keeps it in the report, hands it on (in order), or makes none. */
export type PacketRows = 'keep' | 'none' | ((row: PacketReport) => void);

/** A scenario run's report built as its packets are made (see `simulate`'s `onPacket`). */
export interface RunBuilder {
  /** Takes the next packet of the run. */
  readonly add: (tp: TracePacket) => void;
  /** The report, once the simulation has ended (the trace's own packets are not read). */
  finish(trace: Trace): RunReport;
}

/**
 * Starts the report of one scenario run. With rows 'none' or a row sink nothing per packet is
 * kept: flows are counted as packets arrive, and their `packetNumbers` stay empty (they only
 * place packet rows, which such a report has none of).
 */
export function startRunReport(label: RunLabel, rows: PacketRows, roleOf?: RoleOf): RunBuilder {
  const flows = new FlowBuilder(roleOf, rows === 'keep');
  const kept: PacketReport[] = [];
  return {
    add: (tp: TracePacket): void => {
      const flow = flows.add(tp);
      if (rows === 'none') return;
      const row = packetReport(tp, flow);
      if (rows === 'keep') kept.push(row);
      else rows(row);
    },
    finish: (trace: Trace): RunReport => runReport(label, trace, flows.flows(), kept),
  };
}

/** Builds the report of one scenario run from its whole trace. */
export function buildRunReport(label: RunLabel, trace: Trace, roleOf?: RoleOf): RunReport {
  const b = startRunReport(label, 'keep', roleOf);
  for (const tp of trace.packets) b.add(tp);
  return b.finish(trace);
}

function runReport(label: RunLabel, trace: Trace, flows: Flow[], packets: PacketReport[]): RunReport {
  // flows by session once: filtering all flows per session was quadratic (40,000 sessions took 68 s)
  const flowsBySession = new Map<string | undefined, Flow[]>();
  for (const f of flows) {
    const list = flowsBySession.get(f.session);
    if (list) list.push(f);
    else flowsBySession.set(f.session, [f]);
  }
  const sessions = trace.sessions.map((s) => sessionReport(s, flowsBySession.get(s.name) ?? []));
  const works = sessions.length > 0 ? sessions.every((s) => s.works) : flows.every((f) => f.outcome === 'passed');
  const summary =
    sessions.length === 0
      ? flowsSummary(flows)
      : sessions.length === 1
        ? sessions[0]!.summary
        : sessions.map((s) => `${s.name}: ${s.summary}`).join('; ');
  return {
    origin: 'scenario',
    ...label,
    ftp: { works, summary },
    sessions,
    flows,
    packets,
    events: trace.events,
  };
}

function packetReport(tp: TracePacket, flow: number): PacketReport {
  const row = packetRow(tp.packet, tp.n, tp.tMs, tp.ingress, tp.egress, tp.verdict, flow, { session: tp.session, note: tp.note });
  return tp.after === undefined ? row : { ...row, ...natFields(tp) };
}

/** natSrc / natDst / natText of a packet that NAT or the FTP ALG changed. */
function natFields(tp: TracePacket): { natSrc?: string; natDst?: string; natText?: string } {
  const a = tp.after;
  if (a === undefined) return {};
  const p = tp.packet;
  const out: { natSrc?: string; natDst?: string; natText?: string } = {};
  const src = packetSource(a);
  const dst = packetDestination(a);
  if (src !== packetSource(p)) out.natSrc = src;
  if (dst !== packetDestination(p)) out.natDst = dst;
  if (a.payload !== p.payload) {
    const t = printableFirstLine(a.payload);
    if (t !== undefined) out.natText = t;
  }
  return out;
}

function blockedOf(f: Flow): string {
  return blockedText(f.firstBlocked!);
}

/** The one-line verdict of a session, e.g. "login works, data connection blocked: SYN-ACK … denied by …". */
function sessionReport(s: SessionOutcome, flows: readonly Flow[]): SessionReport {
  const of = (role: FlowRole) => flows.filter((f) => f.role === role);
  const control = of('control')[0];
  const data = of('data');
  let summary: string;
  if (s.works) {
    summary = `FTP works: control and ${countWord(data.length, 'data connection')} passed`;
  } else if (!s.loginOk) {
    summary =
      control?.firstBlocked != null
        ? `control connection blocked: ${blockedOf(control)}`
        : `login failed: ${s.transcript.filter((l) => l.startsWith('<')).at(-1)?.slice(2) ?? 'no reply from the server'}`;
  } else {
    const blocked = data.find((f) => f.firstBlocked);
    const failed = s.transfers.find((t) => !t.ok);
    if (blocked) summary = `login works, data connection blocked: ${blockedOf(blocked)}`;
    else if (control?.firstBlocked) summary = `login works, control connection blocked later: ${blockedOf(control)}`;
    else summary = `login works, ${failed?.command ?? 'a transfer'} failed: ${failed?.note ?? failed?.reply ?? 'no reply'}`;
  }
  return { name: s.name, works: s.works, loginOk: s.loginOk, summary, transfers: s.transfers, transcript: s.transcript };
}

/** A run without sessions: how many flows passed or were blocked. */
function flowsSummary(flows: readonly Flow[]): string {
  const blocked = flows.filter((f) => f.outcome === 'blocked');
  if (blocked.length === 0) return `all ${countWord(flows.length, 'flow')} passed`;
  return blockedFlowsText(blocked.length, flows.length, blocked[0]);
}

/** The JSON document for several runs (serialise with reportJsonReplacer); the origin tag shows as the `capture` object. */
export function reportDocument(runs: readonly RunReport[]): Report {
  return { schemaVersion: REPORT_SCHEMA_VERSION, runs: runs.map(({ origin: _o, ...r }) => r) };
}

/** The replacer the JSON report is written with: packet numbers are for the table only. */
export function reportJsonReplacer(key: string, value: unknown): unknown {
  return key === 'packetNumbers' ? undefined : value;
}

/** The JSON document for several runs, pretty-printed and stable. */
export function reportJson(runs: readonly RunReport[]): string {
  return `${JSON.stringify(reportDocument(runs), reportJsonReplacer, 2)}\n`;
}
