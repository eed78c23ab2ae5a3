/**
 * The one run/flow/packet/event model that every run produces and every renderer
 * reads: a scenario simulation and a capture replay both end as a RunReport, the
 * capture one with its `capture` section. Types only; builders in build.ts.
 */
import type { SessionOutcome } from '../engine/trace.js';
import type { Provenance, TraceEvent } from '../engine/verdict.js';

export type { TraceEvent } from '../engine/verdict.js';

/** Version of the JSON report layout; bump on any incompatible change. */
export const REPORT_SCHEMA_VERSION = 1;

/** Where a run's packets came from: a simulated scenario or a recorded capture. */
export type RunOrigin = 'scenario' | 'capture';

/** What a flow is for. */
export type FlowRole = 'control' | 'data' | 'other';

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

/** The first packet of a flow that the firewall denied. */
export interface BlockedPacket {
  /** 1-based packet number in the trace or capture */
  readonly n: number;
  readonly tMs: number;
  /** e.g. `SYN-ACK 192.168.10.1:50021 → 10.0.0.2:50001`, with its text quoted when it carries printable text */
  readonly packet: string;
  /** the deciding rule, state or default, as text */
  readonly by: string;
  readonly provenance: Provenance;
}

/** One connection (or, for other protocols, one address/port pair) of a run. */
export interface Flow {
  /** 1-based, in order of first packet */
  readonly id: number;
  readonly role: FlowRole;
  readonly proto: string;
  /** the scenario session it belongs to (scenarios only: a capture does not know) */
  readonly session?: string;
  /** the initiator, `ip:port` */
  readonly client: string;
  /** the responder, `ip:port` */
  readonly server: string;
  readonly outcome: 'passed' | 'blocked';
  readonly firstBlocked: BlockedPacket | null;
  readonly packets: number;
  /** transport payload bytes that passed the firewall */
  readonly bytesPassed: number;
  /** numbers of this flow's packets, in order, to place packet rows: empty unless the run kept its packet rows (scenarios: a table or JSON report keeps none); not in the JSON */
  readonly packetNumbers: readonly number[];
  /** captures: interface of the client side */
  readonly clientInterface?: string;
  /** captures: interface of the server side */
  readonly serverInterface?: string;
  /** captures: false when both ends sit behind the same interface (no verdicts) */
  readonly crossesFirewall?: boolean;
  /** captures, data flows: the PORT/EPRT/227/229 that announced it */
  readonly announcedBy?: AnnouncedBy;
  /** captures: what the recording shows that could not have happened had the firewall been in the path */
  readonly inReality?: string;
}

/** One packet at the firewall, as reports show it. */
export interface PacketRow {
  readonly n: number;
  readonly tMs: number;
  readonly src: string;
  readonly dst: string;
  readonly proto: string;
  /** TCP flags in tcpdump letters (`S`, `SA`, `PA`, `.` …); absent for other protocols */
  readonly flags?: string;
  /** payload bytes */
  readonly len: number;
  /** the payload's first line when it is printable text (FTP control), e.g. "PORT 10,0,0,2,195,81" */
  readonly text?: string;
  /** after NAT: the source and destination as the packet left the firewall (absent: unchanged) */
  readonly natSrc?: string;
  readonly natDst?: string;
  /** after the FTP ALG: the payload's first line as it left, when it was rewritten */
  readonly natText?: string;
  readonly ingress: string;
  readonly egress: string;
  readonly action: 'permit' | 'deny';
  readonly by: string;
  readonly flow: number;
  readonly session?: string;
  readonly note?: string;
}

/** How one session went, in one sentence and in facts (scenarios only). */
export interface SessionReport {
  readonly name: string;
  readonly works: boolean;
  readonly loginOk: boolean;
  readonly summary: string;
  readonly transfers: SessionOutcome['transfers'];
  readonly transcript: readonly string[];
}

/** Counters of one capture replay. */
export interface CaptureStats {
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
  readonly flows: Record<FlowRole, number>;
  /** flows with a denied packet, by role */
  readonly blockedFlows: Record<FlowRole, number>;
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

/** The capture-only part of a run. */
export interface CaptureSection {
  readonly stats: CaptureStats;
  /** one line: `192.168.10.1/32 on GigabitEthernet2/1/10; everything else on GigabitEthernet2/1/1` */
  readonly topology: string;
  /** true when more flows existed than were reported row by row */
  readonly flowsTruncated: boolean;
  readonly notes: readonly string[];
}

/** One scenario or capture run against one config and engine. */
export interface RunReport {
  /** scenario or capture; in the JSON a capture run is the one with a `capture` object */
  readonly origin: RunOrigin;
  readonly scenario: string;
  readonly source: string;
  readonly config: string;
  readonly engine: 'static' | 'stateful';
  readonly ftp: { readonly works: boolean; readonly summary: string };
  /** scenarios: one per session; captures: empty */
  readonly sessions: readonly SessionReport[];
  readonly flows: readonly Flow[];
  /** captures: empty unless packet rows were asked for */
  readonly packets: readonly PacketRow[];
  readonly events: readonly TraceEvent[];
  /** captures only */
  readonly capture?: CaptureSection;
}

/** The whole JSON document. */
export interface Report {
  readonly schemaVersion: number;
  readonly runs: readonly Omit<RunReport, 'origin'>[];
}
