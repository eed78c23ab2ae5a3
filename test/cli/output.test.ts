/**
 * Where reports and captures are written (findings 1, 2, 3 and 13 of issue 14):
 * devices stay devices, a full disk keeps the old report and exits non-zero, an
 * output that is an input is refused, stale temporary files are swept. The /dev
 * and full-disk cases run in a private mount namespace with its own /dev and a
 * tiny tmpfs, so the host's /dev and disks are never at risk.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, linkSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOnce, ftpwall } from '../helpers/cli.js';

const ROOT = resolve(__dirname, '../..');
const MAIN = resolve(ROOT, 'dist/cli/main.js');
const SCENARIO = 'scenarios/passive-download.yaml';
const CONFIG = 'rules/stateful.cfg';
const dir = mkdtempSync(join(tmpdir(), 'ftpwall-out-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Whether this machine lets us make a private mount namespace (root and unshare). */
function namespaceReason(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root for a private mount namespace';
  const r = spawnSync('unshare', ['-m', '--propagation', 'private', 'true']);
  if (r.error || r.status !== 0) return 'unshare -m does not work here';
  return undefined;
}
const NS_REASON = namespaceReason();
// Under CI (root) these must run: a missing namespace is then a failure, not a skip.
const SKIP_NS = NS_REASON !== undefined && process.env['CI'] !== 'true';
if (SKIP_NS) console.log(`skipping the /dev and full-disk cases: ${NS_REASON}`);

