import { afterEach, describe, expect, it, vi } from 'vitest';

// what the module asks of V8, recorded instead of applied (the test process keeps its own heap settings)
const flags: string[] = [];
vi.mock('node:v8', () => ({ setFlagsFromString: (f: string) => flags.push(f) }));

async function fresh(): Promise<typeof import('../../src/cli/heap-growth.js')> {
  vi.resetModules();
  return import('../../src/cli/heap-growth.js');
}

describe('boundHeapGrowth (replay and compare bound the old generation to 1.5× its live data)', () => {
  const nodeOptions = process.env['NODE_OPTIONS'];
  afterEach(() => {
    flags.length = 0;
    if (nodeOptions === undefined) delete process.env['NODE_OPTIONS'];
    else process.env['NODE_OPTIONS'] = nodeOptions;
  });

  it('sets --heap-growing-percent=50 once, however often a command asks', async () => {
    delete process.env['NODE_OPTIONS'];
    const m = await fresh();
    m.boundHeapGrowth();
    m.boundHeapGrowth();
    expect(flags).toEqual(['--heap-growing-percent=50']);
    expect(m.STREAM_HEAP_GROWING_PERCENT).toBe(50);
  });

  it("keeps the user's own setting from NODE_OPTIONS, in either spelling", async () => {
    for (const given of ['--heap-growing-percent=80', '--max-old-space-size=512 --heap_growing_percent=30']) {
      process.env['NODE_OPTIONS'] = given;
      const m = await fresh();
      m.boundHeapGrowth();
      expect(flags, given).toEqual([]);
    }
  });
});
