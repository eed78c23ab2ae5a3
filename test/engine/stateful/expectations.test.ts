import { describe, expect, it } from 'vitest';
import { describeProvenance, ESTABLISHED_UNNAMED, RELATED_UNNAMED } from '../../../src/engine/verdict.js';
import { TCP_ACK, TCP_FIN, TCP_SYN } from '../../../src/net/packet.js';
import { policy } from '../../helpers/build.js';
import { Conversation, Runner, tcpSeg } from './packets.js';
import { INSPECT_ANY } from './policies.js';
import { alsoLoggedIn, loggedIn } from './session.js';

const S = 1000;
const PASV_227 = '227 Entering Passive Mode (192,168,10,1,195,81).\r\n';
const OPEN_227 = 'expectation-open: expectation 10.0.0.2:* → 192.168.10.1:50001 opened by 227 reply in packet 9';

/** The data connection a passive client opens to the announced port. */
function passiveData(cPort = 50010, client = '10.0.0.2'): Conversation {
  return new Conversation(client, cPort, '192.168.10.1', 50001, 70000, 80000);
}

describe('expectations from 227 and 229 (REPLY direction): client → server:port', () => {
  it('the data SYN matches, passes as RELATED and consumes the pinhole; later packets are established', () => {
    const { run, cv, fw } = loggedIn();
    expect(Runner.texts(run.step(cv.s(PASV_227), 1 * S))).toEqual([OPEN_227]);
    const data = passiveData();
    const syn = run.step(data.syn(), 2 * S);
    expect(syn.verdict).toEqual({
      action: 'permit',
      by: { kind: 'conntrack', state: 'related', connection: 2, expectation: { id: 1, trigger: '227', openedByPacket: 9 } },
    });
    expect(describeProvenance(syn.verdict.by)).toBe('expectation from 227 in packet 9 (conntrack related, connection 2)');
    expect(Runner.texts(syn)).toEqual([
      'expectation-consumed: expectation 10.0.0.2:* → 192.168.10.1:50001 consumed by packet 10 (connection 2)',
      'conntrack-new: connection 2: tcp 10.0.0.2:50010 → 192.168.10.1:50001 related to connection 1 by expectation 1 (227 reply in packet 9) (SYN_SENT, timeout 120 s)',
    ]);
    expect(fw.expectations()).toEqual([]);
    // a retransmitted SYN before any reply is still RELATED (resolve_normal_ct: IPS_EXPECTED)
    expect(run.step(data.synAgain(), 3 * S).verdict.by).toMatchObject({ kind: 'conntrack', state: 'related', connection: 2 });
    expect(run.step(data.synAck(), 3 * S).verdict.by).toEqual({ kind: 'conntrack', state: 'established', connection: 2 });
    expect(run.step(data.ack(), 3 * S).verdict.by).toEqual({ kind: 'conntrack', state: 'established', connection: 2 });
    expect(fw.connections().map((c) => [c.id, c.state, c.related, c.helper])).toEqual([
      [1, 'ESTABLISHED', false, 'ftp'],
      [2, 'ESTABLISHED', true, undefined], // facts 10.4: no helper on the data connection
    ]);
  });

  it('with verdict detail off, the data SYN and its retransmission share RELATED_UNNAMED; the pinhole works the same', () => {
    const { run, cv, fw } = loggedIn();
    fw.setVerdictDetail(false);
    expect(Runner.texts(run.step(cv.s(PASV_227), 1 * S))).toEqual([OPEN_227]);
    const data = passiveData();
    expect(run.step(data.syn(), 2 * S).verdict).toBe(RELATED_UNNAMED);
    expect(run.step(data.synAgain(), 3 * S).verdict).toBe(RELATED_UNNAMED);
    expect(run.step(data.synAck(), 3 * S).verdict).toBe(ESTABLISHED_UNNAMED);
    expect(RELATED_UNNAMED).toEqual({ action: 'permit', by: { kind: 'conntrack', state: 'related', connection: 0 } });
    expect(fw.expectations()).toEqual([]);
    expect(fw.connections().map((c) => [c.id, c.state, c.related])).toEqual([
      [1, 'ESTABLISHED', false],
      [2, 'SYN_RECV', true],
    ]);
  });

  it('is one-shot: a second connection to the same port is judged by the ACLs and denied', () => {
    const { run, cv } = loggedIn();
    run.step(cv.s(PASV_227), 0);
    run.step(passiveData(50010).syn(), 0);
    const second = run.step(passiveData(50011).syn(), 0);
    expect(second.verdict.action).toBe('deny');
    expect(describeProvenance(second.verdict.by, 'deny')).toBe('acl 3001 rule 15 (test.cfg:16)');
  });

  it('a second session’s data connection cannot use the first session’s pinhole (other client address)', () => {
    const s = loggedIn();
    alsoLoggedIn(s, '10.0.0.3', 50000); // packets 9-16
    s.run.step(s.cv.s(PASV_227), 0); // packet 17, session 1's 227
    const other = s.run.step(passiveData(50010, '10.0.0.3').syn(), 0);
    expect(other.verdict.action).toBe('deny');
    expect(s.fw.expectations()).toEqual(['10.0.0.2:* → 192.168.10.1:50001']);
  });

  it('229 opens a pinhole to the server address with the announced port', () => {
    const { run, cv } = loggedIn();
    expect(Runner.texts(run.step(cv.s('229 Entering Extended Passive Mode (|||50021|)\r\n'), 0))).toEqual([
      'expectation-open: expectation 10.0.0.2:* → 192.168.10.1:50021 opened by 229 reply in packet 9',
    ]);
    const data = new Conversation('10.0.0.2', 50010, '192.168.10.1', 50021);
    expect(run.step(data.syn(), 0).verdict.by).toMatchObject({ state: 'related', expectation: { id: 1, trigger: '229', openedByPacket: 9 } });
  });

  it('a 227 naming another address opens nothing (bounce protection) and the reply still passes', () => {
    const { run, cv, fw } = loggedIn();
    const r = run.step(cv.s('227 Entering Passive Mode (10,9,9,9,195,81).\r\n'), 0);
    expect(r.verdict).toEqual({ action: 'permit', by: { kind: 'conntrack', state: 'established', connection: 1 } });
    expect(Runner.texts(r)).toEqual(['expectation-refused: 227 reply in packet 9 names 10.9.9.9, not the server 192.168.10.1: no pinhole (bounce protection)']);
    expect(fw.expectations()).toEqual([]);
  });
});

