import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ftpwall } from '../helpers/cli.js';

const ROOT = resolve(__dirname, '../..');
const tmp = mkdtempSync(join(tmpdir(), 'ftpwall-html-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Island {
  runs: { id: string; title: string; tables: boolean; steps: { v: string; by?: string }[] }[];
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

  it('is offered by probe and verify', () => {
    expect(ftpwall(['probe', '--help']).stdout.replace(/\s+/g, ' ')).toContain('(choices: "table", "json", "ladder", "html", default: "table")');
    expect(ftpwall(['verify', '--help']).stdout.replace(/\s+/g, ' ')).toContain('(choices: "text", "html", default: "text")');
  });

  // every bundled H3C config but broken.cfg (refused) and the nat-outbound ones (clients NATed out: no FTP server in the config)
  for (const f of readdirSync(resolve(ROOT, 'rules')).filter((x) => x.endsWith('.cfg') && x !== 'broken.cfg' && !x.startsWith('nat-outbound'))) {
    it(`probe: rules/${f} gives a page under 1 MB whose every applicable cell links to a ladder with the cell's verdict`, () => {
      const out = join(tmp, `probe-${f}.html`);
      const r = ftpwall(['probe', '--config', `rules/${f}`, '--format', 'html', '-o', out]);
      expect(r.status, r.stderr).toBe(0);
      expect(statSync(out).size, f).toBeLessThan(1024 * 1024);
      const json = JSON.parse(ftpwall(['probe', '--config', `rules/${f}`, '--format', 'json']).stdout) as { cells: { verdict: string }[] };
      const html = readFileSync(out, 'utf8');
      const runs = island(html).runs;
      const links = [...html.matchAll(/<td><a class="(good|bad|warn)" title="[^"]*" href="#(run-\d+)">([^<]*)<\/a><\/td>/g)];
      expect(links.length).toBe(json.cells.filter((c) => c.verdict !== 'n/a').length);
      for (const [, tone, id, text] of links) {
        const run = runs.find((x) => x.id === id)!;
        expect(run, id).toBeDefined();
        // a blocked cell's ladder has a denied packet; a working cell's ladder has none
        if (tone === 'bad') expect(run.steps.some((s) => s.v === 'd'), `${id} ${text}`).toBe(true);
        if (tone === 'good') expect(run.steps.some((s) => s.v === 'd'), `${id} ${text}`).toBe(false);
      }
    });
  }
});
