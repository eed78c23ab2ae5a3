/// <reference lib="dom" />
/**
 * The HTML step-through in a real browser: Debian's chromium driven by
 * playwright-core (never a downloaded browser). For every bundled scenario,
 * the page of that scenario through the bundled policies loads without console
 * errors or network requests, steps with the keyboard, shows the blocked packet
 * and its rule, lists the pinhole in the expectation table at the step that
 * opened it, and passes basic accessibility checks; and a probe page's cells
 * link to ladders that show their verdicts. Screenshots go to
 * test-artifacts/html/. Under CI=true a missing chromium fails.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { ftpwall } from '../../helpers/cli.js';
import { recordSnapshots } from '../../../src/engine/recorder.js';
import { createStatefulFirewall } from '../../../src/engine/stateful/firewall.js';
import { loadScenario } from '../../../src/scenario/load.js';
import { simulate } from '../../../src/sim/run.js';
import { loadPolicy } from '../../helpers/run.js';
import { generateCapture } from '../../../bench/generate.js';
import { BENCH_TOPOLOGY } from '../../../bench/phases.js';
import { replayCapture } from '../../../src/replay/index.js';
import { openCapture } from '../../../src/wire/index.js';

const ROOT = resolve(__dirname, '../../..');
const CHROMIUM = '/usr/bin/chromium';
const HAVE_CHROMIUM = existsSync(CHROMIUM);
const IN_CI = process.env['CI'] === 'true';
const ARTIFACTS = resolve(ROOT, 'test-artifacts/html');

const SCENARIOS = readdirSync(resolve(ROOT, 'scenarios'))
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => f.replace(/\.yaml$/, ''))
  .sort();

function configsFor(name: string): string[] {
  return name.startsWith('ipv6') ? ['rules/ipv6.cfg', 'rules/stateful-v6.cfg'] : ['rules/seed-active.cfg', 'rules/seed-passive.cfg', 'rules/stateful.cfg'];
}

interface EmbeddedStep {
  readonly v: string;
  readonly by?: string;
  readonly line?: number;
  readonly events: readonly string[];
}
interface EmbeddedRun {
  readonly id: string;
  readonly engine: string;
  readonly steps: readonly EmbeddedStep[];
}

/** The page's own data, read from its JSON island (to know where to look, not what to expect). */
function embedded(html: string): { runs: EmbeddedRun[] } {
  const m = /<script id="ftpwall-data" type="application\/json">([\s\S]*?)<\/script>/.exec(html);
  if (!m) throw new Error('no data island');
  return JSON.parse(m[1]!) as { runs: EmbeddedRun[] };
}

/** WCAG 2.x relative luminance of an `rgb(r, g, b)` colour. */
function luminance(rgb: readonly number[]): number {
  const lin = (c: number): number => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(rgb[0]!) + 0.7152 * lin(rgb[1]!) + 0.0722 * lin(rgb[2]!);
}

/** WCAG contrast ratio of two colours. */
function contrast(a: readonly number[], b: readonly number[]): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

describe('contrast arithmetic used below', () => {
  it('gives 21:1 for black on white and 1:1 for a colour on itself (WCAG 2.1 definition)', () => {
    expect(contrast([0, 0, 0], [255, 255, 255])).toBeCloseTo(21, 5);
    expect(contrast([17, 99, 41], [17, 99, 41])).toBe(1);
    // #767676 on white is the classic 4.54:1 AA boundary colour
    expect(contrast([0x76, 0x76, 0x76], [255, 255, 255])).toBeCloseTo(4.54, 2);
  });
});

describe.runIf(IN_CI && !HAVE_CHROMIUM)('HTML step-through in CI', () => {
  it('has chromium (CI installs the Debian package: .ci/run)', () => {
    expect(existsSync(CHROMIUM), `${CHROMIUM} is missing; apt-get install chromium`).toBe(true);
  });
});