describe('expectations from PORT and EPRT (ORIGINAL direction): server → client:port, any source port', () => {
  it('the server may connect from port 20 or any other port, but only from its own address', () => {
    const { run, cv } = loggedIn();
    run.step(cv.c('PORT 10,0,0,2,195,81\r\n'), 0);
    const wrongHost = run.step(tcpSeg('192.168.10.7', 20, '10.0.0.2', 50001, TCP_SYN, 1), 0);
    expect(wrongHost.verdict.action).toBe('deny');
    const fromHighPort = run.step(tcpSeg('192.168.10.1', 40123, '10.0.0.2', 50001, TCP_SYN, 1), 0);
    expect(fromHighPort.verdict.by).toMatchObject({ kind: 'conntrack', state: 'related', expectation: { id: 1, trigger: 'PORT', openedByPacket: 9 } });
  });

  it('EPRT opens the same pinhole as PORT', () => {
    const { run, cv } = loggedIn();
    expect(Runner.texts(run.step(cv.c('EPRT |1|10.0.0.2|50001|\r\n'), 0))).toEqual([
      'expectation-open: expectation 192.168.10.1:* → 10.0.0.2:50001 opened by EPRT in packet 9',
    ]);
  });

  it('PORT naming another host opens nothing unless loose; with loose the third host may be reached, from the server only', () => {
    const strict = loggedIn();
    const r = strict.run.step(strict.cv.c('PORT 10,0,0,99,195,81\r\n'), 0);
    expect(r.verdict.action).toBe('permit');
    expect(Runner.texts(r)).toEqual(['expectation-refused: PORT in packet 9 names 10.0.0.99, not the client 10.0.0.2: no pinhole (bounce protection)']);
    expect(strict.fw.expectations()).toEqual([]);

    const loose = loggedIn({ loose: true });
    expect(Runner.texts(loose.run.step(loose.cv.c('PORT 10,0,0,99,195,81\r\n'), 0))).toEqual([
      'expectation-open: expectation 192.168.10.1:* → 10.0.0.99:50001 opened by PORT in packet 9 (loose: 10.0.0.99 is not the client 10.0.0.2)',
    ]);
    expect(loose.run.step(tcpSeg('192.168.10.7', 20, '10.0.0.99', 50001, TCP_SYN, 1), 0).verdict.action).toBe('deny');
    expect(loose.run.step(tcpSeg('192.168.10.1', 20, '10.0.0.99', 50001, TCP_SYN, 1), 0).verdict.by.kind).toBe('conntrack');
  });

  it('PORT 10,0,0,2,256,22: the kernel reads port 22 on the client itself, so the pinhole opens (and the note says a fixed kernel would drop it)', () => {
    const { run, cv, fw } = loggedIn();
    const r = run.step(cv.c('PORT 10,0,0,2,256,22\r\n'), 0);
    expect(r.verdict.action).toBe('permit');
    expect(Runner.texts(r)).toEqual([
      "expectation-open: expectation 192.168.10.1:* → 10.0.0.2:22 opened by PORT in packet 9 — `PORT' has numbers above 255 (256): the kernel ORs them into neighbouring bits and keeps the low 16 bits of the port; a kernel with the 2026 get_port/u16 fix would refuse it as malformed and drop the packet",
    ]);
    expect(fw.expectations()).toEqual(['192.168.10.1:* → 10.0.0.2:22']);
  });

  it('PORT 10,0,0,300,4,1: 300 spills into the third octet (10.0.1.44), so bounce protection refuses it', () => {
    const { run, cv, fw } = loggedIn();
    const r = run.step(cv.c('PORT 10,0,0,300,4,1\r\n'), 0);
    expect(r.verdict.action).toBe('permit');
    expect(Runner.texts(r)).toEqual([
      "expectation-refused: PORT in packet 9 names 10.0.1.44, not the client 10.0.0.2: no pinhole (bounce protection) — `PORT' has numbers above 255 (300): the kernel ORs them into neighbouring bits and keeps the low 16 bits of the port; a kernel with the 2026 get_port/u16 fix would refuse it as malformed and drop the packet",
    ]);
    expect(fw.expectations()).toEqual([]);
  });
});

