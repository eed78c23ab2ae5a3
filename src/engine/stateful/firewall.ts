/**
 * The stateful engine: Linux connection tracking with the FTP helper (DESIGN: a tracked packet is NEW,
 * ESTABLISHED, RELATED through an expectation, whose pinhole is consumed, or INVALID). What decides a
 * classified packet is the filter stage (filter-stage.ts): the H3C ACLs behind ASPF sessions, or a Linux
 * ruleset's chains in hook order. A permitted first packet creates the entry; the helper runs at confirm.
 * Time comes only from ctx.nowMs and advanceTo().
 */
import { describePacket, payloadLength, PROTO_ICMP, PROTO_ICMPV6, PROTO_TCP, PROTO_UDP, type Packet } from '../../net/packet.js';
import type { Inspection, Policy } from '../../policy/model.js';
import type { CtState } from '../../policy/netfilter.js';
import { copyIp, type IpAddress } from '../../net/address.js';
import type { NatViews } from '../ruleset.js';
import { assignedHelper, createFilterStage, relatedVerdict } from './filter-stage.js';
import type { ConnectionWatcher, Firewall, StepContext, StepResult, TraceEvent, TraceEventKind, Verdict } from '../verdict.js';
import {
  createConntrackTable,
  describeConn,
  DIR_ORIGINAL,
  GENERIC_TIMEOUT_SEC,
  ICMP_TIMEOUT_SEC,
  icmpReplyType,
  connRow,
  tcpStateOf,
  tupleHash,
  tuplePorts,
  UDP_STREAM_TIMEOUT_SEC,
  UDP_TIMEOUT_SEC,
  type Conn,
} from './conntrack-table.js';
import type { AnnounceEnv } from './announce.js';
import { EventSink } from './event-sink.js';
import { AddressCache } from '../../net/address-cache.js';
import { createExpectationTable, expectationRef, formatExpectation, type Expectation } from './expectations.js';
import type { FtpHelperState } from './helpers/ftp-session.js';
import { createHelperStage } from './helper-stage.js';
import { createLifecycle } from './lifecycle.js';
import * as msg from './messages.js';
import { createConnNat, isTranslated, leavingPacket, trackerView, type ReplyTuple } from './nat.js';
import { createNatStage, routed } from './nat-stage.js';
import { ConnEntry } from './conn-entry.js';
import { createSessionScope } from './scope.js';
import {
  LINUX_TCP_TIMEOUTS_SEC,
  TCP_ACCEPT,
  TCP_INVALID,
  TCP_REOPEN,
  TCP_STATE_NAMES,
  tcpFlagsValid,
  tcpIndex,
  tcpNew,
  tcpPacket,
  timeoutTableMs,
  type TcpResult,
  type TcpTimeoutsSec,
} from './tcp-state.js';
import { connectionView, expectationViews, tablesView, type ConnectionView, type TablesView } from './views.js';

export type { ConnectionView, ExpectationView, TablesView } from './views.js';
export type { TableChanges } from './table-changes.js';
import { ChangeLog, type TableChanges } from './table-changes.js';
export type { TcpTimeoutsSec } from './tcp-state.js';

/** Options of the stateful engine; Linux defaults where omitted. */
export interface StatefulOptions {
  /** accept an announced address that differs from the control connection's (nf_conntrack_ftp `loose`) */
  readonly loose?: boolean;
  /** extra inspections, e.g. from `--inspect ftp` (interface '*') */
  readonly inspections?: readonly Inspection[];
  /** Linux defaults if omitted */
  readonly timeouts?: Partial<TcpTimeoutsSec>;
  readonly expectationTimeoutSec?: number; // 300
  readonly maxConnections?: number; // table size limit (nf_conntrack_max); default 65536
  /** the device's wall clock at virtual time 0 (ms whose UTC fields are the local time), for time-range rules */
  readonly wallClockStartMs?: number;
  /** each interface's own address (MASQUERADE and REDIRECT translate to it) */
  readonly interfaceAddresses?: ReadonlyMap<string, IpAddress>;
}

