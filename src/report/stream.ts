/**
 * Reports written as they are made, chunk by chunk, into a sink: a run at a time,
 * and a long capture a flow at a time (its flows go out as they finish), so memory
 * follows live connections, not the capture's length. A capture with few flows is
 * held and written exactly as the whole-report functions would (same bytes); one
 * with more switches to the streamed layout: flows in the order they finish, the
 * verdict after them.
 */
import { noteLine, type CaptureFlow, type CaptureRun } from '../replay/index.js';
import { captureLines } from './capture.js';
import { REPORT_SCHEMA_VERSION, type PacketReport as PacketRow, type RunReport } from './run.js';
import { fitLines, fitRow, PLAIN_STYLE, type Style } from './style.js';
import { hangingWrap } from './text-wrap.js';
import { formatRun } from './table.js';
import { PacketTraceWriter, type TraceLayout } from './packets.js';
import type { TraceEvent } from '../model/index.js';

/** Where report text goes, in order; 14a's output sink plugs in here. */
export type ChunkSink = (chunk: string) => void;

/** Flows of a capture held before its report switches to streaming. */
export const HELD_FLOWS = 10_000;

/** How to write. */
export interface ReportStreamOptions {
  readonly format: 'table' | 'json';
  /** per-packet rows (kept in memory by the replay: such runs are held whole) */
  readonly packets: boolean;
  /** totals and blocked flows only */
  readonly summary: boolean;
  readonly style?: Style;
  /** flows a capture run holds before streaming; default HELD_FLOWS */
  readonly heldFlows?: number;
}

/** What a capture run is, before its flows are known. */
export interface CaptureHead {
  readonly scenario: string;
  readonly source: string;
  readonly config: string;
  readonly engine: 'static' | 'stateful';
}

/**
 * A capture run's packet rows and events kept outside the run (a --packets report of a long capture:
 * src/cli/trace-spill.ts), read back in the order they were made: each packet's events before its row.
 */
export interface SpilledTrace {
  /** the packet trace's columns (`flows`: the run's flow count) */
  layout(flows: number): TraceLayout;
  each(visit: (row: PacketRow | undefined, event: TraceEvent | undefined) => void): void;
}

/**
 * A capture run's packet rows and events kept outside the run as the JSON report's own text (a --packets
 * JSON report of a long capture): each list's elements as jsonElementsText made them, read back in chunks,
 * so the report copies text instead of parsing and writing every row again.
 */
export interface SpilledJsonTrace {
  /** the list's text in chunks of any length (the first chunk's first character is the first element's `,`) */
  texts(which: 'rows' | 'events', chunk: (text: string) => void): void;
}

/** Receives one capture's flows as they finish, then the run (with `flows` empty). */
export interface CaptureFlowStream {
  flow(f: CaptureFlow): void;
  /** the run; its packet rows and events from `trace` when they were spilled (the run's lists are then empty) */
  end(run: CaptureRun, trace?: SpilledTrace | SpilledJsonTrace): void;
}

/**
 * A scenario run's packet rows made ahead, as the JSON text of its `packets` list's elements
 * (each with its leading `,` after the first, from packetRowJson), written out in order.
 */
export interface PacketRowText {
  readonly count: number;
  writeTo(sink: ChunkSink): void;
}

/** A report document being written. */
export interface ReportStream {
  /** Writes a complete run; a JSON scenario run's packet rows may come as text made ahead (its `packets` then empty). */
  run(r: RunReport | CaptureRun, rows?: PacketRowText): void;
  /** Starts a capture run whose flows come one at a time. */
  capture(head: CaptureHead): CaptureFlowStream;
  /** Closes the document. */
  end(): void;
}

const dropPacketNumbers = (key: string, value: unknown): unknown => (key === 'packetNumbers' ? undefined : value);

/** JSON.stringify(value, …, 2) for a value nested `depth` spaces deep. */
function nested(value: unknown, depth: number): string {
  const text = JSON.stringify(value, dropPacketNumbers, 2);
  return depth === 0 ? text : text.replaceAll('\n', `\n${' '.repeat(depth)}`);
}

