/**
 * A snapshot recorder: wraps a firewall and, after each packet, keeps the
 * conntrack and expectation tables as they were (for the HTML step-through).
 * Opt-in only. Each snapshot shares with the previous one every entry that did
 * not change, and the whole list when nothing changed (structural sharing), so
 * it costs only what the packet changed. The sharing is done by hand: immer's
 * produce() did the same but took 48 times the simulation's own time on a
 * 8,000-packet run with ~180 live entries (README, "HTML step-through").
 */
import type { Packet } from '../net/packet.js';
import type { ConnectionView, ExpectationView, TablesView } from './stateful/firewall.js';
import type { Firewall, StepContext, StepResult, TraceEvent } from './verdict.js';

/** A firewall that can show its tables (the stateful engine). */
interface WithTables {
  snapshot(): TablesView;
}

function hasTables(fw: Firewall): fw is Firewall & WithTables {
  return typeof (fw as Partial<WithTables>).snapshot === 'function';
}

/**
 * The tables after each packet, by index (packet n at index n - 1); undefined for a packet the engine
 * did not step. A plain array of TablesView is one (lessons and tests build them so).
 */
export interface SnapshotSeries {
  /** one more than the index of the last packet recorded; 0 when nothing was */
  readonly length: number;
  at(index: number): TablesView | undefined;
}

/** A firewall wrapped with its recorded snapshots. */
export interface RecordingFirewall {
  readonly firewall: Firewall;
  /** tables after packet n, at index n - 1; empty for engines without tables (static) */
  snapshots(): SnapshotSeries;
}

const EMPTY: TablesView = { connections: [], expectations: [] };

/** Same id means same tuple (an entry's tuple never changes), so the tuple text is not compared. */
function sameConnection(a: ConnectionView, b: ConnectionView): boolean {
  return (
    a.id === b.id &&
    a.state === b.state &&
    a.seenReply === b.seenReply &&
    a.assured === b.assured &&
    a.expiresMs === b.expiresMs &&
    a.helper === b.helper &&
    a.related === b.related
  );
}

function sameExpectation(a: ExpectationView, b: ExpectationView): boolean {
  return a.id === b.id && a.expiresMs === b.expiresMs;
}

/** What a packet changed in a list of entries: the entries new or changed (in id order), and the ids gone. */
interface ListChanges<T> {
  readonly changed: T[];
  readonly removed: number[];
}

/**
 * `next` with every entry equal to one of `prev` replaced by that object; `prev`
 * itself when nothing changed. Both lists are in id order (the tables list them so).
 * With `changes`, the same pass collects what changed (SnapshotLog keeps that).
 */
function share<T extends { readonly id: number }>(prev: readonly T[], next: readonly T[], same: (a: T, b: T) => boolean, changes?: ListChanges<T>): readonly T[] {
  if (prev.length === next.length) {
    let i = 0;
    while (i < next.length && same(prev[i]!, next[i]!)) i++;
    if (i === next.length) return prev;
  }
  const out: T[] = [];
  let j = 0;
  for (const n of next) {
    // (not `changes?.removed.push(prev[j++].id)`: without `changes` that skips the j++ as well and never ends)
    for (; j < prev.length && prev[j]!.id < n.id; j++) changes?.removed.push(prev[j]!.id);
    const p = prev[j];
    if (p !== undefined && p.id === n.id) {
      j++;
      if (same(p, n)) {
        out.push(p);
        continue;
      }
    }
    out.push(n);
    changes?.changed.push(n);
  }
  if (changes) while (j < prev.length) changes.removed.push(prev[j++]!.id);
  return out;
}

/** Every this many recorded packets the tables are kept whole; the others keep what changed (SnapshotLog). */
export const RECORDER_KEYFRAME = 64;

/** What one packet changed: entries new or changed (in id order), ids of entries gone, the expectation list after it. */
interface Change {
  /** the index of the packet recorded before this one */
  readonly after: number;
  readonly changed: readonly ConnectionView[];
  readonly removed: readonly number[];
  readonly expectations: readonly ExpectationView[];
}

