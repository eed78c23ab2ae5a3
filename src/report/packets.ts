/**
 * The per-packet trace of a run as text that fits 100 columns: one line per packet
 * (number, time, flow, verdict, length, ingress → egress, flags and ends), then its
 * FTP text, the deciding rule or state when it changes within the flow and direction, and the
 * engine's events, each on its own indented, wrapped line.
 */
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

/** Lines of the packet trace of one run. */
export function formatPacketTrace(run: RunReport, st: Style = PLAIN_STYLE, width = PACKET_TRACE_WIDTH): string[] {
  const eventsAt = new Map<number, TraceEvent[]>();
  const loose: TraceEvent[] = [];
  for (const e of run.events) {
    if (e.packet !== undefined) {
      const list = eventsAt.get(e.packet);
      if (list) list.push(e);
      else eventsAt.set(e.packet, [e]);
    } else loose.push(e);
  }
  const names = new Set<string>();
  for (const p of run.packets) {
    names.add(p.ingress);
    names.add(p.egress);
  }
  const abbreviations = interfaceLegend(names);
  const out: string[] = [];
  for (const l of hangingWrap('  ', '    ', `${FLAG_LEGEND}; in → out: ingress → egress interface${abbreviations ? ` (${abbreviations})` : ''}; "by" shows when it changes within a flow and direction`, width)) out.push(l);
  const nW = Math.max(1, String(run.packets.at(-1)?.n ?? 0).length);
  const tW = Math.max(4, seconds(run.packets.at(-1)?.tMs ?? 0).length);
  const fW = Math.max(4, String(run.flows.length).length);
  let lenW = 3;
  let dirW = 8;
  for (const p of run.packets) {
    lenW = Math.max(lenW, String(p.len).length);
    dirW = Math.max(dirW, dir(p).length);
  }
  const pad = (s: string, w: number): string => s + ' '.repeat(Math.max(0, w - s.length));
  const head = `  ${pad('n', nW)}  ${pad('t(s)', tW)}  ${pad('flow', fW)}  verdict  ${pad('len', lenW)}  ${pad('in → out', dirW)}  packet`;
  out.push(head);
  const hang = ' '.repeat(2 + nW + 2);
  const li = { i: 0 };
  const looseUpTo = (tMs: number): void => {
    while (li.i < loose.length && loose[li.i]!.tMs <= tMs) {
      const e = loose[li.i++]!;
      const first = `  ${pad('', nW)}  ${pad(seconds(e.tMs), tW)}  `;
      for (const l of hangingWrap(first, `${hang}  `, `· ${e.kind}: ${e.text}`, width)) out.push(eventStyle(e, st)(l));
    }
  };
  const lastBy = new Map<string, string>();
  for (const p of run.packets) {
    looseUpTo(p.tMs);
    const verdict = p.action === 'permit' ? st.good('permit ') : st.bad('deny   ');
    const lead = `  ${pad(String(p.n), nW)}  ${pad(seconds(p.tMs), tW)}  ${pad(String(p.flow), fW)}  ${verdict}  ${pad(String(p.len), lenW)}  ${pad(dir(p), dirW)}  `;
    const what = `${p.flags ?? p.proto} ${p.src} → ${p.dst}`;
    const leadWidth = 2 + nW + 2 + tW + 2 + fW + 2 + 7 + 2 + lenW + 2 + dirW + 2;
    if (leadWidth + what.length <= width) out.push(lead + what);
    else {
      const cut = what.indexOf(' → ');
      if (leadWidth + cut + 2 <= width && leadWidth + what.length - cut - 3 <= width) {
        out.push(lead + what.slice(0, cut + 2));
        out.push(' '.repeat(leadWidth) + what.slice(cut + 3));
      } else {
        // long (IPv6) endpoints: the packet on lines of its own under the row
        out.push(lead.trimEnd());
        for (const l of hangingWrap(hang, `${hang}  `, what, width)) out.push(l);
      }
    }
    if (p.text !== undefined) for (const l of hangingWrap(hang, `${hang} `, `"${p.text}"`, width)) out.push(l);
    if (p.natSrc !== undefined || p.natDst !== undefined || p.natText !== undefined) {
      // NAT: the packet as it left the firewall (the line above is as it arrived)
      const t = p.natText ?? p.text;
      for (const l of hangingWrap(hang, `${hang}  `, `⇒ leaves as ${p.natSrc ?? p.src} → ${p.natDst ?? p.dst}${t !== undefined ? `  "${t}"` : ''}`, width)) out.push(l);
    }
    const by = `${p.action === 'deny' ? 'denied by' : 'by'} ${p.by}${p.note ? ` · ${p.note}` : ''}`;
    const byText = `${p.by}|${p.note ?? ''}`;
    if (p.action === 'deny' || lastBy.get(`${p.flow}|${p.ingress}`) !== byText) {
      for (const l of hangingWrap(hang, `${hang}  `, by, width)) out.push(p.action === 'deny' ? st.bad(l) : l);
    }
    lastBy.set(`${p.flow}|${p.ingress}`, byText);
    for (const e of eventsAt.get(p.n) ?? []) for (const l of hangingWrap(`${hang}↳ `, `${hang}  `, `${e.kind}: ${e.text}`, width)) out.push(eventStyle(e, st)(l));
  }
  looseUpTo(Number.POSITIVE_INFINITY);
  return out;
}

function dir(p: PacketRow): string {
  return `${shortInterface(p.ingress)} → ${shortInterface(p.egress)}`;
}
