/**
 * `--steps FIRST-LAST`: which packets of a capture the HTML step-through holds. A page of every
 * packet of a long capture does not fit (about 5 KB of memory a packet while the page is built,
 * 1 KB a packet in the page): a capture's page holds a window, the first DEFAULT_HTML_STEPS packets
 * unless told, and says so; its flows and totals still cover the whole capture.
 */
import type { PacketWindow } from '../replay/index.js';
import { parseCount } from './limits.js';

/** Packets a capture's step-through (or ladder, Markdown and Mermaid diagram) holds when --steps is not given (about 250 MB while building, 50 MB of page). */
export const DEFAULT_HTML_STEPS = 50_000;

function count(n: number): string {
  return n.toLocaleString('en-US');
}

/**
 * Parses `--steps`: `FIRST-LAST` (capture packet numbers, both included) or `FIRST` (that packet and the
 * DEFAULT_HTML_STEPS - 1 after it). Underscores are allowed (1_000_000). A message when it is not one.
 */
export function parseStepWindow(text: string): PacketWindow | string {
  const m = /^\s*([^\s-]+)\s*(?:-\s*([^\s-]+)\s*)?$/.exec(text);
  const what = `'${text}' is not a range of packets: expected FIRST-LAST, capture packet numbers from 1, or FIRST for ${count(DEFAULT_HTML_STEPS)} packets from there`;
  const first = m ? parseCount(m[1]!) : undefined;
  if (first === undefined) return what;
  const last = m![2] === undefined ? first + DEFAULT_HTML_STEPS - 1 : parseCount(m![2]);
  if (last === undefined) return what;
  if (last < first) return `'${text}' ends before it starts: packet ${count(last)} comes before packet ${count(first)}`;
  return { first, last };
}

/**
 * The flows a capture's page or diagram lists besides those with a packet in its window: the first
 * this many blocked ones and the first this many that passed (the rest are counted in the totals).
 * A capture of 400,000 sessions has 800,000 flows: a page listing all of them took 1.4 GB to build.
 */
export const LISTED_FLOWS = { blocked: 10_000, passed: 10_000 } as const;

/** How many of a capture's flows its page or diagram lists (LISTED_FLOWS). */
export interface FlowListing {
  /** flows in the capture */
  readonly flows: number;
  /** flows listed */
  readonly listed: number;
  /** blocked flows in the capture, and listed */
  readonly blocked: number;
  readonly blockedListed: number;
  /** a window of packets was drawn (its flows are all listed) */
  readonly windowed: boolean;
}

/** Which flows a page or diagram lists, in a sentence; undefined when it lists them all. `page` as in windowSentence. */
export function flowsSentence(l: FlowListing, page = true): string | undefined {
  if (l.listed >= l.flows) return undefined;
  const others = `the first ${count(LISTED_FLOWS.blocked)} blocked flows and the first ${count(LISTED_FLOWS.passed)} that passed`;
  const which = l.windowed ? `every flow with a packet in the ${page ? 'step-through' : 'diagram'} and the control connection of each data flow there, and of the others ${others}` : others;
  const missed = l.blocked - l.blockedListed;
  const unlisted = missed > 0 ? `; ${count(missed)} blocked flow${missed === 1 ? ' is' : 's are'} counted in the totals but not listed` : '';
  return `${page ? 'the flows table lists' : 'the diagram covers'} ${count(l.listed)} of the capture's ${count(l.flows)} flows (${which})${unlisted}`;
}

/** The default window: the first DEFAULT_HTML_STEPS packets. */
export const DEFAULT_STEP_WINDOW: PacketWindow = { first: 1, last: DEFAULT_HTML_STEPS };

/** What a capture's page held of it: the packet numbers of its first and last rows, and the capture's packets. */
export interface HeldWindow {
  /** the window asked for */
  readonly asked: PacketWindow;
  /** packet numbers of the first and last rows held; undefined when no packet fell in the window */
  readonly held: PacketWindow | undefined;
  /** records in the capture */
  readonly records: number;
  /** true when --steps chose the window */
  readonly chosen: boolean;
}

/**
 * The window said in a sentence, for the output and stderr; undefined when it holds the whole capture.
 * `page`: an HTML step-through (else a diagram: ladder, Markdown, Mermaid); `allFlows`: every flow is listed.
 */
export function windowSentence(w: HeldWindow, page = true, allFlows = true): string | undefined {
  const whole = w.asked.first <= 1 && w.asked.last >= w.records;
  if (whole) return undefined;
  const tail = allFlows ? 'the flows and the totals cover the whole capture' : 'the totals cover the whole capture';
  const what = page ? 'the step-through' : 'the diagram';
  if (w.held === undefined)
    return `no packet of the capture falls in --steps ${w.asked.first}-${w.asked.last} (it has ${count(w.records)} packets): ${what} is empty; ${tail}`;
  const how = w.chosen ? '(--steps)' : `(the first ${count(DEFAULT_HTML_STEPS)}: a ${page ? 'page' : 'diagram'} of every packet would not fit; --steps FIRST-LAST shows others)`;
  return `${what} ${page ? 'holds' : 'draws'} packets ${count(w.held.first)}–${count(w.held.last)} of ${count(w.records)} ${how}; ${tail}`;
}
