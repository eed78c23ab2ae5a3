/**
 * The per-packet trace of a run as text that fits 100 columns: one line per packet
 * (number, time, flow, verdict, length, ingress → egress, flags and ends), then its
 * FTP text, the deciding rule or state when it changes within the flow and direction, and the
 * engine's events, each on its own indented, wrapped line.
 */
import { LastByTexts } from './last-by.js';
import type { PacketRow, RunReport, TraceEvent } from '../model/index.js';
import { PLAIN_STYLE, type Style } from './style.js';
import { hangingWrap, interfaceLegend, shortInterface } from './text-wrap.js';

/** Default width of the trace, in columns. */
export const PACKET_TRACE_WIDTH = 100;

/** The events a teacher points at: the FTP helper's pinholes. */
const PINHOLE_EVENTS = new Set(['expectation-open', 'expectation-consumed', 'expectation-expired', 'expectation-refused', 'expectation-replaced']);

/** The one-line flag legend. */
export const FLAG_LEGEND = 'flags: S SYN, A ACK, . ACK only, P PSH, F FIN, R RST';

function seconds(tMs: number): string {
  return (tMs / 1000).toFixed(3);
}

function eventStyle(e: TraceEvent, st: Style): (s: string) => string {
  if (e.kind === 'expectation-expired' || e.kind === 'expectation-refused' || e.kind === 'helper-drop' || e.kind === 'conntrack-table-full') return st.bad;
  if (PINHOLE_EVENTS.has(e.kind)) return st.warn;
  return st.dim;
}

/**
 * What the trace's columns are sized by: the last packet's number and time, the flows, the widest length
 * and ingress → egress, and the interface names (their legend). Known before the first line is written, so
 * a trace too long to hold can be written from a spill (TraceLayoutTally gathers it while rows are made).
 */
export interface TraceLayout {
  readonly lastN: number;
  readonly lastTMs: number;
  readonly flows: number;
  /** widest payload length, as text */
  readonly lenWidth: number;
  /** widest `in → out` */
  readonly dirWidth: number;
  readonly interfaces: ReadonlySet<string>;
}

/** Gathers a TraceLayout from rows as they are made. */
export class TraceLayoutTally {
  private lastN = 0;
  private lastTMs = 0;
  private lenWidth = 3;
  private dirWidth = 8;
  private readonly interfaces = new Set<string>();
  /** the `in → out` pairs seen (an interface pair's text is measured once) */
  private readonly pairs = new Set<string>();
  /** the last row's interfaces: most rows repeat them, and make no key */
  private lastIn = '';
  private lastOut = '';

  add(p: PacketRow): void {
    this.lastN = p.n;
    this.lastTMs = p.tMs;
    const len = String(p.len).length;
    if (len > this.lenWidth) this.lenWidth = len;
    if (p.ingress === this.lastIn && p.egress === this.lastOut) return;
    this.lastIn = p.ingress;
    this.lastOut = p.egress;
    const pair = `${p.ingress}\n${p.egress}`;
    if (!this.pairs.has(pair)) {
      this.pairs.add(pair);
      this.interfaces.add(p.ingress);
      this.interfaces.add(p.egress);
      this.dirWidth = Math.max(this.dirWidth, dir(p).length);
    }
  }

  layout(flows: number): TraceLayout {
    return { lastN: this.lastN, lastTMs: this.lastTMs, flows, lenWidth: this.lenWidth, dirWidth: this.dirWidth, interfaces: this.interfaces };
  }
}

/** The layout of a run's trace from its rows in memory. */
export function traceLayoutOf(run: RunReport): TraceLayout {
  const tally = new TraceLayoutTally();
  for (const p of run.packets) tally.add(p);
  return tally.layout(run.flows.length);
}

/**
 * Writes the packet trace a packet at a time: the legend and column heads first, then each packet with its
 * own events; events of no packet (timers) are written before the first packet at or after their time.
 */
export class PacketTraceWriter {
  private readonly nW: number;
  private readonly tW: number;
  private readonly fW: number;
  private readonly lenW: number;
  private readonly dirW: number;
  private readonly hang: string;
  private readonly loose: TraceEvent[] = [];
  private looseAt = 0;
  /** the last `by` text per flow and ingress: it is written when it changes */
  private readonly lastBy = new LastByTexts();

  constructor(
    layout: TraceLayout,
    private readonly out: (line: string) => void,
    private readonly st: Style = PLAIN_STYLE,
    private readonly width = PACKET_TRACE_WIDTH,
  ) {
    this.nW = Math.max(1, String(layout.lastN).length);
    this.tW = Math.max(4, seconds(layout.lastTMs).length);
    this.fW = Math.max(4, String(layout.flows).length);
    this.lenW = layout.lenWidth;
    this.dirW = layout.dirWidth;
    this.hang = ' '.repeat(2 + this.nW + 2);
    const abbreviations = interfaceLegend(layout.interfaces);
    for (const l of hangingWrap('  ', '    ', `${FLAG_LEGEND}; in → out: ingress → egress interface${abbreviations ? ` (${abbreviations})` : ''}; "by" shows when it changes within a flow and direction`, width)) out(l);
    out(`  ${pad('n', this.nW)}  ${pad('t(s)', this.tW)}  ${pad('flow', this.fW)}  verdict  ${pad('len', this.lenW)}  ${pad('in → out', this.dirW)}  packet`);
  }