/** The stateful firewall, with read-only views of its tables. */
export interface StatefulFirewall extends Firewall {
  /** live connections in id order */
  connections(): readonly ConnectionView[];
  /** pending expectations as `10.0.0.2:* → 192.168.10.1:50021` */
  expectations(): readonly string[];
  /** both live tables as plain data, for recorders (the HTML step-through) */
  snapshot(): TablesView;
  /**
   * What changed in the connection table since the call before (the first call turns the bookkeeping on:
   * nothing is kept before it), and the pending expectations now. Work follows the changes, not the table:
   * a recorder of a capture with thousands of live entries calls it after every packet.
   */
  tableChanges(): TableChanges;
  /** stops the bookkeeping the first tableChanges() started (a recorder that is done); a later call starts it afresh */
  endTableChanges(): void;
  /** `watcher` hears of every entry made and removed, with why it went */
  watchConnections(watcher: ConnectionWatcher): void;
  /** off: a session's established and related packets get the shared ESTABLISHED_UNNAMED / RELATED_UNNAMED (H3C; a ruleset's verdicts are its rules') */
  setVerdictDetail(on: boolean): void;
  /** off: events are counted, not built (Firewall.setRecording) */
  setRecording(on: boolean): void;
  /** the kinds of event seen, with where each first came (Firewall.eventKindsSeen) */
  eventKindsSeen(): readonly (readonly [kind: TraceEventKind, place: number])[];
}

/** nf_ct_ftp's expect policy: `.timeout = 5 * 60`. */
const FTP_EXPECT_TIMEOUT_SEC = 300;
/** nf_conntrack_max when no hashsize is given on a 1-4 GiB box (facts 8.3); a round default. */
const DEFAULT_MAX_CONNECTIONS = 65536;
const NO_EVENTS: readonly TraceEvent[] = [];
/** The verdict on a new connection the full table cannot take. */
const TABLE_FULL_VERDICT: Verdict = { action: 'deny', by: { kind: 'invalid', reason: msg.TABLE_FULL_LOG } };

