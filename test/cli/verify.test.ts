/**
 * The kernel check of issue 5: every bundled scenario × the three bundled policies through
 * `ftpwall verify` (real netfilter in network namespaces, the exported nft ruleset, vsftpd, a real
 * client), which must show kernel = simulation = replay of the kernel's capture for every flow.
 * Runs one at a time. Skipped, with one line saying why, only where it cannot run (not root, no
 * netns, tools missing); under CI=true a missing prerequisite is a failure, never a skip.
 */
import { copyFileSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { checkPrerequisites } from '../../src/verify/prereq.js';

const ROOT = resolve(__dirname, '../..');
const prereq = checkPrerequisites();
const inCi = process.env['CI'] === 'true';
const POLICIES = ['rules/seed-active.cfg', 'rules/seed-passive.cfg', 'rules/stateful.cfg'];
const SCENARIOS = readdirSync(resolve(ROOT, 'scenarios')).filter((f) => f.endsWith('.yaml')).sort();

/**
 * What the kernel cannot run faithfully, by scenario and policy, with the reason verify prints.
 * Everything else must agree flow by flow.
 */
const NOT_COMPARABLE: Record<string, { policies: readonly string[]; reason: string }> = {
  'privileged-port.yaml': { policies: POLICIES, reason: 'vsftpd 3.0 refuses to connect to a port below 1024 whatever port_promiscuous says' },
  'ftps.yaml': { policies: ['rules/stateful.cfg'], reason: 'vsftpd runs without TLS here' },
  'pasv-wait-100s.yaml': { policies: ['rules/stateful.cfg'], reason: "the FTP helper's 300 s expectation timeout cannot be shortened to match" },
  'pasv-wait-400s.yaml': { policies: ['rules/stateful.cfg'], reason: "the FTP helper's 300 s expectation timeout cannot be shortened to match" },
  ...Object.fromEntries(
    ['nat-active-download', 'nat-eprt-download', 'nat-epsv-download', 'nat-passive-download', 'nat-passive-skip-pasv-ip', 'nat-server-pasv-address'].map((n) => [
      `${n}.yaml`,
      { policies: POLICIES, reason: 'which no NAT rule of this config translates' },
    ]),
  ),
};

/**
 * A private build: other CLI test files rebuild dist/ while these runs (minutes) keep starting
 * dist/cli/main.js, and a half-written module breaks a run. src/ is linked for ftp-client.mjs.
 */
let build: string | undefined;
/** the kernel captures of every run, removed with the build (verify keeps them by default) */
let captures: string | undefined;
afterAll(() => {
  if (build) rmSync(build, { recursive: true, force: true });
  if (captures) rmSync(captures, { recursive: true, force: true });
});
function cli(): string {
  if (build === undefined) {
    build = mkdtempSync(join(tmpdir(), 'ftpw-verify-build-'));
    execFileSync(process.execPath, [resolve(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', join(build, 'dist')], { cwd: ROOT, stdio: 'pipe' });
    symlinkSync(resolve(ROOT, 'src'), join(build, 'src'));
    symlinkSync(resolve(ROOT, 'node_modules'), join(build, 'node_modules'));
    copyFileSync(resolve(ROOT, 'package.json'), join(build, 'package.json'));
  }
  return join(build, 'dist/cli/main.js');
}

function verify(scenario: string, config: string): { status: number; stdout: string; stderr: string } {
  captures ??= mkdtempSync(join(tmpdir(), 'ftpw-verify-captures-'));
  const out = join(captures, `${scenario.replace(/\W/g, '_')}-${config.replace(/\W/g, '_')}`);
  const r = spawnSync(process.execPath, [cli(), 'verify', `scenarios/${scenario}`, '--config', config, '--out-dir', out], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
    timeout: 110_000,
  });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

describe.runIf(inCi && !prereq.ok)('kernel verification in CI', () => {
  it('has everything ftpwall verify needs (CI installs it: .ci/run)', () => {
    expect(prereq.missing).toEqual([]);
  });
});

describe.skipIf(!prereq.ok)(`ftpwall verify: bundled scenarios × policies in the kernel${prereq.ok ? '' : ` (skipped: needs ${prereq.missing.join(', ')})`}`, () => {
  // ASPF on the wrong side (issue 9): FTP is blocked, and the kernel (ct mark only where ASPF applies) agrees
  for (const scenario of ['active-download.yaml', 'passive-download.yaml', 'epsv-download.yaml'])
    it(`${scenario} through rules/aspf-wrong-side.cfg: the kernel blocks FTP as the simulation does, flow by flow`, () => {
      const r = verify(scenario, 'rules/aspf-wrong-side.cfg');
      expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
      expect(r.stdout).toContain('verify: 1 of 1 runs agree');
      expect(r.stdout).toMatch(/control +.*blocked/);
    }, 120_000);

  for (const config of POLICIES) {
    for (const scenario of SCENARIOS) {
      const nc = NOT_COMPARABLE[scenario];
      if (nc?.policies.includes(config)) {
        it(`${scenario} through ${config} is reported as not comparable (${nc.reason}) and not run`, () => {
          const r = verify(scenario, config);
          expect(r.stderr).toBe('');
          expect(r.status).toBe(0);
          expect(r.stdout).toContain(`verify scenarios/${scenario} × ${config} [${config.includes('stateful') ? 'stateful' : 'static'}]: not comparable, not run`);
          expect(r.stdout).toContain(nc.reason);
        });
        continue;
      }
      it(`${scenario} through ${config}: kernel = simulation = replay of the kernel's capture, flow by flow`, () => {
        const r = verify(scenario, config);
        const table = r.stdout.split('\n');
        const agreement = table.find((l) => l.startsWith('  agreement: '));
        expect({ status: r.status, stderr: r.stderr, disagreements: table.filter((l) => l.includes('disagreement') || l.endsWith(' NO') || l.includes('DISAGREE')) }).toEqual({ status: 0, stderr: '', disagreements: [] });
        const m = /^ {2}agreement: (\d+)\/(\d+) flows, (\d+)\/(\d+) FTP verdicts$/.exec(agreement ?? '');
        expect(m, r.stdout).not.toBeNull();
        expect(Number(m![1])).toBe(Number(m![2]));
        expect(Number(m![2])).toBeGreaterThan(0);
        expect(r.stdout).toContain(`verify: 1 of 1 runs agree (agreement: ${m![1]}/${m![2]} flows)`);
        // issue 12: the kernel's own `nft list ruleset`, read back, denies exactly what the kernel dropped
        expect(r.stdout).toMatch(/read-back: the kernel's nft list ruleset, replayed over the kernel's capture, denies exactly the \d+ of \d+ arrived packets the kernel dropped/);
      }, 120_000);
    }
  }
});
