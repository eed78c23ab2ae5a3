/**
 * The stateful engine: Linux connection tracking with the FTP helper (DESIGN: a tracked packet is NEW,
 * ESTABLISHED, RELATED through an expectation, whose pinhole is consumed, or INVALID). What decides a
 * classified packet is the filter stage (filter-stage.ts): the H3C ACLs behind ASPF sessions, or a Linux
 * ruleset's chains in hook order. A permitted first packet creates the entry; the helper runs at confirm.
 * Time comes only from ctx.nowMs and advanceTo().
 */
import { describePacket, packetWith, payloadLength, PROTO_ICMP, PROTO_ICMPV6, PROTO_TCP, PROTO_UDP, type Packet } from '../../net/packet.js';
import type { Inspection, Policy } from '../../policy/model.js';
import { crossesPoint, sessionPoints } from '../../policy/sessions.js';
import type { CtState } from '../../policy/netfilter.js';
import { assignedHelper, createFilterStage } from './filter-stage.js';
import type { ConnectionEnd, ConnectionWatcher, Firewall, StepContext, StepResult, TraceEvent, Verdict } from '../verdict.js';
import {
  createConntrackTable,
  describeConn,
  DIR_ORIGINAL,
  GENERIC_TIMEOUT_SEC,
  ICMP_TIMEOUT_SEC,
  icmpReplyType,
  tupleHash,
  tuplePorts,
  UDP_STREAM_TIMEOUT_SEC,
  UDP_TIMEOUT_SEC,
  type Conn,
} from './conntrack-table.js';
import { announce, type AnnounceEnv } from './announce.js';
import { EventSink } from './event-sink.js';
import { createExpectationTable, expectationKey, expectationRef, formatExpectation, type Expectation } from './expectations.js';
import { createFtpHelperState, ftpHelp, type FtpHelperState } from './helpers/ftp-session.js';
import * as msg from './messages.js';
import { createTimerHeap } from './timer-heap.js';
import { natFtpArgument, spliceArgument } from './helpers/ftp-nat.js';
import {
  compileNat,
  createConnNat,
  filterView,
  findNatRule,
  isTranslated,
  leavingPacket,
  replyFromMaster,
  replyFromRules,
  trackerView,
  type ReplyTuple,
} from './nat.js';
import { seqAdjSet } from './seqadj.js';
import { copyIp, formatIp, ipEquals, type IpAddress } from '../../net/address.js';
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
  type TcpTrack,
} from './tcp-state.js';

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

/** A connection as tests and teaching views see it. */
export interface ConnectionView {
  readonly id: number;
  readonly tuple: string;
  /** TCP state name, or 'UNREPLIED' / 'REPLIED' for other protocols */
  readonly state: string;
  readonly seenReply: boolean;
  readonly assured: boolean;
  readonly expiresMs: number;
  readonly helper: string | undefined;
  readonly related: boolean;
  /** an ASPF session: its state passes (false: every packet meets the packet filters) */
  readonly session: boolean;
}

/** The stateful firewall, with read-only views of its tables. */
export interface StatefulFirewall extends Firewall {
  /** live connections in id order */
  connections(): readonly ConnectionView[];
  /** pending expectations as `10.0.0.2:* → 192.168.10.1:50021` */
  expectations(): readonly string[];
  /** both live tables as plain data, for recorders (the HTML step-through) */
  snapshot(): TablesView;
  /** `watcher` hears of every entry made and removed, with why it went */
  watchConnections(watcher: ConnectionWatcher): void;
}

/** A pending expectation as teaching views see it. */
export interface ExpectationView {
  readonly id: number;
  /** `10.0.0.2:* → 192.168.10.1:50021` */
  readonly tuple: string;
  readonly trigger: string;
  /** 1-based trace number of the packet that opened it */
  readonly openedByPacket: number;
  /** id of the control connection it belongs to */
  readonly master: number;
  readonly expiresMs: number;
}