  /** An event of no packet (a timer's): written before the first packet at or after its time. */
  timer(e: TraceEvent): void {
    this.loose.push(e);
  }

  private looseUpTo(tMs: number): void {
    const { st, width, hang, loose } = this;
    while (this.looseAt < loose.length && loose[this.looseAt]!.tMs <= tMs) {
      const e = loose[this.looseAt++]!;
      const first = `  ${pad('', this.nW)}  ${pad(seconds(e.tMs), this.tW)}  `;
      for (const l of hangingWrap(first, `${hang}  `, `· ${e.kind}: ${e.text}`, width)) this.out(eventStyle(e, st)(l));
    }
    // written ones are not kept: a long trace's timers would otherwise pile up
    if (this.looseAt === loose.length && loose.length > 0) {
      loose.length = 0;
      this.looseAt = 0;
    }
  }

  /** Packet `p` and its events. */
  packet(p: PacketRow, events: readonly TraceEvent[]): void {
    const { st, width, hang, nW, tW, fW, lenW, dirW, out } = this;
    this.looseUpTo(p.tMs);
    const verdict = p.action === 'permit' ? st.good('permit ') : st.bad('deny   ');
    const lead = `  ${pad(String(p.n), nW)}  ${pad(seconds(p.tMs), tW)}  ${pad(String(p.flow), fW)}  ${verdict}  ${pad(String(p.len), lenW)}  ${pad(dir(p), dirW)}  `;
    const what = `${p.flags ?? p.proto} ${p.src} → ${p.dst}`;
    const leadWidth = 2 + nW + 2 + tW + 2 + fW + 2 + 7 + 2 + lenW + 2 + dirW + 2;
    if (leadWidth + what.length <= width) out(lead + what);
    else {
      const cut = what.indexOf(' → ');
      if (leadWidth + cut + 2 <= width && leadWidth + what.length - cut - 3 <= width) {
        out(lead + what.slice(0, cut + 2));
        out(' '.repeat(leadWidth) + what.slice(cut + 3));
      } else {
        // long (IPv6) endpoints: the packet on lines of its own under the row
        out(lead.trimEnd());
        for (const l of hangingWrap(hang, `${hang}  `, what, width)) out(l);
      }
    }
    if (p.text !== undefined) for (const l of hangingWrap(hang, `${hang} `, `"${p.text}"`, width)) out(l);
    if (p.natSrc !== undefined || p.natDst !== undefined || p.natText !== undefined) {
      // NAT: the packet as it left the firewall (the line above is as it arrived)
      const t = p.natText ?? p.text;
      for (const l of hangingWrap(hang, `${hang}  `, `⇒ leaves as ${p.natSrc ?? p.src} → ${p.natDst ?? p.dst}${t !== undefined ? `  "${t}"` : ''}`, width)) out(l);
    }
    const by = `${p.action === 'deny' ? 'denied by' : 'by'} ${p.by}${p.note ? ` · ${p.note}` : ''}`;
    const changed = this.lastBy.changed(p.flow, p.ingress, `${p.by}|${p.note ?? ''}`);
    if (p.action === 'deny' || changed) {
      for (const l of hangingWrap(hang, `${hang}  `, by, width)) out(p.action === 'deny' ? st.bad(l) : l);
    }
    for (const e of events) for (const l of hangingWrap(`${hang}↳ `, `${hang}  `, `${e.kind}: ${e.text}`, width)) out(eventStyle(e, st)(l));
  }

  /** The timers after the last packet. */
  end(): void {
    this.looseUpTo(Number.POSITIVE_INFINITY);
  }
}

function pad(s: string, w: number): string {
  return s + ' '.repeat(Math.max(0, w - s.length));
}

/** Lines of the packet trace of one run. */
export function formatPacketTrace(run: RunReport, st: Style = PLAIN_STYLE, width = PACKET_TRACE_WIDTH): string[] {
  const out: string[] = [];
  const w = new PacketTraceWriter(traceLayoutOf(run), (l) => out.push(l), st, width);
  const eventsAt = new Map<number, TraceEvent[]>();
  for (const e of run.events) {
    if (e.packet !== undefined) {
      const list = eventsAt.get(e.packet);
      if (list) list.push(e);
      else eventsAt.set(e.packet, [e]);
    } else w.timer(e);
  }
  for (const p of run.packets) w.packet(p, eventsAt.get(p.n) ?? NO_EVENTS);
  w.end();
  return out;
}

const NO_EVENTS: readonly TraceEvent[] = [];

function dir(p: PacketRow): string {
  return `${shortInterface(p.ingress)} → ${shortInterface(p.egress)}`;
}
