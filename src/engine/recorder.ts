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
import type { ConnectionView, ExpectationView, TableChanges, TablesView } from './stateful/firewall.js';
import type { Firewall, StepContext, StepResult, TraceEvent } from './verdict.js';

/** A firewall that can show its tables (the stateful engine). */
interface WithTables {
  snapshot(): TablesView;
  /** what changed since the call before (the stateful engine): the recorder's work then follows the changes */
  tableChanges?(): TableChanges;
  /** stops the bookkeeping tableChanges() started (a recorder that is done) */
  endTableChanges?(): void;
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
  /** whether packet `index` was stepped (without rebuilding its tables); a recorder's series has it */
  recorded?(index: number): boolean;
  /**
   * What changed from the tables after packet `from` (-1: before any) to those after packet `to`; undefined
   * when nothing did. A reader of every packet takes these in order: its work follows the changes.
   */
  changesBetween?(from: number, to: number): TablesChange | undefined;
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

/**
 * `next` with every entry equal to one of `prev` replaced by that object; `prev` itself when nothing
 * changed. Both lists are in id order (the tables list them so). Used for the expectations (a few at most).
 */
function share<T extends { readonly id: number }>(prev: readonly T[], next: readonly T[], same: (a: T, b: T) => boolean): readonly T[] {
  if (prev.length === next.length) {
    let i = 0;
    while (i < next.length && same(prev[i]!, next[i]!)) i++;
    if (i === next.length) return prev;
  }
  const out: T[] = [];
  let j = 0;
  for (const n of next) {
    while (j < prev.length && prev[j]!.id < n.id) j++;
    const p = prev[j];
    out.push(p !== undefined && p.id === n.id && same(p, n) ? p : n);
  }
  return out;
}

/**
 * A keyframe (the whole tables) is kept when at least this many packets were recorded since the last one and
 * they changed at least as many entries as the table holds: the keyframes then cost no more than the changes
 * (a keyframe every N packets costs N-th of packets x live entries: quadratic on a busy capture), and rebuilding
 * one packet's tables reads at most about twice the table.
 */
export const RECORDER_KEYFRAME = 64;

/** What the tables changed from one recorded packet to a later one. */
export interface TablesChange {
  /** entries new or changed, in id order (an entry not changed is the same object as before) */
  readonly changed: readonly ConnectionView[];
  /** ids of the entries gone, in id order */
  readonly removed: readonly number[];
  /** the expectation list after */
  readonly expectations: readonly ExpectationView[];
}

/** What one packet changed, and the whole tables after it when it is a keyframe. */
interface Change extends TablesChange {
  /** the index of the packet recorded before this one (-1: none) */
  readonly after: number;
  readonly whole: TablesView | undefined;
}

/** `prev` with a Change applied: the entries it did not change are the same objects. */
function applied(prev: readonly ConnectionView[], c: TablesChange): ConnectionView[] {
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

/** The entries of a map by id, in id order (a map's order is its insertion order: ids only grow, so it is mostly already). */
function inIdOrder(byId: ReadonlyMap<number, ConnectionView>): ConnectionView[] {
  const out = Array.from(byId.values());
  for (let i = 1; i < out.length; i++) if (out[i - 1]!.id > out[i]!.id) return out.sort((a, b) => a.id - b.id);
  return out;
}

/**
 * The recorded tables of a run, kept as what each packet changed, with the whole tables now and then
 * (RECORDER_KEYFRAME): memory and time follow the changes, not packets x live entries (a capture of
 * thousands of live connections kept a list of all of them per packet: 2 GB for 64,000 packets). `at`
 * rebuilds a packet's tables from the keyframe before; `changesBetween` gives what changed between two
 * packets, which a reader going through every packet takes instead of whole tables. Reading the same
 * packet twice, or a packet that changed nothing and the one before it, gives the same object.
 */
class SnapshotLog implements SnapshotSeries {
  /**
   * by packet index - base: what the packet changed (with the whole tables at a keyframe), or the index of
   * the packet whose tables it kept. A window of a long capture starts far into it: no hole before it.
   */
  private readonly steps: (Change | number | undefined)[] = [];
  /** the index of the first packet recorded (steps[0]) */
  private base = 0;
  private lastIndex = -1;
  private lastExpectations: readonly ExpectationView[] = [];
  private recordedSinceKey = 0;
  private changedSinceKey = 0;
  /** the packet last rebuilt, and its tables */
  private cachedIndex = -1;
  private cached: TablesView = EMPTY;

  get length(): number {
    return this.steps.length === 0 ? 0 : this.base + this.steps.length;
  }

  /** what packet `index` recorded, if anything */
  private step(index: number): Change | number | undefined {
    return index < this.base ? undefined : this.steps[index - this.base];
  }

  /** Records what packet `index` changed; `live` is every entry after it, by id (read only at a keyframe). */
  record(index: number, changed: readonly ConnectionView[], removed: readonly number[], expectations: readonly ExpectationView[], live: ReadonlyMap<number, ConnectionView>): void {
    const after = this.lastIndex;
    this.lastIndex = index;
    if (this.steps.length === 0) this.base = index;
    if (after >= 0 && changed.length === 0 && removed.length === 0 && expectations === this.lastExpectations) {
      // the packet whose tables these are (never another such index, so reading one is one hop): reading it gives
      // the same object as reading that packet
      const before = this.step(after);
      this.steps[index - this.base] = typeof before === 'number' ? before : after;
      return;
    }
    this.lastExpectations = expectations;
    this.recordedSinceKey++;
    this.changedSinceKey += changed.length + removed.length;
    let whole: TablesView | undefined;
    if (after < 0 || (this.recordedSinceKey >= RECORDER_KEYFRAME && this.changedSinceKey >= live.size)) {
      whole = { connections: inIdOrder(live), expectations };
      this.recordedSinceKey = 0;
      this.changedSinceKey = 0;
    }
    this.steps[index - this.base] = { after, changed, removed, expectations, whole };
  }

  /** true when packet `index` was stepped (its tables were recorded) */
  recorded(index: number): boolean {
    return this.step(index) !== undefined;
  }

  at(index: number): TablesView | undefined {
    const step = this.step(index);
    if (step === undefined) return undefined;
    if (index === this.cachedIndex) return this.cached;
    if (typeof step === 'number') return this.at(step);
    if (step.whole) return this.remember(index, step.whole);
    // the changes back to the last whole tables (or to the packet rebuilt last), applied forward
    const chain: Change[] = [step];
    let from = step.after;
    let base: TablesView;
    for (;;) {
      if (from === this.cachedIndex) {
        base = this.cached;
        break;
      }
      const s = this.step(from)!;
      if (typeof s === 'number') {
        from = s;
        continue;
      }
      if (s.whole) {
        base = s.whole;
        break;
      }
      chain.push(s);
      from = s.after;
    }
    if (chain.length === 1) return this.remember(index, { connections: applied(base.connections, step), expectations: step.expectations });
    // many changes: by id, so each costs one entry, not a copy of the table
    const byId = new Map<number, ConnectionView>();
    for (const c of base.connections) byId.set(c.id, c);
    for (let k = chain.length - 1; k >= 0; k--) {
      const c = chain[k]!;
      for (const id of c.removed) byId.delete(id);
      for (const v of c.changed) byId.set(v.id, v);
    }
    return this.remember(index, { connections: inIdOrder(byId), expectations: step.expectations });
  }

  changesBetween(from: number, to: number): TablesChange | undefined {
    // every recorded packet's change is relative to the one recorded before it: in index order they compose
    const changed = new Map<number, ConnectionView>();
    const removed: number[] = [];
    let expectations: readonly ExpectationView[] | undefined;
    for (let k = Math.max(this.base, from + 1); k <= to; k++) {
      const s = this.step(k);
      if (s === undefined || typeof s === 'number') continue;
      for (const id of s.removed) {
        changed.delete(id); // made and gone in between: it may never have been seen; a reader forgets an id it does not hold
        removed.push(id);
      }
      for (const v of s.changed) changed.set(v.id, v);
      expectations = s.expectations;
    }
    if (expectations === undefined) return undefined;
    return { changed: inIdOrder(changed), removed: removed.sort((a, b) => a - b), expectations };
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
  // every live entry as recorded last, by id; and the expectations
  const live = new Map<number, ConnectionView>();
  let expectations: readonly ExpectationView[] = [];
  /** An engine without a change list: its whole tables, as changes (every entry a candidate, the ones gone removed). */
  const changesFromSnapshot = (fw: WithTables): TableChanges => {
    const now = fw.snapshot();
    const seen = new Set<number>();
    for (const v of now.connections) seen.add(v.id);
    const removed: number[] = [];
    for (const id of live.keys()) if (!seen.has(id)) removed.push(id);
    return { changed: now.connections, removed: removed.sort((a, b) => a - b), expectations: now.expectations };
  };
  /** What the step changed in `live`: entries equal to the recorded ones are not changes (and stay the same objects). */
  const changesOf = (fw: Firewall & WithTables): { changed: ConnectionView[]; removed: number[] } => {
    const t = fw.tableChanges ? fw.tableChanges() : changesFromSnapshot(fw);
    const changed: ConnectionView[] = [];
    const removed: number[] = [];
    for (const id of t.removed) if (live.delete(id)) removed.push(id);
    for (const v of t.changed) {
      const was = live.get(v.id);
      if (was !== undefined && sameConnection(was, v)) continue;
      live.set(v.id, v);
      changed.push(v);
    }
    expectations = share(expectations, t.expectations, sameExpectation);
    return { changed, removed };
  };
  /**
   * Recording follows the engine's (setRecording): on until told otherwise, so a run that never says records
   * every packet; a capture replay that keeps a window of packets turns it on at the window and off after it.
   * One window: once off after recording, it stays off (the tables in between were not followed).
   */
  let state: 'on' | 'off' | 'done' = 'on';
  const setRecording = (on: boolean): void => {
    inner.setRecording?.(on);
    if (on) {
      if (state === 'off') state = 'on';
      return;
    }
    if (state === 'on' && log.length > 0) {
      state = 'done';
      if (hasTables(inner)) inner.endTableChanges?.();
      live.clear();
    } else if (state === 'on') state = 'off';
  };
  const firewall: Firewall = {
    engine: inner.engine,
    step(packet: Packet, ctx: StepContext): StepResult {
      const result = inner.step(packet, ctx);
      if (state === 'on' && hasTables(inner)) {
        const { changed, removed } = changesOf(inner);
        log.record(ctx.n - 1, changed, removed, expectations, live);
      }
      return result;
    },
    advanceTo(nowMs: number): readonly TraceEvent[] {
      return inner.advanceTo(nowMs);
    },
    setRecording,
    // the rest of the engine as it is: a recorded replay releases flows and counts events as any other
    ...(inner.setVerdictDetail ? { setVerdictDetail: inner.setVerdictDetail.bind(inner) } : {}),
    ...(inner.eventCounts ? { eventCounts: inner.eventCounts.bind(inner) } : {}),
    ...(inner.eventKindsSeen ? { eventKindsSeen: inner.eventKindsSeen.bind(inner) } : {}),
    ...(inner.watchConnections ? { watchConnections: inner.watchConnections.bind(inner) } : {}),
    ...(inner.addresses ? { addresses: inner.addresses } : {}),
  };
  return { firewall, snapshots: () => log };
}