/** The conntrack and expectation tables at one moment. */
export interface TablesView {
  readonly connections: readonly ConnectionView[];
  readonly expectations: readonly ExpectationView[];
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
  const loose = options.loose ?? false;
  const inspections = [...policy.inspections, ...(options.inspections ?? [])].filter((i) => i.protocol === 'ftp');
  // where a connection becomes a session whose state passes (H3C ASPF), or everywhere (Linux, `--inspect ftp`)
  const points = sessionPoints(policy, options.inspections);
  const maxConns = options.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
  const table = createConntrackTable(maxConns);
  // nf_conntrack_expect_init: hsize = htable_size / 256 (min 1), nf_ct_expect_max = hsize * 4
  const expectations = createExpectationTable(Math.max(1, Math.floor(maxConns / 256)) * 4);
  const timers = createTimerHeap();
  const tcpOut: TcpResult = { code: 0, oldState: 0, newState: 0, timeoutMs: -1, kill: false, assured: false };
  const ports: [number, number] = [0, 0];
  let nextConnId = 1;
  let nextExpId = 1;
  let clockMs = 0;
  const tupleTexts = new WeakMap<Conn, string>();
  const natRules = compileNat(policy.nat ?? []);
  const natAlg = policy.natFtpAlg ?? true;
  const ifaceAddress = (iface: string): IpAddress | undefined => options.interfaceAddresses?.get(iface);

  const setTimer = (c: Conn, nowMs: number, timeoutMs: number): void => {
    c.timeoutMs = timeoutMs;
    c.expiresMs = nowMs + timeoutMs;
    if (c.expiresMs < c.heapAtMs) {
      timers.push(c.expiresMs, c.id);
      c.heapAtMs = c.expiresMs;
      if (timers.size > 2 * (table.size + expectations.size) + 1024) rebuildTimers();
    }
  };

  /**
   * Timers are never removed early: a shortened timeout (ESTABLISHED → TIME_WAIT) or a
   * destroyed entry leaves a stale one behind. When stale ones outnumber live ones, the
   * heap is rebuilt from the live entries, so it stays bounded by the table.
   */
  const rebuildTimers = (): void => {
    timers.clear();
    for (const c of table.list()) {
      timers.push(c.expiresMs, c.id);
      c.heapAtMs = c.expiresMs;
    }
    for (const e of expectations.list()) if (e.alive) timers.push(e.expiresMs, -e.id);
  };

  /**
   * nf_conntrack's early_drop: with the table full, connections that are not ASSURED
   * (no reply yet, or a short exchange) in the new tuple's hash bucket, or in one of the
   * next few, are evicted to make room (NF_CT_EVICTION_RANGE: bounded work, never a
   * scan of the table). False when those buckets hold only assured entries.
   */
  const victims: Conn[] = [];
  const earlyDrop = (p: Packet, ctx: StepContext, events: EventSink): boolean => {
    table.evictionVictims(tupleHash(p.proto, p.src, ports[0], p.dst, ports[1]), victims);
    if (victims.length === 0) return false;
    for (const v of victims) destroy(v, events, ctx.nowMs, 'early-drop', p, ctx.n);
    victims.length = 0;
    return true;
  };

  let watcher: ConnectionWatcher | undefined;

  /** Removes `c`; the event's sentence says why (`p`, `n`: the packet that caused it, for early-drop, reopened, killed). */
  const destroy = (c: Conn, events: EventSink, tMs: number, end: ConnectionEnd, p?: Packet, n = 0): void => {
    table.remove(c);
    if (events.want('conntrack-destroy')) events.push({ tMs, kind: 'conntrack-destroy', text: destroyText(c, end, p, n) });
    const e = c.pending;
    if (e) {
      expectations.remove(e);
      if (events.want('expectation-expired')) events.push({ tMs, kind: 'expectation-expired', text: msg.orphanedText(e, c.id) });
    }
    if (watcher) watcher(c.id, end);
  };

  /** The sentence of a connection's removal, built only while recording. */
  const destroyText = (c: Conn, end: ConnectionEnd, p: Packet | undefined, n: number): string => {
    const state = c.tcp ? TCP_STATE_NAMES[c.tcp.state] : undefined;
    switch (end) {
      case 'early-drop':
        return msg.earlyDropText(c, p!, n);
      case 'reopened':
        return msg.reopenedText(c, n, state!);
      case 'killed':
        return msg.killedText(c, n);
      default:
        return msg.timedOutText(c, state);
    }
  };

