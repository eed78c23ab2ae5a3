/**
 * A scenario's simulated work, estimated before anything is simulated: packets
 * (sessions × transfer bytes / segment size, handshakes, retries) and the end of
 * the virtual clock (starts, waits, delays, retry backoffs, accept timeouts).
 * Above the limits the run is refused with a located error naming the option
 * that raises the limit, instead of running out of time or memory.
 */
import type { Diagnostic, SourceSpan } from '../diag/diagnostic.js';
import { MAX_SECONDS, type Scenario, type Session, type Step } from './model.js';

/** Default for `--max-packets`: ten million simulated packets (about 2-3 GB of trace). */
export const DEFAULT_MAX_PACKETS = 10_000_000;

/** What the simulation may do. */
export interface WorkLimits {
  /** packets the simulation may produce (`--max-packets`) */
  readonly maxPackets: number;
}

/** The estimate: an upper bound on packets, and on the virtual clock's end. */
export interface WorkEstimate {
  readonly packets: number;
  readonly clockEndMs: number;
}

/** TCP payload per segment as the simulator sends it (sim/tcp.ts mssFor: RFC 9293 3.7.1 on a 1500-byte MTU). */
const SEGMENT_BYTES: Readonly<Record<4 | 6, number>> = { 4: 1460, 6: 1440 };
/** A data segment, and an ACK for every second one. */
const PACKETS_PER_SEGMENT = 1.5;
/** Handshake, FINs and their ACKs, a reset or two. */
const PACKETS_PER_CONNECTION = 12;
/** A command, its reply, their ACKs, a multi-line reply's extra segments. */
const PACKETS_PER_STEP = 8;
/** Linux tcp_synack_retries (sim/tcp.ts SYNACK_RETRIES) plus the first SYN-ACK. */
const SYNACK_PACKETS = 6;
/** Data retransmissions before a connection is given up (sim/tcp.ts DATA_RETRIES), and their backoff from 200 ms. */
const DATA_RETRY_PACKETS = 6;
const DATA_RETRY_MS = 200 * (2 ** 7 - 1);
/** Linux TCP_TIMEOUT_INIT, the SYN-ACK's first retransmission, doubling five times. */
const SYNACK_RETRY_MS = 1000 * (2 ** 6 - 1);
/** One-way delay of the simulated links (sim/network.ts LINK_LATENCY_MS), both ways per step. */
const STEP_RTT_MS = 2;

/** How long SYN retransmissions go on before a connect fails: RTO, 2 RTO, … (synRetries doublings). */
export function synRetryMs(synRetries: number, initialRtoMs: number): number {
  return initialRtoMs * (2 ** (synRetries + 1) - 1);
}

function isTransfer(s: Step): s is Extract<Step, { kind: 'list' | 'retr' | 'stor' }> {
  return s.kind === 'list' || s.kind === 'retr' || s.kind === 'stor';
}

/** Upper bound on one transfer's packets (a refused EPSV retried with PASV counts twice). */
function transferPackets(session: Session, step: Extract<Step, { kind: 'list' | 'retr' | 'stor' }>): number {
  const mss = SEGMENT_BYTES[session.client.address.family];
  const segments = Math.ceil(step.bytes / mss);
  const connect = PACKETS_PER_CONNECTION + session.clientBehaviour.synRetries + session.serverBehaviour.synRetries + SYNACK_PACKETS + 2;
  return segments * PACKETS_PER_SEGMENT + 2 * connect + DATA_RETRY_PACKETS + (step.transfer.splitCommandAt?.length ?? 0) + PACKETS_PER_STEP;
}