describe.skipIf(!HAVE_CHROMIUM)(`HTML step-through in Chromium${HAVE_CHROMIUM ? '' : ` (skipped: needs ${CHROMIUM}, Debian package chromium)`}`, { timeout: 180_000 }, () => {
  let browser: Browser;
  beforeAll(async () => {
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    mkdirSync(ARTIFACTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
  });

  async function open(file: string): Promise<{ page: Page; errors: string[]; requests: string[] }> {
    const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    const errors: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') errors.push(`${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(`file://${file}`);
    return { page, errors, requests };
  }

  const selected = (page: Page, run: string): Promise<number> =>
    page.$eval(`#${run} .st.sel`, (g) => Number(g.getAttribute('data-i')));

  it('a long run (40 sessions) keeps only the rows near the view in the DOM, and End shows the last step with the tables as the engine had them', async () => {
    const dir = resolve(ARTIFACTS, 'long');
    mkdirSync(dir, { recursive: true });
    const lines = ['name: forty-sessions', 'hosts:', '  client: { address: 10.0.0.2, interface: GigabitEthernet2/1/1 }', '  server: { address: 192.168.10.1, interface: GigabitEthernet2/1/10 }', 'sessions:'];
    for (let i = 0; i < 40; i++)
      lines.push(`  - { name: s${i}, start: ${i}, client: { host: client, mode: passive, controlPort: ${30000 + 2 * i} }, server: { host: server, passivePorts: 50000-50999 }, steps: [login, list, quit] }`);
    const scenarioFile = resolve(dir, 'forty-sessions.yaml');
    writeFileSync(scenarioFile, `${lines.join('\n')}\n`);
    const file = resolve(dir, 'forty-sessions.html');
    const r = ftpwall(['replay', scenarioFile, '--config', 'rules/stateful.cfg', '--format', 'html', '-o', file]);
    expect(r.status).toBe(0);
    const steps = embedded(readFileSync(file, 'utf8')).runs[0]!.steps;
    expect(steps.length).toBeGreaterThan(1000);
    // what the engine had after the last packet
    const rec = recordSnapshots(createStatefulFirewall(loadPolicy('rules/stateful.cfg')));
    const trace = simulate(loadScenario(readFileSync(scenarioFile, 'utf8'), scenarioFile).value!, rec.firewall);
    const last = rec.snapshots().at(trace.packets.length - 1)!;
    const { page, errors } = await open(file);
    try {
      expect(await page.$$eval('#run-1 .st', (g) => g.length)).toBeLessThan(200);
      await page.focus('#run-1 .ladder');
      await page.keyboard.press('End');
      const lastStep = steps.length - 1;
      expect(await selected(page, 'run-1')).toBe(lastStep);
      await expect(page.locator(`#run-1-s${lastStep}`).isVisible()).resolves.toBe(true);
      expect(await page.$$eval('#run-1 .st', (g) => g.length)).toBeLessThan(200);
      const table = (await page.$eval('#run-1 .ct', (e) => e.textContent))!;
      const shown = await page.$$eval('#run-1 .ct tbody tr', (rows) => rows.map((row) => row.querySelector('td')!.textContent!));
      const more = /… (\d+) more connections/.exec(table);
      const ids = shown.filter((t) => /^\d+$/.test(t)).map(Number);
      expect(ids.length + (more ? Number(more[1]) : 0)).toBe(last.connections.length);
      const live = new Set(last.connections.map((c) => c.id));
      for (const id of ids) expect(live.has(id)).toBe(true);
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('a window of a long capture (--steps): the page starts at the window\'s first packet with the tables the engine had after it, says which packets it holds, and steps', async () => {
    const dir = resolve(ARTIFACTS, 'window');
    mkdirSync(dir, { recursive: true });
    const capture = resolve(dir, 'sessions.pcap');
    // 192 sessions, 6,144 packets; the window starts in the middle of live connections and pinholes
    generateCapture(capture, { sessions: 160, transferBytes: 3000 });
    const place = ['--inside', '192.168.10.1/32@GigabitEthernet2/1/10', '--inside', '2001:db8:10::1/128@GigabitEthernet2/1/10', '--outside-interface', 'GigabitEthernet2/1/1'];
    const file = resolve(dir, 'window.html');
    const r = ftpwall(['replay', capture, '--config', 'bench/dual-stack.cfg', ...place, '--format', 'html', '--steps', '3001-3400', '-o', file]);
    expect(r.status, r.stderr).toBe(0);
    // the engine's tables after packet 3001, from a replay that records every packet
    const rec = recordSnapshots(createStatefulFirewall(loadPolicy('bench/dual-stack.cfg')));
    replayCapture(openCapture(capture), { topology: BENCH_TOPOLOGY, firewall: rec.firewall, keepPackets: true });
    const after = rec.snapshots().at(3000)!;
    expect(after.connections.length).toBeGreaterThan(3);
    const { page, errors, requests } = await open(file);
    try {
      expect(await page.textContent('#run-1 .window')).toBe('The step-through holds packets 3,001–3,400 of 6,144 (--steps); the flows and the totals cover the whole capture.');
      await page.focus('#run-1 .ladder');
      await page.keyboard.press('Home');
      expect(await page.textContent('#run-1 .pos')).toMatch(/^Step 1 of \d+ · packet 3001\b/);
      const shown = await page.$$eval('#run-1 .ct tbody tr', (rows) => rows.map((row) => row.querySelector('td')!.textContent!));
      const more = /… (\d+) more connections/.exec((await page.textContent('#run-1 .ct'))!);
      const ids = shown.filter((t) => /^\d+$/.test(t)).map(Number);
      expect(ids.length + (more ? Number(more[1]) : 0)).toBe(after.connections.length);
      const live = new Set(after.connections.map((c) => c.id));
      for (const id of ids) expect(live.has(id)).toBe(true);
      await page.keyboard.press('End');
      expect(await page.textContent('#run-1 .pos')).toMatch(/· packet (\d+–)?3400\b/);
      expect(errors).toEqual([]);
      expect(requests.filter((u) => !u.startsWith('file://'))).toEqual([]);
      await page.screenshot({ path: resolve(dir, 'window.png') });
    } finally {
      await page.close();
    }
  });

  it('a lesson page opens at its first packet and shows the lesson\'s words in the panel at their packets', async () => {
    const file = resolve(ARTIFACTS, 'lesson-stateful.html');
    const r = ftpwall(['lesson', 'stateful', '--format', 'html', '-o', file]);
    expect(r.status).toBe(0);
    const steps = embedded(readFileSync(file, 'utf8')).runs[0]!.steps as unknown as { notes: string[] }[];
    const { page, errors, requests } = await open(file);
    try {
      expect(requests).toEqual([`file://${file}`]);
      expect(await selected(page, 'run-1')).toBe(0);
      expect(await page.$eval('#run-1 .notes', (e) => e.textContent)).toBe(steps[0]!.notes.join(''));
      const withNote = steps.findIndex((s, i) => i > 0 && s.notes.length > 0);
      await page.focus('#run-1 .ladder');
      for (let i = 0; i < withNote; i++) await page.keyboard.press('ArrowRight');
      expect(await selected(page, 'run-1')).toBe(withNote);
      expect(await page.$eval('#run-1 .notes .note', (e) => e.textContent)).toBe(steps[withNote]!.notes[0]);
      await page.screenshot({ path: resolve(ARTIFACTS, 'lesson-stateful.png') });
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('a probe page: each matrix cell links to a ladder that shows its verdict; no console error, no request; ←/→ step', async () => {
    const file = resolve(ARTIFACTS, 'probe-seed-active.html');
    const args = ['probe', '--config', 'rules/seed-active.cfg', '--server-profile', 'vsftpd', '--client-profile', 'curl', '--client-profile', 'windows-ftp'];
    const r = ftpwall([...args, '--format', 'html', '-o', file]);
    expect({ status: r.status, stderr: r.stderr, stdout: r.stdout }).toEqual({ status: 0, stderr: '', stdout: '' });
    const json = JSON.parse(ftpwall([...args, '--format', 'json']).stdout) as { cells: { mode: string; clientProfile: string; verdict: string; firstBlocked: { by: string; packet: string } | null }[] };
    const data = embedded(readFileSync(file, 'utf8'));
    const { page, errors, requests } = await open(file);
    try {
      expect(requests).toEqual([`file://${file}`]);
      // the matrix as the page shows it: mode × client profile, with the JSON's verdicts
      const shown = await page.$$eval('section.summary table.matrix tbody tr', (rows) =>
        rows.flatMap((row) => {
          const profiles = [...row.closest('table')!.querySelectorAll('thead th')].slice(1).map((th) => th.textContent!);
          const cells = [...row.querySelectorAll('td')];
          return cells.map((td, i) => ({ mode: row.querySelector('th')!.textContent!, profile: profiles[i]!, text: td.textContent!, href: td.querySelector('a')?.getAttribute('href') ?? null }));
        }),
      );
      const key = (mode: string, profile: string): string => `${mode} ${profile}`;
      const expected = Object.fromEntries(json.cells.map((c) => [key(c.mode, c.clientProfile), c.verdict === 'n/a' ? '-' : c.verdict]));
      expect(Object.fromEntries(shown.map((c) => [key(c.mode, c.profile), c.text.replace(/^partly .*/, 'partly')]))).toEqual(expected);
      // every applicable cell links to a run on the page; a blocked cell's run opens at its denied packet, denied by the cell's rule
      for (const c of json.cells) {
        const cell = shown.find((x) => key(x.mode, x.profile) === key(c.mode, c.clientProfile))!;
        if (c.verdict === 'n/a') {
          expect(cell.href).toBeNull();
          continue;
        }
        expect(cell.href).toMatch(/^#run-\d+$/);
        const run = data.runs.find((x) => `#${x.id}` === cell.href)!;
        expect(run).toBeDefined();
        if (c.verdict === 'blocked') {
          await page.click(`section.summary a[href="${cell.href}"] >> nth=0`);
          const i = run.steps.findIndex((s) => s.v === 'd');
          expect(await selected(page, run.id)).toBe(i);
          expect(run.steps[i]!.by).toBe(c.firstBlocked!.by);
          expect(await page.$eval(`#${run.id} .by`, (e) => e.textContent)).toBe(`denied by ${c.firstBlocked!.by}`);
        }
      }
      expect(json.cells.some((c) => c.verdict === 'blocked')).toBe(true);
      expect(json.cells.some((c) => c.verdict === 'works')).toBe(true);
      // keyboard stepping on the first ladder
      const first = data.runs[0]!.id;
      await page.focus(`#${first} .ladder`);
      const before = await selected(page, first);
      const forward = before + 1 < data.runs[0]!.steps.length;
      await page.keyboard.press(forward ? 'ArrowRight' : 'ArrowLeft');
      expect(await selected(page, first)).toBe(forward ? before + 1 : before - 1);
      await page.keyboard.press(forward ? 'ArrowLeft' : 'ArrowRight');
      expect(await selected(page, first)).toBe(before);
      await page.screenshot({ path: resolve(ARTIFACTS, 'probe-seed-active.png'), fullPage: true });
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  });

  for (const name of SCENARIOS) {
    it(`${name}: loads with no console error and no request, steps with ←/→, shows the blocked packet with its rule and the pinhole in the table, and is accessible`, async () => {
      const file = resolve(ARTIFACTS, `${name}.html`);
      const r = ftpwall(['compare', `scenarios/${name}.yaml`, ...configsFor(name).flatMap((c) => ['--config', c]), '--format', 'html', '-o', file]);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      const html = readFileSync(file, 'utf8');
      const data = embedded(html);
      const { page, errors, requests } = await open(file);
      try {
        // only the page itself was fetched
        expect(requests).toEqual([`file://${file}`]);

        // keyboard step-through on the first run
        const first = data.runs[0]!.id;
        await page.focus(`#${first} .ladder`);
        const before = await selected(page, first);
        const forward = before + 1 < data.runs[0]!.steps.length;
        await page.keyboard.press(forward ? 'ArrowRight' : 'ArrowLeft');
        expect(await selected(page, first)).toBe(forward ? before + 1 : before - 1);
        await page.keyboard.press(forward ? 'ArrowLeft' : 'ArrowRight');
        expect(await selected(page, first)).toBe(before);
        expect(await page.$eval(`#${first} .pos`, (e) => e.textContent)).toMatch(new RegExp(`^Step ${before + 1} of ${data.runs[0]!.steps.length}`));

        // every run with a denied packet opens at it: the row, the rule and its config line are visible
        let blockedRuns = 0;
        for (const run of data.runs) {
          const i = run.steps.findIndex((s) => s.v === 'd');
          if (i < 0) continue;
          blockedRuns++;
          await page.click(`a[href="#${run.id}"]`);
          expect(await selected(page, run.id)).toBe(i);
          const row = page.locator(`#${run.id}-s${i}`);
          await expect(row.isVisible()).resolves.toBe(true);
          const inView = await page.$eval(`#${run.id} .ladder`, (box, id) => {
            const g = document.getElementById(id)!.getBoundingClientRect();
            const b = box.getBoundingClientRect();
            return g.top >= b.top && g.bottom <= b.bottom;
          }, `${run.id}-s${i}`);
          expect(inView).toBe(true);
          const step = run.steps[i]!;
          expect(await row.textContent()).toContain(step.by!);
          expect(await page.$eval(`#${run.id} .by`, (e) => e.textContent)).toBe(`denied by ${step.by}`);
          if (step.line !== undefined) {
            const li = page.locator(`#${run.id}-L${step.line}.hit`);
            await expect(li.isVisible()).resolves.toBe(true);
            const config = /\(([^()]+\.cfg):\d+\)/.exec(step.by!)![1]!;
            const source = readFileSync(resolve(ROOT, config), 'utf8').split('\n')[step.line - 1]!;
            expect(source).toMatch(/\bdeny\b/);
            expect(await li.textContent()).toBe(`${step.line}${source}`);
          }
          if (blockedRuns === 1) await page.screenshot({ path: resolve(ARTIFACTS, `${name}-blocked.png`) });
        }

        // the step where the helper opens a pinhole lists it in the expectation table
        for (const run of data.runs.filter((x) => x.engine === 'stateful')) {
          const i = run.steps.findIndex((s) => s.events.some((e) => e.startsWith('expectation-open: ')));
          if (i < 0) continue;
          const tuple = /^expectation-open: expectation (.+?) opened by/.exec(run.steps[i]!.events.find((e) => e.startsWith('expectation-open: '))!)![1]!;
          await page.click(`a[href="#${run.id}"]`);
          await page.click(`#${run.id}-s${i} .lab`);
          expect(await selected(page, run.id)).toBe(i);
          const table = await page.$eval(`#${run.id} .ex`, (e) => e.textContent);
          expect(table).toContain(tuple);
          expect(await page.$eval(`#${run.id} .narr`, (e) => e.textContent)).toContain(`opens a one-shot pinhole for ${tuple}`);
          await page.screenshot({ path: resolve(ARTIFACTS, `${name}-pinhole.png`) });
        }
        await page.screenshot({ path: resolve(ARTIFACTS, `${name}.png`), fullPage: true });

        // accessibility: text alternatives for every ladder
        const svgs = await page.$$eval('svg', (list) =>
          list.map((s) => {
            const ids = (s.getAttribute('aria-labelledby') ?? '').split(' ').filter(Boolean);
            return { role: s.getAttribute('role'), label: ids.map((id) => document.getElementById(id)?.textContent ?? '').join(' | '), title: s.querySelector('title')?.textContent ?? '', desc: s.querySelector('desc')?.textContent ?? '' };
          }),
        );
        expect(svgs.length).toBe(data.runs.length);
        for (const s of svgs) {
          expect(s.role).toBe('img');
          expect(s.title).toMatch(/^Ladder diagram of /);
          expect(s.desc).toMatch(/^\d+ steps between /);
          expect(s.label).toBe(`${s.title} | ${s.desc}`);
        }
        // focusable controls: Tab reaches the step buttons and the ladder of the first run
        await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
        const reached = new Set<string>();
        const wanted = ['prev', 'next', 'ladder'].map((w) => `${first}:${w}`);
        for (let k = 0; k < 40 && !wanted.every((w) => reached.has(w)); k++) {
          await page.keyboard.press('Tab');
          reached.add(await page.evaluate(() => {
            const a = document.activeElement!;
            return `${a.closest('section.run')?.id ?? ''}:${a.getAttribute('data-act') ?? a.className}`;
          }));
        }
        for (const want of ['prev', 'next', 'ladder']) expect([...reached].some((x) => x === `${first}:${want}`), `Tab reaches ${want}`).toBe(true);
        // contrast of every visible text against its background (SVG text also against the selection colour)
        const colours = await page.evaluate(() => {
          const rgb = (c: string): number[] | undefined => {
            const m = /rgba?\((\d+), (\d+), (\d+)(?:, ([\d.]+))?\)/.exec(c);
            if (!m || (m[4] !== undefined && Number(m[4]) === 0)) return undefined;
            return [Number(m[1]), Number(m[2]), Number(m[3])];
          };
          const out: { text: string; fg: number[]; bg: number[][] }[] = [];
          const sel = rgb(getComputedStyle(document.documentElement).getPropertyValue('--sel').trim().replace(/^#(..)(..)(..)$/, (_, r, g, b) => `rgb(${parseInt(r, 16)}, ${parseInt(g, 16)}, ${parseInt(b, 16)})`))!;
          const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
          const seen = new Set<Element>();
          for (let n = walker.nextNode(); n; n = walker.nextNode()) {
            const el = n.parentElement;
            if (!el || seen.has(el) || !n.textContent?.trim() || el.closest('script,style,title,desc')) continue;
            seen.add(el);
            const cs = getComputedStyle(el);
            if (cs.visibility === 'hidden' || cs.display === 'none') continue;
            if (el instanceof SVGElement) {
              out.push({ text: n.textContent.trim().slice(0, 40), fg: rgb(cs.fill)!, bg: [[255, 255, 255], sel] });
              continue;
            }
            let bg: number[] | undefined;
            for (let a: Element | null = el; a && !bg; a = a.parentElement) bg = rgb(getComputedStyle(a).backgroundColor);
            out.push({ text: n.textContent.trim().slice(0, 40), fg: rgb(cs.color)!, bg: [bg ?? [255, 255, 255]] });
          }
          return out;
        });
        expect(colours.length).toBeGreaterThan(50);
        const low = colours.flatMap((c) => c.bg.map((b) => ({ text: c.text, ratio: contrast(c.fg, b) }))).filter((x) => x.ratio < 4.5);
        expect(low).toEqual([]);
        expect(errors).toEqual([]);
      } finally {
        await page.close();
      }
    });
  }
});