  const confirm = (c: Conn): void => {
    table.insert(c);
    if (watcher) watcher(c.id, undefined);
  };

  const expireUntil = (nowMs: number, events: EventSink): void => {
    if (nowMs > clockMs) clockMs = nowMs;
    while (timers.peekMs() <= nowMs) {
      const atMs = timers.peekMs();
      const id = timers.pop();
      if (id > 0) {
        const c = table.byId(id);
        if (!c || c.heapAtMs !== atMs) continue;
        if (c.expiresMs > atMs) {
          timers.push(c.expiresMs, c.id); // refreshed since: wait again
          c.heapAtMs = c.expiresMs;
          continue;
        }
        c.heapAtMs = Infinity;
        destroy(c, events, c.expiresMs, 'timeout');
      } else {
        const e = expectations.byId(-id);
        if (!e || !e.alive) continue;
        expectations.remove(e);
        if (events.want('expectation-expired')) events.push({ tMs: e.expiresMs, kind: 'expectation-expired', text: msg.expiredText(e) });
      }
    }
  };

  const attachHelper = (p: Packet, ctx: StepContext): ReturnType<typeof createFtpHelperState> | undefined => {
    if (p.proto !== PROTO_TCP) return undefined;
    for (const i of inspections) {
      const portsOk = i.ports.length === 0 ? p.dstPort === 21 : i.ports.includes(p.dstPort);
      if (!portsOk) continue;
      const inbound = (i.direction === 'inbound' || i.direction === 'both') && ctx.ingress === i.interface;
      const outbound = (i.direction === 'outbound' || i.direction === 'both') && ctx.egress === i.interface;
      if (i.interface === '*' || inbound || outbound) return createFtpHelperState(p.dstPort);
    }
    return undefined;
  };

  /** Does this first packet make its connection a session (it crosses a session point)? */
  const startsSession = (p: Packet, ctx: StepContext): boolean => {
    if (points === 'everywhere') return true;
    for (const point of points) if (crossesPoint(point, p.proto, ports[1], ctx.ingress, ctx.egress)) return true;
    return false;
  };

  const newConn = (p: Packet, ctx: StepContext, e: Expectation | undefined, tcp: TcpTrack | undefined, assigned?: FtpHelperState, rt?: ReplyTuple): Conn => {
    // the REPLY tuple: ports swapped; ICMP queries answer with their reply type
    const icmp = p.proto === PROTO_ICMP || p.proto === PROTO_ICMPV6;
    // an expected connection is a session when its master is (ASPF associated entries; the kernel copies the master's mark)
    const session = rs ? true : e ? e.master.session : startsSession(p, ctx);
    const replySrcPort = icmp ? 0 : (rt?.srcPort ?? ports[1]);
    const replyDstPort = icmp ? icmpReplyType(p.proto, ports[1]) : (rt?.dstPort ?? ports[0]);
    // copies: the packet may be a decoder's reused one, overwritten by the next frame
    const src = copyIp(p.src);
    const dst = copyIp(p.dst);
    const replySrc = rt ? copyIp(rt.src) : dst;
    const replyDst = rt ? copyIp(rt.dst) : src;
    const translated =
      rt !== undefined && isTranslated({ proto: p.proto, src, dst, srcPort: ports[0], dstPort: ports[1], replySrc, replyDst, replySrcPort, replyDstPort }, icmp);
    return {
      id: nextConnId++,
      proto: p.proto,
      src,
      dst,
      srcPort: ports[0],
      dstPort: ports[1],
      replySrc,
      replyDst,
      replySrcPort,
      replyDstPort,
      origHash: tupleHash(p.proto, src, ports[0], dst, ports[1]),
      replyHash: tupleHash(p.proto, replySrc, replySrcPort, replyDst, replyDstPort),
      createdMs: ctx.nowMs,
      firstPacket: ctx.n,
      tcp,
      seenReply: false,
      assured: false,
      expiresMs: Infinity,
      timeoutMs: 0,
      heapAtMs: Infinity,
      udpStreamMs: ctx.nowMs + 2000,
      related: e ? expectationRef(e) : undefined,
      masterId: e ? e.master.id : undefined,
      session,
      // facts 10.4: no helper on expected connections; a ruleset assigns helpers by its own rules
      helper: e || !session ? undefined : rs ? assigned : attachHelper(p, ctx),
      pending: undefined,
      mark: e ? e.master.mark : 0,
      established: undefined,
      alive: true,
      nat: translated ? createConnNat(natAlg, rt!.text.join(', ')) : undefined,
    };
  };

