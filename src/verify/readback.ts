/**
 * What verify checks on the kernel's own capture, packet by packet:
 * - the read-back: the kernel's listing of the loaded ruleset (`nft list ruleset`, `iptables-save`), read by
 *   ftpwall's nft/iptables reader, replayed over the packets as they arrived, must deny exactly the packets
 *   the kernel did not forward;
 * - the FTP ALG: each PORT, EPRT, 227 and 229 the kernel forwarded must leave with the bytes the
 *   simulation's engine writes for the same arriving packet.
 */
import type { Diagnostic } from '../diag/diagnostic.js';
import { describePacket, type Packet } from '../net/packet.js';
import type { Firewall, StepResult } from '../engine/verdict.js';
import { describeProvenance } from '../engine/verdict.js';
import { replayCapture, type CaptureReplay, type Topology } from '../replay/index.js';
import { openCapture } from '../wire/index.js';
import type { ArrivedSegment } from './capture.js';
import type { KernelFlow } from './kernel-flows.js';
import type { FlowCell } from './agreement.js';

/** One packet's engine decision during a replay, by record number of the arrived capture. */
export interface RecordedStep {
  readonly action: 'permit' | 'deny';
  readonly by: string;
  /** the payload as the engine lets it leave (rewritten by the FTP ALG), when it changed it */
  readonly leavingPayload?: Uint8Array;
  /** the packet as it arrived, described */
  readonly packet: string;
}

/** A replay of the arrived capture through `firewall`, with every engine decision kept by record number. */
export function replayRecorded(file: string, firewall: Firewall, topology: Topology, controlPorts: readonly number[]): { replay: CaptureReplay; steps: Map<number, RecordedStep>; diagnostics: readonly Diagnostic[] } {
  const steps = new Map<number, RecordedStep>();
  const recording: Firewall = {
    engine: firewall.engine,
    advanceTo: (nowMs) => firewall.advanceTo(nowMs),
    ...(firewall.watchConnections ? { watchConnections: (w: Parameters<NonNullable<Firewall['watchConnections']>>[0]) => firewall.watchConnections!(w) } : {}),
    step(p: Packet, ctx): StepResult {
      const r = firewall.step(p, ctx);
      const out = r.packet && r.packet.payload !== p.payload ? r.packet.payload.slice() : undefined;
      steps.set(ctx.n, { action: r.verdict.action, by: describeProvenance(r.verdict.by, r.verdict.action), packet: describePacket(p), ...(out ? { leavingPayload: out } : {}) });
      return r;
    },
  };
  const outcome = replayCapture(openCapture(file), { topology, firewall: recording, controlPorts });
  return { replay: outcome.replay, steps, diagnostics: outcome.diagnostics };
}

/** A packet on which the read-back replay and the kernel differ. */
export interface ReadbackMismatch {
  /** record number in the arrived capture */
  readonly n: number;
  readonly packet: string;
  readonly kernel: 'forwarded' | 'dropped';
  /** the read-back's decision, or 'not replayed' when the replay did not take the packet as crossing */
  readonly readback: 'permit' | 'deny' | 'not replayed';
  readonly by?: string;
}

/** The read-back check of one kernel run. */
export interface ReadbackCheck {
  readonly dialect: 'nft' | 'iptables';
  /** the kernel's listing, as read back */
  readonly text: string;
  /** problems reading the listing (errors: nothing was replayed) */
  readonly diagnostics: readonly Diagnostic[];
  /** arrived packets compared, of them dropped by the kernel, and of them decided by the read-back replay */
  readonly packets: number;
  readonly dropped: number;
  readonly replayed: number;
  readonly mismatches: readonly ReadbackMismatch[];
  readonly agree: boolean;
}

/** Compares the kernel's forwarding decision with the read-back replay's verdict for every arrived packet. */
export function compareReadback(arrived: readonly ArrivedSegment[], steps: ReadonlyMap<number, RecordedStep>): { packets: number; dropped: number; replayed: number; mismatches: ReadbackMismatch[] } {
  const mismatches: ReadbackMismatch[] = [];
  let dropped = 0;
  let replayed = 0;
  for (const a of arrived) {
    const kernel = a.forwardedAs === undefined ? 'dropped' : 'forwarded';
    if (kernel === 'dropped') dropped++;
    const step = steps.get(a.segment.arrivedIndex);
    if (step) replayed++;
    const readback = step ? step.action : 'not replayed';
    if ((kernel === 'dropped') !== (readback === 'deny'))
      mismatches.push({ n: a.segment.arrivedIndex, packet: step?.packet ?? `${a.segment.src}:${a.segment.srcPort} → ${a.segment.dst}:${a.segment.dstPort}`, kernel, readback, ...(step ? { by: step.by } : {}) });
  }
  return { packets: arrived.length, dropped, replayed, mismatches };
}

/** One FTP ALG rewrite: the arriving line, what the kernel forwarded, what the simulation's engine forwards. */
export interface PayloadCheck {
  /** record number in the arrived capture */
  readonly n: number;
  readonly arrived: string;
  readonly kernel: string;
  readonly simulation: string;
  readonly agree: boolean;
}

const ANNOUNCEMENT = /^(227|229)[ -]|^(PORT|EPRT) /i;

function text(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : b === 13 ? '\\r' : b === 10 ? '\\n' : `\\x${b.toString(16).padStart(2, '0')}`;
  return s;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Every forwarded PORT, EPRT, 227 and 229: the payload as it left the kernel against the payload the
 * simulation's engine lets leave for the same arriving packet (unchanged when the engine did not rewrite it).
 */
export function comparePayloads(arrived: readonly ArrivedSegment[], steps: ReadonlyMap<number, RecordedStep>): PayloadCheck[] {
  const out: PayloadCheck[] = [];
  for (const a of arrived) {
    const p = a.segment.payload;
    if (!p || !a.leaving?.payload || !ANNOUNCEMENT.test(text(p.subarray(0, 8)))) continue;
    const step = steps.get(a.segment.arrivedIndex);
    const sim = step?.leavingPayload ?? p;
    out.push({ n: a.segment.arrivedIndex, arrived: text(p), kernel: text(a.leaving.payload), simulation: step ? text(sim) : '(not replayed)', agree: step !== undefined && sameBytes(sim, a.leaving.payload) });
  }
  return out;
}

/**
 * The replay's outcome of each kernel flow, from the replay's decisions on that flow's arrived packets: with NAT
 * the replay's own flows split a connection into its two translated sides, the kernel's flows do not.
 */
export function replayCellsByKernelFlow(flows: readonly KernelFlow[], arrived: readonly ArrivedSegment[], steps: ReadonlyMap<number, RecordedStep>, flowOf: (index: number) => number | undefined): Map<number, FlowCell> {
  const cells = new Map<number, { role: FlowCell['role']; blockedAt?: string; seen: boolean }>();
  for (const f of flows) cells.set(f.id, { role: f.role, seen: false });
  for (const [i, a] of arrived.entries()) {
    const id = flowOf(i);
    const cell = id === undefined ? undefined : cells.get(id);
    const step = steps.get(a.segment.arrivedIndex);
    if (!cell || !step) continue;
    cell.seen = true;
    if (step.action === 'deny' && cell.blockedAt === undefined) cell.blockedAt = `#${a.segment.arrivedIndex} ${step.packet}: ${step.by}`;
  }
  const out = new Map<number, FlowCell>();
  for (const [id, c] of cells) if (c.seen) out.set(id, { role: c.role, outcome: c.blockedAt ? 'blocked' : 'passed', ...(c.blockedAt ? { blockedAt: c.blockedAt } : {}) });
  return out;
}
