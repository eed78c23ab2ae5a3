/** Shared copies of the addresses that flows and connections keep. */
import { copyIp, ipEquals, type IpAddress } from './address.js';

/** A 32-bit mix of an address's words (hash indexes). */
export function mixAddr(a: IpAddress): number {
  if (a.family === 4) return Math.imul(a.v4, 0x9e3779b1);
  const w = a.v6;
  return Math.imul(w[0]! ^ Math.imul(w[1]!, 0x85ebca6b) ^ Math.imul(w[2]!, 0xc2b2ae35) ^ Math.imul(w[3]!, 0x27d4eb2f), 0x9e3779b1);
}

/** Slots of the address cache (a power of two). */
const ADDRESS_SLOTS = 1024;

/**
 * Copies of addresses for flows and connections to keep (the decoder reuses its own), shared: the
 * flows of one host pair, and every flow to a busy server, hold one copy. Direct-mapped by address hash, so
 * it stays this size; addresses are immutable, so sharing one is safe.
 */
export class AddressCache {
  private readonly slots: (IpAddress | undefined)[] = new Array<IpAddress | undefined>(ADDRESS_SLOTS).fill(undefined);

  keep(a: IpAddress): IpAddress {
    const i = mixAddr(a) >>> 22; // the top 10 bits: ADDRESS_SLOTS
    const c = this.slots[i];
    if (c !== undefined && ipEquals(c, a)) return c;
    const copy = copyIp(a);
    this.slots[i] = copy;
    return copy;
  }
}