  /** The REPLY tuple NAT gives a new connection: its master's (expected), or the nat rules' (prerouting, then postrouting after the filter). */
  const natDecision = (p: Packet, ctx: StepContext, e: Expectation | undefined, post: boolean): ReplyTuple | undefined => {
    if (e?.follow) return replyFromMaster(e.master, e.follow, p, ports[0]);
    if (natRules.length === 0) return undefined;
    const pre = findNatRule(natRules, 'prerouting', p, ctx.ingress, ctx.egress);
    const first = replyFromRules(p, ports[0], ports[1], pre, undefined, ctx, ifaceAddress);
    if (!post) return first;
    const dnatted = packetWith(p, { dst: first.src, dstPort: first.srcPort });
    const postRule = findNatRule(natRules, 'postrouting', dnatted, ctx.ingress, routed(ctx, first.src));
    return replyFromRules(p, ports[0], ports[1], pre, postRule, { ingress: ctx.ingress, egress: routed(ctx, first.src) }, ifaceAddress);
  };

  /** The interface `dst` is routed to (the caller's routing), or ctx.egress. */
  const routed = (ctx: StepContext, dst: IpAddress): string => ctx.route?.(dst) ?? ctx.egress;

  /** The packet leaving a translated connection `c` in direction `dir` (outPacket), with its egress when routing moved it (outEgress). */
  let outPacket: Packet | undefined;
  let outEgress: string | undefined;
  const leave = (p: Packet, c: Conn, dir: 0 | 1, ctx: StepContext, payload: Uint8Array): void => {
    outPacket = leavingPacket(p, c, dir, payload);
    const egress = routed(ctx, outPacket.dst);
    outEgress = egress === ctx.egress ? undefined : egress;
  };

  /** Layer-4 tracking of one packet of `c`; returns TCP_ACCEPT-like codes and fills events. */
  const track = (c: Conn, p: Packet, dir: 0 | 1, ctx: StepContext, events: EventSink): number => {
    if (c.tcp) {
      const r = tcpPacket(c.tcp, p, dir, c.seenReply, c.assured, stateMs, limits, tcpOut);
      if (r.code !== TCP_ACCEPT) return r.code;
      if (r.assured) c.assured = true;
      if (r.timeoutMs >= 0) setTimer(c, ctx.nowMs, r.timeoutMs);
      if (r.oldState !== r.newState && r.oldState !== 0 && !r.kill)
        if (events.want('conntrack-state')) events.push({ tMs: ctx.nowMs, kind: 'conntrack-state', packet: ctx.n, text: msg.stateText(c, TCP_STATE_NAMES[r.oldState]!, TCP_STATE_NAMES[r.newState]!) });
      return TCP_ACCEPT;
    }
    let timeoutSec = p.proto === PROTO_UDP ? UDP_TIMEOUT_SEC : p.proto === PROTO_ICMP || p.proto === PROTO_ICMPV6 ? ICMP_TIMEOUT_SEC : GENERIC_TIMEOUT_SEC;
    // nf_conntrack_udp_packet: replied and still active after 2 s → stream timeout, ASSURED
    if (p.proto === PROTO_UDP && c.seenReply && ctx.nowMs > c.udpStreamMs) {
      timeoutSec = UDP_STREAM_TIMEOUT_SEC;
      c.assured = true;
    }
    setTimer(c, ctx.nowMs, timeoutSec * 1000);
    return TCP_ACCEPT;
  };

  const untracked = (p: Packet, ctx: StepContext, events: EventSink, why: string): Verdict => {
    if (events.want('conntrack-state')) events.push({ tMs: ctx.nowMs, kind: 'conntrack-state', packet: ctx.n, text: msg.untrackedText(p, ctx.n, why) });
    return decide(p, ctx, 'invalid', undefined).verdict;
  };