/** Runs a shell script in a private mount namespace whose /dev is a fresh tmpfs with the usual nodes. */
function inNamespace(script: string): { status: number; stdout: string; stderr: string } {
  const setup = [
    'set -u',
    'mount -t tmpfs -o size=1m,mode=755 ftpwall-dev /dev',
    'mknod -m 666 /dev/null c 1 3 && mknod -m 666 /dev/zero c 1 5 && mknod -m 666 /dev/full c 1 7',
    'mknod -m 666 /dev/random c 1 8 && mknod -m 666 /dev/urandom c 1 9',
    'ln -s /proc/self/fd /dev/fd && ln -s /proc/self/fd/0 /dev/stdin && ln -s /proc/self/fd/1 /dev/stdout && ln -s /proc/self/fd/2 /dev/stderr',
    `FTPWALL="${process.execPath} ${MAIN}"`,
    'export NO_COLOR=1',
  ].join('\n');
  const r = spawnSync('unshare', ['-m', '--propagation', 'private', 'sh', '-c', `${setup}\n${script}`], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => buildOnce());

describe.skipIf(SKIP_NS)('outputs that are devices (private /dev)', () => {
  it('-o and --pcap-out /dev/null write into the device and leave it a character device, exit 0', () => {
    const r = inNamespace(
      `$FTPWALL replay ${SCENARIO} -c ${CONFIG} -o /dev/null --pcap-out /dev/null; echo "status=$?"\n` +
        `$FTPWALL replay ${SCENARIO} -c ${CONFIG} -f json -o /dev/null; echo "status=$?"\n` +
        'stat -c %F /dev/null',
    );
    expect(r.stderr).toBe('');
    expect(r.stdout.trim().split('\n')).toEqual(['status=0', 'status=0', 'character special file']);
  });

  it('-o /dev/full fails naming the device with exit 2, and /dev/full stays a character device', () => {
    const r = inNamespace(`$FTPWALL replay ${SCENARIO} -c ${CONFIG} -o /dev/full; echo "status=$?"\nstat -c %F /dev/full`);
    expect(r.stdout.trim().split('\n')).toEqual(['status=2', 'character special file']);
    expect(r.stderr).toContain('error: cannot write /dev/full: no space left on the device');
  });

  it('--pcap-out /dev/full fails naming the device with exit 2, and /dev/full stays a character device', () => {
    const r = inNamespace(`$FTPWALL replay ${SCENARIO} -c ${CONFIG} -o /dev/null --pcap-out /dev/full; echo "status=$?"\nstat -c %F /dev/full`);
    expect(r.stdout.trim().split('\n')).toEqual(['status=2', 'character special file']);
    expect(r.stderr).toContain('error: cannot write /dev/full: no space left on the device');
  });

  it('-o /dev/stdout writes through to a redirected file and a pipe, and /dev/stdout stays a link', () => {
    const out = join(dir, 'redirected.txt');
    const r = inNamespace(
      `$FTPWALL replay ${SCENARIO} -c ${CONFIG} -o /dev/stdout > ${out}; echo "status=$?"\n` +
        `$FTPWALL replay ${SCENARIO} -c ${CONFIG} -o /dev/stdout | grep -c 'FTP works'\n` +
        'stat -c %F /dev/stdout',
    );
    expect(r.stdout.trim().split('\n')).toEqual(['status=0', '1', 'symbolic link']);
    expect(readFileSync(out, 'utf8')).toBe(ftpwall(['replay', SCENARIO, '-c', CONFIG]).stdout);
  });
});

describe.skipIf(SKIP_NS)('a full disk (a 64 KiB tmpfs in a private namespace)', () => {
  it('-o keeps the previous report whole, removes the temporary file, and exits 2 naming the file', () => {
    const mnt = mkdtempSync(join(dir, 'full-'));
    const report = `${mnt}/report.json`;
    const r = inNamespace(
      [
        `mount -t tmpfs -o size=64k ftpwall-full ${mnt}`,
        `$FTPWALL replay ${SCENARIO} -c ${CONFIG} -o ${report}; echo "first=$?"`,
        `cp ${report} ${mnt}/../previous.txt`,
        `cat /dev/zero > ${mnt}/filler 2>/dev/null; truncate -s -12k ${mnt}/filler`,
        `$FTPWALL replay ${SCENARIO} -c ${CONFIG} -f json -o ${report}; echo "second=$?"`,
        `cmp ${report} ${mnt}/../previous.txt && echo intact`,
        `ls -a ${mnt} | grep -c ftpwall-`,
        `$FTPWALL replay ${SCENARIO} -c ${CONFIG} --pcap-out ${mnt}/run.pcapng -o /dev/null; echo "pcap=$?"`,
        `ls -a ${mnt} | grep -c -e ftpwall- -e run.pcapng`,
      ].join('\n'),
    );
    expect(r.stdout.trim().split('\n')).toEqual(['first=0', 'second=2', 'intact', '0', 'pcap=2', '0']);
    expect(r.stderr).toContain(`error: cannot write ${report}: no space left on the device`);
    expect(r.stderr).toContain(`error: cannot write ${mnt}/run.pcapng: no space left on the device`);
    expect(readFileSync(join(dir, 'previous.txt'), 'utf8')).toContain('FTP works');
  });
});

describe('an output that is an input', () => {
  it('-o naming the scenario is refused with exit 2 before anything is written, and the scenario is unchanged', () => {
    const scenario = join(dir, 'mine.yaml');
    copyFileSync(resolve(ROOT, SCENARIO), scenario);
    const before = readFileSync(scenario, 'utf8');
    const r = ftpwall(['replay', scenario, '-c', CONFIG, '-o', scenario]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`error: -o ${scenario} is the input ${scenario} (the same file): writing the output would overwrite it (write the output to another file)`);
    expect(readFileSync(scenario, 'utf8')).toBe(before);
    expect(readdirSync(dir).filter((n) => n.includes('ftpwall-'))).toEqual([]);
  });

  it('export -o naming the config through a hard link is refused, and the config is unchanged', () => {
    const config = join(dir, 'fw.cfg');
    const link = join(dir, 'fw-link.cfg');
    copyFileSync(resolve(ROOT, CONFIG), config);
    linkSync(config, link);
    const before = readFileSync(config, 'utf8');
    const r = ftpwall(['export', '--to', 'nft', '-c', config, '-o', link]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`error: -o ${link} is the --config input ${config} (the same file)`);
    expect(readFileSync(config, 'utf8')).toBe(before);
  });

  it('compare -o naming a config is refused', () => {
    const config = join(dir, 'cmp.cfg');
    copyFileSync(resolve(ROOT, CONFIG), config);
    const r = ftpwall(['compare', SCENARIO, '-c', config, '-o', config]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`error: -o ${config} is the --config input ${config} (the same file)`);
  });

  it('--pcap-out equal to -o is refused before anything is written', () => {
    const out = join(dir, 'both.out');
    const r = ftpwall(['replay', SCENARIO, '-c', CONFIG, '-o', out, '--pcap-out', out]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`error: -o ${out} and --pcap-out ${out} are the same file: one output would overwrite the other (give -o another file)`);
    expect(existsSync(out)).toBe(false);
  });
});

describe('temporary files left by a killed run', () => {
  it('are removed by the next run writing into their directory; a live process keeps its own', () => {
    const d = mkdtempSync(join(dir, 'stale-'));
    const dead = Number(spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' }).stdout.trim());
    const stale = `.report.txt.ftpwall-${dead}-0.tmp`;
    const older = `report.txt.ftpwall-${dead}.tmp`;
    const live = `.report.txt.ftpwall-${process.pid}-0.tmp`;
    const old = new Date(Date.now() - 3_600_000);
    for (const n of [stale, older, live]) {
      writeFileSync(join(d, n), 'x'.repeat(4096));
      utimesSync(join(d, n), old, old);
    }
    const r = ftpwall(['replay', SCENARIO, '-c', CONFIG, '-o', join(d, 'report.txt')]);
    expect(r.status).toBe(0);
    expect(readdirSync(d).sort()).toEqual([live, 'report.txt'].sort());
  });
});

describe('a reader that goes away (`ftpwall … | head`)', () => {
  // a config whose summary is far more than a pipe holds (64 KiB), so the writes after `head` left fail
  const big = join(dir, 'big-summary.cfg');
  beforeAll(() => {
    const lines: string[] = [];
    for (let i = 0; i < 3000; i++) lines.push(`acl advanced name many${i}`, ` rule 5 permit tcp source 10.${(i >> 8) & 255}.${i & 255}.0 0.0.0.255 destination-port eq 21`, '#');
    for (let i = 0; i < 3000; i++) lines.push(`interface GigabitEthernet1/0/${i}`, ` packet-filter name many${i} inbound`, '#');
    writeFileSync(big, `${lines.join('\n')}\n`);
  });
  for (const args of [['check', big], ['lint', big], ['replay', ...readdirSync(resolve(ROOT, 'scenarios')).filter((f) => f.endsWith('.yaml')).map((f) => `scenarios/${f}`), '-c', CONFIG, '-p'], ['export', '-c', big, '--to', 'nft']]) {
    it(`${args[0]}: exit 2 with one line naming the broken pipe, no stack trace`, () => {
      const cmd = `"${process.execPath}" "${MAIN}" ${args.map((a) => `'${a}'`).join(' ')} | head -c 100 >/dev/null; echo "status=\${PIPESTATUS[0]}"`;
      const r = spawnSync('bash', ['-c', cmd], { cwd: ROOT, encoding: 'utf8', timeout: 120_000, env: { ...process.env, NO_COLOR: '1' } });
      expect(r.stdout.trim()).toBe('status=2');
      expect(r.stderr).toMatch(/cannot write (to standard output|-): broken pipe \(the reader went away\)/);
      expect(r.stderr).not.toMatch(/node:events|Unhandled 'error' event|    at /);
      // the reader got the first 100 bytes: "nothing written" would be untrue
      expect(r.stderr).not.toContain('nothing written');
      if (/cannot write -:/.test(r.stderr)) expect(r.stderr).toContain('ftpwall: 1 error; the output stopped part way (its reader has what came before)');
    });
  }

  it('a file that cannot be written still says nothing was written (the old file is untouched)', () => {
    const r = ftpwall(['replay', SCENARIO, '-c', CONFIG, '-o', '/proc/version']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('nothing written');
  });
});
