#!/usr/bin/env node
/// <reference lib="dom" />
/**
 * `npm run bench:html`: the cost of the HTML step-through on a ~10,000-packet run.
 * Builds a scenario of many short FTP sessions (mixed modes, one second apart,
 * so conntrack holds hundreds of entries), simulates it through the stateful
 * policy with and without the table recorder (time, heap), renders the page
 * (time, size), then opens it in Debian's chromium and measures the load and
 * the latency of a step (←/→ key handler through layout). Options: --sessions N, --out FILE (keep the page).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseConfig } from '../src/dialects/load.js';
import { recordSnapshots } from '../src/engine/recorder.js';
import { createStatefulFirewall } from '../src/engine/stateful/firewall.js';
import { renderHtml } from '../src/report/html/render.js';
import { buildRunReport } from '../src/report/run.js';
import { loadScenario } from '../src/scenario/load.js';
import { simulate } from '../src/sim/run.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const MODES = ['passive', 'active', 'extended-passive', 'extended-active'] as const;

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** A scenario of `n` sessions from one client, each on its own control port. */
function scenarioText(n: number): string {
  const lines = [
    'name: bench-html',
    'hosts:',
    '  client: { address: 10.0.0.2, interface: GigabitEthernet2/1/1 }',
    '  server: { address: 192.168.10.1, interface: GigabitEthernet2/1/10 }',
    'sessions:',
  ];
  for (let i = 0; i < n; i++)
    lines.push(
      `  - name: s${i}`,
      `    start: ${i}`,
      `    client: { host: client, mode: ${MODES[i % MODES.length]}, controlPort: ${20000 + 2 * i} }`,
      '    server: { host: server, passivePorts: 50000-59999 }',
      '    steps: [login, { retr: { file: f.bin, bytes: 3000 } }, quit]',
    );
  return `${lines.join('\n')}\n`;
}

function heapMb(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed / (1024 * 1024);
}

async function main(): Promise<void> {
  const sessions = Number(arg('--sessions') ?? 313);
  const scenario = loadScenario(scenarioText(sessions), 'bench-html.yaml').value!;
  const cfgFile = resolve(ROOT, 'rules/stateful.cfg');
  const policy = parseConfig(readFileSync(cfgFile, 'utf8'), 'rules/stateful.cfg').value;

  let t0 = performance.now();
  const bare = simulate(scenario, createStatefulFirewall(policy));
  const bareMs = performance.now() - t0;
  const heap0 = heapMb();
  t0 = performance.now();
  const rec = recordSnapshots(createStatefulFirewall(policy));
  const trace = simulate(scenario, rec.firewall);
  const recMs = performance.now() - t0;
  const snapshots = rec.snapshots();
  const heap1 = heapMb();
  let entries = 0;
  for (let i = 0; i < snapshots.length; i++) {
    const s = snapshots.at(i);
    if (s) entries += s.connections.length + s.expectations.length;
  }
  const report = buildRunReport({ scenario: 'bench-html', source: 'bench-html.yaml', config: 'rules/stateful.cfg', engine: 'stateful' }, trace);
  t0 = performance.now();
  const html = renderHtml({ title: 'bench', runs: [{ report, snapshots }], configs: { 'rules/stateful.cfg': readFileSync(cfgFile, 'utf8') } });
  const renderMs = performance.now() - t0;
  const steps = (JSON.parse(/<script id="ftpwall-data" type="application\/json">([\s\S]*?)<\/script>/.exec(html)![1]!) as { runs: { steps: unknown[] }[] }).runs[0]!.steps.length;

  const out = (label: string, value: string): void => {
    process.stdout.write(`${label.padEnd(44)} ${value}\n`);
  };
  out('packets', `${trace.packets.length.toLocaleString('en-US')} (${bare.packets.length === trace.packets.length ? 'same as' : 'DIFFERENT from'} the run without recorder)`);
  out('simulate without / with the recorder', `${bareMs.toFixed(0)} ms / ${recMs.toFixed(0)} ms`);
  out('snapshots: table entries seen, heap held', `${entries.toLocaleString('en-US')} entries over ${snapshots.length.toLocaleString('en-US')} snapshots, ${(heap1 - heap0).toFixed(1)} MB`);
  out('render page: time, size, steps', `${renderMs.toFixed(0)} ms, ${(html.length / (1024 * 1024)).toFixed(2)} MiB, ${steps.toLocaleString('en-US')} steps`);

  let chromium;
  try {
    chromium = (await import('playwright-core')).chromium;
  } catch {
    out('browser', 'skipped: playwright-core not installed');
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'ftpwall-bench-html-'));
  const file = join(dir, 'bench.html');
  writeFileSync(file, html);
  const keep = arg('--out');
  if (keep !== undefined) writeFileSync(keep, html);
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] }).catch(() => undefined);
  if (!browser) {
    out('browser', 'skipped: /usr/bin/chromium did not start');
    rmSync(dir, { recursive: true, force: true });
    return;
  }
  try {
    const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    t0 = performance.now();
    await page.goto(`file://${file}`, { waitUntil: 'load' });
    const loadMs = performance.now() - t0;
    const lat = await page.evaluate(() => {
      const times: number[] = [];
      for (let i = 0; i < 400; i++) {
        const t = performance.now();
        document.dispatchEvent(new KeyboardEvent('keydown', { key: i < 200 ? 'ArrowRight' : 'ArrowLeft', bubbles: true }));
        document.querySelector('.st.sel')!.getBoundingClientRect(); // force style and layout
        times.push(performance.now() - t);
      }
      times.sort((a, b) => a - b);
      return { median: times[200]!, p95: times[380]!, max: times[399]! };
    });
    out('chromium: load (navigation to load event)', `${loadMs.toFixed(0)} ms`);
    out('chromium: one step (key handler + layout)', `median ${lat.median.toFixed(2)} ms, p95 ${lat.p95.toFixed(2)} ms, max ${lat.max.toFixed(2)} ms`);
  } finally {
    await browser.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