  /** A packet that matches no entry (init_conntrack, then the l4 tracker's new check). */
  const stepNew = (p: Packet, ctx: StepContext, events: EventSink, tmplHelper?: string): Verdict => {
    if (table.size >= table.max && !earlyDrop(p, ctx, events)) {
      if (events.want('conntrack-table-full')) events.push({ tMs: ctx.nowMs, kind: 'conntrack-table-full', packet: ctx.n, text: msg.tableFullText(p, ctx.n, table.max) });
      return TABLE_FULL_VERDICT;
    }
    // init_conntrack unlinks a matching expectation before the l4 tracker looks at the packet (facts 10.3)
    let e: Expectation | undefined;
    if (p.proto === PROTO_TCP && expectations.size > 0) {
      e = expectations.find(expectationKey(p.src, p.dst, p.dstPort));
      if (e) expectations.remove(e);
    }
    let invalidWhy: string | undefined;
    // the TCP tracker's first state, computed once: it both validates the packet and starts the entry
    const tcp = p.proto === PROTO_TCP ? tcpNew(p) : undefined;
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
    if (e) {
      const rt = natDecision(p, ctx, e, true);
      const c = newConn(p, ctx, e, tcp, undefined, rt);
      // a ruleset decides related packets too; a dropped one is never confirmed, its expectation is gone
      const d = rs ? decide(p, ctx, 'related', c) : undefined;
      if (d && d.verdict.action === 'deny') {
        if (events.want('expectation-consumed')) events.push({ tMs: ctx.nowMs, kind: 'expectation-consumed', packet: ctx.n, text: msg.consumedText(e, ctx.n, c.id) });
        return d.verdict;
      }
      if (d) c.mark = d.mark;
      track(c, p, DIR_ORIGINAL, ctx, events);
      confirm(c);
      if (events.want('expectation-consumed')) events.push({ tMs: ctx.nowMs, kind: 'expectation-consumed', packet: ctx.n, text: msg.consumedText(e, ctx.n, c.id) });
      if (events.want('conntrack-new')) events.push({ tMs: ctx.nowMs, kind: 'conntrack-new', packet: ctx.n, text: msg.relatedConnText(c, e, c.tcp ? TCP_STATE_NAMES[c.tcp.state] : undefined) + natNote(c) });
      const verdict: Verdict = d ? d.verdict : { action: 'permit', by: { kind: 'conntrack', state: 'related', connection: c.id, expectation: c.related! } };
      if (c.nat) leave(p, c, DIR_ORIGINAL, ctx, p.payload);
      return verdict;
    }
    // nat PREROUTING (DNAT) runs before the filter, which sees the translated destination
    const pre = natRules.length > 0 ? natDecision(p, ctx, undefined, false) : undefined;
    const fctx = pre && !ipEquals(pre.src, p.dst) ? { ...ctx, egress: routed(ctx, pre.src) } : ctx;
    const fp = pre && pre.text.length > 0 ? packetWith(p, { dst: pre.src, dstPort: pre.srcPort }) : p;
    const d = decide(fp, fctx, 'new', undefined, tmplHelper);
    const verdict = d.verdict;
    if (verdict.action === 'deny') return verdict; // never confirmed: no entry
    const rt = pre ? natDecision(p, ctx, undefined, true) : undefined;
    const c = newConn(p, ctx, undefined, tcp, assignedHelper(d.helper ?? tmplHelper, p.proto), rt);
    c.mark = d.mark;
    track(c, p, DIR_ORIGINAL, ctx, events);
    confirm(c);
    if (events.want('conntrack-new')) {
      const helperNote = c.helper ? `ftp helper "${c.helper.name}" attached` : c.session ? undefined : msg.NOT_A_SESSION;
      const pickedUp = c.tcp !== undefined && tcpIndex(p.tcpFlags) !== 0;
      events.push({ tMs: ctx.nowMs, kind: 'conntrack-new', packet: ctx.n, text: msg.newConnText(c, c.tcp ? TCP_STATE_NAMES[c.tcp.state] : undefined, pickedUp, helperNote) + natNote(c) });
    }
    if (c.nat) leave(p, c, DIR_ORIGINAL, ctx, p.payload);
    return verdict;
  };

