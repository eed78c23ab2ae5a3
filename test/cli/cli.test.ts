import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ftpwall, unwrapVerdicts } from '../helpers/cli.js';
import { lineOf } from '../helpers/run.js';

describe('ftpwall check', () => {
  it('accepts the seed config and summarises its ACL and binding', () => {
    const r = ftpwall(['check', 'rules/seed-active.cfg']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('rules/seed-active.cfg: ok');
    expect(r.stdout).toMatch(/GigabitEthernet2\/1\/10: packet-filter 3000 inbound/);
  });

  it("reports `rele deny ip` with position, caret and suggestion, every other error too, and exits 2", () => {
    const r = ftpwall(['check', 'rules/broken.cfg']);
    expect(r.status).toBe(2);
    const line = lineOf('rules/broken.cfg', 'rele deny ip');
    expect(r.stderr).toMatch(new RegExp(`rules/broken\\.cfg:${line}:\\d+: error: unknown command 'rele' \\(did you mean 'rule'\\?\\)`));
    expect(r.stderr).toMatch(/\n\s+\d+ \| +rele deny ip\n\s+\| +\^\^\^\^/);
    const errors = r.stderr.split('\n').filter((l) => / error: /.test(l));
    expect(errors.length).toBeGreaterThanOrEqual(4);
    expect(new Set(errors.map((l) => l.split(':')[1])).size).toBe(errors.length); // one per line: all found in one run
  });

  it('says so when the file does not exist, with exit 2', () => {
    const r = ftpwall(['check', 'rules/no-such.cfg']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('cannot read rules/no-such.cfg: no such file');
  });
});

describe('ftpwall replay', () => {
  it('prints the verdict line and the flow table', () => {
    const r = ftpwall(['replay', 'scenarios/passive-download.yaml', '--config', 'rules/seed-active.cfg']);
    expect(r.status).toBe(0);
    // the verdict is wider than 100 columns: it wraps under itself
    expect(unwrapVerdicts(r.stdout)).toMatch(/FTP fails: login works, data connection blocked: SYN-ACK 192\.168\.10\.1:\d+ → 10\.0\.0\.2:\d+ denied by acl 3000 rule 10 \(rules\/seed-active\.cfg:\d+\)/);
    expect(r.stdout.split('\n').filter((l) => [...l].length > 100)).toEqual([]);
    expect(r.stdout).toMatch(/\n\s+1\s+control\s+10\.0\.0\.2:\d+\s+192\.168\.10\.1:21\s+passed/);
    expect(r.stdout).not.toMatch(/\u001b\[/);
  });

  it('--packets adds the per-packet trace: a line per packet with its interfaces, the text and the deciding rule indented below', () => {
    const r = ftpwall(['replay', 'scenarios/active-download.yaml', '--config', 'rules/seed-active.cfg', '--packets']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/\n {6}"PORT 10,0,0,2,\d+,\d+"\n/);
    expect(r.stdout).toMatch(/\n {2}1 +0\.000 +1 +permit +0 +GE2\/1\/1 → GE2\/1\/10 +S 10\.0\.0\.2:\d+ → 192\.168\.10\.1:21\n {6}by default permit \(no ACL bound inbound on GigabitEthernet2\/1\/1\)\n/);
    expect(r.stdout).toContain('  flags: S SYN, A ACK, . ACK only, P PSH, F FIN, R RST; in → out: ingress → egress interface (GE =');
  });

  it('writes the JSON contract', () => {
    const r = ftpwall(['replay', 'scenarios/passive-download.yaml', '--config', 'rules/seed-passive.cfg', '--format', 'json']);
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.schemaVersion).toBe(1);
    const run = doc.runs[0];
    expect(run).toMatchObject({ scenario: 'passive-download', config: 'rules/seed-passive.cfg', engine: 'static', ftp: { works: true } });
    expect(run.flows.map((f: { role: string }) => f.role)).toEqual(['control', 'data']);
    expect(run.flows[0]).toMatchObject({ id: 1, proto: 'tcp', server: '192.168.10.1:21', outcome: 'passed', firstBlocked: null });
    expect(run.packets[0]).toMatchObject({ n: 1, tMs: 0, flags: 'S', action: 'permit', ingress: 'GigabitEthernet2/1/1', egress: 'GigabitEthernet2/1/10' });
    expect(typeof run.packets[0].by).toBe('string');
  });

  it('--expect exits 1 when the verdict differs and 0 when it matches', () => {
    const args = ['replay', 'scenarios/passive-download.yaml', '--config', 'rules/seed-active.cfg'];
    const works = ftpwall([...args, '--expect', 'works']);
    expect(works.status).toBe(1);
    expect(works.stderr).toContain('expected FTP to work in passive-download × rules/seed-active.cfg');
    expect(ftpwall([...args, '--expect', 'blocked']).status).toBe(0);
  });

  it('bad input exits 2 with a located message and writes no output file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ftpwall-'));
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'name: bad\nhosts:\n  client: { address: 10.0.0.300, interface: GigabitEthernet2/1/1 }\n');
    const out = join(dir, 'report.json');
    const r = ftpwall(['replay', bad, '--config', 'rules/seed-active.cfg', '--format', 'json', '--output', out]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`${bad}:3:`);
    expect(r.stderr).toContain('10.0.0.300');
    expect(existsSync(out)).toBe(false);
  });

  it('a broken config stops the replay with exit 2 and no report', () => {
    const r = ftpwall(['replay', 'scenarios/passive-download.yaml', '--config', 'rules/broken.cfg']);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain("unknown command 'rele'");
  });

  it('an unknown option is a usage error with exit 2', () => {
    const r = ftpwall(['replay', 'scenarios/passive-download.yaml', '--config', 'rules/seed-active.cfg', '--engin', 'static']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/unknown option '--engin'/);
  });
});

