import { describe, expect, it } from 'vitest';
import { idOrder } from '../../src/parallel/id-order.js';

describe('idOrder', () => {
  it('passes flows on in id order, each as soon as every earlier one has come, holding only those waiting', () => {
    const out: number[] = [];
    const o = idOrder<{ id: number }>((f) => out.push(f.id));
    o.push({ id: 2 });
    o.push({ id: 3 });
    expect(out).toEqual([]);
    expect(o.waiting).toBe(2);
    o.push({ id: 1 });
    expect(out).toEqual([1, 2, 3]);
    expect(o.waiting).toBe(0);
    o.push({ id: 5 });
    o.push({ id: 4 });
    o.end();
    expect(out).toEqual([1, 2, 3, 4, 5]);
  });

  it('end passes on what is left (ids with a gap) in id order', () => {
    const out: number[] = [];
    const o = idOrder<{ id: number }>((f) => out.push(f.id));
    o.push({ id: 9 });
    o.push({ id: 7 });
    o.end();
    expect(out).toEqual([7, 9]);
  });
});