  const natNote = (c: Conn): string => (c.nat ? `; NAT: ${c.nat.text}, reply ${describeConn({ proto: c.proto, src: c.replySrc, dst: c.replyDst, srcPort: c.replySrcPort, dstPort: c.replyDstPort })}` : '');

  /** The payload nf_nat_ftp rewrote on the segment help() last read; undefined: unchanged. */
  let rewritten: Uint8Array | undefined;
  /** The helper on one segment; sets `rewritten` when nf_nat_ftp rewrote it. */
  const help = (c: Conn, p: Packet, dir: 0 | 1, ctx: StepContext, events: EventSink, verdict: Verdict): Verdict => {
    const out = ftpHelp(c.helper!, p.payload, p.seq, dir, dir === 0 ? c.src : c.replySrc);
    switch (out.kind) {
      case 'drop':
        if (events.want('helper-drop')) events.push({ tMs: ctx.nowMs, kind: 'helper-drop', packet: ctx.n, text: msg.partialText(ctx.n, c.id, out.pattern, out.why) });
        return { action: 'deny', by: { kind: 'helper', reason: `partial match of \`${out.pattern}'`, connection: c.id } };
      case 'opaque':
        if (events.want('helper-opaque')) events.push({ tMs: ctx.nowMs, kind: 'helper-opaque', packet: ctx.n, text: msg.opaqueText(c.id, out.auth, ctx.n) });
        return verdict;
      case 'match': {
        const r = announce(c, dir, out.entry, out.parse, ctx, env, events);
        if (r && 'drop' in r) return { action: 'deny', by: { kind: 'helper', reason: r.drop, connection: c.id } };
        if (r && r.follow) {
          // nf_nat_ftp: the address the peer sees (tuplehash[!dir].dst) and the expectation's port, in the argument span only
          const addr = dir === 0 ? c.replyDst : c.dst;
          const text = natFtpArgument(out.entry.trigger, addr, r.dstPort);
          if (text === undefined) {
            env.expectations.remove(r);
            return { action: 'deny', by: { kind: 'helper', reason: 'nf_nat_ftp cannot write an IPv6 address into PORT/227', connection: c.id } };
          }
          const before = p.payload.subarray(out.parse.matchOff, out.parse.matchOff + out.parse.matchLen);
          rewritten = spliceArgument(p.payload, out.parse.matchOff, out.parse.matchLen, text);
          const delta = text.length - out.parse.matchLen;
          seqAdjSet(c.nat!.seqadj[dir], p.seq, delta);
          if (events.want('helper-nat')) events.push({ tMs: ctx.nowMs, kind: 'helper-nat', packet: ctx.n, text: msg.natRewriteText(ctx.n, c.id, out.entry.trigger, before, text, formatIp(addr), delta) });
        }
        return verdict;
      }
      default:
        return verdict;
    }
  };

  const env: AnnounceEnv = {
    loose,
    natAlg,
    expectationTimeoutMs: expectMs,
    expectations,
    peekId: () => nextExpId,
    schedule(e: Expectation): void {
      nextExpId++;
      timers.push(e.expiresMs, -e.id);
    },
  };

