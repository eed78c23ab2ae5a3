/**
 * The shapes a capture replay reports: flows (a superset of the report layer's
 * Flow, so the table and JSON code take them as they are), per-packet rows when
 * asked for, counters, and the "in reality" notes.
 */
import type { PacketRow } from '../engine/trace.js';
import type { Provenance, TraceEvent } from '../engine/verdict.js';

/** What a flow is for. */
export type CaptureFlowRole = 'control' | 'data' | 'other';

/** The text that announced a data connection. */
export type AnnounceTrigger = 'PORT' | 'EPRT' | '227' | '229';

/** Where a data connection was announced: the control flow and the packet that carried the announcement. */
export interface AnnouncedBy {
  /** id of the control flow */
  readonly controlFlow: number;
  /** 1-based packet number of the segment that completed the PORT/EPRT/227/229 line */
  readonly packet: number;
  readonly trigger: AnnounceTrigger;
  /** the endpoint it named, `ip:port` (229: the control connection's server address) */
  readonly endpoint: string;
}

/** The first packet of a flow that the firewall denied (same shape as the report's BlockedPacket). */
export interface CaptureBlockedPacket {
  /** 1-based packet number in the capture */
  readonly n: number;
  readonly tMs: number;
  readonly packet: string;
  readonly by: string;
  readonly provenance: Provenance;
}

/** One TCP connection (or, for other protocols, one address/port pair) of a capture. */
export interface CaptureFlow {
  /** 1-based, in order of first packet */
  readonly id: number;
  readonly role: CaptureFlowRole;
  readonly proto: string;
  /** the initiator, `ip:port` */
  readonly client: string;
  /** the responder, `ip:port` */
  readonly server: string;
  readonly outcome: 'passed' | 'blocked';
  readonly firstBlocked: CaptureBlockedPacket | null;
  readonly packets: number;
  readonly bytesPassed: number;
  /** packet numbers of the flow; empty unless per-packet rows were asked for */
  readonly packetNumbers: readonly number[];
  /** interface of the client side and of the server side */
  readonly clientInterface: string;
  readonly serverInterface: string;
  /** false when both ends sit behind the same interface: its packets do not cross the firewall and get no verdict */
  readonly crossesFirewall: boolean;
  /** for data flows: the PORT/EPRT/227/229 that announced it */
  readonly announcedBy?: AnnouncedBy;
  /** what the recording shows that could not have happened had the firewall been in the path */
  readonly inReality?: string;
}

/** One packet row, kept only on request. */
export type CapturePacketRow = PacketRow;

/** One line of FTP control text as read from the reassembled stream. */
export interface ControlLine {
  /** packet that completed the line */
  readonly n: number;
  readonly flow: number;
  readonly from: 'client' | 'server';
  readonly text: string;
}

/** Counters of one replay. */
export interface ReplayStats {
  /** capture records read */
  records: number;
  /** IP packets decoded */
  packets: number;
  /** packets that crossed the firewall and got a verdict */
  crossing: number;
  /** packets whose ends sit behind the same interface: no verdict */
  notCrossing: number;
  permitted: number;
  denied: number;
  /** frames that are not IP, by reason */
  readonly skipped: Record<string, number>;
  /** malformed frames skipped (each has a diagnostic, up to a bound) */
  malformed: number;
  /** flows, by role */
  readonly flows: Record<CaptureFlowRole, number>;
  /** flows with a denied packet, by role */
  readonly blockedFlows: Record<CaptureFlowRole, number>;
  /** data flows linked to an announcement */
  linkedDataFlows: number;
  /** announcements (PORT/EPRT/227/229) read */
  announcements: number;
  /** engine events, by kind (all of them, also when the events themselves are not kept) */
  readonly events: Record<string, number>;
  /** most flows alive at once */
  peakLiveFlows: number;
  /** conntrack entries evicted by early_drop to make room (table full); the `conntrack-table-full` event count is in `events` */
  earlyDrops: number;
}

/** Everything a capture replay produced. */
export interface CaptureReplay {
  readonly stats: ReplayStats;
  /** flows in id order (at most the requested number of rows; stats count all) */
  readonly flows: readonly CaptureFlow[];
  /** true when there were more flows than rows kept */
  readonly flowsTruncated: boolean;
  /** per-packet rows, only when asked for */
  readonly packets: readonly CapturePacketRow[];
  /** engine events, only when per-packet rows were asked for */
  readonly events: readonly TraceEvent[];
  /** control lines, only when asked for */
  readonly controlLines: readonly ControlLine[];
  /** "in reality" sentences, one per affected flow, `flow N: …` */
  readonly notes: readonly string[];
  readonly works: boolean;
  readonly summary: string;
}
