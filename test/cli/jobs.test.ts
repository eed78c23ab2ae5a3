import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeSynFlood } from '../../bench/floods.js';
import { generateCapture } from '../../bench/generate.js';
import { ftpwall, wrappedText } from '../helpers/cli.js';

const ROOT = resolve(__dirname, '../..');
const SCENARIOS = readdirSync(join(ROOT, 'scenarios')).filter((f) => f.endsWith('.yaml')).map((f) => `scenarios/${f}`);
const CONFIGS = readdirSync(join(ROOT, 'rules')).filter((f) => f.endsWith('.cfg') && f !== 'broken.cfg').map((f) => `rules/${f}`);
const CORPUS = resolve(ROOT, '../shared/corpus/pcap');
const PLACE = ['--inside', '192.168.10.1/32@GigabitEthernet2/1/10', '--outside-interface', 'GigabitEthernet2/1/1'];

/** Runs the command with --jobs 1 and --jobs 2, the report into a file (more than a pipe buffer holds): the same status and bytes. */
function sameFileForJobs(args: readonly string[], dir: string): string {
  const a = join(dir, 'one.out');
  const b = join(dir, 'two.out');
  const one = ftpwall([...args, '--jobs', '1', '-o', a]);
  const two = ftpwall([...args, '--jobs', '2', '-o', b]);
  expect(one.status).toBe(0);
  expect(two.status).toBe(0);
  const text = readFileSync(a, 'utf8');
  expect(readFileSync(b, 'utf8') === text).toBe(true);
  return text;
}

/** Runs the command with --jobs 1 and --jobs 2: the same status and stdout. */
function sameForJobs(args: readonly string[]): string {
  const one = ftpwall([...args, '--jobs', '1']);
  const two = ftpwall([...args, '--jobs', '2']);
  expect(two.stdout).toBe(one.stdout);
  expect(two.status).toBe(one.status);
  return one.stdout;
}

