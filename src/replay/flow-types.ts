/**
 * What a capture replay returns beside the run model: control lines and the
 * replay result. Flows, blocked packets, packet rows and counters are the model's
 * (src/model/); the Capture* names are the same types under the names the replay
 * code has always used.
 */
import type { TraceEvent } from '../engine/verdict.js';
import type { CaptureStats, Flow, PacketRow } from '../model/index.js';

export type {
  AnnouncedBy,
  AnnounceTrigger,
  BlockedPacket as CaptureBlockedPacket,
  CaptureStats as ReplayStats,
  Flow as CaptureFlow,
  FlowRole as CaptureFlowRole,
  PacketRow as CapturePacketRow,
} from '../model/index.js';

/** One line of FTP control text as read from the reassembled stream. */
export interface ControlLine {
  /** packet that completed the line */
  readonly n: number;
  readonly flow: number;
  readonly from: 'client' | 'server';
  readonly text: string;
}

/** Everything a capture replay produced. */
export interface CaptureReplay {
  readonly stats: CaptureStats;
  /** flows in id order (at most the requested number of rows; stats count all) */
  readonly flows: readonly Flow[];
  /** true when there were more flows than rows kept */
  readonly flowsTruncated: boolean;
  /** per-packet rows, only when asked for */
  readonly packets: readonly PacketRow[];
  /** engine events, only when per-packet rows were asked for */
  readonly events: readonly TraceEvent[];
  /** control lines, only when asked for */
  readonly controlLines: readonly ControlLine[];
  /** "in reality" sentences, one per affected flow, `flow N: …` */
  readonly notes: readonly string[];
  readonly works: boolean;
  readonly summary: string;
}