/** Creates the stateful engine for a policy. */
export function createStatefulFirewall(policy: Policy, options: StatefulOptions = {}): StatefulFirewall {
  const stage = createFilterStage(policy, options.wallClockStartMs);
  const rs = stage.ruleset;
  const decide = stage.decide;
  const limits: TcpTimeoutsSec = { ...LINUX_TCP_TIMEOUTS_SEC, ...options.timeouts };
  const stateMs = timeoutTableMs(limits);
  const expectMs = (options.expectationTimeoutSec ?? FTP_EXPECT_TIMEOUT_SEC) * 1000;
  const scope = createSessionScope(policy, options.inspections);
  const maxConns = options.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
  const table = createConntrackTable(maxConns);
  const rows = table.rows;
  // nf_conntrack_expect_init: hsize = htable_size / 256 (min 1), nf_ct_expect_max = hsize * 4
  const expectations = createExpectationTable(Math.max(1, Math.floor(maxConns / 256)) * 4);
  const life = createLifecycle(table, expectations, expectMs);
  const nat = createNatStage(policy, rs, options.interfaceAddresses ? { interfaceAddresses: options.interfaceAddresses } : {});
  const tcpOut: TcpResult = { code: 0, oldState: 0, newState: 0, timeoutMs: -1, kill: false, assured: false };
  const ports: [number, number] = [0, 0];
  let nextConnId = 1;
  let nextExpId = 1;
  const tupleTexts = new WeakMap<Conn, string>();
  const tupleOf = (c: Conn): string => {
    let tuple = tupleTexts.get(c);
    if (tuple === undefined) tupleTexts.set(c, (tuple = describeConn(c)));
    return tuple;
  };
  const addresses = new AddressCache();
  /** kept once tableChanges() was called (table-changes.ts) */
  let changeLog: ChangeLog | undefined;
  let outerWatcher: ConnectionWatcher | undefined;
  /** the lifecycle's one watcher: the change log's and the caller's (watchConnections) */
  const watchEntries = (): void => life.watch(changeLog === undefined ? outerWatcher : changeLog.watcher(table.byId, outerWatcher));

  const newConn = (p: Packet, ctx: StepContext, e: Expectation | undefined, assigned?: FtpHelperState, rt?: ReplyTuple): Conn => {
    // the REPLY tuple: ports swapped; ICMP queries answer with their reply type
    const icmp = p.proto === PROTO_ICMP || p.proto === PROTO_ICMPV6;
    // an expected connection is a session when its master is (ASPF associated entries; the kernel copies the master's mark)
    const session = rs ? true : e ? e.master.session : scope.startsSession(p, ctx, ports[1]);
    const replySrcPort = icmp ? 0 : (rt?.srcPort ?? ports[1]);
    const replyDstPort = icmp ? icmpReplyType(p.proto, ports[1]) : (rt?.dstPort ?? ports[0]);
    // copies: the packet may be a decoder's reused one, overwritten by the next frame (shared: a
    // server's connections, and a client's control and data connections, hold one copy)
    const src = addresses.keep(p.src);
    const dst = addresses.keep(p.dst);
    // the entry's numbers start in the scratch row (tcp_new wrote the TCP ones); insert moves them to its own
    rows.startScratchTimer(ctx.nowMs);
    // the REPLY tuple is stored only when a ruleset gave one (NAT); else it is the ORIGINAL swapped
    const reply = rt ? { src: copyIp(rt.src), dst: copyIp(rt.dst), srcPort: replySrcPort, dstPort: replyDstPort } : undefined;
    const translated =
      reply !== undefined &&
      isTranslated({ proto: p.proto, src, dst, srcPort: ports[0], dstPort: ports[1], replySrc: reply.src, replyDst: reply.dst, replySrcPort, replyDstPort }, icmp);
    return new ConnEntry(
      nextConnId++,
      p.proto,
      icmp,
      src,
      dst,
      ports[0],
      ports[1],
      reply,
      session,
      e ? expectationRef(e) : undefined,
      // facts 10.4: no helper on expected connections; a ruleset assigns helpers by its own rules
      e || !session ? undefined : rs ? assigned : scope.attachHelper(p, ctx),
      e ? e.master.mark : 0,
      translated ? createConnNat(nat.alg, rt!.text.join(', ')) : undefined,
    );
  };

  /** The packet leaving a translated connection `c` in direction `dir` (outPacket), with its egress when routing moved it (outEgress). */
  let outPacket: Packet | undefined;
  let outEgress: string | undefined;
  const leave = (p: Packet, c: Conn, dir: 0 | 1, ctx: StepContext, payload: Uint8Array): void => {
    outPacket = leavingPacket(p, c, dir, payload);
    const egress = routed(ctx, outPacket.dst);
    outEgress = egress === ctx.egress ? undefined : egress;
  };

  /** The TCP state's name, for messages; undefined for other protocols. */
  const tcpStateName = (c: Conn): string | undefined => {
    const state = tcpStateOf(rows, c);
    return state >= 0 ? TCP_STATE_NAMES[state] : undefined;
  };

  /** Layer-4 tracking of one packet of `c`; returns TCP_ACCEPT-like codes and fills events. */
  const track = (c: Conn, p: Packet, dir: 0 | 1, ctx: StepContext, events: EventSink): number => {
    if (c.proto === PROTO_TCP) {
      const r = tcpPacket(rows, connRow(c), p, dir, c.seenReply, c.assured, stateMs, limits, tcpOut);
      if (r.code !== TCP_ACCEPT) return r.code;
      if (r.assured) c.assured = true;
      if (r.timeoutMs >= 0) life.setTimer(c, ctx.nowMs, r.timeoutMs);
      if (r.oldState !== r.newState && r.oldState !== 0 && !r.kill)
        if (events.want('conntrack-state')) events.push({ tMs: ctx.nowMs, kind: 'conntrack-state', packet: ctx.n, text: msg.stateText(c, TCP_STATE_NAMES[r.oldState]!, TCP_STATE_NAMES[r.newState]!, rows.timeoutMs[connRow(c)]!) });
      return TCP_ACCEPT;
    }
    let timeoutSec = p.proto === PROTO_UDP ? UDP_TIMEOUT_SEC : p.proto === PROTO_ICMP || p.proto === PROTO_ICMPV6 ? ICMP_TIMEOUT_SEC : GENERIC_TIMEOUT_SEC;
    // nf_conntrack_udp_packet: replied and still active after 2 s → stream timeout, ASSURED
    if (p.proto === PROTO_UDP && c.seenReply && ctx.nowMs > rows.udpStreamMs[connRow(c)]!) {
      timeoutSec = UDP_STREAM_TIMEOUT_SEC;
      c.assured = true;
    }
    life.setTimer(c, ctx.nowMs, timeoutSec * 1000);
    return TCP_ACCEPT;
  };

  const untracked = (p: Packet, ctx: StepContext, events: EventSink, why: string): Verdict => {
    if (events.want('conntrack-state')) events.push({ tMs: ctx.nowMs, kind: 'conntrack-state', packet: ctx.n, text: msg.untrackedText(p, ctx.n, why) });
    return decide(p, ctx, 'invalid', undefined).verdict;
  };

  /** A packet that matches no entry (init_conntrack, then the l4 tracker's new check). */
  const stepNew = (p: Packet, ctx: StepContext, events: EventSink, tmplHelper?: string): Verdict => {
    if (table.size >= table.max && !life.earlyDrop(p, ports, ctx, events)) {
      if (events.want('conntrack-table-full')) events.push({ tMs: ctx.nowMs, kind: 'conntrack-table-full', packet: ctx.n, text: msg.tableFullText(p, ctx.n, table.max) });
      return TABLE_FULL_VERDICT;
    }
    // init_conntrack unlinks a matching expectation before the l4 tracker looks at the packet (facts 10.3)
    let e: Expectation | undefined;
    if (p.proto === PROTO_TCP && expectations.size > 0) {
      e = expectations.find(p.src, p.dst, p.dstPort);
      if (e) expectations.remove(e);
    }
    let invalidWhy: string | undefined;
    // the TCP tracker's first state, computed once: it both validates the packet and starts the entry
    const tcp = p.proto === PROTO_TCP && tcpNew(p, rows);
    if (p.proto === PROTO_TCP) {
      if (!tcpFlagsValid(p.tcpFlags)) invalidWhy = 'has an invalid TCP flag combination (tcp_error)';
      else if (!tcp) {
        const what = describePacket(p).split(' ')[0];
        invalidWhy = `matches no connection and ${what === 'RST' ? 'an' : 'a'} ${what} cannot start one (tcp_new: invalid new)`;
      }
    } else if ((p.proto === PROTO_ICMP || p.proto === PROTO_ICMPV6) && icmpReplyType(p.proto, ports[1]) < 0) {
      invalidWhy = `matches no connection and ICMP type ${ports[1]} is not a query that can start one (errors are RELATED to the connection they quote, which this simulator does not read)`;
    }
    if (invalidWhy !== undefined) {
      if (e && events.want('expectation-consumed')) events.push({ tMs: ctx.nowMs, kind: 'expectation-consumed', packet: ctx.n, text: msg.consumedInvalidText(e, ctx.n) });
      return untracked(p, ctx, events, invalidWhy);
    }
    const state: CtState = e ? 'related' : 'new';
    // NAT: the binding of the connection (nat PREROUTING before the filter, POSTROUTING after it; or its master's)
    const start = nat.any || e?.follow ? nat.start(p, ports[0], ports[1], ctx, e, { state, helper: tmplHelper, mark: e ? e.master.mark : 0 }) : undefined;
    if (start?.kind === 'drop') {
      if (e && events.want('expectation-consumed')) events.push({ tMs: ctx.nowMs, kind: 'expectation-consumed', packet: ctx.n, text: msg.consumedInvalidText(e, ctx.n) });
      return start.verdict; // never confirmed: no entry
    }
    const fp = start ? start.packet : p;
    const fctx = start ? start.ctx : ctx;
    const views: NatViews | undefined = start?.views;
    const rt = start?.reply;
    if (e) {
      const c = newConn(p, ctx, e, undefined, rt);
      // a ruleset decides related packets too; a dropped one is never confirmed, its expectation is gone
      const d = rs ? decide(fp, fctx, 'related', c, undefined, views) : undefined;
      if (d && d.verdict.action === 'deny') {
        if (events.want('expectation-consumed')) events.push({ tMs: ctx.nowMs, kind: 'expectation-consumed', packet: ctx.n, text: msg.consumedText(e, ctx.n, c.id) });
        return d.verdict;
      }
      if (d) c.mark = d.mark;
      track(c, p, DIR_ORIGINAL, ctx, events);
      life.confirm(c);
      if (events.want('expectation-consumed')) events.push({ tMs: ctx.nowMs, kind: 'expectation-consumed', packet: ctx.n, text: msg.consumedText(e, ctx.n, c.id) });
      if (events.want('conntrack-new')) events.push({ tMs: ctx.nowMs, kind: 'conntrack-new', packet: ctx.n, text: msg.relatedConnText(c, e, tcpStateName(c), rows.timeoutMs[connRow(c)]!) + nat.note(c) });
      const verdict: Verdict = d ? d.verdict : relatedVerdict(c, stage.detail);
      if (c.nat) leave(p, c, DIR_ORIGINAL, ctx, p.payload);
      return verdict;
    }
    const d = decide(fp, fctx, 'new', undefined, tmplHelper, views);
    const verdict = d.verdict;
    if (verdict.action === 'deny') return verdict; // never confirmed: no entry
    const c = newConn(p, ctx, undefined, assignedHelper(d.helper ?? tmplHelper, p.proto), rt);
    c.mark = d.mark;
    track(c, p, DIR_ORIGINAL, ctx, events);
    life.confirm(c);
    if (events.want('conntrack-new')) {
      const helperNote = c.helper ? `ftp helper "${c.helper.name}" attached` : c.session ? undefined : msg.NOT_A_SESSION;
      const pickedUp = c.proto === PROTO_TCP && tcpIndex(p.tcpFlags) !== 0;
      events.push({ tMs: ctx.nowMs, kind: 'conntrack-new', packet: ctx.n, text: msg.newConnText(c, tcpStateName(c), rows.timeoutMs[connRow(c)]!, pickedUp, helperNote) + nat.note(c) });
    }
    if (c.nat) leave(p, c, DIR_ORIGINAL, ctx, p.payload);
    return verdict;
  };

  const env: AnnounceEnv = {
    loose: options.loose ?? false,
    natAlg: nat.alg,
    expectationTimeoutMs: expectMs,
    expectations,
    peekId: () => nextExpId,
    schedule(e: Expectation): void {
      nextExpId++;
      life.scheduleExpectation(e);
    },
  };
  const helper = createHelperStage(env);

  /** One packet, events into `events` (the caller copies them out). */
  const stepInner = (p: Packet, ctx: StepContext, events: EventSink): Verdict => {
    life.expireUntil(ctx.nowMs, events);
    if (p.fragment === 'later')
      return untracked(p, ctx, events, 'is a non-first IP fragment (the kernel tracks whole packets after defragmentation, which this simulator does not do)');
    // a ruleset's raw chains run before conntrack: they may assign a helper or untrack the packet
    const pre = stage.beforeConntrack(p, ctx);
    const template = pre?.template;
    if (pre && pre.verdict.action === 'deny') return pre.verdict;
    if (pre && pre.notrack) return decide(p, ctx, 'untracked', undefined).verdict;
    tuplePorts(p, ports);
    const c = table.find(p.proto, p.src, ports[0], p.dst, ports[1]);
    if (!c) return stepNew(p, ctx, events, template);
    if (changeLog !== undefined) changeLog.touch(c);
    const dir = table.lastDir;
    // resolve_normal_ct: REPLY → established; ORIGINAL → established once a reply was seen, else related / new
    const ctinfo: CtState = dir === 1 || c.seenReply ? 'established' : c.related ? 'related' : 'new';
    const code = track(c, c.nat ? trackerView(p, c, dir) : p, dir, ctx, events);
    if (code === TCP_REOPEN) {
      life.destroy(c, events, ctx.nowMs, 'reopened', p, ctx.n);
      return stepNew(p, ctx, events, template);
    }
    if (code === TCP_INVALID) {
      const state = tcpStateName(c)!;
      const why = `is invalid for connection ${c.id} in state ${state} (nf_ct_tcp: packet (index ${tcpIndex(p.tcpFlags)}) in dir ${dir} invalid)`;
      return untracked(p, ctx, events, why);
    }
    // an RST while no reply was seen deletes the entry at once (nf_ct_kill_acct); the packet still passes as tracked
    const kill = c.proto === PROTO_TCP && code === TCP_ACCEPT && tcpOut.kill;
    if (dir === 1) c.seenReply = true; // IPS_SEEN_REPLY is set before the ruleset runs (facts 10.2)
    if (kill) life.destroy(c, events, ctx.nowMs, 'killed', p, ctx.n);
    // a translated connection: the filter sees the destination as DNAT (or un-SNAT) made it at prerouting
    const seen = c.nat ? nat.filterOf(p, c, dir, ctx) : undefined;
    const fp = seen ? seen.packet : p;
    const fctx = seen ? seen.ctx : ctx;
    // a connection that is not a session has state, but its state passes nothing: every packet meets the filters
    const d = decide(fp, fctx, ctinfo, c, undefined, seen?.views);
    if (rs) c.mark = d.mark;
    let verdict = d.verdict;
    // the helper runs at confirm time, on ESTABLISHED traffic the ruleset accepted (facts 6.1, 6.2)
    let payload: Uint8Array | undefined; // undefined: the packet's own
    if (verdict.action === 'permit' && c.helper && ctinfo === 'established' && payloadLength(p) > 0 && c.alive) {
      verdict = helper.help(c, p, dir, ctx, events, verdict);
      payload = helper.rewritten;
    }
    if (c.nat && verdict.action === 'permit') leave(p, c, dir, fctx, payload ?? p.payload);
    return verdict;
  };

  const sink = new EventSink();
  /** the result step() gives back while recording is off: one object, overwritten by the next step */
  const reused: { verdict: Verdict; events: readonly TraceEvent[]; packet?: Packet; egress?: string } = { verdict: TABLE_FULL_VERDICT, events: NO_EVENTS, packet: undefined, egress: undefined };

  return {
    engine: 'stateful',
    addresses,
    step(p: Packet, ctx: StepContext): StepResult {
      outPacket = undefined;
      outEgress = undefined;
      if (sink.list.length !== 0) sink.list.length = 0;
      sink.startStep();
      const verdict = stepInner(p, ctx, sink);
      if (!sink.recording) {
        reused.verdict = verdict;
        reused.packet = outPacket;
        reused.egress = outEgress;
        return reused;
      }
      const events = sink.list.length === 0 ? NO_EVENTS : sink.list.slice();
      if (outPacket === undefined) return { verdict, events };
      return outEgress === undefined ? { verdict, events, packet: outPacket } : { verdict, events, packet: outPacket, egress: outEgress };
    },
    setRecording(on: boolean): void {
      sink.recording = on;
    },
    setVerdictDetail(on: boolean): void {
      stage.detail = on;
    },
    eventCounts(): Readonly<Record<string, number>> {
      return sink.countsByKind();
    },
    eventKindsSeen: () => sink.firstSeen(),
    watchConnections(w: ConnectionWatcher): void {
      outerWatcher = w;
      watchEntries();
    },
    advanceTo(nowMs: number): readonly TraceEvent[] {
      // setting an array's length is a runtime call: a sharded replay moves the clock on every other shard's packet
      if (sink.list.length !== 0) sink.list.length = 0;
      sink.startStep();
      life.expireUntil(nowMs, sink);
      return sink.list.length === 0 ? NO_EVENTS : sink.list.slice();
    },
    connections(): readonly ConnectionView[] {
      return table.list().map((c) => connectionView(c, table.rows));
    },
    expectations(): readonly string[] {
      return expectations.list().map(formatExpectation);
    },
    snapshot(): TablesView {
      // a connection's tuple never changes: format it once (recorders call this after every packet)
      return tablesView(table.list(), table.rows, expectations.list(), tupleOf);
    },
    tableChanges(): TableChanges {
      if (changeLog === undefined) {
        // from now on: everything live is new to the caller
        changeLog = new ChangeLog(table.list());
        watchEntries();
      }
      return changeLog.take(rows, tupleOf, expectationViews(expectations.list()));
    },
    endTableChanges(): void {
      if (changeLog === undefined) return;
      changeLog = undefined;
      watchEntries();
    },
  };
}
