/**
 * `ftpwall verify … --format html -o FILE` through the real kernel (network namespaces, the exported
 * nft ruleset, vsftpd): one run, passive-download through rules/seed-active.cfg, whose data
 * connection the kernel and the simulation both block (test/cli/verify.test.ts shows they agree).
 * The page must show that, flow by flow, in the same terms as verify's text report, with the
 * simulated ladder stopping at the rule that denied. Kernel tests run one at a time
 * (flock /work/coord/kernel.lock); skipped where verify cannot run, a failure under CI=true.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkPrerequisites } from '../../src/verify/prereq.js';
import { ftpwall } from '../helpers/cli.js';
import { tableNotes, tableRows } from '../helpers/html.js';
import { lineOf, run } from '../helpers/run.js';

const prereq = checkPrerequisites();
const inCi = process.env['CI'] === 'true';
let dir: string | undefined;
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.runIf(inCi && !prereq.ok)('verify --format html in CI', () => {
  it('has everything ftpwall verify needs (CI installs it: .ci/run)', () => {
    expect(prereq.missing).toEqual([]);
  });
});

describe.skipIf(!prereq.ok)(`verify --format html in the kernel${prereq.ok ? '' : ` (skipped: needs ${prereq.missing.join(', ')})`}`, () => {
  it('passive-download × seed-active: the page shows kernel, simulation and replay per flow, all agreeing, and the simulated ladder', () => {
    dir = mkdtempSync(join(tmpdir(), 'ftpw-verify-html-'));
    const file = join(dir, 'verify.html');
    const r = ftpwall(['verify', 'scenarios/passive-download.yaml', '--config', 'rules/seed-active.cfg', '--format', 'html', '-o', file, '--out-dir', join(dir, 'captures')]);
    expect({ status: r.status, stderr: r.stderr, stdout: r.stdout }).toEqual({ status: 0, stderr: '', stdout: '' });
    expect(existsSync(file)).toBe(true);
    const html = readFileSync(file, 'utf8');
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'"`);
    const { report } = run('scenarios/passive-download.yaml', 'rules/seed-active.cfg', 'static');
    const title = 'verify scenarios/passive-download.yaml × rules/seed-active.cfg [static]: kernel vs ftpwall, flow by flow';
    const rows = tableRows(html, title);
    expect(rows[0]).toEqual(['flow', 'kernel (Linux netfilter)', 'ftpwall simulation', 'ftpwall replay of the kernel capture', 'agree?']);
    // one row per simulated flow: the kernel and the replay of its capture agree with the simulation
    expect(rows.slice(1).map((row) => row[0])).toEqual(report.flows.map((f) => `download ${f.role} ${f.client} → ${f.server}`));
    report.flows.forEach((f, i) => {
      const [, kernel, simulation, replay, agree] = rows[i + 1]!;
      expect(simulation).toBe(`${f.role} ${f.outcome}${f.firstBlocked ? ` at ${f.firstBlocked.packet}: ${f.firstBlocked.by}` : ''}`);
      expect(kernel!.startsWith(`${f.role} ${f.outcome}`)).toBe(true);
      if (f.outcome === 'blocked') expect(kernel).toMatch(/ on GigabitEthernet2\/1\/10: not forwarded$/);
      expect(replay!.startsWith(`${f.role} ${f.outcome}`)).toBe(true);
      expect(agree).toBe('yes');
    });
    expect(report.flows.map((f) => f.outcome)).toEqual(['passed', 'blocked']);
    const notes = tableNotes(html, title);
    expect(notes[0]).toBe('agreement: 2/2 flows, 1/1 FTP verdicts');
    expect(notes[1]).toMatch(/^session download: FTP fails in the kernel \(.+\), fails in the simulation \(/);
    expect(notes.some((n) => n.startsWith('kernel capture: '))).toBe(true);
    expect(html).toContain('<p class="prose">verify: 1 of 1 runs agree (agreement: 2/2 flows)</p>');
    // the simulated run's ladder: its denied step names the rule and points at its config line
    const data = JSON.parse(/<script id="ftpwall-data" type="application\/json">([\s\S]*?)<\/script>/.exec(html)![1]!) as { runs: { id: string; steps: { v: string; by?: string; line?: number }[] }[] };
    expect(data.runs.length).toBe(1);
    const denied = data.runs[0]!.steps.find((s) => s.v === 'd')!;
    const blocked = report.flows.find((f) => f.firstBlocked)!.firstBlocked!;
    expect(denied.by).toBe(blocked.by);
    expect(denied.line).toBe(lineOf('rules/seed-active.cfg', 'rule deny ip'));
  }, 240_000);
});