describe('--jobs: the same output in the same order as one job', () => {
  it('a capture that opens more TCP connections than the merge of the shards holds goes to one job before any shard starts', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ftpwall-jobs-many-'));
    try {
      // 260,000 SYNs from distinct clients: more than the 250,000 flows a merge holds; the scan reads the first 200,000
      const file = join(dir, 'syn.pcap');
      writeSynFlood(file, 260_000);
      const args = ['replay', file, '-c', 'rules/stateful.cfg', ...PLACE, '--summary'];
      const one = ftpwall([...args, '--jobs', '1', '-o', join(dir, 'one.out')]);
      const r = ftpwall([...args, '--jobs', '2', '-o', join(dir, 'two.out')]);
      expect(one.status).toBe(0);
      expect(r.status).toBe(0);
      expect(readFileSync(join(dir, 'two.out'), 'utf8') === readFileSync(join(dir, 'one.out'), 'utf8')).toBe(true);
      expect(r.stderr).toMatch(
        /ftpwall: info: \S+syn\.pcap: replayed in one job, not 2 shards: about 26\d,\d{3} TCP connections open in it \(200,000 in its first [\d,]+ bytes, of [\d,]+\), more than the 250,000 flows the merge of the shards would hold in memory until they end/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);
  it('compare: every bundled scenario × four policies, as a table and as JSON', () => {
    const args = ['compare', ...SCENARIOS, ...['seed-active', 'seed-passive', 'stateful', 'nat-server'].flatMap((c) => ['--config', `rules/${c}.cfg`])];
    const table = sameForJobs(args);
    expect(table).toContain('FTP through each policy:');
    const json = JSON.parse(sameForJobs([...args, '--format', 'json'])) as { matrix: unknown[] };
    expect(json.matrix.length).toBeGreaterThanOrEqual(SCENARIOS.length * 4);
  }, 240_000);

  it('lint: every bundled config, table and SARIF; a broken config among them is exit 2 with the same located errors', () => {
    expect(sameForJobs(['lint', ...CONFIGS])).toContain('rules/stateful.cfg');
    sameForJobs(['lint', ...CONFIGS, '--format', 'sarif']);
    const one = ftpwall(['lint', 'rules/stateful.cfg', 'rules/broken.cfg', 'rules/seed-active.cfg', '--jobs', '1']);
    const two = ftpwall(['lint', 'rules/stateful.cfg', 'rules/broken.cfg', 'rules/seed-active.cfg', '--jobs', '2']);
    expect(one.status).toBe(2);
    expect(two.status).toBe(2);
    expect(two.stderr).toBe(one.stderr);
    expect(two.stderr).toContain("rules/broken.cfg:5:2: error: unknown command 'rele' (did you mean 'rule'?)");
    expect(two.stdout).toBe('');
  }, 240_000);

  it('probe: every cell in plan order, table and JSON', () => {
    expect(sameForJobs(['probe', '--config', 'rules/seed-passive.cfg'])).toMatch(/PASV/);
    sameForJobs(['probe', '--config', 'rules/stateful.cfg', '--format', 'json']);
  }, 240_000);

  it('replay: every bundled scenario through two configs (runs on the workers), table and JSON, with the same warnings', () => {
    const args = ['replay', ...SCENARIOS, '-c', 'rules/stateful.cfg', '-c', 'rules/seed-active.cfg'];
    const one = ftpwall([...args, '--jobs', '1']);
    const two = ftpwall([...args, '--jobs', '2']);
    expect(one.status).toBe(0);
    expect(two.stdout).toBe(one.stdout);
    expect(two.stderr).toBe(one.stderr);
    expect(one.stdout.match(/^\S.* × rules\/(stateful|seed-active)\.cfg/gm)!.length).toBeGreaterThanOrEqual(SCENARIOS.length * 2);
    sameForJobs([...args, '--format', 'json']);
  }, 240_000);

  it('replay: scenarios and corpus captures through two configs, table and JSON', () => {
    const inputs = ['scenarios/passive-download.yaml', 'scenarios/two-sessions.yaml', join(CORPUS, 'zeek-ftp-ipv4.pcap'), join(CORPUS, 'suricata-ftp-all-data-ipv6.pcap')];
    const args = ['replay', ...inputs, '-c', 'rules/stateful.cfg', '-c', 'rules/seed-passive.cfg'];
    expect(sameForJobs(args)).toContain('zeek-ftp-ipv4.pcap');
    sameForJobs([...args, '--format', 'json']);
  }, 240_000);

  it('a capture whose PORT names a third host is replayed in one job, and --jobs says why on stderr', () => {
    const file = join(CORPUS, 'suricata-ftp-bounce.pcap');
    sameForJobs(['replay', file, '-c', 'rules/stateful.cfg']);
    const r = ftpwall(['replay', file, '-c', 'rules/stateful.cfg', '--jobs', '2']);
    expect(r.stderr).toContain(`ftpwall: info: ${file}: replayed in one job, not 2 shards: packet 27: the control connection 1.1.1.2 → 2.2.2.1 announced 2.2.2.3`);
  });

  it('a bad --jobs is exit 2 with the reason', () => {
    const r = ftpwall(['lint', 'rules/stateful.cfg', '--jobs', '0']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("'0' is not a number of worker threads (a whole number of at least 1)");
  });

  describe('a generated capture of 5,100 sessions from distinct clients (10,200 flows: the streamed layout)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ftpwall-jobs-'));
    const file = join(dir, 'many.pcap');
    beforeAll(() => {
      generateCapture(file, { sessions: 5_100, transferBytes: 1_000 });
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('two shards write the same streamed table and JSON as one job, flows in order of first packet', () => {
      const table = sameFileForJobs(['replay', file, '-c', 'rules/stateful.cfg', ...PLACE], dir);
      expect(table).toMatch(wrappedText('\n  more than 10000 flows: each is listed in order of first packet once it and the flows before it have finished, the verdict follows\n'));
      const ids = table.split('\n').filter((l) => /^ {2}\d+ +(control|data) /.test(l)).map((l) => Number(l.trim().split(/\s+/)[0]));
      expect(ids.length).toBeGreaterThan(10_000);
      expect(ids).toEqual(ids.map((_, i) => i + 1));
      const doc = JSON.parse(sameFileForJobs(['replay', file, '-c', 'rules/stateful.cfg', ...PLACE, '--format', 'json'], dir)) as { runs: { capture: { stats: { peakLiveFlows: number } } }[] };
      expect(doc.runs[0]!.capture.stats.peakLiveFlows).toBeGreaterThan(1);
    }, 300_000);

    it('with --conntrack-max that the shards could fill together, one job replays it (early), and the report is the same', () => {
      sameFileForJobs(['replay', file, '-c', 'rules/stateful.cfg', ...PLACE, '--conntrack-max', '40'], dir);
      const r = ftpwall(['replay', file, '-c', 'rules/stateful.cfg', ...PLACE, '--conntrack-max', '40', '--jobs', '2', '-o', join(dir, 'three.out')]);
      expect(r.stderr).toMatch(/replayed in one job, not 2 shards: the shards held up to \d+ conntrack entries together, so the table limit of 40 \(global in the kernel: --conntrack-max\) may have been reached/);
    }, 300_000);
  });
});
