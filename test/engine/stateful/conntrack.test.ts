import { describe, expect, it } from 'vitest';
import { createStatefulFirewall } from '../../../src/engine/stateful/firewall.js';
import { NF_CT_EVICTION_RANGE, tupleHash } from '../../../src/engine/stateful/conntrack-table.js';
import { LINUX_TCP_TIMEOUTS_SEC } from '../../../src/engine/stateful/tcp-state.js';
import { describeProvenance, ESTABLISHED_UNNAMED } from '../../../src/engine/verdict.js';
import { PROTO_TCP, TCP_ACK, TCP_FIN, TCP_SYN } from '../../../src/net/packet.js';
import { Conversation, icmp, IN, ip, OUT, Runner, tcpSeg, udp } from './packets.js';
import { guarded, INSPECT_ANY } from './policies.js';

const S = 1000;

function control(cPort = 50000, client = '10.0.0.2'): Conversation {
  return new Conversation(client, cPort, '192.168.10.1', 21);
}

describe('conntrack: verdict detail', () => {
  it('off, a session\'s established packets share one record naming no connection; denials and the first packet stay whole', () => {
    const fw = createStatefulFirewall(guarded([INSPECT_ANY]));
    fw.setVerdictDetail(false);
    const run = new Runner(fw);
    const cv = control();
    expect(describeProvenance(run.step(cv.syn(), 0).verdict.by)).toBe('acl 3001 rule 0 (test.cfg:1)');
    const synAck = run.step(cv.synAck(), 10).verdict;
    const ack = run.step(cv.ack(), 20).verdict;
    expect(synAck).toBe(ESTABLISHED_UNNAMED);
    expect(ack).toBe(ESTABLISHED_UNNAMED);
    expect(ESTABLISHED_UNNAMED).toEqual({ action: 'permit', by: { kind: 'conntrack', state: 'established', connection: 0 } });
    // the same engine with detail on again: the record names the connection
    fw.setVerdictDetail(true);
    expect(run.step(cv.ack(), 30).verdict).toEqual({ action: 'permit', by: { kind: 'conntrack', state: 'established', connection: 1 } });
    expect(fw.connections()).toMatchObject([{ id: 1, state: 'ESTABLISHED', assured: true }]);
  });
});

