/**
 * Capture replay: every recorded IP packet that crosses the firewall gets a
 * verdict from the engine, in capture order, on the capture's own clock. The
 * recording does not react (a denied SYN is still followed by what really
 * happened), so flows report what could not have happened instead.
 *
 * Streaming: memory is bounded by live flows, not by the file. Per-packet rows
 * and events are kept only on request.
 */
import type { Diagnostic } from '../diag/diagnostic.js';
import type { StepContext, TraceEvent } from '../engine/verdict.js';
import { blockedPacket, packetRow } from '../model/index.js';
import { payloadLength, PROTO_TCP, PROTO_UDP, TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN, type Packet } from '../net/packet.js';
import { DECODE_ERROR, DECODE_OK, DECODE_SKIP, FrameDecoder, type CaptureReader } from '../wire/index.js';
import { AnnouncementTable, awaitReply } from './announcements.js';
import { ControlLineReader } from './control-lines.js';
import { ControlStream } from './control-stream.js';
import { AddressCache } from '../net/address-cache.js';
import { FlowTable, LiveFlow, pairHash, sameAddr } from './flow-table.js';
import type { CaptureFlow, CaptureFlowRole, CapturePacketRow, CaptureReplay, ControlLine, ReplayStats } from './flow-types.js';
import { IntMap } from '../collections/hash-index.js';
import { finishReplay, toFlow } from './report.js';
import { locate } from './topology.js';
import type { ReplayCaptureOptions, ReplayOutcome } from './replay-options.js';

export type { ListedFlows, PacketTap, PacketRowSink, PacketWindow, ReplayCaptureOptions, ReplayOutcome, ReplayShard } from './replay-options.js';

const EMPTY_PAYLOAD = new Uint8Array(0);

/** Records between progress calls. */
export const PROGRESS_EVERY = 1 << 14;

/*
 * A flow the engine tracks leaves when its conntrack entry goes. The others (static
 * engine, denied, not crossing) leave after conntrack's timeout for the state they
 * reached (nf_conntrack_proto_tcp.c tcp_timeouts[]), counted from their last packet.
 */
/** RST seen: CLOSE, 10 s. */
const RESET_IDLE_MS = 10_000;
/** FIN seen: FIN_WAIT / TIME_WAIT, 120 s. */
const CLOSED_IDLE_MS = 120_000;
/** A TCP flow that never had a reply: SYN_SENT, 120 s. */
const UNREPLIED_IDLE_MS = 120_000;
/** An open flow leaves after this much silence (conntrack's generic timeout). */
const OPEN_IDLE_MS = 600_000;
/**
 * An established control connection leaves after conntrack's ESTABLISHED timeout (5 days,
 * nf_conntrack_proto_tcp.c tcp_timeouts[]): it sits idle through any long transfer, and
 * its 226 must still find it and its data flows.
 */
const CONTROL_IDLE_MS = 432_000_000;
/** Packets between sweeps of the live table. */
const SWEEP_EVERY = 1 << 16;

