/**
 * The shard of a packet in a sharded capture replay: a hash of the unordered pair of
 * its IP addresses. Both directions, and every connection between the same two hosts
 * (an FTP session's control and data connections, active mode included), land in the
 * same shard; ports play no part.
 */
import type { IpAddress } from '../net/address.js';

function addressHash(a: IpAddress): number {
  if (a.family === 4) return fmix(a.v4 ^ 0x2545f491);
  let h = 0x6a09e667;
  for (let i = 0; i < 4; i++) h = fmix(h ^ (a.v6[i]! >>> 0));
  return h;
}

/** MurmurHash3's 32-bit finaliser. */
function fmix(x: number): number {
  let h = x >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The unordered pair's hash: the same for (a, b) and (b, a). */
export function hostPairHash(a: IpAddress, b: IpAddress): number {
  const ha = addressHash(a);
  const hb = addressHash(b);
  const lo = ha < hb ? ha : hb;
  const hi = ha < hb ? hb : ha;
  return fmix(Math.imul(lo, 0x9e3779b1) ^ hi);
}

/** 0-based shard of the pair among `shards`. */
export function hostPairShard(a: IpAddress, b: IpAddress, shards: number): number {
  return hostPairHash(a, b) % shards;
}
