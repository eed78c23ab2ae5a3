/**
 * Every line of `replay --packets` fits 100 columns, for every bundled scenario under every bundled
 * config (the flow table's "first blocked packet" wraps under its column, long verdicts wrap under
 * themselves), and so does `compare`'s text: its matrix splits into column groups.
 */
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { engineOptions, makeFirewall, resolveEngine } from '../../src/cli/inputs.js';
import { buildRunReport } from '../../src/report/run.js';
import { formatRun } from '../../src/report/table.js';
import { fitLines, formatMatrixWithin, formatTableWithin, MIN_LAST_COLUMN } from '../../src/report/style.js';
import { wrapText, wrapWords } from '../../src/report/text-wrap.js';
import { simulate } from '../../src/sim/run.js';
import { ftpwall } from '../helpers/cli.js';
import { loadBundledScenario, loadPolicy, ROOT } from '../helpers/run.js';

const WIDTH = 100;
const files = (dir: string, ext: RegExp): string[] =>
  readdirSync(`${ROOT}/${dir}`)
    .filter((f) => ext.test(f))
    .sort()
    .map((f) => `${dir}/${f}`);
const SCENARIOS = [...files('scenarios', /\.yaml$/), ...files('scenarios/linux', /\.yaml$/)];
const CONFIGS = [...files('rules', /\.(cfg|iptables|nft)$/), ...files('rules/linux', /\.(rules|nft)$/)];
const cols = (s: string): number => [...s].length;

/** configs that load without errors (rules/broken.cfg is broken on purpose) */
function loadable(): { file: string; policy: ReturnType<typeof loadPolicy> }[] {
  const out = [];
  for (const file of CONFIGS) {
    try {
      out.push({ file, policy: loadPolicy(file) });
    } catch {
      // a config with located errors: replay refuses it, nothing is printed
    }
  }
  return out;
}

