/**
 * Where the stateful engine puts its trace events. Recording on (the default), each event
 * is built with its sentence and kept; off (a capture replay without per-packet output),
 * events are only counted by kind and no text is built. Call sites ask first:
 * `if (events.want('conntrack-new')) events.push({ …, text: … })`.
 */
import type { TraceEvent, TraceEventKind } from '../verdict.js';

export class EventSink {
  /** build and keep events; off: count them only */
  recording = true;
  /** the events kept since the caller last emptied the list */
  readonly list: TraceEvent[] = [];
  /** events by kind since the engine was made, in the order kinds were first seen */
  private readonly counts = new Map<TraceEventKind, number>();

  /** Counts an event of `kind`; true when the caller should build it and push it. */
  want(kind: TraceEventKind): boolean {
    this.counts.set(kind, (this.counts.get(kind) ?? 0) + 1);
    return this.recording;
  }

  push(e: TraceEvent): void {
    this.list.push(e);
  }

  /** The counts by kind, in first-seen order. */
  countsByKind(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [k, n] of this.counts) out[k] = n;
    return out;
  }
}
