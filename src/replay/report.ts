/**
 * From live-flow aggregates to the replay's result: flows of the run model
 * (src/model/), the one-line summary, and the "in reality" notes that
 * say what a recording shows but a firewall in the path would have prevented.
 */
import type { TraceEvent } from '../engine/verdict.js';
import { blockedFlowsText, countWord as plural, type CaptureStats, type Flow, type PacketRow } from '../model/index.js';
import { protoName } from '../net/packet.js';
import { endpointText } from './flat-text.js';
import { announcedBy as announcedByOf } from './announcements.js';
import type { LiveFlow } from './flow-table.js';
import type { CaptureReplay, ControlLine } from './flow-types.js';

/** `ip:port` of a flow end, or the bare address for flows without ports. */
export function flowEnd(f: LiveFlow, side: 'client' | 'server'): string {
  const a = side === 'client' ? f.cAddr : f.sAddr;
  // flat and shared: the summary may be held until the report is written
  return endpointText(a, !f.hasPorts ? undefined : side === 'client' ? f.cPort : f.sPort);
}


/** The "in reality" sentence of a flow, or undefined when the recording is consistent with the verdicts. */
export function inRealityNote(f: LiveFlow): string | undefined {
  const b = f.firstBlocked;
  if (!b || !f.crosses) return undefined;
  const parts: string[] = [];
  const what = f.role === 'other' ? 'connection' : `${f.role} connection`;
  if (f.laterPackets > 0 || f.role === 'control') {
    if (f.blockedAtOpen) {
      let s = `in reality the ${what} would not have opened`;
      if (f.laterPackets > 0) s += `; its ${plural(f.laterPackets, 'later packet')} could not have happened`;
      parts.push(s);
    } else if (f.laterPackets > 0) {
      parts.push(`in reality packet ${b.n} would have been dropped; the ${plural(f.laterPackets, 'packet')} of this ${what} after it could not have happened as recorded`);
    }
    if (f.role === 'control' && f.blockedAtOpen) {
      const dataFlows = f.control?.dataFlows ?? 0;
      parts.push(`the whole session could not have happened${dataFlows > 0 ? ` (nor its ${plural(dataFlows, 'data connection')})` : ''}`);
    }
  }
  const a = f.announcedBy;
  if (f.role === 'data' && a !== undefined && a.replyCode !== 0 && a.replyPacket > b.n) {
    if (parts.length === 0) parts.push(`in reality the data connection would not have ${f.blockedAtOpen ? 'opened' : 'completed'}`);
    parts.push(`the ${a.replyCode} in packet ${a.replyPacket} could not have happened`);
  }
  return parts.length > 0 ? parts.join('; ') : undefined;
}

/** One empty list shared by every flow kept without its packet numbers. */
const NO_NUMBERS: readonly number[] = Object.freeze([]);

/** The run model's form of a finished flow. */
export function toFlow(f: LiveFlow): Flow {
  const note = inRealityNote(f);
  const id = f.id;
  const role = f.role;
  const proto = protoName(f.proto);
  const client = flowEnd(f, 'client');
  const server = flowEnd(f, 'server');
  const outcome = f.firstBlocked ? 'blocked' : 'passed';
  const firstBlocked = f.firstBlocked;
  const packets = f.packets;
  const bytesPassed = f.bytesPassed;
  const packetNumbers = f.numbers ?? NO_NUMBERS;
  const clientInterface = f.cIface;
  const serverInterface = f.sIface;
  const crossesFirewall = f.crosses;
  const announcedBy = f.announcedBy === undefined ? undefined : announcedByOf(f.announcedBy);
  // one literal per shape, not spreads: every field sits in the object itself (a summary may be held until the report is written)
  if (announcedBy && note !== undefined)
    return { id, role, proto, client, server, outcome, firstBlocked, packets, bytesPassed, packetNumbers, clientInterface, serverInterface, crossesFirewall, announcedBy, inReality: note };
  if (announcedBy)
    return { id, role, proto, client, server, outcome, firstBlocked, packets, bytesPassed, packetNumbers, clientInterface, serverInterface, crossesFirewall, announcedBy };
  if (note !== undefined)
    return { id, role, proto, client, server, outcome, firstBlocked, packets, bytesPassed, packetNumbers, clientInterface, serverInterface, crossesFirewall, inReality: note };
  return { id, role, proto, client, server, outcome, firstBlocked, packets, bytesPassed, packetNumbers, clientInterface, serverInterface, crossesFirewall };
}

/** What the summary needs of the flows, counted as they went by (the flows themselves may be gone). */
export interface FlowTotals {
  readonly flowCount: number;
  /** control flows whose ends sit on different interfaces */
  readonly crossingControl: number;
  /** flows whose ends sit behind the same interface */
  readonly notCrossing: number;
  /** the flow of the first denied packet */
  readonly firstBlock: Pick<Flow, 'role' | 'firstBlocked'> | undefined;
}

/**
 * The replay's one-line verdict. FTP works only when some FTP control connection
 * crossed the firewall and no crossing flow was blocked: a capture with nothing
 * crossing says nothing about the firewall, so it is not a pass.
 */
export function summarise(stats: CaptureStats, t: FlowTotals): { works: boolean; summary: string } {
  const blocked = stats.blockedFlows.control + stats.blockedFlows.data + stats.blockedFlows.other;
  const { flowCount, crossingControl, notCrossing } = t;
  const aside = notCrossing > 0 ? ` (${plural(notCrossing, 'flow')} ${notCrossing === 1 ? 'does' : 'do'} not cross the firewall)` : '';
  if (blocked === 0) {
    if (crossingControl > 0) return { works: true, summary: `all ${plural(flowCount, 'flow')} passed${aside}` };
    const why = notCrossing > 0 ? `; ${notCrossing} ${notCrossing === 1 ? 'does' : 'do'} not cross it` : '';
    return { works: false, summary: `no FTP control connection crossed the firewall (${plural(flowCount, 'flow')}${why})` };
  }
  const first = t.firstBlock;
  return { works: false, summary: `${blockedFlowsText(blocked, flowCount, first)}${aside}` };
}

/** The "in reality" note line of a flow, as the report lists it. */
export function noteLine(f: Flow): string | undefined {
  return f.inReality ? `flow ${f.id} (${f.role} ${f.client} → ${f.server}): ${f.inReality}` : undefined;
}

/** Assembles the replay result once the capture is read; `flows` are the ones kept (in id order). */
export function finishReplay(
  stats: CaptureStats,
  flows: readonly Flow[],
  totals: FlowTotals,
  packets: readonly PacketRow[],
  events: readonly TraceEvent[],
  controlLines: readonly ControlLine[],
): CaptureReplay {
  const notes: string[] = [];
  for (const f of flows) {
    const line = noteLine(f);
    if (line !== undefined) notes.push(line);
  }
  const { works, summary } = summarise(stats, totals);
  return { stats, flows, flowsTruncated: totals.flowCount > flows.length, packets, events, controlLines, notes, works, summary };
}
