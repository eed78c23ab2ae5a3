import { spawnSync } from 'node:child_process';
import { accessSync, chmodSync, constants, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ftpwall } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'ftpwall-lint-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('ftpwall lint', () => {
  it('prints each finding with its place, the rule text, a witness packet and the related rule', () => {
    const r = ftpwall(['lint', 'test/fixtures/lint/anomalies.cfg']);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    const lines = r.stdout.split('\n');
    expect(lines.slice(0, 6)).toEqual([
      'test/fixtures/lint/anomalies.cfg: 5 findings',
      'test/fixtures/lint/anomalies.cfg:5:2: error [shadowed]: acl 3000 rule 10 (permit) never matches: earlier rule 5 (line 4, deny) decides every packet it would match',
      '    5 | rule 10 permit tcp source 10.1.1.7 0 destination-port eq 21',
      '    witness: tcp 10.1.1.7:1025 > 10.0.0.2:21, flags S',
      '    related: acl 3000 rule 5 (deny) at test/fixtures/lint/anomalies.cfg:4:2',
      '    fix: move it before rule 5, or remove it',
    ]);
    expect(lines.at(-2)).toBe('1 error, 3 warnings, 1 info');
  });

  it('exits 1 with --fail-on when a finding is at least that severe, 0 otherwise', () => {
    expect(ftpwall(['lint', 'test/fixtures/lint/anomalies.cfg', '--fail-on', 'error']).status).toBe(1);
    expect(ftpwall(['lint', 'rules/stateful.cfg', '--fail-on', 'warning']).status).toBe(1);
    expect(ftpwall(['lint', 'rules/stateful.cfg', '--fail-on', 'error']).status).toBe(0);
    expect(ftpwall(['lint', 'test/fixtures/lint/clean.cfg', '--fail-on', 'warning']).status).toBe(0);
    // suppressed findings do not count
    expect(ftpwall(['lint', 'test/fixtures/lint/suppressed.cfg', '--fail-on', 'error']).status).toBe(0);
  });

  it('exits 2 on bad input with located errors and writes nothing', () => {
    const out = join(dir, 'never.json');
    const r = ftpwall(['lint', 'rules/broken.cfg', '-f', 'json', '-o', out]);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain("rules/broken.cfg:5:2: error: unknown command 'rele' (did you mean 'rule'?)");
    expect(r.stderr.trim().split('\n').at(-1)).toBe('ftpwall: 12 errors; nothing written');
    expect(existsSync(out)).toBe(false);
    const missing = ftpwall(['lint', 'no-such.cfg']);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('no-such.cfg: byte 0: error: cannot read no-such.cfg: no such file');
    expect(ftpwall(['lint', 'rules/seed-active.cfg', '--format', 'xml']).status).toBe(2);
  });

  it('writes JSON with every finding, suppressed ones marked, and a summary', () => {
    const r = ftpwall(['lint', 'test/fixtures/lint/suppressed.cfg', '-f', 'json']);
    expect(r.status).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.version).toBe(1);
    expect(j.summary).toEqual({ error: 0, warning: 1, info: 0, suppressed: 3 });
    const shadowed = j.files[0].findings.find((f: { kind: string }) => f.kind === 'shadowed');
    expect(shadowed).toMatchObject({
      severity: 'error',
      at: { file: 'test/fixtures/lint/suppressed.cfg', line: 6, column: 2 },
      acl: '3000',
      ruleId: 10,
      related: [{ label: 'acl 3000 rule 5 (deny)', at: { line: 3, column: 2 } }],
      witness: { protocol: 'tcp', src: '10.1.1.7', dstPort: 21, tcpFlags: 'S', fragment: 'none' },
      suppressed: true,
      suppressedBy: { line: 5, column: 2 },
    });
  });
});

/** The Microsoft SARIF multitool (a self-contained .NET executable in its platform package), when present. */
function multitool(): string | undefined {
  try {
    const exe = createRequire(import.meta.url)('@microsoft/sarif-multitool') as string;
    if (!existsSync(exe)) return undefined;
    // npm may not run the package's postinstall (chmod u+x) when install scripts are not allowed
    try {
      accessSync(exe, constants.X_OK);
    } catch {
      chmodSync(exe, 0o755);
    }
    return exe;
  } catch {
    return undefined;
  }
}

describe('ftpwall lint --format sarif', () => {
  it("is valid SARIF 2.1.0 by Microsoft's validator (sarif-multitool validate)", () => {
    const exe = multitool();
    expect(exe, '@microsoft/sarif-multitool is a devDependency: run npm ci').toBeDefined();
    const log = join(dir, 'lint.sarif');
    const r = ftpwall(['lint', 'test/fixtures/lint/anomalies.cfg', 'test/fixtures/lint/suppressed.cfg', 'test/fixtures/lint/host-bits.cfg', 'test/fixtures/lint/aspf-blocked.cfg', 'rules/no-final-deny.cfg', 'rules/ipv6.cfg', '-f', 'sarif', '-o', log]);
    expect(r.status).toBe(0);
    const sarif = JSON.parse(readFileSync(log, 'utf8'));
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.runs[0].results.length).toBe(5 + 4 + 3 + 4 + 6 + 3);
    expect(sarif.runs[0].results.filter((x: { suppressions?: unknown[] }) => x.suppressions).length).toBe(3);
    const report = join(dir, 'validation.sarif');
    const v = spawnSync(exe!, ['validate', log, '-o', report], { encoding: 'utf8', timeout: 120_000, env: { ...process.env, DOTNET_CLI_TELEMETRY_OPTOUT: '1' } });
    expect(v.status, v.stdout + v.stderr).toBe(0);
    const findings = JSON.parse(readFileSync(report, 'utf8')).runs[0].results as { ruleId: string; level?: string; message: { text?: string } }[];
    // The validator exits 0 even when it finds errors (JSON1xxx schema, SARIF1xxx rules), and it skips a log
    // it cannot deserialise without a word: so the results are checked, and SARIF2005 ("no informationUri",
    // a home page ftpwall does not have; a hint, not a validity problem) proves the log was analysed.
    expect(findings.map((f) => `${f.level ?? 'warning'} ${f.ruleId}`)).toEqual(['warning SARIF2005']);
  }, 180_000);
});

