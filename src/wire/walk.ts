/**
 * The bare record walk: steps over the records of a capture held in memory
 * without decoding anything. It is the baseline the replay benchmark compares to.
 */
import { PCAP_MAGIC_NS, PCAP_MAGIC_US } from './pcap.js';
import { BLOCK_EPB, BLOCK_PB_OBSOLETE, BLOCK_SHB, BLOCK_SPB, BYTE_ORDER_MAGIC } from './pcapng.js';

/** What a walk saw. */
export interface WalkResult {
  /** packet records (pcap records; pcapng EPB, SPB and obsolete PB) */
  readonly records: number;
  /** sum of captured lengths (pcapng SPB: the block's data room) */
  readonly capturedBytes: number;
  /** true when the walk reached the end of the buffer cleanly */
  readonly complete: boolean;
}

/** Walks the records of an in-memory pcap or pcapng capture; stops quietly at the first inconsistency. */
export function walkCaptureBuffer(bytes: Uint8Array): WalkResult {
  if (bytes.length < 4) return { records: 0, capturedBytes: 0, complete: false };
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const le = v.getUint32(0, true);
  const be = v.getUint32(0, false);
  if (le === PCAP_MAGIC_US || le === PCAP_MAGIC_NS) return walkPcap(v, true);
  if (be === PCAP_MAGIC_US || be === PCAP_MAGIC_NS) return walkPcap(v, false);
  if (be === BLOCK_SHB) return walkPcapng(v);
  return { records: 0, capturedBytes: 0, complete: false };
}

function walkPcap(v: DataView, le: boolean): WalkResult {
  const size = v.byteLength;
  let off = 24;
  let records = 0;
  let capturedBytes = 0;
  while (off + 16 <= size) {
    const caplen = v.getUint32(off + 8, le);
    const next = off + 16 + caplen;
    if (next > size) break;
    records++;
    capturedBytes += caplen;
    off = next;
  }
  return { records, capturedBytes, complete: off === size };
}

function walkPcapng(v: DataView): WalkResult {
  const size = v.byteLength;
  let off = 0;
  let le = true;
  let records = 0;
  let capturedBytes = 0;
  while (off + 12 <= size) {
    if (v.getUint32(off, true) === BLOCK_SHB) le = v.getUint32(off + 8, true) === BYTE_ORDER_MAGIC;
    const type = v.getUint32(off, le);
    const len = v.getUint32(off + 4, le);
    if (len < 12 || (len & 3) !== 0 || off + len > size) break;
    if (type === BLOCK_EPB || type === BLOCK_PB_OBSOLETE) {
      records++;
      capturedBytes += v.getUint32(off + 20, le);
    } else if (type === BLOCK_SPB) {
      records++;
      capturedBytes += len - 16;
    }
    off += len;
  }
  return { records, capturedBytes, complete: off === size };
}
