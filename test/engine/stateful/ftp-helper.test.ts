import { describe, expect, it } from 'vitest';
import { createStatefulFirewall } from '../../../src/engine/stateful/firewall.js';
import { TCP_SYN } from '../../../src/net/packet.js';
import { policy } from '../../helpers/build.js';
import { Conversation, Runner, tcpSeg } from './packets.js';
import { guarded, INSPECT_ANY, INSPECT_IN } from './policies.js';
import { loggedIn } from './session.js';

const PORT_CMD = 'PORT 10,0,0,2,195,81\r\n';
const OPENED_BY_PORT_9 = 'expectation-open: expectation 192.168.10.1:* → 10.0.0.2:50001 opened by PORT in packet 9';

describe('ftp helper: which segments it reads', () => {
  it('reads a PORT at the start of a segment that follows a newline and opens an expectation', () => {
    const { run, cv, fw } = loggedIn();
    const r = run.step(cv.c(PORT_CMD), 1000);
    expect(r.verdict).toEqual({ action: 'permit', by: { kind: 'conntrack', state: 'established', connection: 1 } });
    expect(Runner.texts(r)).toEqual([OPENED_BY_PORT_9]);
    expect(fw.expectations()).toEqual(['192.168.10.1:* → 10.0.0.2:50001']);
  });

  it('matches case-insensitively: `port 10,0,0,2,195,81`', () => {
    const { run, cv } = loggedIn();
    expect(Runner.texts(run.step(cv.c('port 10,0,0,2,195,81\r\n'), 0))).toEqual([OPENED_BY_PORT_9]);
  });

  it('only at offset 0: ` PORT …` with a leading space opens nothing and passes', () => {
    const { run, cv, fw } = loggedIn();
    const r = run.step(cv.c(' PORT 10,0,0,2,195,81\r\n'), 0);
    expect(r.verdict.action).toBe('permit');
    expect(r.events).toEqual([]);
    expect(fw.expectations()).toEqual([]);
  });

  it('only the first line: `NOOP\\r\\nPORT …` opens nothing, `PORT …\\r\\nLIST\\r\\n` does', () => {
    const a = loggedIn();
    expect(a.run.step(a.cv.c(`NOOP\r\n${PORT_CMD}`), 0).events).toEqual([]);
    const b = loggedIn();
    expect(Runner.texts(b.run.step(b.cv.c(`${PORT_CMD}LIST\r\n`), 0))).toEqual([OPENED_BY_PORT_9]);
  });

  it('the first data segment in each direction is never parsed (no newline position yet)', () => {
    const fw = createStatefulFirewall(guarded([INSPECT_IN]));
    const run = new Runner(fw);
    const cv = new Conversation('10.0.0.2', 50000, '192.168.10.1', 21);
    for (const p of [cv.syn(), cv.synAck(), cv.ack()]) run.step(p, 0);
    expect(run.step(cv.s('227 Entering Passive Mode (192,168,10,1,195,81).\r\n'), 0).events).toEqual([]);
    expect(run.step(cv.c(PORT_CMD), 0).events).toEqual([]);
    expect(fw.expectations()).toEqual([]);
    // the second segment in each direction is read
    expect(Runner.texts(run.step(cv.c(PORT_CMD), 0))).toEqual(['expectation-open: expectation 192.168.10.1:* → 10.0.0.2:50001 opened by PORT in packet 6']);
    expect(Runner.texts(run.step(cv.s('227 Entering Passive Mode (192,168,10,1,195,82).\r\n'), 0))).toEqual([
      'expectation-replaced: expectation 192.168.10.1:* → 10.0.0.2:50001 replaced by 10.0.0.2:* → 192.168.10.1:50002 (227 reply in packet 7)',
      'expectation-open: expectation 10.0.0.2:* → 192.168.10.1:50002 opened by 227 reply in packet 7',
    ]);
  });

  it('a segment that does not end in a newline is read, but the one after it is not', () => {
    const { run, cv, fw } = loggedIn();
    expect(run.step(cv.c('NOOP'), 0).events).toEqual([]); // read (no match); records no position
    expect(run.step(cv.c(PORT_CMD), 0).events).toEqual([]); // starts after NOOP: not a remembered position
    expect(fw.expectations()).toEqual([]);
    // that PORT segment ended in \n, so the segment after it is read
    expect(Runner.texts(run.step(cv.c(PORT_CMD), 0))).toEqual(['expectation-open: expectation 192.168.10.1:* → 10.0.0.2:50001 opened by PORT in packet 11']);
  });

  it('is not attached when no inspection covers the connection, and reads nothing', () => {
    const { run, cv, fw } = loggedIn({}, []);
    expect(run.step(cv.c(PORT_CMD), 0).events).toEqual([]);
    expect(fw.connections()[0]!.helper).toBeUndefined();
  });

  it('an inspection on another port list attaches only there: ports [2121] gives helper "ftp-2121"', () => {
    const insp = { ...INSPECT_ANY, ports: [2121] };
    const a = loggedIn({}, [insp]);
    expect(a.fw.connections()[0]!.helper).toBeUndefined();
    const b = loggedIn({}, [insp], '10.0.0.2', 50000, policy([], [], { inspections: [insp] }), '192.168.10.1', 2121);
    expect(b.fw.connections()[0]!.helper).toBe('ftp-2121');
  });

  it('the stateful options add inspections (`--inspect ftp`) to the policy ones', () => {
    const s = loggedIn({ inspections: [INSPECT_ANY] }, []);
    expect(s.fw.connections()[0]!.helper).toBe('ftp');
  });
});

