/**
 * Where the stateful engine puts its trace events. Recording on (the default), each event
 * is built with its sentence and kept; off (a capture replay without per-packet output),
 * events are only counted by kind and no text is built. Call sites ask first:
 * `if (events.want('conntrack-new')) events.push({ …, text: … })`.
 */
import type { TraceEvent, TraceEventKind } from '../verdict.js';

/**
 * Each kind's slot in the counts. Call sites name their kind as a constant, so `KIND_SLOT[kind]` is a
 * fixed property read once V8 inlines want(): no hashing of the kind's text per event.
 */
const KIND_SLOT: Readonly<Record<TraceEventKind, number>> = {
  'conntrack-new': 0,
  'conntrack-state': 1,
  'conntrack-destroy': 2,
  'conntrack-table-full': 3,
  'expectation-open': 4,
  'expectation-refused': 5,
  'expectation-replaced': 6,
  'expectation-consumed': 7,
  'expectation-expired': 8,
  'helper-drop': 9,
  'helper-opaque': 10,
  'helper-nat': 11,
  endpoint: 12,
};
const KINDS = Object.keys(KIND_SLOT).length;

export class EventSink {
  /** build and keep events; off: count them only */
  recording = true;
  /** the events kept since the caller last emptied the list */
  readonly list: TraceEvent[] = [];
  /** events by kind slot since the engine was made */
  private readonly counts = new Float64Array(KINDS);
  /** the kinds in the order they were first seen, each with its place in the step that first had it */
  private readonly seen: (readonly [kind: TraceEventKind, place: number])[] = [];
  /** events of the current step (or clock move) so far */
  private placeInStep = 0;

  /** A step (or a move of the clock) begins: places count from 0 again, as the step's list of events does. */
  startStep(): void {
    this.placeInStep = 0;
  }

  /** Counts an event of `kind`; true when the caller should build it and push it. */
  want(kind: TraceEventKind): boolean {
    const slot = KIND_SLOT[kind];
    if (this.counts[slot]! === 0) this.seen.push([kind, this.placeInStep]);
    this.counts[slot]!++;
    this.placeInStep++;
    return this.recording;
  }

  /**
   * The kinds seen so far, in first-seen order, each with its place among the events of the step that first
   * had one: with recording on, its index in that step's event list (every wanted event is pushed). Live: it
   * only grows.
   */
  firstSeen(): readonly (readonly [kind: TraceEventKind, place: number])[] {
    return this.seen;
  }

  push(e: TraceEvent): void {
    this.list.push(e);
  }

  /** The counts by kind, in first-seen order. */
  countsByKind(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [k] of this.seen) out[k] = this.counts[KIND_SLOT[k]]!;
    return out;
  }
}
