/**
 * Golden ladder, Markdown and Mermaid files for every bundled scenario × bundled
 * policy, and every Mermaid file read back by the mermaid package's own parser.
 * Update deliberately with `npx vitest run -u`.
 */
import { readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatLadder } from '../../src/report/ladder.js';
import { formatMarkdown } from '../../src/report/markdown.js';
import { formatMermaid } from '../../src/report/mermaid.js';
import { ROOT, run } from '../helpers/run.js';
import { parseMermaid } from './mermaid-parse.js';

const POLICIES: readonly [string, 'static' | 'stateful'][] = [
  ['rules/seed-active.cfg', 'static'],
  ['rules/seed-passive.cfg', 'static'],
  ['rules/stateful.cfg', 'stateful'],
];
const scenarios = readdirSync(resolve(ROOT, 'scenarios')).filter((f) => f.endsWith('.yaml')).sort();

describe('golden ladder, Markdown and Mermaid files', () => {
  for (const file of scenarios) {
    const name = file.replace(/\.yaml$/, '');
    for (const [config, engine] of POLICIES) {
      const cfg = config.replace(/^rules\/|\.cfg$/g, '');
      it(`${name} through ${cfg} [${engine}]: ladder, md and mermaid match their golden files, and mermaid parses it`, async () => {
        const { report } = run(`scenarios/${file}`, config, engine);
        const ladder = formatLadder(report);
        for (const line of ladder) expect([...line].length, line).toBeLessThanOrEqual(100);
        await expect(`${ladder.join('\n')}\n`).toMatchFileSnapshot(`../golden/${name}/${cfg}.${engine}.ladder.txt`);
        await expect(`${formatMarkdown(report).join('\n')}\n`).toMatchFileSnapshot(`../golden/${name}/${cfg}.${engine}.md`);
        const mermaid = `${formatMermaid(report).join('\n')}\n`;
        await expect(mermaid).toMatchFileSnapshot(`../golden/${name}/${cfg}.${engine}.mmd`);
        expect(await parseMermaid(mermaid)).toBe('sequence');
      });
    }
  }
});
