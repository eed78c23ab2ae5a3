import { describe, expect, it } from 'vitest';
import type { ArrivedSegment, CapturedSegment } from '../../src/verify/capture.js';
import { comparePayloads, compareReadback, type RecordedStep } from '../../src/verify/readback.js';

const ascii = (t: string): Uint8Array => Uint8Array.from([...t].map((c) => c.charCodeAt(0)));

function seg(arrivedIndex: number, payload?: string): CapturedSegment {
  return { n: arrivedIndex, ifindex: 2, outgoing: false, src: '192.168.10.10', dst: '203.0.113.5', srcPort: 21, dstPort: 50000, flags: 0x18, seq: 1, ack: 1, payloadLength: payload?.length ?? 0, arrivedIndex, ...(payload ? { payload: ascii(payload) } : {}) };
}

function arrived(s: CapturedSegment, leaving?: string | null): ArrivedSegment {
  const view = { src: s.src, srcPort: s.srcPort, dst: s.dst, dstPort: s.dstPort };
  if (leaving === null) return { segment: s, forwardedAs: undefined, view };
  const out = { ...s, outgoing: true, arrivedIndex: 0, ...(leaving !== undefined ? { payload: ascii(leaving), payloadLength: leaving.length } : {}) };
  return { segment: s, forwardedAs: 99, leaving: out, view };
}

const step = (action: 'permit' | 'deny', leaving?: string): RecordedStep => ({ action, by: 'rule', packet: 'p', ...(leaving ? { leavingPayload: ascii(leaving) } : {}) });

describe('read-back comparison', () => {
  it('agrees only when the replay denies exactly the packets the kernel did not forward', () => {
    const a = [arrived(seg(1)), arrived(seg(2), null), arrived(seg(3))];
    expect(compareReadback(a, new Map([[1, step('permit')], [2, step('deny')], [3, step('permit')]]))).toEqual({ packets: 3, dropped: 1, replayed: 3, mismatches: [] });
    const wrong = compareReadback(a, new Map([[1, step('deny')], [2, step('permit')]]));
    expect(wrong.mismatches.map((m) => [m.n, m.kernel, m.readback])).toEqual([
      [1, 'forwarded', 'deny'],
      [2, 'dropped', 'permit'],
    ]);
    expect(wrong.replayed).toBe(2);
  });
});

describe('ALG payload comparison', () => {
  const in227 = '227 Entering Passive Mode (192,168,10,10,195,100).\r\n';
  const out227 = '227 Entering Passive Mode (198,51,100,100,195,100).\r\n';
  it('compares the bytes that left the kernel with the bytes the engine lets leave', () => {
    const a = [arrived(seg(1, '220 hi\r\n'), '220 hi\r\n'), arrived(seg(2, in227), out227)];
    expect(comparePayloads(a, new Map([[2, step('permit', out227)]])).map((p) => [p.n, p.kernel, p.agree])).toEqual([[2, out227.replace('\r\n', '\\r\\n'), true]]);
    // the engine did not rewrite: the arrived bytes are what it lets leave, and they differ from the kernel's
    expect(comparePayloads(a, new Map([[2, step('permit')]])).map((p) => [p.simulation, p.agree])).toEqual([[in227.replace('\r\n', '\\r\\n'), false]]);
  });
});
