import { describe, expect, it } from 'vitest';
import { createStatefulFirewall } from '../../../src/engine/stateful/firewall.js';
import { formatEndpoint } from '../../../src/net/address.js';
import { PROTO_TCP, type Packet } from '../../../src/net/packet.js';
import type { NatRule } from '../../../src/policy/nat.js';
import type { Policy } from '../../../src/policy/model.js';
import { acl, at, policy, port, rule, v4 } from '../../helpers/build.js';
import { bytes, Conversation, IN, OUT, Runner } from './packets.js';
import { guarded, INSPECT_ANY } from './policies.js';

const S = 1000;
/** The server's public address (on the firewall) and its private one behind IN. */
const PUBLIC = '198.51.100.100';
const PRIVATE = '192.168.10.10';
const CLIENT = '203.0.113.5';

function dnat(): NatRule {
  return {
    kind: 'dnat',
    hook: 'prerouting',
    match: rule(0, 'permit', { protocol: PROTO_TCP, dst: v4(PUBLIC), dstPort: port.eq(21), text: 'dnat' }),
    toAddr: { family: 4, lo: PRIVATE, hi: PRIVATE },
    at: at(9, 'nat server protocol tcp global 198.51.100.100 21 inside 192.168.10.10 21', 'nat.cfg'),
  };
}

function behindDnat(alg = true): Policy {
  return { ...guarded([INSPECT_ANY]), nat: [dnat()], natFtpAlg: alg };
}

const text = (p: Packet | undefined): string => (p ? String.fromCharCode(...p.payload) : '');
const ends = (p: Packet | undefined): string => (p ? `${formatEndpoint(p.src, p.srcPort)} → ${formatEndpoint(p.dst, p.dstPort)} seq ${p.seq} ack ${p.ack}` : 'unchanged');

/** A client logged in through DNAT: returns the runner, and the client's and the server's views of the control connection. */
function loggedInThroughDnat(alg = true) {
  const fw = createStatefulFirewall(behindDnat(alg));
  const run = new Runner(fw);
  // the client speaks to the public address, the server answers from its private one
  const c = new Conversation(CLIENT, 40000, PUBLIC, 21);
  const s = new Conversation(CLIENT, 40000, PRIVATE, 21);
  const step = (p: Packet, tMs = 0) => run.step(p, tMs);
  const syn = step(c.syn());
  s.syn();
  expect(ends(syn.packet)).toBe(`${CLIENT}:40000 → ${PRIVATE}:21 seq 1000 ack 0`);
  const synAck = step(s.synAck());
  c.synAck();
  expect(ends(synAck.packet)).toBe(`${PUBLIC}:21 → ${CLIENT}:40000 seq 5000 ack 1001`);
  step(c.ack());
  s.ack();
  step(s.s('220 ready\r\n'));
  c.s('220 ready\r\n');
  step(c.c('PASV\r\n'));
  s.c('PASV\r\n');
  return { fw, run, c, s, step };
}

describe('DNAT: the connection keeps an original and a translated reply tuple', () => {
  it('the first packet is translated before the filter, replies are translated back, and the filter sees the private destination', () => {
    const { fw, run } = loggedInThroughDnat();
    expect(fw.connections()[0]!.tuple).toBe(`tcp ${CLIENT}:40000 → ${PUBLIC}:21`);
    expect(run.events[0]!.text).toBe(
      `connection 1: tcp ${CLIENT}:40000 → ${PUBLIC}:21 (SYN_SENT, timeout 120 s); ftp helper "ftp" attached; NAT: DNAT to ${PRIVATE}:21 (nat.cfg:9), reply tcp ${PRIVATE}:21 → ${CLIENT}:40000`,
    );
  });

  it('a filter that permits only the private destination admits the DNATed SYN (the FORWARD chain runs after nat PREROUTING)', () => {
    const only = policy(
      [acl('3001', [rule(0, 'permit', { protocol: PROTO_TCP, dst: v4(PRIVATE), dstPort: port.eq(21) }), rule(5, 'deny')])],
      [[OUT, 'inbound', '3001']],
      { nat: [dnat()] },
    );
    const run = new Runner(createStatefulFirewall(only));
    const r = run.step(new Conversation(CLIENT, 40000, PUBLIC, 21).syn());
    expect(r.verdict.action).toBe('permit');
    expect(r.verdict.by).toMatchObject({ kind: 'rule', ruleId: 0 });
  });
});

