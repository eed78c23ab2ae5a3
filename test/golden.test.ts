/**
 * Every bundled scenario has a committed golden report per bundled policy: the
 * whole JSON run report (every packet, verdict and event), so any change in
 * behaviour shows up as a diff. Update deliberately with `npx vitest run -u`.
 */
import { describe, expect, it } from 'vitest';
import { reportJson } from '../src/report/run.js';
import { bundledScenarioNames, GOLDEN_POLICIES, run } from './helpers/run.js';

const POLICIES = GOLDEN_POLICIES;

const scenarios = bundledScenarioNames();

describe('golden reports', () => {
  it('there are bundled scenarios', () => {
    expect(scenarios.length).toBeGreaterThanOrEqual(8);
  });

  for (const file of scenarios) {
    const name = file.replace(/\.yaml$/, '');
    for (const [config, engine] of POLICIES) {
      const cfg = config.replace(/^rules\/|\.cfg$/g, '');
      it(`${name} through ${cfg} [${engine}] matches its golden report`, async () => {
        const { report } = run(`scenarios/${file}`, config, engine);
        await expect(reportJson([report])).toMatchFileSnapshot(`golden/${name}/${cfg}.${engine}.json`);
      });
    }
  }
});
