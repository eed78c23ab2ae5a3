/**
 * A run as the steps of a sequence diagram: packets, engine events between them,
 * and runs of bulk data folded into one step. The ladder and Mermaid renderers
 * (and any other diagram) draw these.
 */
import type { PacketRow, RunReport, TraceEvent } from '../model/index.js';

/** Events a diagram marks between the arrows, with their short names. */
export const DIAGRAM_EVENTS: ReadonlyMap<string, string> = new Map([
  ['expectation-open', 'pinhole opened'],
  ['expectation-consumed', 'pinhole consumed'],
  ['expectation-expired', 'pinhole expired'],
  ['expectation-refused', 'pinhole refused'],
  ['expectation-replaced', 'pinhole replaced'],
  ['helper-drop', 'FTP helper drop'],
  ['conntrack-table-full', 'conntrack table full'],
]);

/** Fewest bulk packets in a row that are folded into one step. */
export const FOLD_MIN_PACKETS = 6;

/** Which way a packet crosses, seen from the diagram: the client side is on the left. */
export type Heading = 'right' | 'left';

/** One step of a diagram. */
export type Step =
  | { readonly kind: 'packet'; readonly packet: PacketRow; readonly heading: Heading }
  | { readonly kind: 'event'; readonly event: TraceEvent; readonly label: string }
  | {
      readonly kind: 'fold';
      readonly flow: number;
      readonly firstN: number;
      readonly lastN: number;
      readonly dataSegments: number;
      readonly bytes: number;
      readonly acks: number;
    };

/** The two sides of the firewall as a diagram draws them. */
export interface Sides {
  /** interface of the client side (left), and of the server side (right) */
  readonly leftInterface: string;
  readonly rightInterface: string;
  /** addresses seen on each side, in order of appearance */
  readonly leftHosts: readonly string[];
  readonly rightHosts: readonly string[];
}

function host(endpoint: string): string {
  const v6 = /^\[(.*)\]:\d+$/.exec(endpoint);
  if (v6) return v6[1]!;
  const v4 = /^(.*):\d+$/.exec(endpoint);
  return v4 ? v4[1]! : endpoint;
}

/** The sides of a run: a capture's first crossing flow, else the first packet's ingress, gives the client side. */
export function sidesOf(run: RunReport): Sides {
  const first = run.packets[0];
  // a capture knows its first crossing flow's client side; a capture may start with a reply
  const flow = run.flows.find((f) => f.crossesFirewall === true && f.clientInterface !== undefined);
  const leftInterface = flow?.clientInterface ?? first?.ingress ?? 'client side';
  const rightInterface = flow?.serverInterface ?? first?.egress ?? 'server side';
  const left: string[] = [];
  const right: string[] = [];
  // membership by set: a capture's run has tens of thousands of hosts (a list scan per packet was quadratic)
  const onLeft = new Set<string>();
  const onRight = new Set<string>();
  const add = (list: string[], h: string): void => {
    const seen = list === left ? onLeft : onRight;
    if (seen.has(h)) return;
    seen.add(h);
    list.push(h);
  };
  for (const p of run.packets) {
    const rightwards = p.ingress === leftInterface;
    add(rightwards ? left : right, host(p.src));
    add(rightwards ? right : left, host(p.dst));
  }
  if (run.packets.length === 0)
    for (const f of run.flows) {
      add(left, host(f.client));
      add(right, host(f.server));
    }
  return { leftInterface, rightInterface, leftHosts: left, rightHosts: right };
}

function isBulk(p: PacketRow, hasEvents: boolean): boolean {
  if (p.action !== 'permit' || p.text !== undefined || hasEvents || p.note !== undefined) return false;
  if (p.flags === undefined) return false;
  return !/[SFR]/.test(p.flags);
}

/** The steps of a run, bulk data of one flow folded when at least FOLD_MIN_PACKETS in a row. */
export function diagramSteps(run: RunReport, sides: Sides = sidesOf(run)): Step[] {
  const eventsAt = new Map<number, TraceEvent[]>();
  const loose: TraceEvent[] = [];
  for (const e of run.events) {
    if (!DIAGRAM_EVENTS.has(e.kind)) continue;
    if (e.packet === undefined) loose.push(e);
    else {
      const list = eventsAt.get(e.packet);
      if (list) list.push(e);
      else eventsAt.set(e.packet, [e]);
    }
  }
  const steps: Step[] = [];
  let li = 0;
  const flushLoose = (tMs: number): void => {
    while (li < loose.length && loose[li]!.tMs <= tMs) {
      const e = loose[li++]!;
      steps.push({ kind: 'event', event: e, label: DIAGRAM_EVENTS.get(e.kind)! });
    }
  };
  const ps = run.packets;
  let i = 0;
  while (i < ps.length) {
    const p = ps[i]!;
    flushLoose(p.tMs);
    // a run of bulk packets of one flow, with no loose event inside it
    let j = i;
    while (j < ps.length && ps[j]!.flow === p.flow && isBulk(ps[j]!, eventsAt.has(ps[j]!.n)) && !(li < loose.length && loose[li]!.tMs <= ps[j]!.tMs)) j++;
    let data = 0;
    let bytes = 0;
    for (let k = i; k < j; k++) {
      if (ps[k]!.len > 0) {
        data++;
        bytes += ps[k]!.len;
      }
    }
    if (j - i >= FOLD_MIN_PACKETS && data > 0) {
      steps.push({ kind: 'fold', flow: p.flow, firstN: p.n, lastN: ps[j - 1]!.n, dataSegments: data, bytes, acks: j - i - data });
      i = j;
      continue;
    }
    steps.push({ kind: 'packet', packet: p, heading: p.ingress === sides.leftInterface ? 'right' : 'left' });
    for (const e of eventsAt.get(p.n) ?? []) steps.push({ kind: 'event', event: e, label: DIAGRAM_EVENTS.get(e.kind)! });
    i++;
  }
  flushLoose(Number.POSITIVE_INFINITY);
  return steps;
}

/** The arrow's label: flags, ports (or endpoints when a side has several hosts) and the FTP text. */
export function packetLabel(p: PacketRow, sides: Sides): string {
  const single = sides.leftHosts.length <= 1 && sides.rightHosts.length <= 1;
  const port = (e: string): string => /:(\d+)$/.exec(e)?.[1] ?? e;
  const ends = single && p.flags !== undefined ? `${port(p.src)} → ${port(p.dst)}` : `${p.src} → ${p.dst}`;
  return `${p.flags ?? p.proto} ${ends}${p.text !== undefined ? ` "${p.text}"` : ''}${p.note !== undefined ? ` (${p.note})` : ''}`;
}
