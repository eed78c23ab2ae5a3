/**
 * What an engine says about one packet: the action, and the provenance of the
 * decision (a rule with its file:line, a default, a conntrack state or pinhole).
 */
import type { SourceSpan } from '../diag/diagnostic.js';
import type { IpFamily } from '../net/address.js';
import type { AddressCache } from '../net/address-cache.js';
import type { Packet } from '../net/packet.js';
import type { Action, Direction } from '../policy/model.js';

/** Why a packet was permitted or denied. */
export type Provenance =
  | {
      readonly kind: 'rule';
      readonly acl: string;
      readonly family: IpFamily;
      readonly ruleId: number;
      readonly interface: string;
      readonly direction: Direction;
      readonly ruleText: string;
      readonly at: SourceSpan;
    }
  | {
      readonly kind: 'default';
      /** no-binding: no ACL bound there; no-match: the bound ACL has no matching rule; acl-missing: bound ACL not defined */
      readonly reason: 'no-binding' | 'no-match' | 'acl-missing';
      readonly interface: string;
      readonly direction: Direction;
      readonly acl?: string;
      /** the `packet-filter default deny` line, when the config set the default */
      readonly at?: SourceSpan;
    }
  | {
      /** a security zone decision without a matching rule (Comware 7 zones) */
      readonly kind: 'zone';
      /** no-pair: no zone pair between the zones; intra-zone / unzoned / zone-to-unzoned: the zone defaults; no-policy-match: no security policy rule matched; policy-rule: a security policy rule */
      readonly reason: 'no-pair' | 'intra-zone' | 'unzoned' | 'zone-to-unzoned' | 'no-policy-match' | 'policy-rule' | 'pair-default';
      readonly source: string;
      readonly destination: string;
      readonly rule?: string;
      readonly at?: SourceSpan;
    }
  | {
      readonly kind: 'conntrack';
      readonly state: 'established' | 'related';
      /** 1-based id of the tracked connection */
      readonly connection: number;
      /** for related: the expectation that was consumed */
      readonly expectation?: ExpectationRef;
    }
  | {
      readonly kind: 'helper';
      /** e.g. "partial match of `PORT'" */
      readonly reason: string;
      readonly connection: number;
    }
  | {
      /** a Linux ruleset's decision: a rule (1-based number in its chain), a base chain's policy, or no chain at all */
      readonly kind: 'netfilter';
      readonly reason: 'rule' | 'policy' | 'no-chain';
      readonly table: string;
      readonly chain: string;
      readonly rule?: number;
      readonly ruleText?: string;
      readonly at?: SourceSpan;
    }
  | {
      readonly kind: 'invalid';
      /** e.g. "SYN-ACK without a tracked connection" */
      readonly reason: string;
    };

/** Identifies the pinhole that let a related connection through. */
export interface ExpectationRef {
  /** 1-based id of the expectation */
  readonly id: number;
  /** the text that opened it: 'PORT', 'EPRT', '227', '229' */
  readonly trigger: 'PORT' | 'EPRT' | '227' | '229';
  /** 1-based trace number of the packet that opened it */
  readonly openedByPacket: number;
}

/** One ACL evaluation on one interface and direction. */
export interface AclCheck {
  readonly action: Action;
  readonly by: Provenance;
}

/** An engine's decision about one packet. */
export interface Verdict {
  readonly action: Action;
  readonly by: Provenance;
  /** the ACL checks that were made (inbound on ingress, then outbound on egress), when any */
  readonly checks?: readonly AclCheck[];
}

/** Where a packet crosses the firewall and when. */
export interface StepContext {
  /** 1-based packet number in the trace */
  readonly n: number;
  readonly nowMs: number;
  /** interface the packet arrives on */
  readonly ingress: string;
  /** interface the packet leaves by */
  readonly egress: string;
  /** the VPN instance the packet belongs to (its sender's); undefined: public traffic */
  readonly vpn?: string;
  /** the interface a destination is routed to (after DNAT changed it); undefined: keep `egress` */
  readonly route?: (dst: import('../net/address.js').IpAddress) => string | undefined;
}

/** A kind of event the engines and endpoints report beside per-packet verdicts. */
export type TraceEventKind =
  | 'conntrack-new'
  | 'conntrack-state'
  | 'conntrack-destroy'
  | 'conntrack-table-full'
  | 'expectation-open'
  | 'expectation-refused'
  | 'expectation-replaced'
  | 'expectation-consumed'
  | 'expectation-expired'
  | 'helper-drop'
  | 'helper-opaque'
  | 'helper-nat'
  | 'endpoint';

/** Something that happened beside a packet verdict, with its provenance in `text`. */
export interface TraceEvent {
  readonly tMs: number;
  readonly kind: TraceEventKind;
  /** 1-based number of the packet that caused it, when one did */
  readonly packet?: number;
  /** the sentence a user reads, e.g. "expectation 10.0.0.2:* → 192.168.10.1:50021 opened by 227 reply in packet 14" */
  readonly text: string;
}

/** What an engine returns for one packet. */
export interface StepResult {
  readonly verdict: Verdict;
  readonly events: readonly TraceEvent[];
  /** the packet as it leaves the firewall, when NAT (or the FTP ALG) changed it */
  readonly packet?: Packet;
  /** the interface it leaves by, when DNAT routed it elsewhere than ctx.egress */
  readonly egress?: string;
}