describe('expectation lifetime', () => {
  it('lives 300 s from creation: a data SYN at 100 s passes, one at 400 s is denied', () => {
    const a = loggedIn();
    a.run.step(a.cv.s(PASV_227), 0);
    expect(a.run.step(passiveData().syn(), 100 * S).verdict.by.kind).toBe('conntrack');

    const b = loggedIn();
    b.run.step(b.cv.s(PASV_227), 0);
    const late = b.run.step(passiveData().syn(), 400 * S);
    expect(late.verdict.action).toBe('deny');
    expect(late.events[0]).toEqual({ tMs: 300 * S, kind: 'expectation-expired', text: 'expectation 10.0.0.2:* → 192.168.10.1:50001 expired after 300 s' });
  });

  it('advanceTo reports the expiry at exactly 300 s; control traffic does not extend it', () => {
    const { run, cv, fw } = loggedIn();
    run.step(cv.s(PASV_227), 5 * S);
    run.step(cv.c('NOOP\r\n'), 200 * S);
    expect(fw.advanceTo(304_999)).toEqual([]);
    expect(fw.advanceTo(305 * S)).toEqual([{ tMs: 305 * S, kind: 'expectation-expired', text: 'expectation 10.0.0.2:* → 192.168.10.1:50001 expired after 300 s' }]);
  });

  it('takes a configured expectation timeout', () => {
    const { run, cv, fw } = loggedIn({ expectationTimeoutSec: 60 });
    run.step(cv.s(PASV_227), 0);
    expect(fw.advanceTo(60 * S).map((e) => e.text)).toEqual(['expectation 10.0.0.2:* → 192.168.10.1:50001 expired after 60 s']);
  });

  it('max_expected = 1: a new 227 replaces the pending one; the old port is closed, the new one open', () => {
    const { run, cv } = loggedIn();
    run.step(cv.s(PASV_227), 0);
    run.step(cv.c('PASV\r\n'), 0);
    expect(Runner.texts(run.step(cv.s('227 Entering Passive Mode (192,168,10,1,195,82).\r\n'), 0))).toEqual([
      'expectation-replaced: expectation 10.0.0.2:* → 192.168.10.1:50001 replaced by 10.0.0.2:* → 192.168.10.1:50002 (227 reply in packet 11)',
      'expectation-open: expectation 10.0.0.2:* → 192.168.10.1:50002 opened by 227 reply in packet 11',
    ]);
    expect(run.step(passiveData().syn(), 0).verdict.action).toBe('deny');
    expect(run.step(new Conversation('10.0.0.2', 50011, '192.168.10.1', 50002).syn(), 0).verdict.by).toMatchObject({
      state: 'related',
      expectation: { id: 2, trigger: '227', openedByPacket: 11 },
    });
  });

  it('two control connections announcing the same data port: the second cannot add it (-EBUSY) and is dropped', () => {
    const s = loggedIn();
    const second = alsoLoggedIn(s, '10.0.0.2', 50002); // same client, other control port (connection 2)
    s.run.step(s.cv.s(PASV_227), 0); // packet 17: connection 1's pinhole
    const r = s.run.step(second.s(PASV_227), 0); // packet 18
    expect(r.verdict).toEqual({ action: 'deny', by: { kind: 'helper', reason: 'cannot add expectation', connection: 2 } });
    expect(Runner.texts(r)).toEqual([
      "helper-drop: ftp helper dropped packet 18 on connection 2: cannot add expectation 10.0.0.2:* → 192.168.10.1:50001: connection 1's pending expectation 10.0.0.2:* → 192.168.10.1:50001 already covers it (-EBUSY)",
    ]);
  });

  it('dies with its master connection', () => {
    const { run, cv, fw } = loggedIn();
    run.step(cv.s(PASV_227), 0);
    run.step(cv.clientRst(), 1 * S); // CLOSE, 10 s
    expect(fw.advanceTo(11 * S)).toEqual([
      { tMs: 11 * S, kind: 'conntrack-destroy', text: 'connection 1 (tcp 10.0.0.2:50000 → 192.168.10.1:21) timed out in CLOSE after 10 s' },
      { tMs: 11 * S, kind: 'expectation-expired', text: 'expectation 10.0.0.2:* → 192.168.10.1:50001 removed with its master connection 1' },
    ]);
    expect(run.step(passiveData().syn(), 12 * S).verdict.action).toBe('deny');
  });

  it('is consumed by a first packet that creates no connection (a FIN): the pinhole is gone (facts 10.3)', () => {
    const { run, cv, fw } = loggedIn();
    run.step(cv.s(PASV_227), 0);
    const fin = run.step(tcpSeg('10.0.0.2', 50010, '192.168.10.1', 50001, TCP_FIN | TCP_ACK, 1, 1), 0);
    expect(fin.verdict.action).toBe('deny'); // acl 3001 rule 15
    expect(Runner.texts(fin)).toEqual([
      'expectation-consumed: expectation 10.0.0.2:* → 192.168.10.1:50001 consumed by packet 10, which starts no connection: the pinhole is gone',
      'conntrack-state: packet 10 (FIN 10.0.0.2:50010 → 192.168.10.1:50001) matches no connection and a FIN cannot start one (tcp_new: invalid new): conntrack state invalid, the ACLs decide',
    ]);
    expect(fw.expectations()).toEqual([]);
    expect(run.step(passiveData().syn(), 0).verdict.action).toBe('deny');
  });

  it('a related packet is not checked against the ACLs (ct state established,related accept comes first)', () => {
    // acl 3001 rule 15 denies everything but FTP control from the client side; the data SYN passes anyway
    const { run, cv } = loggedIn();
    run.step(cv.s(PASV_227), 0);
    const syn = run.step(passiveData().syn(), 0);
    expect(syn.verdict.action).toBe('permit');
    expect(syn.verdict.checks).toBeUndefined();
  });
});