describe('conntrack: TCP state machine', () => {
  it('uses the kernel default timeouts (nf_conntrack_proto_tcp.c tcp_timeouts[])', () => {
    expect(LINUX_TCP_TIMEOUTS_SEC).toEqual({
      synSent: 120, synRecv: 60, established: 432000, finWait: 120, closeWait: 60, lastAck: 30,
      timeWait: 120, close: 10, synSent2: 120, maxRetrans: 300, unacknowledged: 300,
    });
  });

  it('tracks the handshake: the ACL admits the SYN, the SYN-ACK and the ACK pass as established', () => {
    const fw = createStatefulFirewall(guarded([INSPECT_ANY]));
    const run = new Runner(fw);
    const cv = control();
    const syn = run.step(cv.syn(), 0);
    expect(syn.verdict.action).toBe('permit');
    expect(describeProvenance(syn.verdict.by)).toBe('acl 3001 rule 0 (test.cfg:1)');
    expect(Runner.texts(syn)).toEqual(['conntrack-new: connection 1: tcp 10.0.0.2:50000 → 192.168.10.1:21 (SYN_SENT, timeout 120 s); ftp helper "ftp" attached']);
    const synAck = run.step(cv.synAck(), 10);
    expect(synAck.verdict).toEqual({ action: 'permit', by: { kind: 'conntrack', state: 'established', connection: 1 } });
    expect(Runner.texts(synAck)).toEqual(['conntrack-state: connection 1: SYN_SENT → SYN_RECV (timeout 60 s)']);
    const ack = run.step(cv.ack(), 20);
    expect(ack.verdict).toEqual({ action: 'permit', by: { kind: 'conntrack', state: 'established', connection: 1 } });
    expect(Runner.texts(ack)).toEqual(['conntrack-state: connection 1: SYN_RECV → ESTABLISHED (timeout 432000 s)']);
    expect(fw.connections()).toMatchObject([{ id: 1, state: 'ESTABLISHED', seenReply: true, assured: true, helper: 'ftp', expiresMs: 20 + 432000 * S }]);
  });

  it('without the connection the same SYN-ACK is denied by the server-side ACL', () => {
    const run = new Runner(createStatefulFirewall(guarded()));
    const cv = control();
    cv.syn();
    const r = run.step(cv.synAck(), 0);
    expect(r.verdict.action).toBe('deny');
    expect(describeProvenance(r.verdict.by, 'deny')).toBe('acl 3000 rule 0 (test.cfg:1)');
    expect(Runner.texts(r)).toEqual([
      'conntrack-state: packet 1 (SYN-ACK 192.168.10.1:21 → 10.0.0.2:50000) matches no connection and a SYN-ACK cannot start one (tcp_new: invalid new): conntrack state invalid, the ACLs decide',
    ]);
  });

  it('FIN and RST without a connection create none and the ACLs decide (facts 10.6)', () => {
    const fw = createStatefulFirewall(guarded());
    const run = new Runner(fw);
    const fin = run.step(tcpSeg('10.0.0.2', 50000, '192.168.10.1', 21, TCP_FIN | TCP_ACK, 1, 1), 0);
    expect(fin.verdict.action).toBe('permit'); // acl 3001 rule 0 permits tcp to port 21
    expect(describeProvenance(fin.verdict.by)).toBe('acl 3001 rule 0 (test.cfg:1)');
    expect(Runner.texts(fin)[0]).toContain('a FIN cannot start one (tcp_new: invalid new)');
    const rst = run.step(tcpSeg('192.168.10.1', 21, '10.0.0.2', 50000, 0x04, 1, 0), 0);
    expect(rst.verdict.action).toBe('deny');
    expect(Runner.texts(rst)).toEqual([
      'conntrack-state: packet 2 (RST 192.168.10.1:21 → 10.0.0.2:50000) matches no connection and an RST cannot start one (tcp_new: invalid new): conntrack state invalid, the ACLs decide',
    ]);
    const bad = run.step(tcpSeg('10.0.0.2', 50000, '192.168.10.1', 21, TCP_SYN | TCP_FIN), 0);
    expect(Runner.texts(bad)[0]).toContain('has an invalid TCP flag combination (tcp_error)');
    expect(fw.connections()).toEqual([]);
  });

  it('a bare ACK picks up a connection as NEW (tcp_loose) with the 300 s unacknowledged cap', () => {
    const fw = createStatefulFirewall(guarded());
    const run = new Runner(fw);
    const r = run.step(tcpSeg('10.0.0.2', 50000, '192.168.10.1', 21, TCP_ACK, 7000, 9000), 0);
    expect(describeProvenance(r.verdict.by)).toBe('acl 3001 rule 0 (test.cfg:1)');
    expect(Runner.texts(r)).toEqual([
      'conntrack-new: connection 1: tcp 10.0.0.2:50000 → 192.168.10.1:21 picked up mid-stream by a segment without SYN (nf_conntrack_tcp_loose = 1) (ESTABLISHED, timeout 300 s)',
    ]);
    // until a reply is seen, original-direction packets are NEW: the ACL decides again
    const again = run.step(tcpSeg('10.0.0.2', 50000, '192.168.10.1', 21, TCP_ACK, 7000, 9000), 1);
    expect(again.verdict.by.kind).toBe('rule');
    const reply = run.step(tcpSeg('192.168.10.1', 21, '10.0.0.2', 50000, TCP_ACK, 9000, 7000), 2);
    expect(reply.verdict).toEqual({ action: 'permit', by: { kind: 'conntrack', state: 'established', connection: 1 } });
  });

  it('an original-direction packet before the reply is NEW: a retransmitted SYN is judged by the ACL', () => {
    const run = new Runner(createStatefulFirewall(guarded()));
    const cv = control();
    run.step(cv.syn(), 0);
    const again = run.step(cv.synAgain(), 1000);
    expect(again.verdict.action).toBe('permit');
    expect(again.verdict.by.kind).toBe('rule');
    expect(again.events).toEqual([]);
  });

  it('an ACK from the client in SYN_SENT is invalid for the connection and the ACL decides', () => {
    const run = new Runner(createStatefulFirewall(guarded()));
    const cv = control();
    run.step(cv.syn(), 0);
    const r = run.step(cv.ack(), 5);
    expect(r.verdict.by.kind).toBe('rule');
    expect(Runner.texts(r)).toEqual([
      'conntrack-state: packet 2 (ACK 10.0.0.2:50000 → 192.168.10.1:21) is invalid for connection 1 in state SYN_SENT (nf_ct_tcp: packet (index 3) in dir 0 invalid): conntrack state invalid, the ACLs decide',
    ]);
  });

  it('walks the FIN teardown FIN_WAIT → CLOSE_WAIT → LAST_ACK → TIME_WAIT and expires after 120 s', () => {
    const fw = createStatefulFirewall(guarded());
    const run = new Runner(fw);
    const cv = control();
    run.step(cv.syn(), 0);
    run.step(cv.synAck(), 0);
    run.step(cv.ack(), 0);
    expect(Runner.texts(run.step(cv.clientFin(), 1 * S))).toEqual(['conntrack-state: connection 1: ESTABLISHED → FIN_WAIT (timeout 120 s)']);
    expect(Runner.texts(run.step(cv.serverAck(), 2 * S))).toEqual(['conntrack-state: connection 1: FIN_WAIT → CLOSE_WAIT (timeout 60 s)']);
    expect(Runner.texts(run.step(cv.serverFin(), 3 * S))).toEqual(['conntrack-state: connection 1: CLOSE_WAIT → LAST_ACK (timeout 30 s)']);
    const last = run.step(cv.ack(), 4 * S);
    expect(last.verdict.by).toEqual({ kind: 'conntrack', state: 'established', connection: 1 });
    expect(Runner.texts(last)).toEqual(['conntrack-state: connection 1: LAST_ACK → TIME_WAIT (timeout 120 s)']);
    expect(fw.advanceTo(123_999)).toEqual([]);
    expect(fw.advanceTo(124 * S)).toEqual([
      { tMs: 124 * S, kind: 'conntrack-destroy', text: 'connection 1 (tcp 10.0.0.2:50000 → 192.168.10.1:21) timed out in TIME_WAIT after 120 s' },
    ]);
    expect(fw.connections()).toEqual([]);
  });

  it('a FIN answered by a FIN-ACK goes from FIN_WAIT straight to LAST_ACK', () => {
    const run = new Runner(createStatefulFirewall(guarded()));
    const cv = control();
    run.step(cv.syn(), 0);
    run.step(cv.synAck(), 0);
    run.step(cv.ack(), 0);
    run.step(cv.clientFin(), 0);
    expect(Runner.texts(run.step(cv.serverFin(), 0))).toEqual(['conntrack-state: connection 1: FIN_WAIT → LAST_ACK (timeout 30 s)']);
  });

  it('an RST closes an established connection with the 10 s CLOSE timeout', () => {
    const fw = createStatefulFirewall(guarded());
    const run = new Runner(fw);
    const cv = control();
    run.step(cv.syn(), 0);
    run.step(cv.synAck(), 0);
    run.step(cv.ack(), 0);
    const rst = run.step(cv.clientRst(), 5 * S);
    expect(rst.verdict.by).toEqual({ kind: 'conntrack', state: 'established', connection: 1 });
    expect(Runner.texts(rst)).toEqual(['conntrack-state: connection 1: ESTABLISHED → CLOSE (timeout 10 s)']);
    expect(fw.advanceTo(15 * S).map((e) => e.text)).toEqual(['connection 1 (tcp 10.0.0.2:50000 → 192.168.10.1:21) timed out in CLOSE after 10 s']);
  });

  it('an RST answering the SYN deletes the entry at once; the RST itself passes as a reply', () => {
    const fw = createStatefulFirewall(guarded());
    const run = new Runner(fw);
    const cv = control();
    run.step(cv.syn(), 0);
    const rst = run.step(cv.serverRst(), 3);
    expect(rst.verdict.by).toEqual({ kind: 'conntrack', state: 'established', connection: 1 });
    expect(Runner.texts(rst)).toEqual([
      'conntrack-destroy: connection 1 (tcp 10.0.0.2:50000 → 192.168.10.1:21) destroyed by the RST in packet 2: no reply was ever seen',
    ]);
    expect(fw.connections()).toEqual([]);
  });

  it('SYN_SENT expires after 120 s and a SYN retransmission does not renew the timer', () => {
    const fw = createStatefulFirewall(guarded());
    const run = new Runner(fw);
    const cv = control();
    run.step(cv.syn(), 0);
    run.step(cv.synAgain(), 3 * S);
    expect(fw.advanceTo(119_999)).toEqual([]);
    expect(fw.advanceTo(120 * S).map((e) => e.text)).toEqual(['connection 1 (tcp 10.0.0.2:50000 → 192.168.10.1:21) timed out in SYN_SENT after 120 s']);
  });

  it('takes configured timeouts: ESTABLISHED 3600 s', () => {
    const fw = createStatefulFirewall(guarded(), { timeouts: { established: 3600 } });
    const run = new Runner(fw);
    const cv = control();
    run.step(cv.syn(), 0);
    run.step(cv.synAck(), 0);
    expect(Runner.texts(run.step(cv.ack(), 0))).toEqual(['conntrack-state: connection 1: SYN_RECV → ESTABLISHED (timeout 3600 s)']);
    expect(fw.advanceTo(3599 * S)).toEqual([]);
    expect(fw.advanceTo(3600 * S)).toHaveLength(1);
  });

  it('data not yet acknowledged lowers the ESTABLISHED timeout to 300 s until the ACK comes', () => {
    const fw = createStatefulFirewall(guarded());
    const run = new Runner(fw);
    const cv = control();
    run.step(cv.syn(), 0);
    run.step(cv.synAck(), 0);
    run.step(cv.ack(), 0);
    run.step(cv.c('NOOP\r\n'), 10 * S);
    expect(fw.connections()[0]!.expiresMs).toBe(310 * S);
    run.step(cv.serverAck(), 11 * S);
    expect(fw.connections()[0]!.expiresMs).toBe(11 * S + 432000 * S);
  });

  it('a SYN after TIME_WAIT reopens the tuple: the old entry is destroyed and a new one made', () => {
    const fw = createStatefulFirewall(guarded());
    const run = new Runner(fw);
    const cv = control();
    for (const p of [cv.syn(), cv.synAck(), cv.ack(), cv.clientFin(), cv.serverFin(), cv.ack()]) run.step(p, 0);
    const again = new Conversation('10.0.0.2', 50000, '192.168.10.1', 21, 90000, 7000);
    const r = run.step(again.syn(), 1 * S);
    expect(Runner.texts(r)).toEqual([
      'conntrack-destroy: connection 1 (tcp 10.0.0.2:50000 → 192.168.10.1:21) destroyed: the SYN in packet 7 reopens it from TIME_WAIT',
      'conntrack-new: connection 2: tcp 10.0.0.2:50000 → 192.168.10.1:21 (SYN_SENT, timeout 120 s)',
    ]);
  });
});