  /** One packet, events into `events` (the caller copies them out). */
  const stepInner = (p: Packet, ctx: StepContext, events: EventSink): Verdict => {
    expireUntil(ctx.nowMs, events);
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
    const dir = table.lastDir;
    // resolve_normal_ct: REPLY → established; ORIGINAL → established once a reply was seen, else related / new
    const ctinfo: CtState = dir === 1 || c.seenReply ? 'established' : c.related ? 'related' : 'new';
    const code = track(c, c.nat ? trackerView(p, c, dir) : p, dir, ctx, events);
    if (code === TCP_REOPEN) {
      destroy(c, events, ctx.nowMs, 'reopened', p, ctx.n);
      return stepNew(p, ctx, events, template);
    }
    if (code === TCP_INVALID) {
      const state = TCP_STATE_NAMES[c.tcp!.state]!;
      const why = `is invalid for connection ${c.id} in state ${state} (nf_ct_tcp: packet (index ${tcpIndex(p.tcpFlags)}) in dir ${dir} invalid)`;
      return untracked(p, ctx, events, why);
    }
    // an RST while no reply was seen deletes the entry at once (nf_ct_kill_acct); the packet still passes as tracked
    const kill = c.tcp !== undefined && code === TCP_ACCEPT && tcpOut.kill;
    if (dir === 1) c.seenReply = true; // IPS_SEEN_REPLY is set before the ruleset runs (facts 10.2)
    if (kill) destroy(c, events, ctx.nowMs, 'killed', p, ctx.n);
    // a translated connection: the filter sees the destination as DNAT (or un-SNAT) made it at prerouting
    const fp = c.nat ? filterView(p, c, dir) : p;
    const fctx = fp !== p && !ipEquals(fp.dst, p.dst) ? { ...ctx, egress: routed(ctx, fp.dst) } : ctx;
    // a connection that is not a session has state, but its state passes nothing: every packet meets the filters
    const d = decide(fp, fctx, ctinfo, c);
    if (rs) c.mark = d.mark;
    let verdict = d.verdict;
    // the helper runs at confirm time, on ESTABLISHED traffic the ruleset accepted (facts 6.1, 6.2)
    let payload: Uint8Array | undefined; // undefined: the packet's own
    if (verdict.action === 'permit' && c.helper && ctinfo === 'established' && payloadLength(p) > 0 && c.alive) {
      rewritten = undefined;
      verdict = help(c, p, dir, ctx, events, verdict);
      payload = rewritten;
    }
    if (c.nat && verdict.action === 'permit') leave(p, c, dir, fctx, payload ?? p.payload);
    return verdict;
  };

  const sink = new EventSink();
  /** the result step() gives back while recording is off: one object, overwritten by the next step */
  const reused: { verdict: Verdict; events: readonly TraceEvent[]; packet?: Packet; egress?: string } = { verdict: TABLE_FULL_VERDICT, events: NO_EVENTS, packet: undefined, egress: undefined };

  return {
    engine: 'stateful',
    step(p: Packet, ctx: StepContext): StepResult {
      outPacket = undefined;
      outEgress = undefined;
      if (sink.list.length !== 0) sink.list.length = 0;
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
    eventCounts(): Readonly<Record<string, number>> {
      return sink.countsByKind();
    },
    watchConnections(w: ConnectionWatcher): void {
      watcher = w;
    },
    advanceTo(nowMs: number): readonly TraceEvent[] {
      sink.list.length = 0;
      expireUntil(nowMs, sink);
      return sink.list.length === 0 ? NO_EVENTS : sink.list.slice();
    },
    connections(): readonly ConnectionView[] {
      return table.list().map((c) => ({
        id: c.id,
        tuple: describeConn(c),
        state: c.tcp ? TCP_STATE_NAMES[c.tcp.state]! : c.seenReply ? 'REPLIED' : 'UNREPLIED',
        seenReply: c.seenReply,
        assured: c.assured,
        expiresMs: c.expiresMs,
        helper: c.helper?.name,
        related: c.related !== undefined,
        session: c.session,
      }));
    },
    expectations(): readonly string[] {
      return expectations.list().map(formatExpectation);
    },
    snapshot(): TablesView {
      const pending = expectations.list().filter((e) => e.alive);
      const views: ConnectionView[] = [];
      for (const c of table.list()) {
        // a connection's tuple never changes: format it once (recorders call this after every packet)
        let tuple = tupleTexts.get(c);
        if (tuple === undefined) tupleTexts.set(c, (tuple = describeConn(c)));
        const state = c.tcp ? TCP_STATE_NAMES[c.tcp.state]! : c.seenReply ? 'REPLIED' : 'UNREPLIED';
        views.push({ id: c.id, tuple, state, seenReply: c.seenReply, assured: c.assured, expiresMs: c.expiresMs, helper: c.helper?.name, related: c.related !== undefined, session: c.session });
      }
      return {
        connections: views,
        expectations: pending.map((e) => ({ id: e.id, tuple: formatExpectation(e), trigger: e.trigger, openedByPacket: e.openedByPacket, master: e.master.id, expiresMs: e.expiresMs })),
      };
    },
  };
}