describe('expectations on IPv6', () => {
  it('EPSV and EPRT open `[addr]:* → [addr]:port` pinholes', () => {
    const insp = [INSPECT_ANY];
    const s = loggedIn({}, insp, '2001:db8:1::2', 50000, policy([], [], { inspections: insp }), '2001:db8:10::1', 21);
    expect(Runner.texts(s.run.step(s.cv.s('229 Entering Extended Passive Mode (|||50021|)\r\n'), 0))).toEqual([
      'expectation-open: expectation [2001:db8:1::2]:* → [2001:db8:10::1]:50021 opened by 229 reply in packet 9',
    ]);
    expect(Runner.texts(s.run.step(s.cv.c('EPRT |2|2001:db8:1::2|50001|\r\n'), 0))).toEqual([
      'expectation-replaced: expectation [2001:db8:1::2]:* → [2001:db8:10::1]:50021 replaced by [2001:db8:10::1]:* → [2001:db8:1::2]:50001 (EPRT in packet 10)',
      'expectation-open: expectation [2001:db8:10::1]:* → [2001:db8:1::2]:50001 opened by EPRT in packet 10',
    ]);
    const syn = s.run.step(tcpSeg('2001:db8:10::1', 20, '2001:db8:1::2', 50001, TCP_SYN, 1), 0);
    expect(syn.verdict.by).toMatchObject({ kind: 'conntrack', state: 'related', expectation: { trigger: 'EPRT', openedByPacket: 10 } });
  });

  it('PORT on IPv6 never records: only the first 32 bits of the address are overwritten (facts 5.3)', () => {
    const insp = [INSPECT_ANY];
    const s = loggedIn({}, insp, '2001:db8:1::2', 50000, policy([], [], { inspections: insp }), '2001:db8:10::1', 21);
    expect(Runner.texts(s.run.step(s.cv.c('PORT 10,0,0,2,195,81\r\n'), 0))).toEqual([
      'expectation-refused: PORT in packet 9 names a00:2:1::2, not the client 2001:db8:1::2: no pinhole (bounce protection)',
    ]);
  });
});

describe('the data connection itself', () => {
  it('is never parsed: a PORT on the data connection opens nothing', () => {
    const { run, cv, fw } = loggedIn();
    run.step(cv.s(PASV_227), 0);
    const data = passiveData();
    for (const p of [data.syn(), data.synAck(), data.ack(), data.c('x\r\n'), data.c('PORT 10,0,0,2,195,90\r\n')]) run.step(p, 0);
    expect(fw.expectations()).toEqual([]);
    expect(TCP_ACK).toBe(0x10);
  });
});
