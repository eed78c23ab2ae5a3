/**
 * TCP sequence adjustment after a payload changed length (nf_conntrack_seqadj.c,
 * facts 9.4): one correction point per direction; later segments of that
 * direction get their sequence numbers shifted, the other direction its ACKs.
 */

/** struct nf_ct_seqadj: one direction's correction point and offsets. */
export interface SeqAdjDir {
  correctionPos: number;
  offsetBefore: number;
  offsetAfter: number;
}

/** A fresh pair (ORIGINAL, REPLY), all zero. */
export function createSeqAdj(): [SeqAdjDir, SeqAdjDir] {
  return [
    { correctionPos: 0, offsetBefore: 0, offsetAfter: 0 },
    { correctionPos: 0, offsetBefore: 0, offsetAfter: 0 },
  ];
}

/** RFC 1982 serial compare (the kernel's before()/after()). */
function before(a: number, b: number): boolean {
  return ((a - b) | 0) < 0;
}

function after(a: number, b: number): boolean {
  return before(b, a);
}

/**
 * nf_ct_seqadj_set: the segment starting at `seq` grew by `offBytes` (negative: shrank).
 * A new correction point is taken only when none is set or `seq` lies after the current one.
 */
export function seqAdjSet(d: SeqAdjDir, seq: number, offBytes: number): void {
  if (offBytes === 0) return;
  if (d.offsetBefore === d.offsetAfter || before(d.correctionPos, seq)) {
    d.correctionPos = seq >>> 0;
    d.offsetBefore = d.offsetAfter;
    d.offsetAfter += offBytes;
  }
}

/** The offset a sequence number of this direction is shifted by (after the correction point: offset_after). */
export function seqOffset(d: SeqAdjDir, seq: number): number {
  return after(seq, d.correctionPos) ? d.offsetAfter : d.offsetBefore;
}

/** nf_ct_seq_adjust for one segment sent in a direction with `thisWay`: the new seq. */
export function adjustSeq(thisWay: SeqAdjDir, seq: number): number {
  return (seq + seqOffset(thisWay, seq)) >>> 0;
}

/** nf_ct_seq_adjust's ACK: the other direction's offset, judged on `ack - offset_before`. */
export function adjustAck(otherWay: SeqAdjDir, ack: number): number {
  const off = after((ack - otherWay.offsetBefore) >>> 0, otherWay.correctionPos) ? otherWay.offsetAfter : otherWay.offsetBefore;
  return (ack - off) >>> 0;
}

/** True when neither direction was ever adjusted. */
export function seqAdjIdle(s: readonly [SeqAdjDir, SeqAdjDir]): boolean {
  return s[0].offsetAfter === 0 && s[0].offsetBefore === 0 && s[1].offsetAfter === 0 && s[1].offsetBefore === 0;
}
