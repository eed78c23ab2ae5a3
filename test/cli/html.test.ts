import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateCapture } from '../../bench/generate.js';
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

describe('--format html of a long capture: a window of packets (--steps)', () => {
  const capture = '../shared/corpus/pcap/suricata-ftp-download-passive.pcap';
  type Steps = { n: number; last?: number }[];
  const stepsOf = (html: string): Steps => (island(html).runs[0]!.steps as unknown as Steps).filter((s) => s.n > 0);

  it('--steps FIRST-LAST: the page steps through those packets only and says so; the flows are the whole capture', () => {
    const whole = join(tmp, 'window-whole.html');
    const part = join(tmp, 'window-5-12.html');
    expect(ftpwall(['replay', capture, '--config', 'rules/stateful.cfg', '--format', 'html', '-o', whole]).status).toBe(0);
    const r = ftpwall(['replay', capture, '--config', 'rules/stateful.cfg', '--format', 'html', '--steps', '5-12', '-o', part]);
    expect(r.status, r.stderr).toBe(0);
    const records = Math.max(...stepsOf(readFileSync(whole, 'utf8')).map((s) => s.last ?? s.n));
    expect(r.stderr).toContain(`ftpwall: info: ${capture}: the step-through holds packets 5–12 of ${records} (--steps); the flows and the totals cover the whole capture`);
    const html = readFileSync(part, 'utf8');
    expect(html).toContain(`<p class="window">The step-through holds packets 5–12 of ${records} (--steps); the flows and the totals cover the whole capture.</p>`);
    const steps = stepsOf(html);
    expect(steps[0]!.n).toBe(5);
    expect(Math.max(...steps.map((s) => s.last ?? s.n))).toBe(12);
    // the same flows as the page of every packet
    const flows = (h: string) => /<table class="flows">[\s\S]*?<\/table>/.exec(h)![0];
    expect(flows(html)).toBe(flows(readFileSync(whole, 'utf8')));
    // a page of the whole capture says nothing of a window
    expect(readFileSync(whole, 'utf8')).not.toContain('<p class="window">');
  });

  it('a window no packet falls in: a warning, an empty step-through that says why, and the stateful run still reads as stateful', () => {
    const out = join(tmp, 'window-empty.html');
    const r = ftpwall(['replay', capture, '--config', 'rules/stateful.cfg', '--format', 'html', '--steps', '100000-100010', '-o', out]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/ftpwall: warning: .*: no packet of the capture falls in --steps 100000-100010 \(it has \d+ packets\): the step-through is empty; the flows and the totals cover the whole capture/);
    const html = readFileSync(out, 'utf8');
    expect(island(html).runs[0]!.steps).toEqual([]);
    expect(island(html).runs[0]!.tables).toBe(true);
    expect(html).not.toContain('keeps no state');
  });

  it('a capture longer than 50,000 packets gets a page of its first 50,000 by default, and says so', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ftpwall-long-'));
    try {
      const file = join(dir, 'long.pcap');
      // 1,600 sessions of 32 packets: 51,200 packets
      expect(generateCapture(file, { sessions: 1600, transferBytes: 3000 }).packets).toBe(51_200);
      const out = join(dir, 'long.html');
      const r = ftpwall(['replay', file, '--config', 'bench/dual-stack.cfg', '--inside', '192.168.10.1/32@GigabitEthernet2/1/10', '--inside', '2001:db8:10::1/128@GigabitEthernet2/1/10', '--outside-interface', 'GigabitEthernet2/1/1', '--format', 'html', '-o', out]);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stderr).toContain('the step-through holds packets 1–50,000 of 51,200 (the first 50,000: a page of every packet would not fit; --steps FIRST-LAST shows others)');
      const steps = stepsOf(readFileSync(out, 'utf8'));
      expect(steps[0]!.n).toBe(1);
      expect(Math.max(...steps.map((s) => s.last ?? s.n))).toBe(50_000);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a capture of more flows than a page lists: the window\'s flows and the first 10,000 others, said on the page, the diagram and stderr', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ftpwall-flows-'));
    try {
      const file = join(dir, 'many.pcap');
      // 5,248 sessions (the generator's groups of 64): 10,496 flows, all passing the stateful policy
      expect(generateCapture(file, { sessions: 5200, transferBytes: 3000 }).packets).toBe(167_936);
      const place = ['--inside', '192.168.10.1/32@GigabitEthernet2/1/10', '--inside', '2001:db8:10::1/128@GigabitEthernet2/1/10', '--outside-interface', 'GigabitEthernet2/1/1'];
      const out = join(dir, 'many.html');
      const r = ftpwall(['replay', file, '--config', 'bench/dual-stack.cfg', ...place, '--format', 'html', '--steps', '1-64', '-o', out]);
      expect(r.status, r.stderr).toBe(0);
      const run = island(readFileSync(out, 'utf8')).runs[0] as unknown as { flows: { id: number }[]; steps: { n: number; flow: number }[] };
      const listed = run.flows.length;
      // every flow the step-through shows is listed, and 10,000 of the others (none is blocked)
      const shown = new Set(run.steps.filter((s) => s.n > 0).map((s) => s.flow));
      expect(shown.size).toBeGreaterThan(0);
      for (const id of shown) expect(run.flows.some((f) => f.id === id), `flow ${id}`).toBe(true);
      expect(listed).toBe(shown.size + 10_000);
      const ids = run.flows.map((f) => f.id);
      expect(ids).toEqual([...ids].sort((a, b) => a - b));
      const sentence = `the flows table lists ${listed.toLocaleString('en-US')} of the capture's 10,496 flows (every flow with a packet in the step-through and the control connection of each data flow there, and of the others the first 10,000 blocked flows and the first 10,000 that passed)`;
      expect(r.stderr).toContain(`ftpwall: info: ${file}: ${sentence}`);
      // the window's sentence no longer claims the flows cover the whole capture
      expect(r.stderr).toContain('the step-through holds packets 1–64 of 167,936 (--steps); the totals cover the whole capture');
      const note = /<p class="window">([^<]*)<\/p>/.exec(readFileSync(out, 'utf8'))![1]!.replaceAll('&#39;', "'");
      expect(note).toBe(`The step-through holds packets 1–64 of 167,936 (--steps); the totals cover the whole capture. T${sentence.slice(1)}.`);
      // Markdown without a window: the first 10,000 flows to finish, said above and below its table
      const md = ftpwall(['replay', file, '--config', 'bench/dual-stack.cfg', ...place, '--format', 'md']);
      expect(md.status, md.stderr).toBe(0);
      expect([...md.stdout.matchAll(/^\| \d+ \|/gm)].length).toBe(10_000);
      expect(md.stdout).toContain("> The diagram covers 10,000 of the capture's 10,496 flows (the first 10,000 blocked flows and the first 10,000 that passed).");
      expect(md.stdout).toContain("(the table lists 10,000 of the capture's 10,496 flows)");
      // the table format streams every flow: no listing bound, no sentence
      const json = join(dir, 'many.json');
      const table = ftpwall(['replay', file, '--config', 'bench/dual-stack.cfg', ...place, '--format', 'json', '-o', json]);
      expect(table.status, table.stderr).toBe(0);
      expect((JSON.parse(readFileSync(json, 'utf8')) as { runs: { flows: unknown[] }[] }).runs[0]!.flows.length).toBe(10_496);
      expect(table.stderr).not.toContain('lists');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  for (const [steps, message] of [
    ['12-5', "--steps '12-5' ends before it starts: packet 5 comes before packet 12"],
    ['five', "--steps 'five' is not a range of packets: expected FIRST-LAST, capture packet numbers from 1, or FIRST for 50,000 packets from there"],
    ['0-10', "--steps '0-10' is not a range of packets"],
  ] as const) {
    it(`--steps ${steps} is refused with exit 2 and nothing written`, () => {
      const out = join(tmp, `bad-steps-${steps}.html`);
      const r = ftpwall(['replay', capture, '--config', 'rules/stateful.cfg', '--format', 'html', '--steps', steps, '-o', out]);
      expect(r.status).toBe(2);
      expect(r.stderr).toContain(`error: ${message}`);
      expect(r.stderr).toContain('e.g. --steps 1-50000 (the default)');
      expect(existsSync(out)).toBe(false);
    });
  }

  it('--steps with a format that draws no packets is refused: it would change nothing', () => {
    const r = ftpwall(['replay', capture, '--config', 'rules/stateful.cfg', '--steps', '5-12']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("error: --steps '5-12' chooses the packets a capture's HTML step-through or diagram draws, and the format is table (add --format html (or ladder, md, mermaid), or drop --steps)");
    expect(r.stdout).toBe('');
  });

  it('the ladder, Markdown and Mermaid of a capture draw the window too, and say so', () => {
    const ladder = ftpwall(['replay', capture, '--config', 'rules/stateful.cfg', '--format', 'ladder', '--steps', '5-9']);
    expect(ladder.status, ladder.stderr).toBe(0);
    const records = /of (\d+) \(--steps\)/.exec(ladder.stderr)![1]!;
    expect(ladder.stderr).toContain(`the diagram draws packets 5–9 of ${records} (--steps); the flows and the totals cover the whole capture`);
    expect(ladder.stdout.replace(/\n {2}/g, ' ')).toContain(`The diagram draws packets 5–9 of ${records} (--steps); the flows and the totals cover the whole capture.`);
    // packets 5 to 9, each once, and no other
    expect([...ladder.stdout.matchAll(/^ +#(\d+) /gm)].map((m) => Number(m[1]))).toEqual([5, 6, 7, 8, 9]);
    const md = ftpwall(['replay', capture, '--config', 'rules/stateful.cfg', '--format', 'md', '--steps', '5-9']);
    expect(md.stdout).toContain(`> The diagram draws packets 5–9 of ${records} (--steps); the flows and the totals cover the whole capture.`);
    const mermaid = ftpwall(['replay', capture, '--config', 'rules/stateful.cfg', '--format', 'mermaid', '--steps', '5-9']);
    expect(mermaid.stdout).toContain('Note over C,S: The diagram draws packets 5–9 of');
    // without a window the ladder of --packets draws every packet and says nothing of a window
    const all = ftpwall(['replay', capture, '--config', 'rules/stateful.cfg', '--format', 'ladder', '--packets']);
    expect(all.stdout).not.toContain('The diagram draws');
    expect(all.stderr).not.toContain('the diagram draws');
    expect(Math.max(...[...all.stdout.matchAll(/#(\d+)/g)].map((m) => Number(m[1])))).toBe(Number(records));
  });
});
