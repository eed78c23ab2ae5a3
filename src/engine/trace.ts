/**
 * A trace: every packet that met the firewall, with its verdict, plus engine and
 * endpoint events and each session's outcome as its endpoints saw it.
 */
import type { Packet } from '../net/packet.js';
import type { TraceEvent, Verdict } from './verdict.js';

/** One packet at the firewall. */
export interface TracePacket {
  /** 1-based */
  readonly n: number;
  readonly tMs: number;
  readonly packet: Packet;
  readonly ingress: string;
  readonly egress: string;
  readonly verdict: Verdict;
  /** the packet as it left the firewall, when NAT or the FTP ALG changed it (`packet` is as it arrived) */
  readonly after?: Packet;
  /** which session and connection this packet belongs to, as the simulator knows it */
  readonly session?: string;
  readonly connection?: { readonly id: number; readonly role: 'control' | 'data' | 'other' };
  /** e.g. "retransmission 2 (after 2 s)" */
  readonly note?: string;
}

/** One transfer (LIST/RETR/STOR) as the client saw it. */
export interface TransferOutcome {
  readonly command: string;
  readonly ok: boolean;
  readonly reply: string;
  readonly note?: string;
}

/** How one FTP session went, from its endpoints' point of view. */
export interface SessionOutcome {
  readonly name: string;
  readonly works: boolean;
  readonly loginOk: boolean;
  readonly transfers: readonly TransferOutcome[];
  /** the control conversation as the client saw it: "> USER anonymous", "< 331 …" */
  readonly transcript: readonly string[];
}

/** Everything a simulation (or a capture replay) produced. */
export interface Trace {
  readonly packets: readonly TracePacket[];
  readonly events: readonly TraceEvent[];
  readonly sessions: readonly SessionOutcome[];
}