describe('ftp helper: partial matches drop the packet', () => {
  it('a PORT split across two segments: the first is partial and dropped, and so is its retransmission', () => {
    const { run, cv } = loggedIn();
    const first = run.step(cv.cPeek('PORT 10,0,0,2,'), 0);
    expect(first.verdict).toEqual({ action: 'deny', by: { kind: 'helper', reason: "partial match of `PORT'", connection: 1 } });
    expect(first.events).toEqual([
      {
        tMs: 0,
        kind: 'helper-drop',
        packet: 9,
        text: "ftp helper dropped packet 9 on connection 1: partial match of `PORT' (`10,0,0,2,' is not six comma-separated numbers ended by \\r)",
      },
    ]);
    const again = run.step(cv.cPeek('PORT 10,0,0,2,'), 200);
    expect(again.verdict.action).toBe('deny');
    expect(again.events[0]!.text).toBe(
      "ftp helper dropped packet 10 on connection 1: partial match of `PORT' (`10,0,0,2,' is not six comma-separated numbers ended by \\r)",
    );
    // the newline position was not advanced: a re-segmented retransmission with the whole line is read
    const whole = run.step(cv.c(PORT_CMD), 600);
    expect(whole.verdict.action).toBe('permit');
    expect(Runner.texts(whole)).toEqual(['expectation-open: expectation 192.168.10.1:* → 10.0.0.2:50001 opened by PORT in packet 11']);
  });

  it('the second half of a split PORT is not at a newline position and passes unread', () => {
    const { run, cv, fw } = loggedIn();
    // suppose the first half got through (e.g. no helper then): the rest is never parsed
    cv.cNext = (cv.cNext + 'PORT 10,0,0,2,'.length) >>> 0;
    const rest = run.step(cv.c('195,81\r\n'), 0);
    expect(rest.verdict.action).toBe('permit');
    expect(fw.expectations()).toEqual([]);
  });

  it('a `227 Logout.` reply is a partial match of `227 ` and is dropped on every retransmission (pure-ftpd PR #175)', () => {
    const { run, cv } = loggedIn();
    const r = run.step(tcpSeg('192.168.10.1', 21, '10.0.0.2', 50000, 0x18, cv.sNext, cv.cNext, '227 Logout.\r\n'), 0);
    expect(r.verdict).toEqual({ action: 'deny', by: { kind: 'helper', reason: "partial match of `227 '", connection: 1 } });
    expect(r.events[0]!.text).toBe("ftp helper dropped packet 9 on connection 1: partial match of `227 ' (no digit after `227 ' in `227 Logout.\\r\\n')");
    expect(run.step(tcpSeg('192.168.10.1', 21, '10.0.0.2', 50000, 0x18, cv.sNext, cv.cNext, '227 Logout.\r\n'), 1000).verdict.action).toBe('deny');
  });

  it('`227 Mode 2 (…)` is partial; `227 Entering Passive Mode 192,168,10,1,195,81` without parentheses works', () => {
    const a = loggedIn();
    expect(a.run.step(a.cv.s('227 Mode 2 (192,168,10,1,195,81).\r\n'), 0).verdict.action).toBe('deny');
    const b = loggedIn();
    expect(Runner.texts(b.run.step(b.cv.s('227 Entering Passive Mode 192,168,10,1,195,81\r\n'), 0))).toEqual([
      'expectation-open: expectation 10.0.0.2:* → 192.168.10.1:50001 opened by 227 reply in packet 9',
    ]);
  });

  it('`EPRT |2|…|` on an IPv4 control connection is partial and dropped', () => {
    const { run, cv } = loggedIn();
    const r = run.step(cv.c('EPRT |2|2001:db8:1::2|50001|\r\n'), 0);
    expect(r.verdict).toEqual({ action: 'deny', by: { kind: 'helper', reason: "partial match of `EPRT'", connection: 1 } });
  });

  it('a lone `P` at a newline position is a partial match of `PORT` (find_pattern: dlen <= plen)', () => {
    const { run, cv } = loggedIn();
    expect(run.step(cv.c('P'), 0).verdict.by).toEqual({ kind: 'helper', reason: "partial match of `PORT'", connection: 1 });
  });
});