/** Replays an open capture; reads it to the end. */
export function replayCapture(reader: CaptureReader, o: ReplayCaptureOptions): ReplayOutcome {
  const controlPorts = o.controlPorts ?? [21];
  const keepAny = o.keepPackets ?? false;
  // the packets whose rows are kept: all, a window, or none
  const keepFirst = keepAny ? (o.packetWindow?.first ?? 1) : Number.POSITIVE_INFINITY;
  const keepLast = keepAny ? (o.packetWindow?.last ?? Number.POSITIVE_INFINITY) : -1;
  /** rows kept for the packet being read (and the engine recording) */
  let keep = false;
  const maxRows = o.maxFlowRows ?? Number.POSITIVE_INFINITY;
  // flows without a kept packet listed so far, blocked and passed (listFlows bounds them)
  const listBlocked = o.listFlows?.blocked ?? Number.POSITIVE_INFINITY;
  const listPassed = o.listFlows?.passed ?? Number.POSITIVE_INFINITY;
  let blockedListed = 0;
  let passedListed = 0;
  const maxDiagnostics = o.maxDiagnostics ?? 200;
  const firewall = o.firewall;
  const tap = o.tap;
  const diagnostics: Diagnostic[] = [];
  let suppressed = 0;
  const stats: ReplayStats = {
    records: 0,
    packets: 0,
    crossing: 0,
    notCrossing: 0,
    permitted: 0,
    denied: 0,
    skipped: {},
    malformed: 0,
    flows: { control: 0, data: 0, other: 0 },
    blockedFlows: { control: 0, data: 0, other: 0 },
    linkedDataFlows: 0,
    announcements: 0,
    events: {},
    peakLiveFlows: 0,
    earlyDrops: 0,
  };
  const table = new FlowTable();
  // the engine's copies when it keeps some: a flow and its connection share one copy of each address
  const addresses = firewall.addresses ?? new AddressCache();
  const announced = new AnnouncementTable();
  const rows: CaptureFlow[] = [];
  const packets: CapturePacketRow[] = [];
  const events: TraceEvent[] = [];
  const lines: ControlLine[] = [];
  const rowSink = o.packetSink;
  // the fast path: one reused packet view, and the engine builds event text only when rows are kept
  const decoder = new FrameDecoder(true);
  // only packet rows and a tap read more of a permitted packet's verdict than its action
  const keepRows = (on: boolean): void => {
    keep = on;
    firewall.setRecording?.(on);
    firewall.setVerdictDetail?.(on || tap !== undefined);
  };
  keepRows(keepFirst <= 1 && keepLast >= 1);
  const countedByEngine = firewall.eventCounts !== undefined;
  const dir = { value: 0 };
  const ctx = { n: 0, nowMs: 0, ingress: '', egress: '' };
  const stepCtx: StepContext = ctx;
  let nextId = 1;
  let flowCount = 0;
  let notCrossing = 0;
  /** the flow of the first denied packet: the summary names it */
  let firstBlock: Pick<CaptureFlow, 'role' | 'firstBlocked'> | undefined;
  // conntrack entries → the flows they track; entries made and gone during the packet being stepped
  const ctFlows = new IntMap<LiveFlow>();
  // filled from the front and never shortened (a length set to 0 lets the backing store go, and the next push makes one)
  const madeIds: number[] = [];
  const goneIds: number[] = [];
  let made = 0;
  let gone = 0;
  if (firewall.watchConnections) {
    firewall.watchConnections((id, end) => {
      if (end === undefined) madeIds[made++] = id;
      else {
        goneIds[gone++] = id;
        if (end === 'early-drop') stats.earlyDrops++;
      }
    });
  }
  /** control flows whose ends sit on different interfaces: without one, the capture says nothing about FTP */
  let crossingControl = 0;

  const retire = (f: LiveFlow): void => {
    if (f.control) announced.forget(f);
    f.control = undefined; // reassembly buffers go; the aggregate stays
  };

  /**
   * True when the run keeps finished flow `f` (listFlows): it had a packet in the window, or announced a data flow
   * that had one, or its kind's bound is not reached.
   */
  const listed = (f: LiveFlow): boolean => {
    if (f.numbers !== undefined || f.drawnData) return true;
    if (f.firstBlocked !== null) return blockedListed++ < listBlocked;
    return passedListed++ < listPassed;
  };

  /** The flow is done: out of the tables, reported. */
  const finish = (f: LiveFlow): void => {
    table.remove(f);
    if (f.ctId !== 0) {
      ctFlows.delete(f.ctId);
      f.ctId = 0;
    }
    // reported before its control state goes: a control flow's count of data flows is there
    if (o.onFlow) o.onFlow(toFlow(f));
    else if (rows.length < maxRows && listed(f)) rows.push(toFlow(f));
    retire(f);
  };

  /** Ties the entries the last step made to `f`; finishes the flows whose entries went. */
  const settleConntrack = (f: LiveFlow | undefined): void => {
    // indexed loops: an array iterator is an object wherever V8 does not optimize it away
    if (f) {
      for (let i = 0; i < made; i++) {
        const id = madeIds[i]!;
        f.ctId = id;
        ctFlows.set(id, f);
      }
    }
    made = 0;
    // `gone` is read afresh each time round, as an iterator over the array would
    for (let i = 0; i < gone; i++) {
      const id = goneIds[i]!;
      const g = ctFlows.get(id);
      if (g === undefined) continue;
      ctFlows.delete(id);
      if (g.ctId !== id) continue;
      g.ctId = 0;
      if (g.live) finish(g);
    }
    gone = 0;
  };

  // one reader for the lines of every control flow
  const lineReader = new ControlLineReader(announced, ctx, o.keepControlLines ? lines : undefined, o.shard ? (c, s, a) => o.shard!.onAnnouncement(c, s, a) : undefined, addresses);

  const newFlow = (p: Packet, sp: number, dp: number, hash: number, nowMs: number): LiveFlow => {
    // A capture may start mid-connection: a SYN-ACK's destination, or a control port's peer, is the initiator.
    const f0 = p.tcpFlags & (TCP_SYN | TCP_ACK);
    const reversed = p.proto === PROTO_TCP && (f0 === (TCP_SYN | TCP_ACK) || (f0 !== TCP_SYN && controlPorts.includes(sp) && !controlPorts.includes(dp)));
    // copies: the decoder reuses its packet and addresses for the next frame
    const cAddr = addresses.keep(reversed ? p.dst : p.src);
    const sAddr = addresses.keep(reversed ? p.src : p.dst);
    const cPort = reversed ? dp : sp;
    const sPort = reversed ? sp : dp;
    const cIface = locate(o.topology, cAddr) ?? '?';
    const sIface = locate(o.topology, sAddr) ?? '?';
    let role: CaptureFlowRole = 'other';
    const hasPorts = p.fragment !== 'later' && (p.proto === PROTO_TCP || p.proto === PROTO_UDP);
    const f = new LiveFlow(nextId++, p.proto, hasPorts, cAddr, cPort, sAddr, sPort, cIface, sIface, nowMs);
    if (p.proto === PROTO_TCP && f.hasPorts) {
      const a = announced.take(sAddr, sPort, nowMs);
      if (a) {
        role = 'data';
        f.announcedBy = a;
        const cs = a.control.control;
        if (cs !== undefined) {
          cs.dataFlows++;
          awaitReply(cs, a);
        }
        stats.linkedDataFlows++;
      } else if (controlPorts.includes(sPort)) {
        role = 'control';
        // one shared line reader told the flow and direction: no closure per control flow
        const toServer = new ControlStream(lineReader, f, 0);
        const toClient = new ControlStream(lineReader, f, 1);
        f.control = { toServer, toClient, pendingData: undefined, announced: undefined, established: false, dataFlows: 0 };
      }
    }
    f.role = role;
    if (o.shard) o.shard.onNewFlow(f.id);
    stats.flows[role]++;
    if (role === 'control' && f.crosses) crossingControl++;
    flowCount++;
    if (!f.crosses) notCrossing++;
    table.insert(f, hash);
    return f;
  };

  const idleLimitMs = (f: LiveFlow): number => {
    if (f.ctId !== 0) return Number.POSITIVE_INFINITY; // conntrack decides
    if (f.reset) return RESET_IDLE_MS;
    if (f.closed) return CLOSED_IDLE_MS;
    if (f.proto === PROTO_TCP && !f.replied) return UNREPLIED_IDLE_MS;
    return f.control?.established ? CONTROL_IDLE_MS : OPEN_IDLE_MS;
  };

  const sweep = (nowMs: number): void => {
    const gone = table.sweep((f) => nowMs - f.lastMs > idleLimitMs(f));
    for (let i = 0; i < gone.length; i++) finish(gone[i]!);
    announced.expire(nowMs);
  };

  const shard = o.shard;
  /** another shard's packet: the clock moves as stepping it would have moved it */
  const foreignPacket = (p: Packet, nowMs: number): void => {
    if (locate(o.topology, p.src) !== locate(o.topology, p.dst)) {
      for (const e of firewall.advanceTo(nowMs)) stats.events[e.kind] = (stats.events[e.kind] ?? 0) + 1;
      if (gone > 0) settleConntrack(undefined);
    }
    if (--untilSweep === 0) {
      untilSweep = SWEEP_EVERY;
      sweep(nowMs);
    }
  };

  const c = reader.cursor;
  let untilSweep = SWEEP_EVERY;
  let untilProgress = PROGRESS_EVERY;
  while (c.advance()) {
    stats.records++;
    if (o.progress && --untilProgress === 0) {
      untilProgress = PROGRESS_EVERY;
      o.progress(stats.records, flowCount, c.dataOffset);
    }
    const status = decoder.decode(c.linkType, c.buffer, c.dataStart, c.dataStart + c.capturedLength);
    if (shard && (status === DECODE_OK ? !shard.owns(decoder.packet) : !shard.ownsUndecoded)) {
      stats.records--;
      if (status === DECODE_OK) foreignPacket(decoder.packet, c.tMs);
      continue;
    }
    if (status !== DECODE_OK) {
      if (status === DECODE_SKIP) stats.skipped[decoder.reason] = (stats.skipped[decoder.reason] ?? 0) + 1;
      else if (status === DECODE_ERROR) {
        stats.malformed++;
        if (diagnostics.length < maxDiagnostics) {
          diagnostics.push({
            severity: 'warning',
            message: `${decoder.reason}: packet skipped`,
            bytes: { file: reader.file, byteOffset: c.dataOffset + decoder.errorOffset, packet: c.n },
          });
        } else suppressed++;
      }
      continue;
    }
    const p = decoder.packet;
    const n = c.n;
    const nowMs = c.tMs;
    stats.packets++;
    // the window's edges: one test per packet when rows are kept of all packets or of none
    if (keep ? n > keepLast : n >= keepFirst && n <= keepLast) keepRows(!keep);
    const ports = p.fragment !== 'later' && (p.proto === PROTO_TCP || p.proto === PROTO_UDP);
    const sp = ports ? p.srcPort : 0;
    const dp = ports ? p.dstPort : 0;
    const hash = pairHash(p.proto, p.src, sp, p.dst, dp);
    let f = table.find(p, sp, dp, hash, dir);
    const flags = p.tcpFlags;
    if (f !== undefined && f.closed && p.proto === PROTO_TCP && (flags & (TCP_SYN | TCP_ACK)) === TCP_SYN) {
      // a fresh SYN on a finished pair is a new connection (port reuse)
      finish(f);
      f = undefined;
    }
    if (f === undefined) {
      f = newFlow(p, sp, dp, hash, nowMs);
      dir.value = sameAddrPort(f, p) ? 0 : 1;
    }
    const d = dir.value;
    if (d === 1) f.replied = true;
    f.packets++;
    f.lastMs = nowMs;
    if (keep) {
      (f.numbers ??= []).push(n);
      // the control connection that announced a drawn data flow is listed with it (listFlows)
      const a = f.announcedBy;
      if (a !== undefined) a.control.drawnData = true;
    }
    if (f.firstBlocked) f.laterPackets++;
    if (!f.crosses) {
      stats.notCrossing++;
      if (tap) tap(p, nowMs, n, undefined, f.cIface);
    } else {
      stats.crossing++;
      ctx.n = n;
      ctx.nowMs = nowMs;
      ctx.ingress = d === 0 ? f.cIface : f.sIface;
      ctx.egress = d === 0 ? f.sIface : f.cIface;
      const r = firewall.step(p, stepCtx);
      const verdict = r.verdict;
      if (r.events.length > 0) {
        if (!countedByEngine) for (const e of r.events) stats.events[e.kind] = (stats.events[e.kind] ?? 0) + 1;
        if (keep && rowSink) for (const e of r.events) rowSink.event(e);
        else if (keep) for (const e of r.events) events.push(e);
      }
      if (verdict.action === 'permit') {
        stats.permitted++;
        f.bytesPassed += payloadLength(p);
      } else {
        stats.denied++;
        if (f.firstBlocked === null) {
          f.firstBlocked = blockedPacket(p, n, nowMs, verdict);
          f.blockedAtOpen = p.proto === PROTO_TCP && (flags & TCP_SYN) !== 0;
          stats.blockedFlows[f.role]++;
          firstBlock ??= { role: f.role, firstBlocked: f.firstBlocked };
        }
      }
      if (keep) {
        const row = packetRow(p, n, nowMs, ctx.ingress, ctx.egress, verdict, f.id);
        if (rowSink) rowSink.row(row);
        else packets.push(row);
      }
      if (tap) tap(p, nowMs, n, verdict, undefined);
    }
    if (f.control !== undefined) {
      const cs = f.control;
      // the peer's ACK tells which of this direction's bytes the capture missed (not an RST's: some stacks send any number)
      if ((flags & (TCP_ACK | TCP_RST)) === TCP_ACK) (d === 0 ? cs.toClient : cs.toServer).peerAcked(p.ack, n);
      const len = payloadLength(p);
      if (len > 0 || (flags & TCP_SYN) !== 0) (d === 0 ? cs.toServer : cs.toClient).push(p.seq, flags, len > 0 ? p.payload : EMPTY_PAYLOAD, n);
      // the server spoke: a session, not a bare SYN (a port scan must not pin flows for days)
      if (d === 1 && len > 0) cs.established = true;
    }
    if (flags & (TCP_FIN | TCP_RST)) f.closed = true;
    if (flags & TCP_RST) f.reset = true;
    if (made > 0 || gone > 0) settleConntrack(f);
    if (--untilSweep === 0) {
      untilSweep = SWEEP_EVERY;
      sweep(nowMs);
    }
  }
  // what is still live finishes at the end of the capture, in id order
  const live = table.sweep(() => true);
  for (let i = 0; i < live.length; i++) finish(live[i]!);
  if (o.progress) o.progress(stats.records, flowCount, c.dataOffset);
  if (firewall.eventCounts) for (const [kind, count] of Object.entries(firewall.eventCounts())) stats.events[kind] = count;
  stats.peakLiveFlows = table.peak;
  stats.announcements = announced.count;
  if (suppressed > 0) diagnostics.push({ severity: 'warning', message: `${suppressed} more malformed packets not shown`, bytes: { file: reader.file, byteOffset: 0 } });
  if (!o.onFlow) rows.sort((a, b) => a.id - b.id);
  const replay = finishReplay(stats, rows, { flowCount, crossingControl, notCrossing, firstBlock }, packets, events, lines);
  return { replay, diagnostics: [...reader.diagnostics, ...diagnostics] };
}

function sameAddrPort(f: LiveFlow, p: Packet): boolean {
  return sameAddr(f.cAddr, p.src) && (f.hasPorts ? f.cPort === p.srcPort : true);
}
