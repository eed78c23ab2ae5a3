/**
 * Open-addressing tables keyed by integers, for per-flow and per-connection lookups: linear probing
 * over a power-of-two array of slots, deletion by backward shift (no tombstones), growth by
 * doubling. A Map keyed by numbers allocates as it grows and shrinks with the live flows, and a
 * key beyond the small-integer range is a heap number per entry; these allocate only to grow.
 */

/** Slots at first (a power of two). */
const FIRST_SLOTS = 1024;

/** Home slot of an integer key: its low bits after a multiplicative mix. */
function home(key: number, mask: number): number {
  const h = Math.imul(key | 0, 0x9e3779b1);
  return (h ^ (h >>> 16)) & mask;
}

/**
 * Empties `slot` of a linear-probing table without tombstones: an entry after the hole moves into
 * it unless its home lies cyclically in (hole, j], so every entry stays reachable from its home.
 */
function backwardShift<T>(items: (T | undefined)[], keys: Int32Array | Float64Array, mask: number, slot: number): void {
  let hole = slot;
  for (let j = (hole + 1) & mask; items[j] !== undefined; j = (j + 1) & mask) {
    const h = home(keys[j]!, mask);
    const stays = hole <= j ? hole < h && h <= j : hole < h || h <= j;
    if (stays) continue;
    items[hole] = items[j];
    keys[hole] = keys[j]!;
    hole = j;
  }
  items[hole] = undefined;
}

/**
 * Objects by a 30-bit hash; several may share a hash (the caller tells them apart). Walk one
 * hash's objects with `first` and `next` (slot numbers, -1 at the end); a slot is valid until
 * the next add or remove.
 */
export class HashIndex<T> {
  private hashes = new Int32Array(FIRST_SLOTS);
  private items: (T | undefined)[] = new Array<T | undefined>(FIRST_SLOTS).fill(undefined);
  private mask = FIRST_SLOTS - 1;
  size = 0;

  /** The first slot holding an object of this hash, or -1. */
  first(hash: number): number {
    return this.scan(hash, home(hash, this.mask));
  }

  /** The slot after `slot` holding an object of this hash, or -1. */
  next(hash: number, slot: number): number {
    return this.scan(hash, (slot + 1) & this.mask);
  }

  /** The object in a slot `first` or `next` gave. */
  at(slot: number): T {
    return this.items[slot]!;
  }

  add(hash: number, item: T): void {
    if ((this.size + 1) * 4 > this.items.length * 3) this.grow();
    this.put(hash, item);
    this.size++;
  }

  /** Removes `item` (added under `hash`); false when it is not there. */
  remove(hash: number, item: T): boolean {
    for (let i = this.first(hash); i >= 0; i = this.next(hash, i)) {
      if (this.items[i] !== item) continue;
      this.removeAt(i);
      return true;
    }
    return false;
  }

  /** The objects `wanted` says yes to, in slot order, into `out` (the index is not changed). */
  select(wanted: (item: T) => boolean, out: T[]): void {
    const items = this.items;
    for (let i = 0; i < items.length; i++) {
      const it = items[i];
      if (it !== undefined && wanted(it)) out.push(it);
    }
  }

  private scan(hash: number, from: number): number {
    const items = this.items;
    const hashes = this.hashes;
    const mask = this.mask;
    for (let i = from; items[i] !== undefined; i = (i + 1) & mask) if (hashes[i] === hash) return i;
    return -1;
  }

  private put(hash: number, item: T): void {
    const mask = this.mask;
    let i = home(hash, mask);
    while (this.items[i] !== undefined) i = (i + 1) & mask;
    this.items[i] = item;
    this.hashes[i] = hash;
  }

  private removeAt(slot: number): void {
    backwardShift(this.items, this.hashes, this.mask, slot);
    this.size--;
  }

  private grow(): void {
    const oldItems = this.items;
    const oldHashes = this.hashes;
    const slots = oldItems.length * 2;
    this.items = new Array<T | undefined>(slots).fill(undefined);
    this.hashes = new Int32Array(slots);
    this.mask = slots - 1;
    for (let i = 0; i < oldItems.length; i++) {
      const it = oldItems[i];
      if (it !== undefined) this.put(oldHashes[i]!, it);
    }
  }
}

/** Objects by a non-negative integer key below 2^53 (exact), one per key. */
export class IntMap<T> {
  private keys = new Float64Array(FIRST_SLOTS);
  private items: (T | undefined)[] = new Array<T | undefined>(FIRST_SLOTS).fill(undefined);
  private mask = FIRST_SLOTS - 1;
  size = 0;

  get(key: number): T | undefined {
    const i = this.slotOf(key);
    return i < 0 ? undefined : this.items[i];
  }

  set(key: number, item: T): void {
    const i = this.slotOf(key);
    if (i >= 0) {
      this.items[i] = item;
      return;
    }
    if ((this.size + 1) * 4 > this.items.length * 3) this.grow();
    this.put(key, item);
    this.size++;
  }

  delete(key: number): boolean {
    const slot = this.slotOf(key);
    if (slot < 0) return false;
    backwardShift(this.items, this.keys, this.mask, slot);
    this.size--;
    return true;
  }

  private slotOf(key: number): number {
    const items = this.items;
    const keys = this.keys;
    const mask = this.mask;
    for (let i = home(key, mask); items[i] !== undefined; i = (i + 1) & mask) if (keys[i] === key) return i;
    return -1;
  }

  private put(key: number, item: T): void {
    const mask = this.mask;
    let i = home(key, mask);
    while (this.items[i] !== undefined) i = (i + 1) & mask;
    this.items[i] = item;
    this.keys[i] = key;
  }

  private grow(): void {
    const oldItems = this.items;
    const oldKeys = this.keys;
    const slots = oldItems.length * 2;
    this.items = new Array<T | undefined>(slots).fill(undefined);
    this.keys = new Float64Array(slots);
    this.mask = slots - 1;
    for (let i = 0; i < oldItems.length; i++) {
      const it = oldItems[i];
      if (it !== undefined) this.put(oldKeys[i]!, it);
    }
  }
}
