import { describe, expect, it } from 'vitest';
import { adjustAck, adjustSeq, createSeqAdj, seqAdjSet } from '../../../src/engine/stateful/seqadj.js';

describe('seqadj (nf_ct_seqadj_set / nf_ct_seq_adjust)', () => {
  it('shifts sequence numbers after the correction point only, and takes the offset back out of ACKs', () => {
    const [orig, reply] = createSeqAdj();
    seqAdjSet(reply, 5000, 1);
    expect(adjustSeq(reply, 5000)).toBe(5000); // the rewritten segment itself starts where it did
    expect(adjustSeq(reply, 5051)).toBe(5052);
    // an ACK for the rewritten segment's end (5051 + 1 in the client's view) goes back as 5051
    expect(adjustAck(reply, 5052)).toBe(5051);
    // an ACK up to the correction point is left alone
    expect(adjustAck(reply, 5000)).toBe(5000);
    expect(adjustSeq(orig, 1000)).toBe(1000);
  });

  it('keeps one correction point: a second change at or before it is ignored, one after it accumulates', () => {
    const [, d] = createSeqAdj();
    seqAdjSet(d, 5000, 1);
    seqAdjSet(d, 5000, 1); // the same segment again (a retransmission)
    expect(d).toEqual({ correctionPos: 5000, offsetBefore: 0, offsetAfter: 1 });
    seqAdjSet(d, 6000, -2);
    expect(d).toEqual({ correctionPos: 6000, offsetBefore: 1, offsetAfter: -1 });
    expect(adjustSeq(d, 5500)).toBe(5501);
    expect(adjustSeq(d, 6100)).toBe(6099);
  });

  it('wraps around 2^32 as TCP sequence numbers do', () => {
    const [, d] = createSeqAdj();
    seqAdjSet(d, 0xfffffff0, 3);
    expect(adjustSeq(d, 0x00000010)).toBe(0x13);
    expect(adjustAck(d, 0x13)).toBe(0x10);
  });
});
