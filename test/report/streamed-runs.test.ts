/**
 * Streaming scenario runs (packets handed from the simulator to the report builder as they are
 * made, none kept; the JSON's packet rows held as text, here forced into the temporary file) give
 * byte for byte the report of the whole-trace path, for every bundled scenario and policy.
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createStaticFirewall } from '../../src/engine/static.js';
import { createStatefulFirewall } from '../../src/engine/stateful/firewall.js';
import { RowSpill } from '../../src/cli/row-spill.js';
import { buildRunReport, reportJson, startRunReport, type RunReport } from '../../src/report/run.js';
import { written } from '../helpers/report-stream.js';
import { simulate } from '../../src/sim/run.js';
import { bundledScenarioNames, GOLDEN_POLICIES, loadBundledScenario, loadPolicy } from '../helpers/run.js';

const POLICIES = GOLDEN_POLICIES;

const scenarios = bundledScenarioNames();


describe('streamed scenario runs', () => {
  for (const file of scenarios) {
    it(`${file}: the same JSON and table, with no packet kept`, () => {
      const scenario = loadBundledScenario(`scenarios/${file}`);
      for (const [config, engine] of POLICIES) {
        const policy = loadPolicy(config);
        const firewall = () => (engine === 'static' ? createStaticFirewall(policy) : createStatefulFirewall(policy));
        const label = { scenario: scenario.name, source: `scenarios/${file}`, config, engine };
        const whole: RunReport = buildRunReport(label, simulate(scenario, firewall()));

        // JSON: rows as text, 512 characters held, the rest through the temporary file
        const spill = new RowSpill(512);
        let json: RunReport;
        try {
          const b = startRunReport(label, spill.add);
          const trace = simulate(scenario, firewall(), { onPacket: b.add });
          expect(trace.packets).toHaveLength(0);
          json = b.finish(trace);
          expect(json.packets).toHaveLength(0);
          expect(spill.count).toBe(whole.packets.length);
          if (whole.packets.length > 3) expect(spill.spilled).toBe(true);
          for (const summary of [false, true]) {
            const o = { format: 'json', packets: false, summary } as const;
            expect(written(o, (s) => s.run(json, spill))).toBe(written(o, (s) => s.run(whole)));
          }
          expect(written({ format: 'json', packets: false, summary: false }, (s) => s.run(json, spill))).toBe(reportJson([whole]));
        } finally {
          spill.dispose();
        }

        // table without packet rows: none made
        const b = startRunReport(label, 'none');
        const trace = simulate(scenario, firewall(), { onPacket: b.add });
        const table = b.finish(trace);
        expect(trace.packets).toHaveLength(0);
        expect(table.packets).toHaveLength(0);
        for (const f of table.flows) expect(f.packetNumbers).toHaveLength(0);
        expect(table.flows.map(({ packetNumbers: _n, ...f }) => f)).toEqual(whole.flows.map(({ packetNumbers: _n, ...f }) => f));
        for (const summary of [false, true]) {
          const o = { format: 'table', packets: false, summary } as const;
          expect(written(o, (s) => s.run(table))).toBe(written(o, (s) => s.run(whole)));
        }
      }
    });
  }

  it('removes its temporary file', () => {
    const spill = new RowSpill(16);
    const b = startRunReport({ scenario: 's', source: 's', config: 'c', engine: 'static' }, spill.add);
    b.finish(simulate(loadBundledScenario('scenarios/passive-download.yaml'), createStaticFirewall(loadPolicy('rules/seed-passive.cfg')), { onPacket: b.add }));
    expect(spill.spilled).toBe(true);
    const dir = (spill as unknown as { text: { file: { dir: string } } }).text.file.dir;
    expect(existsSync(dir)).toBe(true);
    spill.dispose();
    expect(existsSync(dir)).toBe(false);
  });
});
