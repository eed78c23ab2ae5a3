import { describe, expect, it } from 'vitest';
import { ftpwall } from '../helpers/cli.js';

const SCENARIOS = ['active', 'passive', 'epsv', 'eprt'].map((m) => `scenarios/${m}-download.yaml`);
const CONFIGS = ['rules/seed-active.cfg', 'rules/seed-passive.cfg', 'rules/stateful.cfg'].flatMap((c) => ['--config', c]);

describe('ftpwall compare on the bundled files', () => {
  it('prints the scenario × policy matrix: the stateful policy works in every mode, each seed breaks two', () => {
    const r = ftpwall(['compare', ...SCENARIOS, ...CONFIGS]);
    expect(r.status).toBe(0);
    const row = (name: string) => r.stdout.split('\n').find((l) => l.trim().startsWith(name))!.trim().split(/\s{2,}/);
    expect(row('active-download')).toEqual(['active-download', 'works', 'data blocked', 'works']);
    expect(row('passive-download')).toEqual(['passive-download', 'data blocked', 'works', 'works']);
    expect(row('epsv-download')).toEqual(['epsv-download', 'data blocked', 'works', 'works']);
    expect(row('eprt-download')).toEqual(['eprt-download', 'works', 'data blocked', 'works']);
  });

  it('shows the port space each policy opens beyond FTP, with an example and the rule that opens it', () => {
    const r = ftpwall(['compare', ...SCENARIOS, ...CONFIGS]);
    const exposure = r.stdout.slice(r.stdout.indexOf('Beyond what FTP needed'));
    const section = (head: string) => {
      const start = exposure.indexOf(`\n  ${head}:\n`);
      const end = exposure.indexOf('\n  rules/', start + 1);
      return exposure.slice(start, end < 0 ? undefined : end);
    };
    // seed-passive: the server may open any port above 1024 (and 21) to any client port above 1024
    const passive = section('rules/seed-passive.cfg [static]');
    expect(passive).toContain('192.168.10.1 → 10.0.0.2: 64,512 × 64,511 port pairs (to ports 1025-65535)');
    expect(passive).toMatch(/e\.g\. 192\.168\.10\.1:1025 → 10\.0\.0\.2:1025: SYN by acl 3000 rule 5 \(rules\/seed-passive\.cfg:\d+\)/);
    // and the client reaches every server port above 1024 because replies from them are permitted
    expect(passive).toContain('10.0.0.2 → 192.168.10.1: 64,511 × 64,512 port pairs (to ports 21,1025-65535, ');
    // the stateful port-21 policy: only the control port, nothing from the server
    const stateful = section('rules/stateful.cfg [stateful]');
    expect(stateful).toContain('10.0.0.2 → 192.168.10.1: 65,535 × 1 port pairs (to ports 21, ');
    expect(stateful).toContain('192.168.10.1 → 10.0.0.2: nothing');
  });

  it('writes the comparison as JSON', () => {
    const r = ftpwall(['compare', 'scenarios/passive-download.yaml', '--config', 'rules/seed-passive.cfg', '--config', 'rules/stateful.cfg', '--format', 'json']);
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ schemaVersion: 1, kind: 'compare' });
    expect(doc.matrix.map((m: { config: string; engine: string; ftp: { works: boolean } }) => [m.config, m.engine, m.ftp.works])).toEqual([
      ['rules/seed-passive.cfg', 'static', true],
      ['rules/stateful.cfg', 'stateful', true],
    ]);
    const fromServer = doc.exposure[0].connections.find((c: { initiator: string }) => c.initiator === '192.168.10.1');
    expect(fromServer).toMatchObject({ portPairs: 64512 * 64511, rectangle: { srcPorts: 64512, dstPorts: 64511 } });
  });

  it('--engine static,stateful runs both engines on every config', () => {
    const r = ftpwall(['compare', 'scenarios/passive-download.yaml', '--config', 'rules/stateful.cfg', '--engine', 'static,stateful']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/rules\/stateful\.cfg \[static\]\s+rules\/stateful\.cfg \[stateful\]/);
    // without conntrack the port-21-only policy drops even the server's SYN-ACK on the control connection
    expect(r.stdout).toMatch(/passive-download\s+control blocked\s+works/);
  });

  it('a bad engine list is bad input', () => {
    const r = ftpwall(['compare', 'scenarios/passive-download.yaml', '--config', 'rules/stateful.cfg', '--engine', 'statefull']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("--engine 'statefull'");
  });
});
