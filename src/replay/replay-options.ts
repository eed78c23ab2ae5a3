/**
 * What a capture replay is told and gives back (replay.ts): its options, the hooks of a sharded replay and of
 * a spilled packet trace, and its outcome.
 */
import type { Diagnostic } from '../diag/diagnostic.js';
import type { Firewall, TraceEvent, Verdict } from '../engine/verdict.js';
import type { IpAddress } from '../net/address.js';
import type { Packet } from '../net/packet.js';
import type { CaptureFlow, CapturePacketRow, CaptureReplay } from './flow-types.js';
import type { Topology } from './topology.js';

/** Called for every decoded IP packet (for pcapng export); verdict undefined when it does not cross. */
export type PacketTap = (p: Packet, tMs: number, n: number, verdict: Verdict | undefined, sameSide: string | undefined) => void;

/** How to replay. */
export interface ReplayCaptureOptions {
  readonly topology: Topology;
  readonly firewall: Firewall;
  /** FTP control ports; default [21] */
  readonly controlPorts?: readonly number[];
  /** keep a row per packet and the engine's events (JSON/table --packets) */
  readonly keepPackets?: boolean;
  /**
   * With keepPackets: keep rows and events of these packets only (capture packet numbers, both
   * included); the engine builds events only for them. Flows and totals still cover the whole capture.
   * The HTML step-through of a long capture keeps a window (a page cannot hold millions of steps).
   */
  readonly packetWindow?: PacketWindow;
  /**
   * With keepPackets: rows and events go here as they are made, in replay order, instead of into the replay's
   * `packets` and `events` (which come back empty): a --packets report of a long capture spills them.
   */
  readonly packetSink?: PacketRowSink;
  /** keep every control line read (tests, teaching) */
  readonly keepControlLines?: boolean;
  /** flows reported row by row; the rest are only counted. Default: all */
  readonly maxFlowRows?: number;
  /**
   * Which flows the run keeps (without onFlow): every flow with a packet whose row is kept (the packet
   * window's), and of the others the first `blocked` blocked ones and the first `passed` ones that passed;
   * the rest are only counted. A page or diagram of a long capture then holds what it draws, not every
   * flow of the file. Default: all.
   */
  readonly listFlows?: ListedFlows;
  readonly tap?: PacketTap;
  /** decode warnings kept; default 200 */
  readonly maxDiagnostics?: number;
  /**
   * Receives each flow as it finishes (its conntrack entry went, or it fell idle), then the
   * live ones in id order at the end; the replay then keeps none (`flows` and `notes` come
   * back empty), so memory follows live connections. Without it flows are kept, in id order.
   */
  readonly onFlow?: (f: CaptureFlow) => void;
  /** Called every PROGRESS_EVERY records and at the end: records read, flows seen, byte offset reached. */
  readonly progress?: (records: number, flows: number, byteOffset: number) => void;
  /** A shard of a sharded replay (src/parallel/): see ReplayShard. */
  readonly shard?: ReplayShard;
}

/**
 * Entry-point hook of a sharded replay (src/parallel/capture-shards.ts): this replay steps
 * only the packets it owns; a packet of another shard only moves the clock (conntrack
 * expiries, the idle sweep) exactly as it would in one replay, so its own flows finish
 * at the same packets. Records counted and decode problems are the owner's of undecodable records.
 */
export interface ReplayShard {
  /** true when this shard steps `p` (the rest of the replay ignores it) */
  owns(p: Packet): boolean;
  /** true for the one shard that counts records that do not decode as IP */
  readonly ownsUndecoded: boolean;
  /** a flow was made at the packet being read (ids are this shard's) */
  onNewFlow(id: number): void;
  /** a control line announced `addr` on the control flow between `client` and `server` */
  onAnnouncement(client: IpAddress, server: IpAddress, addr: IpAddress): void;
}

/** Where a replay's packet rows and events go as they are made (ReplayCaptureOptions.packetSink). */
export interface PacketRowSink {
  /** an event of the step about to give its row (or of a timer): before that row */
  event(e: TraceEvent): void;
  row(r: CapturePacketRow): void;
}

/** ReplayCaptureOptions.listFlows: how many flows without a kept packet the run lists, blocked and passed. */
export interface ListedFlows {
  readonly blocked: number;
  readonly passed: number;
}

/** Capture packet numbers (1-based, both included). */
export interface PacketWindow {
  readonly first: number;
  readonly last: number;
}

/** What a replay returns beside the report: located problems found while decoding. */
export interface ReplayOutcome {
  readonly replay: CaptureReplay;
  readonly diagnostics: readonly Diagnostic[];
}