describe('text reports fit 100 columns', () => {
  it('replay --packets: every line of every bundled scenario × every bundled config (engine auto)', () => {
    const eo = engineOptions({ ftpPort: [], loose: false });
    const configs = loadable();
    expect(configs.map((c) => c.file)).not.toContain('rules/broken.cfg');
    expect(configs.length).toBe(CONFIGS.length - 1);
    const wide: string[] = [];
    let runs = 0;
    for (const s of SCENARIOS) {
      const scenario = loadBundledScenario(s);
      for (const c of configs) {
        const engine = resolveEngine('auto', c.policy, eo);
        const report = buildRunReport({ scenario: scenario.name, source: s, config: c.file, engine }, simulate(scenario, makeFirewall(engine, c.policy, eo, undefined, scenario)));
        const lines = formatRun(report, { packets: true });
        runs++;
        for (const l of lines) if (cols(l) > WIDTH) wide.push(`${s} × ${c.file}: ${cols(l)}: ${l}`);
      }
    }
    expect(runs).toBe(SCENARIOS.length * configs.length);
    expect(wide).toEqual([]);
  }, 600_000);

  it('keeps the whole first blocked packet text when it wraps the flow table', () => {
    const scenario = loadBundledScenario('scenarios/two-sessions.yaml');
    const policy = loadPolicy('rules/aspf-wrong-side.cfg');
    const report = buildRunReport({ scenario: scenario.name, source: 'scenarios/two-sessions.yaml', config: 'rules/aspf-wrong-side.cfg', engine: 'stateful' }, simulate(scenario, makeFirewall('stateful', policy, engineOptions({ ftpPort: [], loose: false }))));
    // the verdict alone is over 100 columns, as is the flow row with its first blocked packet
    expect(report.ftp.summary.length).toBeGreaterThan(WIDTH);
    const lines = formatRun(report, { packets: false });
    const joined = lines.map((l) => l.trim()).join(' ');
    for (const f of report.flows) if (f.firstBlocked) expect(joined).toContain(`#${f.firstBlocked.n} ${f.firstBlocked.packet} denied by ${f.firstBlocked.by}`);
    expect(joined).toContain(report.ftp.summary);
    for (const l of lines) expect(cols(l)).toBeLessThanOrEqual(WIDTH);
  });

  it('wraps predictably: last cell under its column, or below the row when the column is narrower than MIN_LAST_COLUMN or a word is wider', () => {
    const words = Array.from({ length: 30 }, (_, i) => `w${i}`).join(' ');
    const beside = formatTableWithin([['a', 'b'], ['1', words]], 50);
    expect(beside.every((l) => cols(l) <= 50)).toBe(true);
    expect(beside.slice(1).join(' ').replace(/ +/g, ' ').trim()).toBe(`1 ${words}`);
    expect(beside[1]!.startsWith('  1  w0 ')).toBe(true);
    expect(beside.slice(2).every((l) => l.startsWith('     w'))).toBe(true);
    const wideLead = 'x'.repeat(100 - MIN_LAST_COLUMN);
    const below = formatTableWithin([[wideLead, 'b'], ['1', words]], 100);
    expect(below[1]).toBe('  1');
    expect(below.slice(2).every((l) => l.startsWith('      w') && cols(l) <= 100)).toBe(true);
    expect(below.slice(2).join(' ').replace(/ +/g, ' ').trim()).toBe(words);
    // a word wider than the column would be cut there: the cell goes below the row instead
    const path = `(/tmp/${'d'.repeat(50)}/seed-active.cfg:10)`;
    const head = 'a'.repeat(30);
    expect(100 - (2 + 30 + 2)).toBeLessThan(path.length);
    const long = formatTableWithin([[head, 'b'], ['1', `denied by ${path}`]], 100);
    expect(long).toEqual([`  ${head}  b`, '  1', `      denied by ${path}`]);
    expect(fitLines([`  ${words} ${words} ${words}`], 50).every((l, i) => cols(l) <= 50 && (i === 0 ? l.startsWith('  w0') : l.startsWith('    w')))).toBe(true);
    const m = formatMatrixWithin([['s', 'c'.repeat(40), 'd'.repeat(40), 'e'.repeat(40)], ['x', '1', '2', '3']], 100);
    expect(m).toEqual([`  s  ${'c'.repeat(40)}  ${'d'.repeat(40)}`, '  x  1                                         2', '', `  s  ${'e'.repeat(40)}`, '  x  3']);
  });

  // compare refuses a scenario whose interfaces a config does not declare: H3C scenarios go with the
  // H3C configs, scenarios/linux/ with rules/linux/
  for (const [kind, scenarios, configs] of [
    ['H3C', SCENARIOS.filter((s) => !s.includes('/linux/')), () => loadable().map((c) => c.file).filter((c) => c.endsWith('.cfg'))],
    ['Linux', SCENARIOS.filter((s) => s.includes('/linux/') && !s.includes('/linux/nat-')), () => CONFIGS.filter((c) => c.includes('/linux/'))],
    // the NAT scenarios name the NAT rulesets' interfaces (lan0, wan0)
    ['Linux NAT', SCENARIOS.filter((s) => s.includes('/linux/nat-')), () => CONFIGS.filter((c) => /\/linux-[^/]*\.(iptables|nft)$/.test(c))],
  ] as const)
    it(`compare: every line of the text report of the ${kind} scenarios × every loadable ${kind} config, both engines`, () => {
      const cfgs = configs();
      const r = ftpwall(['compare', ...scenarios, ...cfgs.flatMap((c) => ['-c', c]), '--engine', 'static,stateful', '--no-progress']);
      expect(r.status, r.stderr).toBe(0);
      const lines = r.stdout.split('\n');
      expect(lines.length).toBeGreaterThan(scenarios.length * cfgs.length);
      // the matrix numbers its columns, one for each (config, engine); the 32 H3C columns split into groups to fit
      expect(lines.filter((l) => l.startsWith('  scenario  ')).length).toBeGreaterThan(kind === 'H3C' ? 1 : 0);
      cfgs.forEach((c, i) => expect(lines).toContain(`  (${2 * i + 1}) ${c} [static]`));
      expect(lines.filter((l) => cols(l) > WIDTH)).toEqual([]);
    }, 600_000);

  it('a table row with IPv6 endpoints too wide for one line keeps its cells, within 100 columns', () => {
    const rows = [
      ['#', 'role', 'client', 'server', 'outcome', 'first blocked packet'],
      ['1', 'data', '[2001:470:4867:99:a1b2:c3d4:e5f6:21]:55785', '[2001:470:1f11:81f:c999:d94:aa7c:2e3e]:49189', 'blocked', '#12 SYN denied by acl 3000 rule 10'],
    ];
    const lines = formatTableWithin(rows, WIDTH);
    expect(lines.filter((l) => cols(l) > WIDTH)).toEqual([]);
    const text = lines.join(' ');
    for (const cell of rows[1]!) expect(text).toContain(cell);
  });
});

describe('wrapText', () => {
  it('gives what the word-by-word wrap gives, for texts that fit and texts that do not (spaces, colour codes, astral characters)', () => {
    // a fixed linear congruential sequence: the same texts every run
    let seed = 20261204;
    const next = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % n;
    };
    const pieces = ['a', 'bb', 'conntrack', ' ', ' ', '  ', '\u001b[31m', '\u001b[0m', '😀', 'é', 'GigabitEthernet2/1/10', '-'];
    let fits = 0;
    for (let i = 0; i < 5_000; i++) {
      let text = '';
      const parts = next(12);
      for (let k = 0; k < parts; k++) text += pieces[next(pieces.length)];
      const width = 4 + next(40);
      expect(wrapText(text, width), JSON.stringify([text, width])).toEqual(wrapWords(text, width));
      if (wrapText(text, width).length === 1 && wrapText(text, width)[0] === text) fits++;
    }
    // both paths were taken
    expect(fits).toBeGreaterThan(500);
    expect(fits).toBeLessThan(4_900);
    expect(wrapText('  leading', 20)).toEqual(['leading']);
    expect(wrapText('fits exactly', 12)).toEqual(['fits exactly']);
    expect(wrapText('does not fit', 8)).toEqual(['does not', 'fit']);
  });
});
