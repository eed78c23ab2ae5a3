import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ftpwall } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'ftpwall-probe-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const FEW = ['--server-profile', 'vsftpd', '--client-profile', 'curl', '--client-profile', 'windows-ftp'];

describe('ftpwall probe', () => {
  it('--expect works exits 1 when a cell is blocked and 0 when every cell works', () => {
    const bad = ftpwall(['probe', '--config', 'rules/seed-active.cfg', ...FEW, '--expect', 'works']);
    expect(bad.status).toBe(1);
    expect(bad.stdout).toContain('curl: PASV blocked for all 28,232 passive ports (32768-60999) by acl 3000 rule 10 (rules/seed-active.cfg:10)');
    const good = ftpwall(['probe', '--config', 'rules/stateful.cfg', ...FEW, '--expect', 'works']);
    expect(good.status).toBe(0);
    expect(good.stdout).toContain('5 cells work, 0 partly, 0 blocked');
  });

  it('reports 51 of 101 passive ports for the narrowed ACL, as JSON too', () => {
    const r = ftpwall(['probe', '--config', 'rules/passive-range.cfg', '--passive-ports', '50000-50100', '--server-profile', 'vsftpd', '--client-profile', 'curl', '--format', 'json']);
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout);
    const pasv = doc.cells.find((c: { mode: string }) => c.mode === 'PASV');
    expect(pasv.summary).toBe(
      'PASV works for 51 of 101 passive ports (50000-50050); 50051-50100 blocked by acl 3000 rule 10 (rules/passive-range.cfg:9), first at data SYN-ACK 192.168.10.1:50051 → 10.0.0.2:32768',
    );
  });

  it('bad options are bad input with exit 2 and nothing on stdout', () => {
    const r = ftpwall(['probe', '--config', 'rules/seed-active.cfg', '--passive-ports', '60000-50000']);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain("--passive-ports '60000-50000': expected LO-HI with 1 <= LO <= HI <= 65535");
  });

  it('a config without an FTP server asks for --server', () => {
    const cfg = join(dir, 'none.cfg');
    writeFileSync(cfg, 'acl advanced 3000\n rule deny ip\n#\ninterface GigabitEthernet2/1/1\n packet-filter 3000 inbound\n#\ninterface GigabitEthernet2/1/10\n');
    const r = ftpwall(['probe', '--config', cfg]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("no FTP server found (no rule names a host with port 21 or ftp, no 'nat server … 21') (give one with '--server ADDR@INTERFACE')");
    const given = ftpwall(['probe', '--config', cfg, '--server', '192.168.10.1@GigabitEthernet2/1/10', ...FEW]);
    expect(given.status).toBe(0);
    expect(given.stdout).toContain('FTP server 192.168.10.1 behind GigabitEthernet2/1/10 (from --server)');
  });
});

