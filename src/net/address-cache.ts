/** Shared copies of the addresses that flows and connections keep. */
import { ipv4, ipv6, type IpAddress } from './address.js';

/** A 32-bit mix of an address's words (hash indexes). */
export function mixAddr(a: IpAddress): number {
  return a.family === 4 ? mixV4(a.v4) : mixV6(a.v6);
}

/** mixAddr of an IPv4 address given as its value. */
function mixV4(v4: number): number {
  return Math.imul(v4, 0x9e3779b1);
}

/** mixAddr of an IPv6 address given as its words. */
function mixV6(w: ArrayLike<number>): number {
  return Math.imul(w[0]! ^ Math.imul(w[1]!, 0x85ebca6b) ^ Math.imul(w[2]!, 0xc2b2ae35) ^ Math.imul(w[3]!, 0x27d4eb2f), 0x9e3779b1);
}

/** The slot of a mix: its top 10 bits (ADDRESS_SLOTS). */
function slotOf(mix: number): number {
  return mix >>> 22;
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

  /** The shared copy of `a` (made when the cache has none). */
  keep(a: IpAddress): IpAddress {
    return a.family === 4 ? this.keepV4(a.v4) : this.keepV6(a.v6);
  }

  /** keep() of the IPv4 address `v4` (uint32), with no address object made when the cache has it. */
  keepV4(v4: number): IpAddress {
    const i = slotOf(mixV4(v4));
    const c = this.slots[i];
    if (c !== undefined && c.family === 4 && c.v4 === v4) return c;
    const copy = ipv4(v4);
    this.slots[i] = copy;
    return copy;
  }

  /** keep() of the IPv6 address of the four uint32 words `w`, with no address object made when the cache has it. */
  keepV6(w: ArrayLike<number>): IpAddress {
    const i = slotOf(mixV6(w));
    const c = this.slots[i];
    if (c !== undefined && c.family === 6 && c.v6[0] === w[0] && c.v6[1] === w[1] && c.v6[2] === w[2] && c.v6[3] === w[3]) return c;
    const copy = ipv6(w[0]!, w[1]!, w[2]!, w[3]!);
    this.slots[i] = copy;
    return copy;
  }
}
