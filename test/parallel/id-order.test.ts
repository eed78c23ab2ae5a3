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

  it('holds at most maxWaiting: past it, the lower half goes out in id order and the flow they waited for follows when it finishes', () => {
    const out: number[] = [];
    const o = idOrder<{ id: number }>((f) => out.push(f.id), 4);
    // flow 1 stays live (a long control connection) while 2..6 finish
    for (const id of [2, 3, 4, 5]) o.push({ id });
    expect(out).toEqual([]);
    o.push({ id: 6 }); // 5 waiting > 4: 2, 3, 4 go out (the lower half), 5 and 6 wait for nothing now
    expect(out).toEqual([2, 3, 4, 5, 6]);
    expect(o.waiting).toBe(0);
    o.push({ id: 1 }); // its turn was given up: out when it finishes
    o.push({ id: 7 });
    o.end();
    expect(out).toEqual([2, 3, 4, 5, 6, 1, 7]);
  });

  it('a flood of flows behind one live flow keeps the waiting set bounded', () => {
    let emitted = 0;
    let most = 0;
    const o = idOrder<{ id: number }>(() => emitted++, 1000);
    for (let id = 2; id <= 100_000; id++) {
      o.push({ id });
      most = Math.max(most, o.waiting);
    }
    o.push({ id: 1 });
    o.end();
    expect(most).toBeLessThanOrEqual(1000);
    expect(emitted).toBe(100_000);
  });
});