describe('nf_nat_ftp on a DNATed control connection', () => {
  it('rewrites the 227 address byte for byte, shifts the server\'s later sequence numbers and the client\'s ACKs, and DNATs the data connection', () => {
    const { fw, run, c, s, step } = loggedInThroughDnat();
    const pasv = '227 Entering Passive Mode (192,168,10,10,195,80).\r\n';
    const seq227 = s.sNext;
    const r = step(s.s(pasv), 1 * S);
    c.sNext = (c.sNext + pasv.length + 1) >>> 0; // the client receives one byte more
    expect(r.verdict.action).toBe('permit');
    // only the argument span changes: 192,168,10,10 (13 bytes) → 198,51,100,100 (14 bytes)
    expect(text(r.packet)).toBe('227 Entering Passive Mode (198,51,100,100,195,80).\r\n');
    expect(r.packet!.seq).toBe(seq227);
    expect(Runner.texts(r)).toEqual([
      `expectation-open: expectation ${CLIENT}:* → ${PUBLIC}:50000 opened by 227 reply in packet 6`,
      `helper-nat: nf_nat_ftp rewrote 227 in packet 6 on connection 1: \`192,168,10,10,195,80' → \`198,51,100,100,195,80' (${PUBLIC}; +1 bytes: later sequence numbers of this direction shift (seqadj))`,
    ]);
    // the client acknowledges the longer segment; the server gets the ACK for the bytes it sent
    const ack = step(c.ack(), 1 * S);
    s.ack();
    expect(ack.packet!.ack).toBe(s.sNext);
    expect(ack.packet!.ack).toBe((c.sNext - 1) >>> 0);
    // the server's next segment is shifted by +1 for the client
    const seq150 = s.sNext;
    const next = step(s.s('150 Here comes the directory listing.\r\n'), 2 * S);
    c.s('150 Here comes the directory listing.\r\n');
    expect(next.packet!.seq).toBe((seq150 + 1) >>> 0);
    expect(next.packet!.seq).toBe(((c.sNext - 39) >>> 0));
    // the data connection to the public address is RELATED and goes to the private one, on the saved port
    const d = new Conversation(CLIENT, 40001, PUBLIC, 50000, 9000, 19000);
    const dsyn = step(d.syn(), 2 * S);
    expect(dsyn.verdict.by).toMatchObject({ kind: 'conntrack', state: 'related', connection: 2 });
    expect(ends(dsyn.packet)).toBe(`${CLIENT}:40001 → ${PRIVATE}:50000 seq 9000 ack 0`);
    const dsynAck = step(new Conversation(CLIENT, 40001, PRIVATE, 50000, 9001, 19000).synAck(), 2 * S);
    expect(dsynAck.verdict.by).toEqual({ kind: 'conntrack', state: 'established', connection: 2 });
    expect(ends(dsynAck.packet)).toBe(`${PUBLIC}:50000 → ${CLIENT}:40001 seq 19000 ack 9001`);
    expect(fw.connections().map((x) => x.tuple)).toEqual([`tcp ${CLIENT}:40000 → ${PUBLIC}:21`, `tcp ${CLIENT}:40001 → ${PUBLIC}:50000`]);
    expect(run.events.map((e) => e.text)).toContain(
      `connection 2: tcp ${CLIENT}:40001 → ${PUBLIC}:50000 related to connection 1 by expectation 1 (227 reply in packet 6) (SYN_SENT, timeout 120 s); NAT: translated as its master connection 1 (nf_nat_follow_master): to ${PRIVATE}:50000, reply tcp ${PRIVATE}:50000 → ${CLIENT}:40001`,
    );
  });

  it('rewrites a 229 reply to `|||port|` (same length: no sequence shift)', () => {
    const { step, s } = loggedInThroughDnat();
    const r = step(s.s('229 Entering Extended Passive Mode (|||50001|)\r\n'), 1 * S);
    expect(text(r.packet)).toBe('229 Entering Extended Passive Mode (|||50001|)\r\n');
    expect(Runner.texts(r)[1]).toBe(
      `helper-nat: nf_nat_ftp rewrote 229 in packet 6 on connection 1: \`|||50001|' → \`|||50001|' (${PUBLIC}; same length)`,
    );
    const dsyn = step(new Conversation(CLIENT, 40001, PUBLIC, 50001).syn(), 2 * S);
    expect(ends(dsyn.packet)).toBe(`${CLIENT}:40001 → ${PRIVATE}:50001 seq 1000 ack 0`);
  });

  it('applies one correction point per direction: a retransmitted 227 is rewritten again but does not shift twice', () => {
    const { step, s, fw } = loggedInThroughDnat();
    const pasv = '227 Entering Passive Mode (192,168,10,10,195,80).\r\n';
    const first = step(s.s(pasv), 1 * S);
    const again = step({ ...first.packet!, src: s.s('').src, srcPort: 21, dst: first.packet!.dst, seq: (s.sNext - pasv.length) >>> 0, payload: bytes(pasv) }, 2 * S);
    expect(text(again.packet)).toBe('227 Entering Passive Mode (198,51,100,100,195,80).\r\n');
    expect(again.packet!.seq).toBe(first.packet!.seq);
    const later = step(s.s('226 ok\r\n'), 3 * S);
    expect(later.packet!.seq).toBe((s.sNext - 8 + 1) >>> 0);
    expect(fw.expectations()).toEqual([`${CLIENT}:* → ${PUBLIC}:50000`]);
  });
});