describe('conntrack: table, UDP, ICMP, clock', () => {
  it('when the table is full of unassured entries, early_drop evicts those in the new tuple\'s hash bucket', () => {
    // 16 entries in 16 buckets; each connection sits in the bucket of its ORIGINAL and of its REPLY tuple
    const max = 16;
    const fw = createStatefulFirewall(guarded(), { maxConnections: max });
    const run = new Runner(fw);
    const server = ip('192.168.10.1');
    const orig = (cPort: number): number => tupleHash(PROTO_TCP, ip('10.0.0.2'), cPort, server, 21) % max;
    const reply = (cPort: number): number => tupleHash(PROTO_TCP, server, 21, ip('10.0.0.2'), cPort) % max;
    const ports: number[] = [];
    for (let i = 0; i < max; i++) {
      ports.push(20000 + i);
      run.step(control(20000 + i, '10.0.0.2').syn(), 0);
    }
    // a newcomer whose own bucket is occupied: exactly the connections in that bucket go
    let newcomer = 30000;
    while (!ports.some((q) => orig(q) === orig(newcomer) || reply(q) === orig(newcomer))) newcomer++;
    const expected = ports.flatMap((q, i) => (orig(q) === orig(newcomer) || reply(q) === orig(newcomer) ? [i + 1] : []));
    const r = run.step(control(newcomer, '10.0.0.2').syn(), 1);
    expect(r.verdict.by.kind).toBe('rule');
    expect(r.events.filter((e) => e.kind === 'conntrack-destroy')).toEqual(
      expected.map((id) => ({
        tMs: 1,
        kind: 'conntrack-destroy',
        text: `table full: connection ${id} tcp 10.0.0.2:${ports[id - 1]} → 192.168.10.1:21 (not assured) evicted to make room for packet ${max + 1} (SYN 10.0.0.2:${newcomer} → 192.168.10.1:21) (early_drop)`,
      })),
    );
    expect(fw.connections().map((x) => x.id)).toEqual([...ports.keys()].map((i) => i + 1).filter((id) => !expected.includes(id)).concat([max + 1]));
  });

  it('early_drop looks at NF_CT_EVICTION_RANGE (8) buckets from the new tuple\'s: an unassured entry further away does not save the new connection', () => {
    const max = 64;
    const fw = createStatefulFirewall(guarded(), { maxConnections: max });
    const run = new Runner(fw);
    const server = ip('192.168.10.1');
    const buckets = (cPort: number): number[] => [tupleHash(PROTO_TCP, ip('10.0.0.2'), cPort, server, 21) % max, tupleHash(PROTO_TCP, server, 21, ip('10.0.0.2'), cPort) % max];
    // 63 assured connections, then one that stays unassured (SYN only) in buckets far from the newcomer's
    let port = 10000;
    for (let i = 0; i < max - 1; i++, port++) {
      const x = control(port, '10.0.0.2');
      run.step(x.syn(), 0);
      run.step(x.synAck(), 0);
      run.step(x.ack(), 0);
    }
    const near = (b: number, from: number): boolean => (b - from + max) % max < NF_CT_EVICTION_RANGE;
    let newcomer = 60000;
    for (;;) {
      const from = tupleHash(PROTO_TCP, ip('10.0.0.2'), newcomer, server, 21) % max;
      if (!buckets(port).some((b) => near(b, from))) break;
      newcomer++;
    }
    run.step(control(port, '10.0.0.2').syn(), 0);
    expect(fw.connections().filter((x) => !x.assured)).toHaveLength(1);
    const r = run.step(control(newcomer, '10.0.0.2').syn(), 1);
    expect(r.events.map((e) => e.kind)).toEqual(['conntrack-table-full']);
    expect(r.verdict.action).toBe('deny');
    expect(fw.connections()).toHaveLength(max);
  });

  it('early_drop does bounded work: 100,000 SYNs through a 1,000-entry table leave it full of the newest and evict each once', () => {
    const fw = createStatefulFirewall(guarded(), { maxConnections: 1000 });
    let drops = 0;
    let full = 0;
    fw.watchConnections((_id, end) => {
      if (end === 'early-drop') drops++;
    });
    for (let i = 0; i < 100_000; i++) {
      const r = fw.step(tcpSeg(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, 40000, '192.168.10.1', 21, TCP_SYN), { n: i + 1, nowMs: i, ingress: OUT, egress: IN });
      if (r.events.some((e) => e.kind === 'conntrack-table-full')) full++;
    }
    const live = fw.connections().length;
    expect(live).toBeLessThanOrEqual(1000);
    // every connection made is either still live or was evicted once
    expect(drops + live).toBe(100_000 - full);
    expect(drops).toBeGreaterThan(98_000);
  });

  it('when the table is full of assured connections a new connection is dropped with the kernel message; tracked traffic still passes', () => {
    const fw = createStatefulFirewall(guarded(), { maxConnections: 2 });
    const run = new Runner(fw);
    const a = control(50000, '10.0.0.2');
    const b = control(50000, '10.0.0.3');
    for (const x of [a, b]) {
      run.step(x.syn(), 0);
      run.step(x.synAck(), 0);
      run.step(x.ack(), 0);
    }
    expect(fw.connections().every((x) => x.assured)).toBe(true);
    const c = control(50000, '10.0.0.4');
    const full = run.step(c.syn(), 1);
    expect(full.verdict).toEqual({ action: 'deny', by: { kind: 'invalid', reason: 'nf_conntrack: table full, dropping packet' } });
    expect(describeProvenance(full.verdict.by)).toBe('conntrack invalid: nf_conntrack: table full, dropping packet');
    expect(full.events).toEqual([
      {
        tMs: 1,
        kind: 'conntrack-table-full',
        packet: 7,
        text: 'nf_conntrack: table full, dropping packet: packet 7 (SYN 10.0.0.4:50000 → 192.168.10.1:21) would need a new entry but all 2 are in use',
      },
    ]);
    expect(run.step(a.serverAck(), 2).verdict.action).toBe('permit');
  });

  it('expires entries on time through timer-heap rebuilds, when thousands of long timeouts are shortened', () => {
    const fw = createStatefulFirewall(guarded());
    const run = new Runner(fw);
    for (let i = 0; i < 3000; i++) {
      const x = control(10000 + i, '10.0.0.2');
      run.step(x.syn(), i);
      run.step(x.synAck(), i);
      run.step(x.ack(), i); // ESTABLISHED: a 5-day timer
      run.step(x.clientRst(), i); // CLOSE: 10 s, the 5-day timer is left behind
    }
    fw.advanceTo(3000 + 11 * S);
    expect(fw.connections()).toEqual([]);
    // every entry expired on time although 3,000 stale 5-day timers were pushed
    expect(run.step(control(9999, '10.0.0.2').syn(), 3000 + 12 * S).verdict.by.kind).toBe('rule');
  });

  it('tracks UDP: 30 s unreplied, 120 s once replied and active past 2 s', () => {
    const fw = createStatefulFirewall(guarded());
    const run = new Runner(fw);
    const q = run.step(udp('10.0.0.2', 40000, '192.168.10.1', 53), 0);
    expect(describeProvenance(q.verdict.by)).toBe('acl 3001 rule 10 (test.cfg:11)');
    expect(Runner.texts(q)).toEqual(['conntrack-new: connection 1: udp 10.0.0.2:40000 → 192.168.10.1:53 (timeout 30 s)']);
    const a = run.step(udp('192.168.10.1', 53, '10.0.0.2', 40000), 1 * S);
    expect(a.verdict.by).toEqual({ kind: 'conntrack', state: 'established', connection: 1 });
    expect(fw.connections()[0]).toMatchObject({ state: 'REPLIED', expiresMs: 31 * S, assured: false });
    run.step(udp('192.168.10.1', 53, '10.0.0.2', 40000), 3 * S);
    expect(fw.connections()[0]).toMatchObject({ expiresMs: 123 * S, assured: true });
    expect(fw.advanceTo(200 * S).map((e) => e.text)).toEqual(['connection 1 (udp 10.0.0.2:40000 → 192.168.10.1:53) timed out after 120 s']);
  });

  it('tracks ICMP echo: the reply is established, a request from the other side is new, errors are untracked', () => {
    const fw = createStatefulFirewall(guarded());
    const run = new Runner(fw);
    expect(run.step(icmp('10.0.0.2', '192.168.10.1', 8), 0).verdict.by.kind).toBe('rule');
    expect(run.step(icmp('192.168.10.1', '10.0.0.2', 0), 1).verdict.by).toEqual({ kind: 'conntrack', state: 'established', connection: 1 });
    expect(run.step(icmp('192.168.10.1', '10.0.0.2', 8), 2).verdict.action).toBe('deny');
    const err = run.step(icmp('192.168.10.1', '10.0.0.2', 3, 3), 3);
    expect(err.verdict.action).toBe('deny');
    expect(Runner.texts(err)[0]).toContain('ICMP type 3 is not a query that can start one');
    expect(fw.advanceTo(31 * S).map((e) => e.text)).toEqual(['connection 1 (icmp 10.0.0.2 → 192.168.10.1 type 8) timed out after 30 s']);
  });

  it('advanceTo reports expiries in time order across connections', () => {
    const fw = createStatefulFirewall(guarded());
    const run = new Runner(fw);
    run.step(control().syn(), 0); // SYN_SENT: 120 s
    run.step(udp('10.0.0.2', 40000, '192.168.10.1', 53), 50 * S); // 30 s → 80 s
    const events = fw.advanceTo(500 * S);
    expect(events.map((e) => [e.tMs, e.kind])).toEqual([
      [80 * S, 'conntrack-destroy'],
      [120 * S, 'conntrack-destroy'],
    ]);
  });

  it('a packet arriving after the entry expired finds none, and step reports the expiry first', () => {
    const fw = createStatefulFirewall(guarded());
    const run = new Runner(fw);
    const cv = control();
    run.step(cv.syn(), 0);
    const late = run.step(cv.synAck(), 120 * S);
    expect(late.verdict.action).toBe('deny');
    expect(late.events.map((e) => e.kind)).toEqual(['conntrack-destroy', 'conntrack-state']);
    expect(late.events[0]!.tMs).toBe(120 * S);
  });

  it('keys connections by the tuple of either direction and keeps directions apart', () => {
    const fw = createStatefulFirewall(guarded());
    const run = new Runner(fw);
    run.step(control(50000).syn(), 0);
    run.step(control(50001).syn(), 0);
    expect(fw.connections().map((c) => c.id)).toEqual([1, 2]);
    // a reply to the second is connection 2, in REPLY direction
    const r = run.step(tcpSeg('192.168.10.1', 21, '10.0.0.2', 50001, TCP_SYN | TCP_ACK, 5000, 1001), 1);
    expect(r.verdict.by).toEqual({ kind: 'conntrack', state: 'established', connection: 2 });
    expect([IN, OUT]).toHaveLength(2);
  });
});
