/**
 * The life of conntrack entries and expectations on the virtual clock: timers (a heap whose stale
 * entries are skipped, rebuilt when they outnumber live ones), expiry, destruction with the
 * expectation it orphans, confirmation, and early_drop when the table is full.
 */
import type { Packet } from '../../net/packet.js';
import type { ConnectionEnd, ConnectionWatcher, StepContext } from '../verdict.js';
import { connRow, tcpStateOf, tupleHash, type Conn, type ConntrackTable } from './conntrack-table.js';
import type { EventSink } from './event-sink.js';
import type { Expectation, ExpectationTable } from './expectations.js';
import * as msg from './messages.js';
import { TCP_STATE_NAMES } from './tcp-state.js';
import { createTimerHeap } from './timer-heap.js';

/** The entry keeper of one engine. */
export interface Lifecycle {
  setTimer(c: Conn, nowMs: number, timeoutMs: number): void;
  /** arms an expectation's timer */
  scheduleExpectation(e: Expectation): void;
  /** Removes `c`; the event's sentence says why (`p`, `n`: the packet that caused it, for early-drop, reopened, killed). */
  destroy(c: Conn, events: EventSink, tMs: number, end: ConnectionEnd, p?: Packet, n?: number): void;
  confirm(c: Conn): void;
  /** removes every entry and expectation whose time came, with events */
  expireUntil(nowMs: number, events: EventSink): void;
  /**
   * nf_conntrack's early_drop: with the table full, connections that are not ASSURED in the new
   * tuple's hash bucket, or one of the next few, are evicted (NF_CT_EVICTION_RANGE: bounded work).
   * False when those buckets hold only assured entries.
   */
  earlyDrop(p: Packet, ports: readonly [number, number], ctx: StepContext, events: EventSink): boolean;
  watch(w: ConnectionWatcher | undefined): void;
}

/** The sentence of a connection's removal, built only while recording. */
function destroyText(c: Conn, tcpState: number, timeoutMs: number, end: ConnectionEnd, p: Packet | undefined, n: number): string {
  const state = tcpState >= 0 ? TCP_STATE_NAMES[tcpState] : undefined;
  switch (end) {
    case 'early-drop':
      return msg.earlyDropText(c, p!, n);
    case 'reopened':
      return msg.reopenedText(c, n, state!);
    case 'killed':
      return msg.killedText(c, n);
    default:
      return msg.timedOutText(c, state, timeoutMs);
  }
}

/** Builds the keeper of a table and its expectations. */
export function createLifecycle(table: ConntrackTable, expectations: ExpectationTable, expectationTimeoutMs: number): Lifecycle {
  const timers = createTimerHeap();
  let watcher: ConnectionWatcher | undefined;
  const victims: Conn[] = [];
  const rows = table.rows;

  /**
   * Timers are never removed early: a shortened timeout (ESTABLISHED → TIME_WAIT) or a destroyed
   * entry leaves a stale one behind. When stale ones outnumber live ones, the heap is rebuilt from
   * the live entries, so it stays bounded by the table.
   */
  const rebuildTimers = (): void => {
    timers.clear();
    table.forEach(pushConn);
    // in id order, as timers of equal times pop in push order (a few thousand at most: nf_ct_expect_max)
    const pending = expectations.list();
    for (let i = 0; i < pending.length; i++) pushExpectation(pending[i]!);
  };
  // made once: the rebuild runs every few thousand packets on a busy table
  const pushConn = (c: Conn): void => {
    const i = connRow(c);
    timers.push(rows.expiresMs[i]!, c.id);
    rows.heapAtMs[i] = rows.expiresMs[i]!;
  };
  const pushExpectation = (e: Expectation): void => {
    if (e.alive) timers.push(e.expiresMs, -e.id);
  };

  const destroy = (c: Conn, events: EventSink, tMs: number, end: ConnectionEnd, p?: Packet, n = 0): void => {
    // the sentence reads the TCP state from the entry's row, which it gives up when it leaves the table
    if (events.want('conntrack-destroy')) events.push({ tMs, kind: 'conntrack-destroy', text: destroyText(c, tcpStateOf(rows, c), rows.timeoutMs[connRow(c)]!, end, p, n) });
    table.remove(c);
    const e = c.pending;
    if (e) {
      expectations.remove(e);
      if (events.want('expectation-expired')) events.push({ tMs, kind: 'expectation-expired', text: msg.orphanedText(e, c.id) });
    }
    if (watcher) watcher(c.id, end);
  };

  return {
    setTimer(c, nowMs, timeoutMs) {
      const i = connRow(c);
      const expiresMs = nowMs + timeoutMs;
      rows.timeoutMs[i] = timeoutMs;
      rows.expiresMs[i] = expiresMs;
      if (expiresMs < rows.heapAtMs[i]!) {
        // rebuilt first: a rebuild pushes only the entries in the table, and `c` may not be in it yet
        if (timers.size >= 2 * (table.size + expectations.size) + 1024) rebuildTimers();
        if (expiresMs < rows.heapAtMs[i]!) {
          timers.push(expiresMs, c.id);
          rows.heapAtMs[i] = expiresMs;
        }
      }
    },
    scheduleExpectation(e) {
      timers.push(e.expiresMs, -e.id);
    },
    destroy,
    confirm(c) {
      table.insert(c);
      if (watcher) watcher(c.id, undefined);
    },
    expireUntil(nowMs, events) {
      while (timers.peekMs() <= nowMs) {
        const atMs = timers.peekMs();
        const id = timers.pop();
        if (id > 0) {
          const c = table.byId(id);
          if (!c) continue;
          const i = connRow(c);
          if (rows.heapAtMs[i] !== atMs) continue;
          const expiresMs = rows.expiresMs[i]!;
          if (expiresMs > atMs) {
            timers.push(expiresMs, c.id); // refreshed since: wait again
            rows.heapAtMs[i] = expiresMs;
            continue;
          }
          rows.heapAtMs[i] = Infinity;
          destroy(c, events, expiresMs, 'timeout');
        } else {
          const e = expectations.byId(-id);
          if (!e || !e.alive) continue;
          expectations.remove(e);
          if (events.want('expectation-expired')) events.push({ tMs: e.expiresMs, kind: 'expectation-expired', text: msg.expiredText(e, expectationTimeoutMs) });
        }
      }
    },
    earlyDrop(p, ports, ctx, events) {
      table.evictionVictims(tupleHash(p.proto, p.src, ports[0], p.dst, ports[1]), victims);
      if (victims.length === 0) return false;
      for (const v of victims) destroy(v, events, ctx.nowMs, 'early-drop', p, ctx.n);
      victims.length = 0;
      return true;
    },
    watch(w) {
      watcher = w;
    },
  };
}
