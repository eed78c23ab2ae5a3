/**
 * Turns one trace into the run report of the JSON contract (DESIGN.md): the FTP
 * verdict in one sentence, flows, packets with verdicts, and events.
 */
import { formatTcpFlags, packetDestination, packetSource, protoName, PROTO_TCP } from '../net/packet.js';
import type { PacketRow, SessionOutcome, Trace, TracePacket } from '../engine/trace.js';
import { printableFirstLine } from '../net/payload-text.js';
export { printableFirstLine } from '../net/payload-text.js';
import { describeProvenance, type TraceEvent } from '../engine/verdict.js';
import { buildFlows, type Flow, type FlowRole } from './flows.js';

/** Version of the JSON report layout; bump on any incompatible change. */
export const REPORT_SCHEMA_VERSION = 1;

/** One packet as reports show it (the shared row type of scenario and capture runs). */
export type PacketReport = PacketRow;

/** How one session went, in one sentence and in facts. */
export interface SessionReport {
  readonly name: string;
  readonly works: boolean;
  readonly loginOk: boolean;
  readonly summary: string;
  readonly transfers: SessionOutcome['transfers'];
  readonly transcript: readonly string[];
}

/** One scenario (or capture) run against one config and engine. */
export interface RunReport {
  readonly scenario: string;
  readonly source: string;
  readonly config: string;
  readonly engine: 'static' | 'stateful';
  readonly ftp: { readonly works: boolean; readonly summary: string };
  readonly sessions: readonly SessionReport[];
  readonly flows: readonly Flow[];
  readonly packets: readonly PacketReport[];
  readonly events: readonly TraceEvent[];
}

/** The whole JSON document. */
export interface Report {
  readonly schemaVersion: number;
  readonly runs: readonly RunReport[];
}

/** What a run is about, for the report header. */
export interface RunLabel {
  readonly scenario: string;
  readonly source: string;
  readonly config: string;
  readonly engine: 'static' | 'stateful';
}

/** Builds the report of one run. */
export function buildRunReport(label: RunLabel, trace: Trace, roleOf?: Parameters<typeof buildFlows>[1]): RunReport {
  const flows = buildFlows(trace, roleOf);
  const flowOf = new Map<number, number>();
  for (const f of flows) for (const n of f.packetNumbers) flowOf.set(n, f.id);
  const sessions = trace.sessions.map((s) => sessionReport(s, flows.filter((f) => f.session === s.name)));
  const works = sessions.length > 0 ? sessions.every((s) => s.works) : flows.every((f) => f.outcome === 'passed');
  const summary =
    sessions.length === 0
      ? captureSummary(flows)
      : sessions.length === 1
        ? sessions[0]!.summary
        : sessions.map((s) => `${s.name}: ${s.summary}`).join('; ');
  return {
    ...label,
    ftp: { works, summary },
    sessions,
    flows,
    packets: trace.packets.map((tp) => packetReport(tp, flowOf.get(tp.n) ?? 0)),
    events: trace.events,
  };
}

function packetReport(tp: TracePacket, flow: number): PacketReport {
  const p = tp.packet;
  const text = printableFirstLine(p.payload);
  return {
    n: tp.n,
    tMs: tp.tMs,
    src: packetSource(p),
    dst: packetDestination(p),
    proto: protoName(p.proto),
    ...(p.proto === PROTO_TCP ? { flags: formatTcpFlags(p.tcpFlags) } : {}),
    len: p.payload.length,
    ...(text !== undefined ? { text } : {}),
    ...natFields(tp),
    ingress: tp.ingress,
    egress: tp.egress,
    action: tp.verdict.action,
    by: describeProvenance(tp.verdict.by, tp.verdict.action),
    flow,
    ...(tp.session !== undefined ? { session: tp.session } : {}),
    ...(tp.note !== undefined ? { note: tp.note } : {}),
  };
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

function countWord(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function blockedText(f: Flow): string {
  const b = f.firstBlocked!;
  return `${b.packet} denied by ${b.by}`;
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
        ? `control connection blocked: ${blockedText(control)}`
        : `login failed: ${s.transcript.filter((l) => l.startsWith('<')).at(-1)?.slice(2) ?? 'no reply from the server'}`;
  } else {
    const blocked = data.find((f) => f.firstBlocked);
    const failed = s.transfers.find((t) => !t.ok);
    if (blocked) summary = `login works, data connection blocked: ${blockedText(blocked)}`;
    else if (control?.firstBlocked) summary = `login works, control connection blocked later: ${blockedText(control)}`;
    else summary = `login works, ${failed?.command ?? 'a transfer'} failed: ${failed?.note ?? failed?.reply ?? 'no reply'}`;
  }
  return { name: s.name, works: s.works, loginOk: s.loginOk, summary, transfers: s.transfers, transcript: s.transcript };
}

function captureSummary(flows: readonly Flow[]): string {
  const blocked = flows.filter((f) => f.outcome === 'blocked');
  if (blocked.length === 0) return `all ${countWord(flows.length, 'flow')} passed`;
  const first = blocked[0]!;
  return `${countWord(blocked.length, 'flow')} of ${flows.length} blocked; first: ${first.role} ${blockedText(first)}`;
}

/** The JSON document for several runs, pretty-printed and stable. */
export function reportJson(runs: readonly RunReport[]): string {
  const doc: Report = { schemaVersion: REPORT_SCHEMA_VERSION, runs };
  return `${JSON.stringify(doc, (key, value) => (key === 'packetNumbers' ? undefined : value), 2)}\n`;
}