/** A firewall engine. Mutable inside (conntrack tables), deterministic: time comes only from ctx.nowMs. */
export interface Firewall {
  readonly engine: 'static' | 'stateful';
  /** Decides one packet crossing from ctx.ingress to ctx.egress. */
  step(packet: Packet, ctx: StepContext): StepResult;
  /** Lets the virtual clock run to nowMs: expiries that fall due are returned as events. */
  advanceTo(nowMs: number): readonly TraceEvent[];
  /**
   * Engines with events: recording on (the default) builds each event's sentence and returns the
   * events with the step; off, events are only counted (eventCounts) and step() may return one reused
   * result object, valid until the next step (a capture replay's fast path).
   */
  setRecording?(on: boolean): void;
  /**
   * Engines whose verdicts may name a connection: on (the default), every verdict is the whole record.
   * Off (a capture replay whose caller reads only the action of a permitted packet: no packet rows,
   * no tap), a packet that a session's state let through gets one shared record, ESTABLISHED_UNNAMED or
   * RELATED_UNNAMED, whose `connection` is 0, instead of a record per connection. Denials are always whole.
   */
  setVerdictDetail?(on: boolean): void;
  /** Events by kind since the engine was made, in the order kinds were first seen. */
  eventCounts?(): Readonly<Record<string, number>>;
  /**
   * The kinds of event seen so far, in first-seen order, each with its place among the events of the step (or
   * advanceTo) that first had one: its index in that step's events when recording is on. Counted with recording
   * off too, so a caller can tell when each kind first came without the events being built. Grows only.
   */
  eventKindsSeen?(): readonly (readonly [kind: TraceEventKind, place: number])[];
  /** Engines with a connection table: `watcher` hears of every entry made and removed (replay uses it to release flows). */
  watchConnections?(watcher: ConnectionWatcher): void;
  /**
   * Engines that keep copies of packet addresses: their cache, for a caller that keeps copies of the
   * same packets' addresses (a capture replay's flows) to share, so each address is copied once.
   */
  readonly addresses?: AddressCache;
}

/**
 * The verdict of a packet a session's state let through, with the connection left unnamed (0): what
 * an engine with verdict detail off gives instead of a record per connection (setVerdictDetail).
 */
export const ESTABLISHED_UNNAMED: Verdict = Object.freeze({ action: 'permit', by: Object.freeze({ kind: 'conntrack', state: 'established', connection: 0 }) });
/** The same for a packet an expectation let through (RELATED), with neither connection nor expectation named. */
export const RELATED_UNNAMED: Verdict = Object.freeze({ action: 'permit', by: Object.freeze({ kind: 'conntrack', state: 'related', connection: 0 }) });

/** Why a connection left the conntrack table. */
export type ConnectionEnd = 'timeout' | 'early-drop' | 'killed' | 'reopened';

/** Hears of conntrack entries: `end` is undefined when entry `id` is made, else why it went. */
export type ConnectionWatcher = (id: number, end: ConnectionEnd | undefined) => void;

/** The sentence for a provenance, as reports print it in `by`. */
export function describeProvenance(by: Provenance, action?: Action): string {
  switch (by.kind) {
    case 'rule':
      return `acl ${by.family === 6 ? 'ipv6 ' : ''}${by.acl} rule ${by.ruleId} (${by.at.file}:${by.at.line})`;
    case 'default': {
      const act = action ?? 'permit';
      const set = by.at ? `packet-filter default ${act} (${by.at.file}:${by.at.line})` : `default ${act}`;
      switch (by.reason) {
        case 'no-binding':
          return `${set} (no ACL bound ${by.direction} on ${by.interface})`;
        case 'no-match':
          return `${set} (no rule of acl ${by.acl} matched ${by.direction} on ${by.interface})`;
        case 'acl-missing':
          return `${set} (acl ${by.acl} bound ${by.direction} on ${by.interface} is not defined)`;
      }
      return set;
    }
    case 'zone': {
      const pair = `${by.source} → ${by.destination}`;
      const at = by.at ? ` (${by.at.file}:${by.at.line})` : '';
      switch (by.reason) {
        case 'policy-rule':
          return `security-policy ${by.rule ?? ''} ${pair}${at}`;
        case 'no-policy-match':
          return `security-policy default drop (no rule matched ${pair})`;
        case 'no-pair':
          return `security zones: no zone pair ${pair}, discarded`;
        case 'pair-default':
          return `zone pair ${pair}: no rule matched, default ${action ?? 'permit'}${at}`;
        case 'intra-zone':
          return `security zones: within zone ${by.source}, default ${action ?? 'deny'}${at}`;
        case 'zone-to-unzoned':
          return `security zones: ${pair} (one interface in no zone), discarded`;
        case 'unzoned':
          return `security zones: both interfaces in no zone, ${action ?? 'permit'}`;
      }
      return pair;
    }
    case 'conntrack':
      if (by.state === 'related' && by.expectation)
        return `expectation from ${by.expectation.trigger} in packet ${by.expectation.openedByPacket} (conntrack related, connection ${by.connection})`;
      return `conntrack ${by.state} (connection ${by.connection})`;
    case 'helper':
      return `ftp helper: ${by.reason} (connection ${by.connection})`;
    case 'invalid':
      return `conntrack invalid: ${by.reason}`;
    case 'netfilter': {
      const at = by.at ? ` (${by.at.file}:${by.at.line})` : '';
      if (by.reason === 'no-chain') return `no base chain for this packet: ${action ?? 'permit'}`;
      if (by.reason === 'policy') return `${by.table} ${by.chain} policy ${(action ?? 'permit') === 'permit' ? 'accept' : 'drop'}${at}`;
      return `${by.table} ${by.chain} rule ${by.rule ?? 0}${at}`;
    }
  }
}