describe('a DNATed control connection without the FTP ALG (nat alg off)', () => {
  it('keeps the private address in the 227; the client that uses it is filtered, the one that ignores it reaches the untranslated public address', () => {
    const { step, s, run } = loggedInThroughDnat(false);
    const pasv = '227 Entering Passive Mode (192,168,10,10,195,80).\r\n';
    const r = step(s.s(pasv), 1 * S);
    expect(r.packet!.payload).toEqual(bytes(pasv));
    expect(run.events.some((e) => e.kind === 'helper-nat')).toBe(false);
    // using the announced address: a NEW connection the filter denies (acl 3001 permits only port 21)
    const used = step(new Conversation(CLIENT, 40001, PRIVATE, 50000).syn(), 2 * S);
    expect(used.verdict).toMatchObject({ action: 'deny', by: { kind: 'rule', acl: '3001', ruleId: 15 } });
    // ignoring it (curl --ftp-skip-pasv-ip): the kernel's pinhole is at tuplehash[ORIGINAL].dst, but nothing translates the data connection
    const ignored = step(new Conversation(CLIENT, 40002, PUBLIC, 50000).syn(), 3 * S);
    expect(ignored.verdict.by).toMatchObject({ kind: 'conntrack', state: 'related' });
    expect(ignored.packet).toBeUndefined();
  });
});

describe('SNAT: a client behind the firewall in active mode', () => {
  const INSIDE = '192.168.10.20';
  const OUTSIDE_IP = '198.51.100.1';
  const SERVER = '203.0.113.5';
  function snatPolicy(alg: boolean): Policy {
    const snat: NatRule = {
      kind: 'snat',
      hook: 'postrouting',
      match: rule(0, 'permit', { src: v4('192.168.10.0', '0.0.0.255'), text: 'snat' }),
      outInterface: OUT,
      toAddr: { family: 4, lo: OUTSIDE_IP, hi: OUTSIDE_IP },
      at: at(12, 'nat outbound', 'nat.cfg'),
    };
    return policy(
      [acl('3000', [rule(0, 'permit', { protocol: PROTO_TCP, dstPort: port.eq(21) }), rule(5, 'deny')]), acl('3001', [rule(0, 'deny')])],
      [
        [IN, 'inbound', '3000'],
        [OUT, 'inbound', '3001'],
      ],
      { inspections: [INSPECT_ANY], nat: [snat], natFtpAlg: alg },
    );
  }
  function activeSession(alg: boolean) {
    const fw = createStatefulFirewall(snatPolicy(alg));
    const run = new Runner(fw);
    const c = new Conversation(INSIDE, 40000, SERVER, 21);
    expect(ends(run.step(c.syn()).packet)).toBe(`${OUTSIDE_IP}:40000 → ${SERVER}:21 seq 1000 ack 0`);
    const seen = new Conversation(OUTSIDE_IP, 40000, SERVER, 21);
    seen.syn();
    const sa = run.step(seen.synAck());
    expect(sa.verdict.by).toEqual({ kind: 'conntrack', state: 'established', connection: 1 });
    expect(ends(sa.packet)).toBe(`${SERVER}:21 → ${INSIDE}:40000 seq 5000 ack 1001`);
    c.synAck();
    run.step(c.ack());
    run.step(c.c('USER ftp\r\n')); // the helper reads only from the second line of a direction (seq_aft_nl)
    const port = run.step(c.c('PORT 192,168,10,20,195,80\r\n'), 1 * S);
    return { run, port, fw };
  }

  it('with the ALG the PORT names the public address (one byte shorter) and the server\'s data SYN is DNATed to the client', () => {
    const { run, port } = activeSession(true);
    expect(text(port.packet)).toBe('PORT 198,51,100,1,195,80\r\n');
    const dsyn = run.step({ ...new Conversation(SERVER, 20, OUTSIDE_IP, 50000).syn() }, 2 * S);
    expect(dsyn.verdict.by).toMatchObject({ kind: 'conntrack', state: 'related', connection: 2 });
    expect(ends(dsyn.packet)).toBe(`${SERVER}:20 → ${INSIDE}:50000 seq 1000 ack 0`);
  });

  it('without the ALG the PORT keeps the private address: the server\'s SYN to it meets the filter and is denied', () => {
    const { run, port } = activeSession(false);
    expect(port.packet!.payload).toEqual(bytes('PORT 192,168,10,20,195,80\r\n'));
    const dsyn = run.step(new Conversation(SERVER, 20, INSIDE, 50000).syn(), 2 * S);
    expect(dsyn.verdict).toMatchObject({ action: 'deny', by: { kind: 'rule', acl: '3001' } });
  });
});

