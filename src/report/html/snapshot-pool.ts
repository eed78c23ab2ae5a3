/**
 * The conntrack and expectation tables of a page's steps, interned: each entry once, each snapshot whole now and
 * then and otherwise as the changes to the one before (what the page's script rebuilds a step's tables from).
 */
import type { TablesChange } from '../../engine/recorder.js';
import type { ConnectionView, ExpectationView, TablesView } from '../../engine/stateful/firewall.js';

/** A table snapshot in the page: whole [conns, exps], or changes [addConns, delConnIds, addExps, delExpIds, 0]. */
export type PageSnapshot = readonly [readonly number[], readonly number[]] | readonly [readonly number[], readonly number[], readonly number[], readonly number[], 0];

/**
 * A snapshot is stored whole when at least this many were stored since the last whole one and they changed at
 * least as many entries as the tables hold (the recorder's rule, RECORDER_KEYFRAME): whole snapshots then cost no
 * more than the changes, and the page rebuilds any snapshot from at most about twice the tables.
 */
export const SNAPSHOT_KEYFRAME = 64;

/**
 * Interns table snapshots: identical objects (shared by the recorder) get one index. A snapshot is stored
 * whole ([conns, exps], pool indexes) now and then (SNAPSHOT_KEYFRAME), else as changes to the previous one
 * ([added or changed conns, removed conn ids, added exps, removed exp ids, 0]). A recorder's series gives
 * the changes itself (`addChanges`): the work per snapshot is what changed, not the whole tables.
 */
export class SnapshotPool {
  readonly conns: [number, string, string, boolean, number, string, boolean][] = [];
  readonly exps: [number, string, string, number, number, number][] = [];
  readonly snaps: PageSnapshot[] = [];
  private readonly connIds = new Map<ConnectionView, number>();
  private readonly expIds = new Map<ExpectationView, number>();
  private prev: TablesView | undefined;
  /** the tables of the last snapshot: connection id → pool index, and the expectations */
  private readonly liveConns = new Map<number, number>();
  private liveExps: readonly ExpectationView[] = [];
  private sinceWhole = 0;
  private changedSinceWhole = 0;

  private conn(x: ConnectionView): number {
    let i = this.connIds.get(x);
    if (i === undefined) {
      i = this.conns.length;
      this.conns.push([x.id, x.tuple, x.state, x.assured, x.expiresMs, x.helper ?? '', x.related]);
      this.connIds.set(x, i);
    }
    return i;
  }

  private exp(x: ExpectationView): number {
    let i = this.expIds.get(x);
    if (i === undefined) {
      i = this.exps.length;
      this.exps.push([x.id, x.tuple, x.trigger, x.openedByPacket, x.master, x.expiresMs]);
      this.expIds.set(x, i);
    }
    return i;
  }

  /** Stores a snapshot given what changed since the one before, whole when it is time (SNAPSHOT_KEYFRAME). */
  private store(addC: number[], delC: number[], exps: readonly ExpectationView[]): number {
    const [addE, delE] = diff(this.liveExps, exps, (x) => this.exp(x));
    this.liveExps = exps;
    const id = this.snaps.length;
    this.sinceWhole++;
    this.changedSinceWhole += addC.length + delC.length;
    if (id === 0 || (this.sinceWhole >= SNAPSHOT_KEYFRAME && this.changedSinceWhole >= this.liveConns.size)) {
      const e: number[] = [];
      for (const x of exps) e.push(this.exp(x));
      this.snaps.push([Array.from(this.liveConns.values()), e]);
      this.sinceWhole = 0;
      this.changedSinceWhole = 0;
    } else this.snaps.push([addC, delC, addE, delE, 0]);
    return id;
  }

  /** A snapshot given whole (a plain series): compared with the one before. */
  add(t: TablesView): number {
    // the same object as the snapshot before: the same index (only the last one is held, so the snapshots a
    // long capture's recorder rebuilds one after the other are not all kept alive here)
    if (t === this.prev) return this.snaps.length - 1;
    const [addC, delC] = diff(this.prev?.connections ?? [], t.connections, (x) => this.conn(x));
    for (const id of delC) this.liveConns.delete(id);
    for (const x of t.connections) this.liveConns.set(x.id, this.conn(x));
    this.prev = t;
    return this.store(addC, delC, t.expectations);
  }

  /** A snapshot given as what changed since the one added before (undefined: nothing did). */
  addChanges(c: TablesChange | undefined): number {
    if (c === undefined && this.snaps.length > 0) return this.snaps.length - 1;
    const addC: number[] = [];
    const delC: number[] = [];
    if (c) {
      for (const id of c.removed) if (this.liveConns.delete(id)) delC.push(id);
      for (const x of c.changed) {
        const i = this.conn(x);
        this.liveConns.set(x.id, i);
        addC.push(i);
      }
    }
    return this.store(addC, delC, c ? c.expectations : this.liveExps);
  }
}

/** What changed from `a` to `b` (both in id order): pool indexes of new or changed entries, ids of removed ones. */
function diff<T extends { readonly id: number }>(a: readonly T[], b: readonly T[], index: (x: T) => number): [number[], number[]] {
  const add: number[] = [];
  const del: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const x = a[i];
    const y = b[j];
    if (y === undefined || (x !== undefined && x.id < y.id)) {
      del.push(x!.id);
      i++;
    } else if (x === undefined || y.id < x.id) {
      add.push(index(y));
      j++;
    } else {
      if (x !== y) add.push(index(y));
      i++;
      j++;
    }
  }
  return [add, del];
}
