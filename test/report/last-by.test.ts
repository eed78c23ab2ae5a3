/** The packet trace's last `by` per flow and ingress (last-by.ts) answers as a map keyed by `flow|ingress` does. */
import { describe, expect, it } from 'vitest';
import { LastByTexts } from '../../src/report/last-by.js';
import { createPrng } from '../../src/sim/prng.js';

describe('LastByTexts', () => {
  it('says a text changed exactly when a map of the last text per flow and ingress would, over 200,000 seeded packets', () => {
    const g = createPrng(20261204);
    const pick = (n: number): number => g.nextUint32() % n;
    const ingresses = ['GigabitEthernet2/1/1', 'GigabitEthernet2/1/10', 'Vlan-interface20', 'eth0'];
    const texts = ['acl 3000 rule 0 (a.cfg:3)', 'conntrack established (connection 1)', 'default permit|', 'x|y', 'x|', ''];
    const lastBy = new LastByTexts();
    const reference = new Map<string, string>();
    let changes = 0;
    for (let i = 0; i < 200_000; i++) {
      // mostly two sides a flow, sometimes a third ingress; flows far apart (the array grows), and odd flow numbers
      const r = pick(1000);
      const flow = r === 0 ? 5_000_000 + pick(3) : r === 1 ? -1 : r === 2 ? 1.5 : 1 + pick(3000);
      const ingress = ingresses[pick(20) === 0 ? 2 + pick(2) : pick(2)]!;
      const text = texts[pick(8) < 6 ? pick(2) : pick(texts.length)]!;
      const key = `${flow}|${ingress}`;
      const expected = reference.get(key) !== text;
      reference.set(key, text);
      const got = lastBy.changed(flow, ingress, text);
      if (got !== expected) throw new Error(`packet ${i}: flow ${flow} ${ingress} ${JSON.stringify(text)}: ${got}, the map says ${expected}`);
      if (got) changes++;
    }
    // the sequence is not trivial: many changes, many repeats
    expect(changes).toBeGreaterThan(20_000);
    expect(changes).toBeLessThan(180_000);
  });
});
