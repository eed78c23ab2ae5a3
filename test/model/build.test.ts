/** The shared builders: the same denied packet reads the same in a scenario report and a capture report. */
import { describe, expect, it } from 'vitest';
import type { Verdict } from '../../src/engine/verdict.js';
import { blockedFlowsText, blockedPacket, packetRow } from '../../src/model/index.js';
import { TCP_ACK, TCP_PSH } from '../../src/net/packet.js';
import { tcpSeg } from '../engine/stateful/packets.js';

const deny: Verdict = { action: 'deny', by: { kind: 'invalid', reason: 'no tracked connection' } };

describe('the model builders', () => {
  it("a denied 220 greeting's first blocked packet quotes its text, line end shown", () => {
    const p = tcpSeg('192.168.10.1', 21, '10.0.0.2', 50000, TCP_PSH | TCP_ACK, 1, 1, '220 ready\r\n');
    expect(blockedPacket(p, 4, 3, deny)).toEqual({
      n: 4,
      tMs: 3,
      packet: 'data 192.168.10.1:21 → 10.0.0.2:50000 "220 ready\\r\\n"',
      by: 'conntrack invalid: no tracked connection',
      provenance: deny.by,
    });
  });

  it('a packet row carries the first text line; the session and note only when the simulator knows them', () => {
    const p = tcpSeg('10.0.0.2', 50000, '192.168.10.1', 21, TCP_PSH | TCP_ACK, 1, 1, 'USER anonymous\r\n');
    const row = packetRow(p, 5, 4, 'GE1', 'GE2', deny, 1);
    expect(row).toEqual({ n: 5, tMs: 4, src: '10.0.0.2:50000', dst: '192.168.10.1:21', proto: 'tcp', flags: 'PA', len: 16, text: 'USER anonymous', ingress: 'GE1', egress: 'GE2', action: 'deny', by: 'conntrack invalid: no tracked connection', flow: 1 });
    expect(packetRow(p, 5, 4, 'GE1', 'GE2', deny, 1, { session: 's1', note: 'retransmission 1' })).toEqual({ ...row, session: 's1', note: 'retransmission 1' });
  });

  it('the words of blocked flows name the first one', () => {
    expect(blockedFlowsText(1, 3, undefined)).toBe('1 flow of 3 blocked');
  });
});
