/**
 * Side by side: each flow's outcome in the kernel, in ftpwall's simulation of the
 * scenario and in ftpwall's replay of the kernel's own capture, matched by
 * (client endpoint, server endpoint) and compared by role and outcome; and each
 * session's FTP verdict in the kernel and in the simulation.
 */
import type { Flow } from '../report/flows.js';
import type { SessionReport } from '../report/run.js';
import type { CaptureFlow } from '../replay/index.js';
import type { KernelFlow } from './kernel-flows.js';
import type { KernelSession } from './kernel.js';

/** One flow as one of the three sources saw it. */
export interface FlowCell {
  readonly role: 'control' | 'data' | 'other';
  readonly outcome: 'passed' | 'blocked';
  /** the first blocked packet and why (rule, state or "not forwarded"), when blocked */
  readonly blockedAt?: string;
}

/** One row of the table. */
export interface FlowRow {
  readonly session: string | undefined;
  readonly client: string;
  readonly server: string;
  /** undefined: this source has no such flow */
  readonly kernel: FlowCell | undefined;
  readonly simulation: FlowCell | undefined;
  readonly replay: FlowCell | undefined;
  readonly agree: boolean;
  /** why the row disagrees, when it does */
  readonly problem?: string;
}

/** One session's FTP verdict in the kernel and in the simulation. */
export interface SessionRow {
  readonly session: string;
  readonly kernel: { readonly works: boolean; readonly summary: string };
  readonly simulation: { readonly works: boolean; readonly summary: string };
  readonly agree: boolean;
}

/** The comparison of one scenario × policy. */
export interface Agreement {
  readonly flows: readonly FlowRow[];
  readonly sessions: readonly SessionRow[];
  /** true when every flow and every session agrees */
  readonly agree: boolean;
}

function key(client: string, server: string): string {
  return `${client}>${server}`;
}

/** The kernel's FTP verdict of a session from what its client saw: logged in, every transfer complete. */
export function kernelVerdict(s: KernelSession, transfersExpected: number): { works: boolean; summary: string } {
  const c = s.client;
  if (!c) return { works: false, summary: s.error ?? 'the client printed no result' };
  if (!c.control.connected) return { works: false, summary: `control connection failed: ${c.control.error ?? 'not connected'}` };
  const loggedIn = c.replies.some((r) => r.startsWith('230'));
  if (!loggedIn) return { works: false, summary: 'login failed' };
  const failed = c.transfers.filter((t) => !t.ok);
  if (failed.length > 0) {
    const f = failed[0]!;
    return { works: false, summary: `${f.kind.toUpperCase()} failed: ${f.error ?? 'unknown'}${f.replies.length ? ` (${f.replies[f.replies.length - 1]})` : ''}` };
  }
  if (c.transfers.length < transfersExpected) return { works: false, summary: `only ${c.transfers.length} of ${transfersExpected} transfers ran${c.control.error ? `: ${c.control.error}` : ''}` };
  return { works: true, summary: `login works, ${c.transfers.length} transfer${c.transfers.length === 1 ? '' : 's'} complete` };
}

