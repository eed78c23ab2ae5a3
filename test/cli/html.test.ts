import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ftpwall } from '../helpers/cli.js';

const ROOT = resolve(__dirname, '../..');
const tmp = mkdtempSync(join(tmpdir(), 'ftpwall-html-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Island {
  runs: { title: string; tables: boolean; steps: { v: string; by?: string }[] }[];
}
const island = (html: string): Island => JSON.parse(/<script id="ftpwall-data" type="application\/json">([\s\S]*?)<\/script>/.exec(html)![1]!) as Island;

describe('--format html', () => {
  const configs = ['rules/seed-active.cfg', 'rules/seed-passive.cfg', 'rules/stateful.cfg'].flatMap((c) => ['--config', c]);
  for (const f of readdirSync(resolve(ROOT, 'scenarios')).filter((x) => x.endsWith('.yaml'))) {
    it(`compare: ${f} through the three bundled policies gives a page under 1 MB, with the matrix linking each cell to its ladder`, () => {
      const out = join(tmp, `${f}.html`);
      const r = ftpwall(['compare', `scenarios/${f}`, ...configs, '--format', 'html', '-o', out]);
      expect(r.status, r.stderr).toBe(0);
      expect(statSync(out).size, f).toBeLessThan(1024 * 1024);
      const html = readFileSync(out, 'utf8');
      const runs = island(html).runs;
      expect(runs.map((x) => x.title)).toEqual(
        ['rules/seed-active.cfg [static]', 'rules/seed-passive.cfg [static]', 'rules/stateful.cfg [stateful]'].map((c) => `${f.replace('.yaml', '')} × ${c}`),
      );
      for (let i = 1; i <= 3; i++) expect(html).toMatch(new RegExp(`<td><a class="(good|bad)" href="#run-${i}">`));
      expect(runs.map((x) => x.tables)).toEqual([false, false, true]);
    });
  }

  it('replay of a capture writes its page too, with the stateful tables recorded', () => {
    const out = join(tmp, 'capture.html');
    const r = ftpwall(['replay', '../shared/corpus/pcap/suricata-ftp-download-passive.pcap', '--config', 'rules/stateful.cfg', '--format', 'html', '-o', out]);
    expect(r.status).toBe(0);
    const runs = island(readFileSync(out, 'utf8')).runs;
    expect(runs.length).toBe(1);
    expect(runs[0]!.tables).toBe(true);
    expect(runs[0]!.steps.length).toBeGreaterThan(10);
  });

  it('is offered by replay and compare', () => {
    for (const cmd of ['replay', 'compare']) expect(ftpwall([cmd, '--help']).stdout.replace(/\s+/g, ' ')).toContain('(choices: "table", "json", "ladder", "md", "mermaid", "html", default: "table")');
  });
});
