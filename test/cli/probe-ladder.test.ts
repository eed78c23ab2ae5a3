import { describe, expect, it } from 'vitest';
import { ftpwall } from '../helpers/cli.js';

// Issue 11: the ladder "works for replay, compare cells and probe cells". `probe --format ladder` draws one
// run per server, mode, verdict and blocking rule (the runs the HTML page links to), in 100 columns.
interface Cell {
  readonly server: string;
  readonly mode: string;
  readonly verdict: string;
  readonly workingPorts: number;
  readonly totalPorts: number;
  readonly firstBlocked: { readonly by: string } | null;
}

const groupKey = (c: Cell): string => `${c.server}|${c.mode}|${c.verdict}|${c.verdict === 'partly' ? `${c.workingPorts}/${c.totalPorts}` : ''}|${c.firstBlocked?.by ?? ''}`;

describe('probe --format ladder', () => {
  for (const config of ['rules/seed-active.cfg', 'rules/seed-passive.cfg', 'rules/stateful.cfg']) {
    it(`${config}: one ladder per verdict group of the JSON cells, each showing its verdict`, () => {
      const json = ftpwall(['probe', '-c', config, '--format', 'json', '--no-progress']);
      expect(json.status, json.stderr).toBe(0);
      const cells = (JSON.parse(json.stdout) as { cells: Cell[] }).cells.filter((c) => c.verdict !== 'n/a');
      const groups = new Map<string, Cell>();
      for (const c of cells) if (!groups.has(groupKey(c))) groups.set(groupKey(c), c);

      const r = ftpwall(['probe', '-c', config, '--format', 'ladder', '--no-progress']);
      expect(r.status, r.stderr).toBe(0);
      const lines = r.stdout.split('\n');
      expect(lines.filter((l) => [...l].length > 100)).toEqual([]);
      const headings = lines.filter((l) => l.startsWith('## '));
      expect(headings.length).toBe(groups.size);
      const ladders = r.stdout.split(/^## /m).slice(1);
      for (const c of groups.values()) {
        const ladder = ladders.find((l) => l.startsWith(`${c.mode} ${c.verdict}${c.firstBlocked ? ` by ${c.firstBlocked.by}` : ''}:`));
        expect(ladder, `${c.mode} ${c.verdict}`).toBeDefined();
        // a blocked run stops at the firewall with ✗ and the rule; a working one has no ✗
        if (c.verdict === 'blocked') expect(ladder).toMatch(/✗ denied by /);
        if (c.verdict === 'works') expect(ladder).not.toContain('✗');
      }
    }, 120_000);
  }
});