/** Compares the three flow lists and the session verdicts. */
export function compareRuns(input: {
  readonly kernel: readonly KernelFlow[];
  readonly simulation: readonly Flow[];
  readonly replay: readonly CaptureFlow[];
  /** the replay's cells by kernel flow id; when given they replace `replay` (NAT: see readback.ts) */
  readonly replayByKernelFlow?: ReadonlyMap<number, FlowCell>;
  readonly kernelSessions: readonly { readonly session: string; readonly verdict: { works: boolean; summary: string } }[];
  readonly simulationSessions: readonly SessionReport[];
}): Agreement {
  const rows = new Map<string, { session: string | undefined; client: string; server: string; kernel?: FlowCell; simulation?: FlowCell; replay?: FlowCell }>();
  const row = (client: string, server: string, session: string | undefined) => {
    const k = key(client, server);
    let r = rows.get(k);
    if (!r) {
      r = { session, client, server };
      rows.set(k, r);
    }
    r.session ??= session;
    return r;
  };
  for (const f of input.simulation) {
    row(f.client, f.server, f.session).simulation = {
      role: f.role,
      outcome: f.outcome,
      ...(f.firstBlocked ? { blockedAt: `${f.firstBlocked.packet}: ${f.firstBlocked.by}` } : {}),
    };
  }
  for (const f of input.kernel) {
    const r = row(f.client, f.server, f.session);
    r.kernel = {
      role: f.role,
      outcome: f.outcome,
      ...(f.firstBlocked ? { blockedAt: `${f.firstBlocked.packet} on ${f.firstBlocked.ingress}: not forwarded` } : {}),
    };
    const cell = input.replayByKernelFlow?.get(f.id);
    if (cell) r.replay = cell;
  }
  if (!input.replayByKernelFlow) for (const f of input.replay) {
    if (!f.crossesFirewall || f.proto !== 'tcp') continue;
    row(f.client, f.server, undefined).replay = {
      role: f.role,
      outcome: f.outcome,
      ...(f.firstBlocked ? { blockedAt: `${f.firstBlocked.packet}: ${f.firstBlocked.by}` } : {}),
    };
  }
  const flows: FlowRow[] = [...rows.values()].map((r) => {
    const cells = [r.kernel, r.simulation, r.replay];
    const names = ['kernel', 'simulation', 'replay'];
    const missing = names.filter((_, i) => cells[i] === undefined);
    let problem: string | undefined;
    if (missing.length > 0) problem = `no such flow in the ${missing.join(' and the ')}`;
    else if (new Set(cells.map((c) => c!.outcome)).size > 1) problem = 'outcomes differ';
    else if (new Set(cells.map((c) => c!.role)).size > 1) problem = `roles differ (${cells.map((c, i) => `${names[i]} ${c!.role}`).join(', ')})`;
    return {
      session: r.session,
      client: r.client,
      server: r.server,
      kernel: r.kernel,
      simulation: r.simulation,
      replay: r.replay,
      agree: problem === undefined,
      ...(problem !== undefined ? { problem } : {}),
    };
  });
  const simSessions = new Map(input.simulationSessions.map((s) => [s.name, s]));
  const sessions: SessionRow[] = input.kernelSessions.map((k) => {
    const s = simSessions.get(k.session);
    const simulation = s ? { works: s.works, summary: s.summary } : { works: false, summary: 'no such session in the simulation' };
    return { session: k.session, kernel: k.verdict, simulation, agree: s !== undefined && s.works === k.verdict.works };
  });
  return { flows, sessions, agree: flows.every((f) => f.agree) && sessions.every((s) => s.agree) };
}

function cellText(c: FlowCell | undefined): string {
  return c === undefined ? '—' : c.outcome;
}

function pad(text: string, width: number): string {
  return text.length >= width ? text : text + ' '.repeat(width - text.length);
}

/** The side-by-side table, the disagreements explained, and the final agreement line. */
export function formatAgreement(a: Agreement): string[] {
  const head = ['flow', 'kernel', 'simulation', 'replay', 'agree?'];
  const body = a.flows.map((f) => {
    const role = f.kernel?.role ?? f.simulation?.role ?? f.replay?.role ?? 'other';
    return [`${f.session ? `${f.session} ` : ''}${role} ${f.client} → ${f.server}`, cellText(f.kernel), cellText(f.simulation), cellText(f.replay), f.agree ? 'yes' : 'NO'];
  });
  const widths = head.map((h, i) => body.reduce((w, r) => Math.max(w, r[i]!.length), h.length));
  const line = (cells: readonly string[]): string => `  ${cells.map((c, i) => (i === cells.length - 1 ? c : pad(c, widths[i]!))).join('  ')}`;
  const out = [line(head), ...body.map(line)];
  for (const f of a.flows) {
    if (f.agree) continue;
    out.push(`  disagreement: ${f.client} → ${f.server}: ${f.problem}`);
    for (const [name, c] of [['kernel', f.kernel], ['simulation', f.simulation], ['replay', f.replay]] as const) {
      if (c) out.push(`    ${name}: ${c.role} ${c.outcome}${c.blockedAt ? ` at ${c.blockedAt}` : ''}`);
    }
  }
  for (const s of a.sessions) {
    const verdict = (w: boolean): string => (w ? 'works' : 'fails');
    out.push(`  session ${s.session}: FTP ${verdict(s.kernel.works)} in the kernel (${s.kernel.summary}), ${verdict(s.simulation.works)} in the simulation (${s.simulation.summary})${s.agree ? '' : ' — DISAGREE'}`);
  }
  const agreeing = a.flows.filter((f) => f.agree).length;
  const sessionsAgreeing = a.sessions.filter((s) => s.agree).length;
  out.push(
    a.agree
      ? `  agreement: ${agreeing}/${a.flows.length} flows, ${sessionsAgreeing}/${a.sessions.length} FTP verdicts`
      : `  disagreement: ${a.flows.length - agreeing} of ${a.flows.length} flows, ${a.sessions.length - sessionsAgreeing} of ${a.sessions.length} FTP verdicts`,
  );
  return out;
}