/** JSON.stringify(value, null, 2) of `[[[list]]]` puts the list's elements 8 spaces deep, between these. */
const DEPTH_4_HEAD = '[\n  [\n    [\n      [';
const DEPTH_4_TAIL = '\n      ]\n    ]\n  ]\n]';

/**
 * Packet rows or events as elements of the JSON report's `packets` or `events` list: for each, `,`, the
 * element's indent and nested(value, 8) (the first element's text without its `,`). One JSON.stringify
 * of the whole batch nested three lists deep writes exactly that text (its elements separated by `,`,
 * a newline and 8 spaces), with no replacer (rows and events have no packetNumbers) and no replaceAll.
 */
export function jsonElementsText(values: readonly (PacketRow | TraceEvent)[]): string {
  if (values.length === 0) return '';
  const text = JSON.stringify([[[values]]], null, 2);
  return `,${text.slice(DEPTH_4_HEAD.length, text.length - DEPTH_4_TAIL.length)}`;
}

/** Packet row number `index` (0-based) of a run as the JSON report writes it in the run's `packets` list. */
export function packetRowJson(row: PacketRow, index: number): string {
  return `${index === 0 ? '' : ','}\n        ${nested(row, 8)}`;
}

function onlyBlocked<T extends { readonly outcome: string }>(flows: readonly T[]): T[] {
  const out: T[] = [];
  for (const f of flows) if (f.outcome === 'blocked') out.push(f);
  return out;
}

