import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseConfig } from '../../src/dialects/load.js';
import { cellsOf, portCuts, splitsCell } from '../../src/probe/cells.js';

const CFG = `acl advanced 3000
 rule permit tcp source-port eq 21 destination-port gt 1024
 rule permit tcp source-port range 50000 50050
 rule deny ip
interface GigabitEthernet2/1/10
 packet-filter 3000 inbound
`;

describe('port-space cells', () => {
  const policy = parseConfig(CFG, 't.cfg').value;

  it('cuts at the first port of every rule range and the port after its end', () => {
    expect(portCuts(policy, 4)).toEqual([21, 22, 1025, 50000, 50051, 65536]);
    expect(portCuts(policy, 6)).toEqual([]);
  });

  it('cuts a range into the cells the rules can tell apart', () => {
    expect(cellsOf([50000, 50100], portCuts(policy, 4))).toEqual([
      { lo: 50000, hi: 50050 },
      { lo: 50051, hi: 50100 },
    ]);
    expect(cellsOf([1000, 1100], portCuts(policy, 4))).toEqual([
      { lo: 1000, hi: 1024 },
      { lo: 1025, hi: 1100 },
    ]);
    expect(cellsOf([50051, 50051], portCuts(policy, 4))).toEqual([{ lo: 50051, hi: 50051 }]);
  });

  it('names the rule that would split a cell that is not one', () => {
    expect(splitsCell(policy, 4, { lo: 50040, hi: 50060 })).toBe('acl 3000 rule 5 (t.cfg:3)');
    expect(splitsCell(policy, 4, { lo: 50000, hi: 50050 })).toBeUndefined();
  });

  it('no cell of any range is ever split by a rule (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 65535 }), fc.integer({ min: 0, max: 3000 }), (lo, width) => {
        const hi = Math.min(65535, lo + width);
        const cells = cellsOf([lo, hi], portCuts(policy, 4));
        expect(cells[0]!.lo).toBe(lo);
        expect(cells.at(-1)!.hi).toBe(hi);
        for (let i = 1; i < cells.length; i++) expect(cells[i]!.lo).toBe(cells[i - 1]!.hi + 1);
        for (const c of cells) expect(splitsCell(policy, 4, c)).toBeUndefined();
      }),
    );
  });
});
