/**
 * What the connection table changed between two calls (StatefulFirewall.tableChanges), kept only once a
 * caller asked: the entries packets were tracked on or made, and the ids removed. Every field of a
 * connection's view a step changes is that connection's own; other entries change only by leaving the table.
 */
import type { ConnectionWatcher } from '../verdict.js';
import type { Conn } from './conntrack-table.js';
import type { ConnRows } from './conn-rows.js';
import { connectionView, type ConnectionView, type ExpectationView } from './views.js';

/** What the connection table changed (StatefulFirewall.tableChanges). */
export interface TableChanges {
  /** views of the live entries made or touched since the call before, in id order */
  readonly changed: readonly ConnectionView[];
  /** ids of the entries removed since the call before, in id order (one made and removed in between included) */
  readonly removed: readonly number[];
  readonly expectations: readonly ExpectationView[];
}

const NO_IDS: readonly number[] = [];

/** The entries touched and removed since the last take(). */
export class ChangeLog {
  private readonly touched: Conn[];
  private readonly removed: number[] = [];

  /** `live`: the table's entries when the log starts (all new to the caller) */
  constructor(live: readonly Conn[]) {
    this.touched = live.slice();
  }

  /** a packet was tracked on `c` */
  touch(c: Conn): void {
    this.touched.push(c);
  }

  /** The lifecycle's watcher: made entries are touched (found by id), removed ones noted; then `outer` hears. */
  watcher(byId: (id: number) => Conn | undefined, outer: ConnectionWatcher | undefined): ConnectionWatcher {
    return (id, end) => {
      if (end === undefined) this.touched.push(byId(id)!);
      else this.removed.push(id);
      outer?.(id, end);
    };
  }

  /** The changes since the last take, the log emptied; `tupleOf` formats (or recalls) a connection's tuple. */
  take(rows: ConnRows, tupleOf: (c: Conn) => string, expectations: readonly ExpectationView[]): TableChanges {
    const touched = this.touched;
    const changed: ConnectionView[] = [];
    if (touched.length > 0) {
      touched.sort((a, b) => a.id - b.id);
      for (let i = 0; i < touched.length; i++) {
        const c = touched[i]!;
        if (c.alive && c !== touched[i - 1]) changed.push(connectionView(c, rows, tupleOf(c)));
      }
      touched.length = 0;
    }
    const removed = this.removed.length === 0 ? NO_IDS : this.removed.sort((a, b) => a - b).slice();
    this.removed.length = 0;
    return { changed, removed, expectations };
  }
}