/** Opens a report document on `sink`. */
export function createReportStream(sink: ChunkSink, o: ReportStreamOptions): ReportStream {
  const st = o.style ?? PLAIN_STYLE;
  const held = o.heldFlows ?? HELD_FLOWS;
  let runs = 0;

  const openRun = (): void => {
    if (o.format === 'json') sink(runs === 0 ? `{\n  "schemaVersion": ${REPORT_SCHEMA_VERSION},\n  "runs": [\n    ` : ',\n    ');
    else if (runs > 0) sink('\n');
    runs++;
  };

  const lines = (ls: readonly string[]): void => {
    let text = '';
    for (const l of ls) text += `${l}\n`;
    sink(text);
  };

  /**
   * Text in pieces of about 16 K characters (a spilled trace is too long for one string; a piece joined past V8's
   * large-object size, 128 KiB, would be flattened onto pages mapped fresh for it).
   */
  let pending = '';
  const put = (text: string): void => {
    pending += text;
    if (pending.length >= 1 << 14) {
      sink(pending);
      pending = '';
    }
  };
  const flush = (): void => {
    if (pending.length > 0) sink(pending);
    pending = '';
  };

  /** A spilled trace's rows (`packets`) or events (`events`) as the JSON list reportJson writes. */
  const jsonList = (trace: SpilledTrace | SpilledJsonTrace, which: 'rows' | 'events'): void => {
    let i = 0;
    put('[');
    if ('texts' in trace) {
      trace.texts(which, (text) => {
        if (text.length === 0) return;
        put(i++ === 0 ? text.slice(1) : text);
      });
      put(i === 0 ? ']' : '\n      ]');
      flush();
      return;
    }
    trace.each((row, event) => {
      const value = which === 'rows' ? row : event;
      if (value !== undefined) put(`${i++ === 0 ? '' : ','}\n        ${nested(value, 8)}`);
    });
    put(i === 0 ? ']' : '\n      ]');
    flush();
  };

  /** A spilled trace as formatPacketTrace writes it (`flows`: the run's flow count, for the column). */
  const traceLines = (trace: SpilledTrace | SpilledJsonTrace, flows: number): void => {
    if ('texts' in trace) throw new Error('a JSON trace spill given to a table report');
    const w = new PacketTraceWriter(trace.layout(flows), (l) => put(`${l}\n`), st);
    let events: TraceEvent[] = [];
    trace.each((row, event) => {
      if (event !== undefined) {
        if (event.packet === undefined) w.timer(event);
        else events.push(event);
        return;
      }
      // a packet's events came just before its row
      const n = row!.n;
      w.packet(row!, events.length === 0 ? events : events.filter((e) => e.packet === n));
      if (events.length > 0) events = [];
    });
    w.end();
    flush();
  };

  /** A capture run whose rows and events were spilled: reportJson's text, the two lists read from the spill. */
  const spilledJson = (doc: Record<string, unknown>, trace: SpilledTrace | SpilledJsonTrace): void => {
    let k = 0;
    put('{');
    for (const [key, value] of Object.entries(doc)) {
      if (value === undefined) continue;
      put(`${k++ === 0 ? '' : ','}\n      ${JSON.stringify(key)}: `);
      if (key === 'packets') jsonList(trace, 'rows');
      else if (key === 'events') jsonList(trace, 'events');
      else put(nested(value, 6));
    }
    put('\n    }');
    flush();
  };

  const whole = (r: RunReport | CaptureRun, rows?: PacketRowText, trace?: SpilledTrace | SpilledJsonTrace): void => {
    const shown = o.summary ? { ...r, flows: onlyBlocked<RunReport['flows'][number]>(r.flows) } : r;
    openRun();
    if (trace !== undefined && o.format === 'json') {
      const { origin: _origin, ...doc } = shown;
      spilledJson(doc, trace);
    } else if (trace !== undefined) {
      lines(formatRun(shown as RunReport, { packets: false, style: st }));
      if (o.packets) {
        sink('\n  packets:\n');
        traceLines(trace, shown.flows.length);
      }
      if ('capture' in shown) lines(captureLines(shown as CaptureRun));
    } else if (o.format === 'json' && rows !== undefined && !('capture' in shown)) {
      // the same text as below, the rows written from their text between `flows` and `events`
      const { origin: _origin, packets: _packets, events, ...head } = shown;
      const text = nested(head, 4);
      sink(`${text.slice(0, text.length - '\n    }'.length)},\n      "packets": [`);
      rows.writeTo(sink);
      sink(`${rows.count === 0 ? ']' : '\n      ]'},\n      "events": ${nested(events, 6)}\n    }`);
    } else if (o.format === 'json') {
      // the origin tag shows in JSON as the `capture` object, as in reportJson
      const { origin: _origin, ...doc } = shown;
      sink(nested(doc, 4));
    }
    else lines([...formatRun(shown as RunReport, { packets: o.packets, style: st }), ...('capture' in shown ? captureLines(shown as CaptureRun) : [])]);
  };

  return {
    run: whole,
    capture(head: CaptureHead): CaptureFlowStream {
      const kept: CaptureFlow[] = [];
      let streaming = false;
      let first = true;
      let widths: number[] = [];

      const row = (f: CaptureFlow): string[] => [
        String(f.id),
        f.role,
        f.client,
        f.server,
        f.outcome === 'passed' ? st.good('passed') : st.bad('blocked'),
        f.firstBlocked ? `#${f.firstBlocked.n} ${f.firstBlocked.packet} denied by ${f.firstBlocked.by}` : '',
      ];

      const writeFlow = (f: CaptureFlow): void => {
        if (o.format === 'json') {
          sink(`${first ? '\n' : ',\n'}        ${nested(f, 8)}`);
          first = false;
          return;
        }
        const cells = row(f);
        let text = `${fitRow(padRow(cells, widths), cells, widths, STREAM_WIDTH).join('\n')}\n`;
        const note = (t: string): void => {
          for (const l of hangingWrap('      ↳ ', '        ', t, STREAM_WIDTH)) text += `${l}\n`;
        };
        if (f.announcedBy) note(`announced by ${f.announcedBy.trigger} in packet ${f.announcedBy.packet} on flow ${f.announcedBy.controlFlow} (${f.announcedBy.endpoint})`);
        if (!f.crossesFirewall) note(`both ends on ${f.clientInterface}: does not cross the firewall, no verdicts`);
        if (f.inReality) note(f.inReality);
        sink(text);
      };

      const startStreaming = (): void => {
        streaming = true;
        kept.sort((a, b) => a.id - b.id);
        openRun();
        if (o.format === 'json') {
          let text = '{\n';
          for (const key of ['scenario', 'source', 'config', 'engine'] as const) text += `      ${JSON.stringify(key)}: ${JSON.stringify(head[key])},\n`;
          text += '      "sessions": [],\n      "flows": [';
          sink(text);
        } else {
          widths = columnWidths(HEADER);
          for (const f of kept) widths = columnWidths(row(f), widths);
          lines([
            ...fitLines([st.bold(`${head.scenario} (${head.source}) × ${head.config} [${head.engine}]`)], STREAM_WIDTH),
            ...fitLines([`  more than ${held} flows${o.summary ? ' (blocked ones shown)' : ''}: each is listed in order of first packet once it and the flows before it have finished, the verdict follows`], STREAM_WIDTH),
            '',
            ...fitRow(padRow(HEADER, widths), HEADER, widths, STREAM_WIDTH),
          ]);
        }
        for (const f of kept) writeFlow(f);
        kept.length = 0;
      };

      return {
        flow(f: CaptureFlow): void {
          if (o.summary && f.outcome !== 'blocked') return;
          if (streaming) writeFlow(f);
          else {
            kept.push(f);
            if (kept.length > held) startStreaming();
          }
        },
        end(run: CaptureRun, trace?: SpilledTrace | SpilledJsonTrace): void {
          if (!streaming) {
            kept.sort((a, b) => a.id - b.id);
            const notes: string[] = [];
            for (const f of kept) {
              const n = noteLine(f);
              if (n !== undefined) notes.push(n);
            }
            whole({ ...run, flows: kept, capture: { ...run.capture, flowsTruncated: false, notes } }, undefined, trace);
            return;
          }
          if (o.format === 'json') {
            let text = first ? ']' : '\n      ]';
            const rest: [string, unknown][] = [
              ['ftp', run.ftp],
              ['packets', run.packets],
              ['events', run.events],
              ['capture', { ...run.capture, flowsTruncated: false }],
            ];
            for (const [key, value] of rest) {
              text += `,\n      ${JSON.stringify(key)}: `;
              if (trace !== undefined && (key === 'packets' || key === 'events')) {
                sink(text);
                text = '';
                jsonList(trace, key === 'packets' ? 'rows' : 'events');
              } else text += nested(value, 6);
            }
            sink(`${text}\n    }`);
            return;
          }
          if (trace !== undefined && o.packets) {
            sink('\n  packets:\n');
            traceLines(trace, run.capture.stats.flows.control + run.capture.stats.flows.data + run.capture.stats.flows.other);
          }
          const verdict = run.ftp.works ? (run.ftp.summary.startsWith('FTP works') ? '' : `${st.good('FTP works')}: `) : `${st.bad('FTP fails')}: `;
          lines(['', ...fitLines([`  ${verdict}${run.ftp.summary.replace(/^FTP works/, st.good('FTP works'))}`], STREAM_WIDTH), ...captureLines({ ...run, flows: [], capture: { ...run.capture, flowsTruncated: false, notes: [] } })]);
        },
      };
    },
    end(): void {
      if (o.format === 'json') sink(runs === 0 ? `{\n  "schemaVersion": ${REPORT_SCHEMA_VERSION},\n  "runs": []\n}\n` : '\n  ]\n}\n');
    },
  };
}

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;

function visibleLength(s: string): number {
  return s.replace(ANSI, '').length;
}

const HEADER = ['#', 'role', 'client', 'server', 'outcome', 'first blocked packet'];

/** Every streamed line fits this many columns (as the whole-run table). */
const STREAM_WIDTH = 100;

/** Column widths grown to fit one more row, as formatTable pads them. */
function columnWidths(cells: readonly string[], widths: number[] = []): number[] {
  for (let i = 0; i < cells.length; i++) widths[i] = Math.max(widths[i] ?? 0, visibleLength(cells[i]!));
  return widths;
}

/** One table line with formatTable's layout: two-space indent and gaps, last column unpadded; a wider cell pushes the rest right. */
function padRow(cells: readonly string[], widths: readonly number[]): string {
  let text = '  ';
  for (let i = 0; i < cells.length; i++) {
    const c = cells[i]!;
    text += i === cells.length - 1 ? c : `${c}${' '.repeat(Math.max(0, (widths[i] ?? 0) - visibleLength(c)))}  `;
  }
  return text.trimEnd();
}