describe('ftpwall fix', () => {
  it('writes the best candidate with -o; check passes on it and probe says every mode works', () => {
    const out = join(dir, 'fixed.cfg');
    const r = ftpwall(['fix', '--config', 'rules/seed-passive.cfg', '--server-profile', 'vsftpd', '--passive-ports', '50000-50100', '-o', out]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('#1 stateful: ASPF detect ftp, port 21 only: verified');
    expect(r.stdout).toContain(`patched config (candidate #1) written to ${out}`);
    const patched = readFileSync(out, 'utf8');
    // the original text and comments are all there
    for (const line of readFileSync('rules/seed-passive.cfg', 'utf8').split('\n')) expect(patched.split('\n')).toContain(line);
    expect(ftpwall(['check', '-q', out]).status).toBe(0);
    expect(ftpwall(['probe', '--config', out, '--server-profile', 'vsftpd', '--passive-ports', '50000-50100', '--expect', 'works']).status).toBe(0);
  });

  it('--candidate picks another one; a rank that does not exist is bad input', () => {
    const out = join(dir, 'static.cfg');
    const r = ftpwall(['fix', '--config', 'rules/seed-active.cfg', ...FEW, '--passive-ports', '50000-50100', '--candidate', '3', '-o', out]);
    expect(r.status).toBe(0);
    expect(readFileSync(out, 'utf8')).toContain(' rule 6 permit tcp source 192.168.10.1 0 source-port range 50000 50100 destination-port range 32768 60999\n # a bound ACL permits');
    const bad = ftpwall(['fix', '--config', 'rules/seed-active.cfg', ...FEW, '--candidate', '9', '-o', join(dir, 'never.cfg')]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("--candidate '9': there are 3 candidates (use 1 to 3)");
    expect(existsSync(join(dir, 'never.cfg'))).toBe(false);
  });

  it('JSON lists the candidates with their exposure and the lines they add', () => {
    const r = ftpwall(['fix', '--config', 'rules/seed-active.cfg', ...FEW, '--format', 'json']);
    const doc = JSON.parse(r.stdout);
    expect(doc.kind).toBe('fix');
    expect(doc.blockedModes).toEqual(['PASV', 'EPSV']);
    expect(doc.candidates.map((c: { rank: number; kind: string; verified: boolean }) => [c.rank, c.kind, c.verified])).toEqual([
      [1, 'stateful', true],
      [2, 'static', true],
      [3, 'static', true],
    ]);
    expect(doc.candidates[0].exposure.portPairs).toBe(0);
  });
});

describe('compare conclusion and scenario keys', () => {
  it('ends with one conclusion line per policy and recommends the stateful one; a blocked bounce reads as expected', () => {
    const scenarios = ['active', 'passive', 'epsv', 'eprt'].map((m) => `scenarios/${m}-download.yaml`);
    const r = ftpwall(['compare', ...scenarios, 'scenarios/bounce.yaml', '--config', 'rules/seed-active.cfg', '--config', 'rules/seed-passive.cfg', '--config', 'rules/stateful.cfg']);
    expect(r.status).toBe(0);
    const lines = r.stdout.slice(r.stdout.indexOf('Conclusion')).trimEnd().split('\n');
    // each line within 100 columns: a longer one continues on lines indented two more
    expect(lines.filter((l) => [...l].length > 100)).toEqual([]);
    const tail: string[] = [];
    for (const l of lines) if (l.startsWith('    ') && tail.length > 0) tail[tail.length - 1] += ` ${l.trim()}`;
    else tail.push(l);
    expect(tail).toEqual([
      "Conclusion (exposure: unsolicited connections in port pairs, not counting FTP's own port 21):",
      '  rules/seed-active.cfg [static]: PORT, EPRT work, PASV, EPSV fail; 3 of 5 scenarios as expected; exposure 193,533 port pairs',
      '  rules/seed-passive.cfg [static]: PASV, EPSV work, PORT, EPRT fail; 3 of 5 scenarios as expected; exposure 8,323,402,753 port pairs',
      '  rules/stateful.cfg [stateful]: every mode tried works (PORT, PASV, EPRT, EPSV); 5 of 5 scenarios as expected; exposure 0 port pairs  <- recommended',
    ]);
    expect(r.stdout).toMatch(/bounce\s+fails \(as expected\)\s+data blocked \(as expected\)\s+data blocked \(as expected\)/);
  });

  it('compare --format json carries the conclusion', () => {
    const r = ftpwall(['compare', 'scenarios/passive-download.yaml', 'scenarios/active-download.yaml', '--config', 'rules/seed-passive.cfg', '--config', 'rules/stateful.cfg', '--format', 'json']);
    const doc = JSON.parse(r.stdout);
    expect(doc.conclusion).toEqual([
      { config: 'rules/seed-passive.cfg', engine: 'static', modesWork: ['PASV'], modesFail: ['PORT'], asExpected: 1, scenarios: 2, exposurePortPairs: 8323402753, approximate: false, recommended: false },
      { config: 'rules/stateful.cfg', engine: 'stateful', modesWork: ['PORT', 'PASV'], modesFail: [], asExpected: 2, scenarios: 2, exposurePortPairs: 0, approximate: false, recommended: true },
    ]);
  });

  it('replay runs a passivePortChoice: each scenario once per port-space cell', () => {
    const yaml = join(dir, 'each.yaml');
    writeFileSync(
      yaml,
      readFileSync('scenarios/passive-download.yaml', 'utf8').replace(/passivePorts: .*/, 'passivePorts: 50000-50100\n      passivePortChoice: each'),
    );
    const r = ftpwall(['replay', yaml, '--config', 'rules/passive-range.cfg', '--format', 'json']);
    const doc = JSON.parse(r.stdout);
    expect(doc.runs.map((x: { scenario: string; ftp: { works: boolean } }) => [x.scenario, x.ftp.works])).toEqual([
      ['passive-download [passive ports 50000-50050]', true],
      ['passive-download [passive ports 50051-50100]', false],
    ]);
  });
});

describe('the size of a probe (--max-cells)', () => {
  // a device of 10 FTP servers behind 10 VLAN interfaces that all bind the ACL: 10 × 9 client sides × 4 server
  // profiles × 5 client profiles × 4 modes = 7,200 cells
  const device = join(dir, 'ten-by-ten.cfg');
  const lines = ['acl advanced 3000'];
  for (let s = 0; s < 10; s++) lines.push(` rule ${5 * s} permit tcp destination 10.200.${s}.10 0 destination-port eq ftp`);
  lines.push(' rule 50 permit tcp destination-port gt 1023', ' rule 55 permit tcp source-port eq ftp', '#');
  for (let v = 0; v < 10; v++) lines.push(`interface Vlan-interface${v + 10}`, ` ip address 10.${v + 10}.0.1 255.255.255.0`, ' packet-filter 3000 inbound', '#');
  writeFileSync(device, `${lines.join('\n')}\n`);

  it('a probe of more cells than --max-cells is refused before it runs: exit 2, what multiplies up, how to narrow it, nothing written', () => {
    const out = join(dir, 'too-big.json');
    const r = ftpwall(['probe', '--config', device, '--max-cells', '7199', '--format', 'json', '-o', out]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('error: the probe would run 7,200 cells (10 servers with 90 client sides in all, × 4 server profiles × 5 client profiles × 4 modes), more than --max-cells 7,199');
    expect(r.stderr).toContain('narrow it with --server, --client, --server-profile, --client-profile or --mode, or raise the bound: --max-cells 7200');
    expect(existsSync(out)).toBe(false);
    // fix probes the same cells first: the same bound
    const f = ftpwall(['fix', '--config', device, '--max-cells', '7199']);
    expect(f.status).toBe(2);
    expect(f.stderr).toContain('the probe would run 7,200 cells');
  });

  it('at the bound it runs every cell, with one job or two alike', () => {
    const [oneOut, twoOut] = [join(dir, 'one.json'), join(dir, 'two.json')];
    const one = ftpwall(['probe', '--config', device, '--max-cells', '7200', '--format', 'json', '--jobs', '1', '-o', oneOut]);
    expect(one.status, one.stderr).toBe(0);
    expect((JSON.parse(readFileSync(oneOut, 'utf8')) as { cells: unknown[] }).cells).toHaveLength(7200);
    // two jobs: the worker plans once and runs its cells from that plan (it planned again per cell: quadratic)
    const two = ftpwall(['probe', '--config', device, '--max-cells', '7200', '--format', 'json', '--jobs', '2', '-o', twoOut]);
    expect(two.status, two.stderr).toBe(0);
    expect(readFileSync(twoOut, 'utf8')).toBe(readFileSync(oneOut, 'utf8'));
  });

  it('a --max-cells that is not a number is bad input', () => {
    const r = ftpwall(['probe', '--config', device, '--max-cells', 'lots']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("error: --max-cells 'lots': expected a whole number of cells of at least 1 (e.g. --max-cells 400000)");
  });
});
