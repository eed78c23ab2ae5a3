/**
 * The entry keeper's timers, with the table's per-entry rows (src/engine/stateful/lifecycle.ts,
 * conn-rows.ts): an entry's first timer is set before the entry is in the table (nf_conntrack
 * runs the l4 tracker before confirm), so it lives in the scratch row and moves with the entry.
 */
import { describe, expect, it } from 'vitest';
import { ipv4 } from '../../../src/net/address.js';
import { PROTO_UDP } from '../../../src/net/packet.js';
import { connRow, createConntrackTable, type Conn } from '../../../src/engine/stateful/conntrack-table.js';
import { SCRATCH_ROW } from '../../../src/engine/stateful/conn-rows.js';
import { EventSink } from '../../../src/engine/stateful/event-sink.js';
import { createExpectationTable } from '../../../src/engine/stateful/expectations.js';
import { createLifecycle } from '../../../src/engine/stateful/lifecycle.js';

/** A UDP entry 10.0.0.2:port → 192.168.10.1:53, not yet in a table. */
function udpConn(id: number, port: number): Conn {
  const src = ipv4(0x0a000002);
  const dst = ipv4(0xc0a80a01);
  return {
    id, proto: PROTO_UDP, src, dst, srcPort: port, dstPort: 53, replySrc: dst, replyDst: src, replySrcPort: 53, replyDstPort: port,
    seenReply: false, assured: false, related: undefined, session: true, helper: undefined, pending: undefined, mark: 0,
    established: undefined, alive: true, slot: -1, nat: undefined,
  };
}

describe('lifecycle timers', () => {
  it('an entry timed before it is confirmed keeps its time in its own row and expires then', () => {
    const table = createConntrackTable(1024);
    const life = createLifecycle(table, createExpectationTable(16), 300_000);
    const events = new EventSink();
    const a = udpConn(1, 40000);
    table.rows.startScratchTimer(0);
    life.setTimer(a, 0, 30_000);
    life.confirm(a);
    expect(connRow(a)).not.toBe(SCRATCH_ROW);
    expect(table.rows.expiresMs[connRow(a)]).toBe(30_000);
    expect(table.rows.timeoutMs[connRow(a)]).toBe(30_000);
    // the next entry's scratch values do not touch a's row
    const b = udpConn(2, 40001);
    table.rows.startScratchTimer(1000);
    life.setTimer(b, 1000, 180_000);
    expect(table.rows.expiresMs[connRow(a)]).toBe(30_000);
    life.confirm(b);
    life.expireUntil(29_999, events);
    expect(table.size).toBe(2);
    life.expireUntil(30_000, events);
    expect(table.byId(1)).toBeUndefined();
    expect(table.byId(2)).toBe(b);
    expect(events.list.map((e) => e.text)).toEqual(['connection 1 (udp 10.0.0.2:40000 → 192.168.10.1:53) timed out after 30 s']);
    life.expireUntil(181_000, events);
    expect(table.size).toBe(0);
  });

  it('a timer rebuild while an entry is being made does not lose that entry\'s timer', () => {
    const table = createConntrackTable(1024);
    const life = createLifecycle(table, createExpectationTable(16), 300_000);
    const events = new EventSink();
    const a = udpConn(1, 40000);
    table.rows.startScratchTimer(0);
    life.setTimer(a, 0, 10_000_000);
    life.confirm(a);
    // each shorter timeout leaves the longer timer behind, stale: 1,026 timers for one entry
    for (let k = 1; k <= 1025; k++) life.setTimer(a, 0, 10_000_000 - k);
    // the rebuild (stale timers > 2 × live + 1024) falls on the next entry's first timer, before it is in the table
    const b = udpConn(2, 40001);
    table.rows.startScratchTimer(0);
    life.setTimer(b, 0, 30_000);
    life.confirm(b);
    life.expireUntil(30_000, events);
    expect(table.byId(2)).toBeUndefined();
    expect(table.byId(1)).toBe(a);
  });
});