/** `prev` with a Change applied: the entries it did not change are the same objects. */
function applied(prev: readonly ConnectionView[], c: Change): ConnectionView[] {
  const out: ConnectionView[] = [];
  let i = 0;
  let r = 0;
  /** the entries of `prev` below `id` that the change did not remove */
  const keepBelow = (id: number): void => {
    for (; i < prev.length && prev[i]!.id < id; i++) {
      const p = prev[i]!;
      while (r < c.removed.length && c.removed[r]! < p.id) r++;
      if (c.removed[r] !== p.id) out.push(p);
    }
  };
  for (const n of c.changed) {
    keepBelow(n.id);
    if (i < prev.length && prev[i]!.id === n.id) i++; // replaced
    out.push(n);
  }
  keepBelow(Number.POSITIVE_INFINITY);
  return out;
}

/**
 * The recorded tables of a run, kept as what each packet changed, with the whole tables every RECORDER_KEYFRAME
 * recorded packets: memory follows the changes, not packets × live entries (a capture of thousands of live
 * connections kept a list of all of them per packet: 2 GB for 64,000 packets). `at` rebuilds the tables from
 * the keyframe before (at most RECORDER_KEYFRAME changes); read in order, each packet costs one change.
 * Reading the same packet twice, or a packet that changed nothing and the one before it, gives the same object.
 */
class SnapshotLog implements SnapshotSeries {
  /** by packet index: the whole tables (a keyframe), what the packet changed, or the index of the packet whose tables it kept */
  private readonly steps: (TablesView | Change | number | undefined)[] = [];
  private recorded = 0;
  private lastIndex = -1;
  /** the packet last rebuilt, and its tables */
  private cachedIndex = -1;
  private cached: TablesView = EMPTY;

  get length(): number {
    return this.steps.length;
  }

  /** Records the tables after packet `index` (`now`), given the tables recorded before (`prev`) and the connections the packet changed. */
  record(index: number, prev: TablesView, now: TablesView, changes: ListChanges<ConnectionView>): void {
    const after = this.lastIndex;
    this.lastIndex = index;
    if (now === prev && after >= 0) {
      // the packet whose tables these are (never another such index, so reading one is one hop): reading it gives
      // the same object as reading that packet, as the recorder's own list gave
      const before = this.steps[after];
      this.steps[index] = typeof before === 'number' ? before : after;
      return;
    }
    if (this.recorded++ % RECORDER_KEYFRAME === 0) this.steps[index] = now;
    else this.steps[index] = { after, changed: changes.changed, removed: changes.removed, expectations: now.expectations };
  }

  at(index: number): TablesView | undefined {
    const step = this.steps[index];
    if (step === undefined) return undefined;
    if (index === this.cachedIndex) return this.cached;
    if (typeof step === 'number') return this.at(step);
    if (!('after' in step)) return this.remember(index, step);
    // the changes back to the last whole tables (or to the packet rebuilt last), applied forward
    const chain: Change[] = [step];
    let from = step.after;
    for (;;) {
      if (from === this.cachedIndex) break;
      const s = this.steps[from]!;
      if (typeof s === 'number') {
        from = s;
        continue;
      }
      if (!('after' in s)) {
        this.remember(from, s);
        break;
      }
      chain.push(s);
      from = s.after;
    }
    let tables = this.cached;
    for (let k = chain.length - 1; k >= 0; k--) tables = { connections: applied(tables.connections, chain[k]!), expectations: chain[k]!.expectations };
    return this.remember(index, tables);
  }

  private remember(index: number, tables: TablesView): TablesView {
    this.cachedIndex = index;
    this.cached = tables;
    return tables;
  }
}

/** Wraps a firewall so that, after each step, its tables are recorded. */
export function recordSnapshots(inner: Firewall): RecordingFirewall {
  const log = new SnapshotLog();
  let last = EMPTY;
  const firewall: Firewall = {
    engine: inner.engine,
    step(packet: Packet, ctx: StepContext): StepResult {
      const result = inner.step(packet, ctx);
      if (hasTables(inner)) {
        const now = inner.snapshot();
        const changes: ListChanges<ConnectionView> = { changed: [], removed: [] };
        const connections = share(last.connections, now.connections, sameConnection, changes);
        const expectations = share(last.expectations, now.expectations, sameExpectation);
        const prev = last;
        if (connections !== last.connections || expectations !== last.expectations) last = { connections, expectations };
        log.record(ctx.n - 1, prev, last, changes);
      }
      return result;
    },
    advanceTo(nowMs: number): readonly TraceEvent[] {
      return inner.advanceTo(nowMs);
    },
  };
  return { firewall, snapshots: () => log };
}
