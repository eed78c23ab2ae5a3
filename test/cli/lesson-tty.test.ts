/**
 * `ftpwall lesson NAME` on a terminal waits for Enter between steps. util-linux
 * `script` gives the command a pseudo-terminal; the test presses Enter only when
 * the prompt appears, and checks that nothing of the next step came before it.
 */
import { spawn, spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildOnce } from '../helpers/cli.js';

const ROOT = resolve(__dirname, '../..');
const HAVE_SCRIPT = spawnSync('script', ['--version']).status === 0;
const PROMPT = '(Enter for the next step)';

describe.skipIf(!HAVE_SCRIPT)(`ftpwall lesson on a terminal${HAVE_SCRIPT ? '' : ' (skipped: needs util-linux script)'}`, () => {
  it('shows one step at a time, the next only after Enter, and ends with the exercise', async () => {
    buildOnce();
    const child = spawn('script', ['-qfec', `${process.execPath} dist/cli/main.js lesson bounce`, '/dev/null'], {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: '1' },
    });
    let out = '';
    const atPrompt: string[] = [];
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString('utf8');
      const prompts = out.split(PROMPT).length - 1;
      while (atPrompt.length < prompts) {
        // what had been printed when this prompt appeared, before Enter was pressed
        atPrompt.push(out);
        child.stdin.write('\n');
      }
    });
    const status = await new Promise<number | null>((done) => child.on('close', done));
    expect(status).toBe(0);
    // the introduction, then three steps: three prompts
    expect(atPrompt.length).toBe(3);
    expect(atPrompt[0]).toContain('Lesson bounce: FTP bounce');
    expect(atPrompt[0]).not.toContain('[1/3]');
    expect(atPrompt[1]).toContain('[1/3]');
    expect(atPrompt[1]).not.toContain('[2/3]');
    expect(atPrompt[2]).toContain('[2/3]');
    expect(atPrompt[2]).not.toContain('[3/3]');
    expect(out).toContain('[3/3]');
    expect(out).toContain('ftpwall lesson check bounce YOUR-FILE.cfg');
  });
});
