/** grown(): a typed-array column of the same type, longer, starting with the old contents. */
import { describe, expect, it } from 'vitest';
import { grown } from '../../src/collections/typed-grow.js';

describe('grown', () => {
  it('keeps the type and the contents, and zeroes the new elements', () => {
    const a = grown(Int32Array.from([-1, 2, 0x7fffffff]), 5);
    expect(a).toBeInstanceOf(Int32Array);
    expect([...a]).toEqual([-1, 2, 0x7fffffff, 0, 0]);
    const f = grown(Float64Array.from([Infinity, 1.5]), 3);
    expect(f).toBeInstanceOf(Float64Array);
    expect([...f]).toEqual([Infinity, 1.5, 0]);
    const u = grown(Uint8Array.from([255]), 2);
    expect(u).toBeInstanceOf(Uint8Array);
    expect([...u]).toEqual([255, 0]);
  });
});
