import { describe, expect, it } from 'vitest';
import { createStatefulFirewall } from '../../../src/engine/stateful/firewall.js';
import { IDX_ACK, IDX_FIN, IDX_NONE, IDX_RST, IDX_SYN, IDX_SYNACK, tcpFlagsValid, tcpIndex } from '../../../src/engine/stateful/tcp-state.js';
import { TCP_ACK, TCP_CWR, TCP_ECE, TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN, TCP_URG } from '../../../src/net/packet.js';
import { policy } from '../../helpers/build.js';
import { Conversation, Runner, tcpSeg } from './packets.js';

const S = 1000;

describe('tcp_error and get_conntrack_index', () => {
  it('accepts exactly the kernel’s valid flag combinations (PSH, ECE, CWR ignored)', () => {
    const valid = [TCP_SYN, TCP_SYN | TCP_URG, TCP_SYN | TCP_ACK, TCP_RST, TCP_RST | TCP_ACK, TCP_FIN | TCP_ACK, TCP_FIN | TCP_ACK | TCP_URG, TCP_ACK, TCP_ACK | TCP_URG];
    for (const f of valid) expect(tcpFlagsValid(f | TCP_PSH | TCP_ECE | TCP_CWR), `flags ${f}`).toBe(true);
    for (const f of [0, TCP_FIN, TCP_SYN | TCP_FIN, TCP_SYN | TCP_RST, TCP_SYN | TCP_ACK | TCP_URG, TCP_FIN | TCP_RST | TCP_ACK, TCP_PSH, TCP_URG])
      expect(tcpFlagsValid(f), `flags ${f}`).toBe(false);
  });

  it('classifies RST before SYN before FIN before ACK', () => {
    expect([TCP_RST | TCP_SYN, TCP_SYN, TCP_SYN | TCP_ACK, TCP_FIN | TCP_ACK, TCP_ACK | TCP_PSH, 0].map(tcpIndex)).toEqual([IDX_RST, IDX_SYN, IDX_SYNACK, IDX_FIN, IDX_ACK, IDX_NONE]);
  });
});

describe('nf_conntrack_tcp_packet details', () => {
  const open = policy([], []); // no ACLs: every first packet is permitted by the default

  it('simultaneous open: SYN, SYN from the reply side (SYN_SENT2), SYN-ACK, ACK → ESTABLISHED', () => {
    const fw = createStatefulFirewall(open);
    const run = new Runner(fw);
    run.step(tcpSeg('10.0.0.2', 5000, '10.0.0.3', 6000, TCP_SYN, 100), 0);
    expect(Runner.texts(run.step(tcpSeg('10.0.0.3', 6000, '10.0.0.2', 5000, TCP_SYN, 900), 0))).toEqual(['conntrack-state: connection 1: SYN_SENT → SYN_SENT2 (timeout 120 s)']);
    expect(Runner.texts(run.step(tcpSeg('10.0.0.2', 5000, '10.0.0.3', 6000, TCP_SYN | TCP_ACK, 100, 901), 0))).toEqual(['conntrack-state: connection 1: SYN_SENT2 → SYN_RECV (timeout 60 s)']);
    expect(Runner.texts(run.step(tcpSeg('10.0.0.3', 6000, '10.0.0.2', 5000, TCP_ACK, 901, 101), 0))).toEqual(['conntrack-state: connection 1: SYN_RECV → ESTABLISHED (timeout 432000 s)']);
  });

  it('a retransmitted SYN-ACK in ESTABLISHED is ignored: it passes and does not touch the timer', () => {
    const fw = createStatefulFirewall(open);
    const run = new Runner(fw);
    const cv = new Conversation('10.0.0.2', 50000, '192.168.10.1', 21);
    run.step(cv.syn(), 0);
    const synAck = cv.synAck();
    run.step(synAck, 0);
    run.step(cv.ack(), 0);
    const before = fw.connections()[0]!.expiresMs;
    const again = run.step(synAck, 50 * S);
    expect(again.verdict.by).toEqual({ kind: 'conntrack', state: 'established', connection: 1 });
    expect(again.events).toEqual([]);
    expect(fw.connections()[0]!.expiresMs).toBe(before);
  });

  it('after tcp_max_retrans (3) identical retransmissions the timeout drops to 300 s', () => {
    const fw = createStatefulFirewall(open);
    const run = new Runner(fw);
    const cv = new Conversation('10.0.0.2', 50000, '192.168.10.1', 21);
    for (const p of [cv.syn(), cv.synAck(), cv.ack()]) run.step(p, 0);
    const data = cv.c('STOR x\r\n');
    run.step(data, 1 * S);
    run.step(cv.serverAck(), 1 * S);
    for (let i = 0; i < 3; i++) run.step(data, (2 + i) * S);
    expect(fw.connections()[0]!.expiresMs).toBe(4 * S + 432000 * S);
    run.step(data, 5 * S); // retrans = 3
    expect(fw.connections()[0]!.expiresMs).toBe(5 * S + 300 * S);
  });
});
