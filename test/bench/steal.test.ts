/** The bench's CPU steal column (bench/steal.ts): the share of CPU time a VM's host gave to others. */
import { describe, expect, it } from 'vitest';
import { cpuTicks, stealPercent } from '../../bench/steal.js';

describe('stealPercent', () => {
  it('is stolen ticks over busy + stolen ticks between two samples', () => {
    // the development machine during one stateful bench phase: 633 busy ticks, 148 stolen
    expect(stealPercent({ busy: 964_618, steal: 132_429 }, { busy: 965_251, steal: 132_577 })).toBeCloseTo((148 / 781) * 100, 6);
    expect(stealPercent({ busy: 10, steal: 5 }, { busy: 110, steal: 5 })).toBe(0);
    expect(stealPercent({ busy: 10, steal: 5 }, { busy: 10, steal: 5 })).toBe(0);
  });

  it('is unknown when a sample is', () => {
    expect(stealPercent(undefined, { busy: 1, steal: 0 })).toBeUndefined();
    expect(stealPercent({ busy: 1, steal: 0 }, undefined)).toBeUndefined();
  });

  it('reads this Linux machine\'s counters, which only grow', () => {
    const a = cpuTicks();
    expect(a).toBeDefined();
    let spin = 0;
    for (let i = 0; i < 5e6; i++) spin += i & 1;
    const b = cpuTicks()!;
    expect(spin).toBeGreaterThan(0);
    expect(b.busy).toBeGreaterThanOrEqual(a!.busy);
    expect(b.steal).toBeGreaterThanOrEqual(a!.steal);
  });
});