describe('ftp helper: AUTH TLS', () => {
  // The kernel knows no AUTH: it would try to parse TLS records (first byte 0x14-0x17) and in
  // practice match nothing (facts 7). ftpwall models that as an opaque channel.
  it('after AUTH TLS and a 234 reply the helper reads nothing more, not even a plaintext PORT', () => {
    const { run, cv, fw } = loggedIn();
    expect(run.step(cv.c('AUTH TLS\r\n'), 0).events).toEqual([]);
    const ok = run.step(cv.s('234 Proceed with negotiation.\r\n'), 0);
    expect(ok.verdict.action).toBe('permit');
    expect(ok.events).toEqual([
      { tMs: 0, kind: 'helper-opaque', packet: 10, text: 'control connection 1 is encrypted after AUTH TLS (234 in packet 10): the helper reads nothing more' },
    ]);
    const port = run.step(cv.c(PORT_CMD), 0);
    expect(port.verdict.action).toBe('permit');
    expect(port.events).toEqual([]);
    expect(fw.expectations()).toEqual([]);
    // a data connection to the announced port is then judged by the ACLs alone: denied
    const syn = run.step(tcpSeg('192.168.10.1', 20, '10.0.0.2', 50001, TCP_SYN, 1, 0), 0);
    expect(syn.verdict.action).toBe('deny');
  });

  it('a refused AUTH (534) leaves the channel readable', () => {
    const { run, cv } = loggedIn();
    run.step(cv.c('AUTH SSL\r\n'), 0);
    expect(run.step(cv.s('534 Request denied for policy reasons.\r\n'), 0).events).toEqual([]);
    expect(Runner.texts(run.step(cv.c(PORT_CMD), 0))).toEqual(['expectation-open: expectation 192.168.10.1:* → 10.0.0.2:50001 opened by PORT in packet 11']);
  });
});
