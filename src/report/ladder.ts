/**
 * `--format ladder`: a run as a text sequence diagram. Lanes: client | ingress
 * interface | firewall | egress interface | server. A permitted packet is an
 * arrow across every lane; a denied one stops at the firewall with ✗ and the rule;
 * pinhole events are marked at the firewall between the arrows; bulk data folds.
 */
import type { RunReport } from '../model/index.js';
import { diagramSteps, packetLabel, sidesOf, type Sides, type Step } from './steps.js';
import { PLAIN_STYLE, type Style } from './style.js';
import { formatBytes, hangingWrap, shortInterface, wrapText } from './text-wrap.js';
import { nameList } from '../diag/name-list.js';

/** Options of the ladder. */
export interface LadderOptions {
  /** columns, default 100 */
  readonly width?: number;
  readonly style?: Style;
  /** which packets the ladder draws, when not all of the run's (a long capture's window), as a sentence */
  readonly window?: string;
}

/** Lane columns: client, client-side interface, firewall, server-side interface, server. */
const LANES = [7, 17, 27, 37, 47] as const;
const FIREWALL = 2;
const LABEL_AT = 50;

function lanesLine(fill: (col: number) => string | undefined): string[] {
  const row: string[] = [];
  for (let c = 0; c <= LANES[4]; c++) row.push(' ');
  for (const l of LANES) row[l] = '│';
  for (let c = 0; c <= LANES[4]; c++) {
    const ch = fill(c);
    if (ch !== undefined) row[c] = ch;
  }
  return row;
}

function arrow(from: number, to: number, stopAtFirewall: boolean): string[] {
  const end = stopAtFirewall ? LANES[FIREWALL] : LANES[to]!;
  const start = LANES[from]!;
  const lo = Math.min(start, end);
  const hi = Math.max(start, end);
  return lanesLine((c) => {
    if (c < lo || c > hi) return undefined;
    if (stopAtFirewall && c === end) return '✗';
    if (c === start) return '│';
    const rightwards = end > start;
    if (!stopAtFirewall && c === (rightwards ? end - 1 : end + 1)) return rightwards ? '▶' : '◀';
    if (stopAtFirewall && c === (rightwards ? end - 1 : end + 1)) return rightwards ? '▶' : '◀';
    if (c === end) return '│';
    return (LANES as readonly number[]).includes(c) ? '┼' : '─';
  });
}

function centred(labels: readonly string[]): string {
  let line = '';
  labels.forEach((label, i) => {
    const at = Math.max(line.length + (i === 0 ? 0 : 1), LANES[i]! - Math.floor(label.length / 2));
    line += ' '.repeat(at - line.length) + label;
  });
  return line;
}

/** The header: lane names, hosts and interface names. */
function header(run: RunReport, sides: Sides, width: number, window: string | undefined): string[] {
  const out: string[] = [];
  for (const l of hangingWrap('ladder: ', '  ', `${run.scenario} × ${run.config} [${run.engine}]: ${run.ftp.works ? 'FTP works' : 'FTP fails'}`, width)) out.push(l);
  for (const l of wrapText(run.ftp.summary, width - 2)) out.push(`  ${l}`);
  if (window !== undefined) for (const l of wrapText(window, width - 2)) out.push(`  ${l}`);
  for (const l of wrapText(`client side: ${nameList(sides.leftHosts) || '-'} on ${sides.leftInterface}`, width - 2)) out.push(`  ${l}`);
  for (const l of wrapText(`server side: ${nameList(sides.rightHosts) || '-'} on ${sides.rightInterface}`, width - 2)) out.push(`  ${l}`);
  out.push('');
  out.push(centred(['client', shortInterface(sides.leftInterface), 'firewall', shortInterface(sides.rightInterface), 'server']));
  return out;
}

function withLabel(row: string[], n: string, label: string, width: number): string[] {
  const lines = wrapText(label, width - LABEL_AT);
  const first = `${n.padStart(LANES[0] - 1)} ${row.slice(LANES[0]).join('')}`;
  const blank = lanesLine(() => undefined).join('');
  return lines.map((l, i) => `${i === 0 ? first : blank}${' '.repeat(LABEL_AT - LANES[4] - 1)}${l}`.trimEnd());
}

function stepLines(s: Step, sides: Sides, width: number, st: Style): string[] {
  if (s.kind === 'packet') {
    const p = s.packet;
    const denied = p.action === 'deny';
    const [from, to] = s.heading === 'right' ? [0, 4] : [4, 0];
    const label = `${packetLabel(p, sides)}${denied ? ` ✗ denied by ${p.by}` : ''}`;
    const lines = withLabel(arrow(from, to, denied), `#${p.n}`, label, width);
    return denied ? lines.map((l) => st.bad(l)) : lines;
  }
  if (s.kind === 'event') {
    const text = `◆ ${s.label}: ${s.event.text}`;
    const prefix = lanesLine(() => undefined).slice(0, LANES[FIREWALL]).join('');
    const lines = wrapText(text, width - LANES[FIREWALL] - 2);
    return lines.map((l, i) => st.warn(`${prefix}${i === 0 ? '' : '  '}${l}`));
  }
  const row = lanesLine((c) => ((LANES as readonly number[]).includes(c) ? '┊' : undefined));
  const what = `… ${s.dataSegments} data segment${s.dataSegments === 1 ? '' : 's'}, ${formatBytes(s.bytes)}${s.acks > 0 ? `, ${s.acks} ACK${s.acks === 1 ? '' : 's'}` : ''} on flow ${s.flow}, all permitted (#${s.firstN}–#${s.lastN}) …`;
  return withLabel(row, '', what, width).map((l) => st.dim(l));
}

/** The ladder of one run, as lines (the function `replay`, `compare` and other commands call). */
export function formatLadder(run: RunReport, options: LadderOptions = {}): string[] {
  const width = options.width ?? 100;
  const st = options.style ?? PLAIN_STYLE;
  const sides = sidesOf(run);
  const out = header(run, sides, width, options.window);
  if (run.packets.length === 0) {
    out.push('  (no packet rows: replay a capture with --packets to draw its packets)');
    return out;
  }
  for (const s of diagramSteps(run, sides)) for (const l of stepLines(s, sides, width, st)) out.push(l);
  return out;
}
