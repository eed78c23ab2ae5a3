import { describe, expect, it } from 'vitest';
import { HashIndex, IntMap } from '../../src/collections/hash-index.js';

/** A small deterministic generator (xorshift32): the same operations every run. */
function xorshift(seed: number): () => number {
  let x = seed | 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
}

interface Item {
  readonly id: number;
  readonly hash: number;
}

describe('HashIndex (objects by 30-bit hash, open addressing)', () => {
  it('finds every object of a hash, shared hashes included, through growth and backward-shift removal', () => {
    const rand = xorshift(7);
    const index = new HashIndex<Item>();
    const model = new Map<number, Item>();
    const live: Item[] = [];
    const wrong: string[] = [];
    let nextId = 1;
    for (let step = 0; step < 40_000; step++) {
      const r = rand();
      // few distinct hashes at times (long probe runs, many objects per hash), many at others
      const hash = step % 10_000 < 3_000 ? r % 97 : r & 0x3fffffff;
      if (r % 3 !== 0 || model.size === 0) {
        const it = { id: nextId++, hash };
        index.add(hash, it);
        model.set(it.id, it);
        live.push(it);
      } else {
        // remove a random live object
        const at = rand() % live.length;
        const victim = live[at]!;
        live[at] = live[live.length - 1]!;
        live.pop();
        if (!index.remove(victim.hash, victim) || index.remove(victim.hash, victim)) wrong.push(`remove ${victim.id}`);
        model.delete(victim.id);
      }
      if (step % 997 === 0) {
        expect(index.size).toBe(model.size);
        const byHash = new Map<number, number[]>();
        for (const m of model.values()) {
          const ids = byHash.get(m.hash);
          if (ids) ids.push(m.id);
          else byHash.set(m.hash, [m.id]);
        }
        for (const [h, ids] of byHash) {
          const found: number[] = [];
          for (let i = index.first(h); i >= 0; i = index.next(h, i)) found.push(index.at(i).id);
          if (found.sort((a, b) => a - b).join() !== ids.join()) wrong.push(`hash ${h} at ${step}: ${found.join()} ≠ ${ids.join()}`);
        }
        const all: Item[] = [];
        index.select(() => true, all);
        expect(all.map((m) => m.id).sort((a, b) => a - b)).toEqual([...model.keys()].sort((a, b) => a - b));
      }
    }
    expect(wrong).toEqual([]);
  });

  it('answers -1 for a hash it does not hold', () => {
    const index = new HashIndex<Item>();
    expect(index.first(5)).toBe(-1);
    index.add(5, { id: 1, hash: 5 });
    expect(index.first(6)).toBe(-1);
    expect(index.next(5, index.first(5))).toBe(-1);
  });
});

describe('IntMap (objects by integer key below 2^53)', () => {
  it('behaves as a Map through growth, replacement and removal, keys beyond 32 bits included', () => {
    const rand = xorshift(11);
    const map = new IntMap<string>();
    const model = new Map<number, string>();
    const wrong: string[] = [];
    for (let step = 0; step < 50_000; step++) {
      const r = rand();
      // sequential ids (conntrack's), ids 2^32 apart (same low bits), and large keys
      const key = r % 4 === 0 ? step : r % 4 === 1 ? (r % 7) + 2 ** 32 * (rand() % 200) : r % 4 === 2 ? r * 65536 + (r & 0xffff) : r % 300;
      if (r % 5 < 3) {
        map.set(key, `v${step}`);
        model.set(key, `v${step}`);
      } else if (map.delete(key) !== model.delete(key)) wrong.push(`delete ${key} at ${step}`);
      if (map.get(key) !== model.get(key)) wrong.push(`get ${key} at ${step}`);
      if (step % 1009 === 0) {
        expect(map.size).toBe(model.size);
        for (const [k, v] of model) if (map.get(k) !== v) wrong.push(`get ${k} at ${step}`);
      }
    }
    expect(wrong).toEqual([]);
  });
});