/** Upper bound on the virtual time one step may take. */
function stepMs(session: Session, step: Step): number {
  const c = session.clientBehaviour;
  const s = session.serverBehaviour;
  switch (step.kind) {
    case 'wait':
      return step.sec * 1000 + STEP_RTT_MS;
    case 'list':
    case 'retr':
    case 'stor': {
      const connect = Math.max(synRetryMs(c.synRetries, c.initialRtoMs), synRetryMs(s.synRetries, s.initialRtoMs), SYNACK_RETRY_MS);
      const delay = (step.transfer.connectDelaySec ?? 0) * 1000;
      // two attempts (EPSV, then PASV), each: the delay, the connect, the accept timeout, stalled data
      return 2 * (delay + connect + s.dataAcceptTimeoutMs + DATA_RETRY_MS) + STEP_RTT_MS * 8;
    }
    default:
      return STEP_RTT_MS * 4 + DATA_RETRY_MS;
  }
}

/** The least virtual time a session takes (waits, connect delays, a round trip per step): used to tell certain overlaps. */
export function sessionMinMs(session: Session): number {
  let ms = STEP_RTT_MS * 2;
  for (const step of session.steps) {
    ms += STEP_RTT_MS;
    if (step.kind === 'wait') ms += step.sec * 1000;
    else if (isTransfer(step)) ms += (step.transfer.connectDelaySec ?? 0) * 1000;
  }
  return ms;
}

/** The estimate for a whole scenario. */
export function estimateWork(scenario: Scenario): WorkEstimate {
  let packets = 0;
  let clockEndMs = 0;
  for (const session of scenario.sessions) {
    const c = session.clientBehaviour;
    packets += PACKETS_PER_CONNECTION + c.synRetries + SYNACK_PACKETS + PACKETS_PER_STEP * 2;
    let endMs = session.startMs + Math.max(synRetryMs(c.synRetries, c.initialRtoMs), SYNACK_RETRY_MS);
    for (const step of session.steps) {
      packets += isTransfer(step) ? transferPackets(session, step) : PACKETS_PER_STEP;
      endMs += stepMs(session, step);
    }
    clockEndMs = Math.max(clockEndMs, endMs + DATA_RETRY_MS);
  }
  return { packets: Math.ceil(packets), clockEndMs };
}

function count(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** The step that weighs most (the most bytes, else the longest wait): where a refusal points. */
function heaviest(scenario: Scenario, weight: (session: Session, step: Step) => number): SourceSpan | undefined {
  let best: SourceSpan | undefined;
  let bestWeight = -1;
  for (const session of scenario.sessions)
    for (const step of session.steps) {
      const w = weight(session, step);
      if (w > bestWeight) {
        bestWeight = w;
        best = step.at;
      }
    }
  return best;
}

/**
 * Refuses a scenario whose estimated packets pass `limits.maxPackets`, or whose virtual
 * clock could run past MAX_SECONDS: a located error naming the limit and the option.
 */
export function checkSimulationWork(scenario: Scenario, limits: WorkLimits): Diagnostic[] {
  const est = estimateWork(scenario);
  const out: Diagnostic[] = [];
  if (est.packets > limits.maxPackets) {
    const span = heaviest(scenario, (session, step) => (isTransfer(step) ? transferPackets(session, step) : PACKETS_PER_STEP));
    out.push({
      severity: 'error',
      message: `the scenario would simulate up to ${count(est.packets)} packets (${scenario.sessions.length} session${scenario.sessions.length === 1 ? '' : 's'}, transfers cut into segments of ${SEGMENT_BYTES[4]} bytes), more than the limit of ${count(limits.maxPackets)} packets`,
      ...(span ? { span } : {}),
      suggestion: `raise the limit with --max-packets ${count(Math.ceil(est.packets / 1e6) * 1e6).replace(/,/g, '')}, or use smaller transfers or fewer sessions`,
    });
  }
  if (est.clockEndMs > MAX_SECONDS * 1000) {
    const span = heaviest(scenario, stepMs);
    out.push({
      severity: 'error',
      message: `the scenario could run the virtual clock to ${(est.clockEndMs / 1000).toExponential(2)} s (starts, waits, delays, retries and timeouts added up), past the limit of ${count(MAX_SECONDS)} s`,
      ...(span ? { span } : {}),
      suggestion: 'use shorter waits, delays, timeouts or fewer retries',
    });
  }
  return out;
}
