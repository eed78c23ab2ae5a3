import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildOnce, ftpwall } from '../helpers/cli.js';

const ROOT = resolve(__dirname, '../..');

const capture = resolve(ROOT, '../shared/corpus/pcap/ndpi-ftp.pcap');
const args = ['replay', capture, '--config', 'rules/stateful.cfg', '--summary'];
const HAVE_SCRIPT = spawnSync('script', ['--version']).status === 0;

describe('progress bar', () => {
  it('is never drawn on a pipe, even when asked to appear at once, and never enters the report', () => {
    for (const format of ['table', 'json']) {
      const r = ftpwall([...args, '--format', format], { FTPWALL_PROGRESS_DELAY_MS: '0' });
      expect(r.status).toBe(0);
      expect(r.stderr).not.toContain('packets/s');
      expect(r.stdout).not.toContain('packets/s');
    }
  });

  it.skipIf(!HAVE_SCRIPT)('is drawn on a terminal (script -qc gives the run a pty): packets, flows, rate and ETA, then cleared; --no-progress turns it off (needs script)', () => {
    buildOnce();
    const cmd = (extra: string): string => `${process.execPath} dist/cli/main.js ${args.join(' ')} ${extra}`;
    const tty = (extra: string): string =>
      spawnSync('script', ['-qec', cmd(extra), '/dev/null'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, FTPWALL_PROGRESS_DELAY_MS: '0', TERM: 'xterm' } }).stdout;
    const shown = tty('');
    expect(shown).toMatch(/replay .* 209 packets \| 3 flows \| [\d.]+(?: [kM])? packets\/s \| ETA /);
    expect(shown).toContain('\u001b[2K'); // the bar's line is cleared when the replay ends
    expect(shown).toContain('3 flows of 3 blocked');
    expect(tty('--no-progress')).not.toContain('packets/s');
  });

  it.skipIf(!HAVE_SCRIPT)('keeps working across worker threads: a capture sharded over 2 jobs counts every shard, compare ticks as each cell comes back (needs script)', () => {
    buildOnce();
    const tty = (command: readonly string[]): string =>
      spawnSync('script', ['-qec', `${process.execPath} dist/cli/main.js ${command.join(' ')}`, '/dev/null'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, FTPWALL_PROGRESS_DELAY_MS: '0', TERM: 'xterm' } }).stdout;
    const sharded = tty([...args, '--jobs', '2']);
    expect(sharded).toMatch(/replay .* 209 packets \| 3 flows \| [\d.]+(?: [kM])? packets\/s \| ETA /);
    expect(sharded).toContain('3 flows of 3 blocked');
    const compare = tty(['compare', 'scenarios/passive-download.yaml', 'scenarios/active-download.yaml', '--config', 'rules/stateful.cfg', '--config', 'rules/seed-active.cfg', '--jobs', '2']);
    expect(compare).toMatch(/compare .* 4\/4 \| ETA/);
    expect(compare).toContain('FTP through each policy:');
  });
});