describe('conntrack settings on the command line', () => {
  it('--expectation-timeout lengthens the pinhole: the 400 s wait then works through the stateful policy', () => {
    const args = ['replay', 'scenarios/pasv-wait-400s.yaml', '--config', 'rules/stateful.cfg'];
    expect(ftpwall([...args, '--expect', 'blocked']).status).toBe(0);
    expect(ftpwall([...args, '--expectation-timeout', '500', '--expect', 'works']).status).toBe(0);
  });

  it('--conntrack-timeout takes Linux sysctl names and refuses others with a suggestion', () => {
    const ok = ftpwall(['replay', 'scenarios/passive-download.yaml', '--config', 'rules/stateful.cfg', '--conntrack-timeout', 'nf_conntrack_tcp_timeout_established=3600']);
    expect(ok.status).toBe(0);
    const bad = ftpwall(['replay', 'scenarios/passive-download.yaml', '--config', 'rules/stateful.cfg', '--conntrack-timeout', 'establised=10']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("--conntrack-timeout 'establised=10': expected STATE=SECONDS");
    expect(bad.stderr).toContain("did you mean 'established'?");
  });

  it('a tiny --conntrack-max fills the table: the data connection is dropped and the event says why', () => {
    const r = ftpwall(['replay', 'scenarios/passive-download.yaml', '--config', 'rules/stateful.cfg', '--conntrack-max', '1', '--packets']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('FTP fails');
    expect(r.stdout).toMatch(/conntrack-table-full: /);
  });
});

describe('inputs that are not what they seem', () => {
  it('a binary file given as a config is refused with its byte offset, not parsed line by line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ftpwall-'));
    const file = join(dir, 'capture.cfg');
    writeFileSync(file, Buffer.from([0x41, 0x42, 0x00, 0x01, 0xff]));
    const r = ftpwall(['check', file]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`${file}: byte 2: error: not a text file: a NUL byte, so this is not a device config`);
  });

  it('compare without any --config is bad input', () => {
    const r = ftpwall(['compare', 'scenarios/passive-download.yaml']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('compare needs at least one --config');
  });

  it('--inside is still checked when only scenarios are replayed, and a warning says it is ignored', () => {
    const bad = ftpwall(['replay', 'scenarios/passive-download.yaml', '--config', 'rules/seed-active.cfg', '--inside', '10.0.0.0/33@X']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("'10.0.0.0/33' is not an IPv4 or IPv6 prefix");
    const ok = ftpwall(['replay', 'scenarios/passive-download.yaml', '--config', 'rules/seed-active.cfg', '--inside', '192.168.10.0/24@GigabitEthernet2/1/10']);
    expect(ok.status).toBe(0);
    expect(ok.stderr).toContain('warning: --inside, --outside-interface and --topology place the hosts of captures');
  });
});

describe('output that cannot be written', () => {
  it('-o into a missing directory is bad input (exit 2), not a crash', () => {
    const r = ftpwall(['replay', 'scenarios/passive-download.yaml', '--config', 'rules/stateful.cfg', '-o', '/nonexistent-ftpwall/out.txt']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('error: cannot write /nonexistent-ftpwall/out.txt: no such file or directory');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
