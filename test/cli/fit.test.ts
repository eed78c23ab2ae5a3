import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ftpwall } from '../helpers/cli.js';

// Section 4 of issue 9: the scenario must fit the config, and inputs given in the wrong place
// get one clear message, never twenty parse errors or a silently wrong run.
const dir = mkdtempSync(join(tmpdir(), 'ftpwall-fit-'));
const scenario = join(dir, 'wrong-iface.yaml');
// passive-download.yaml with the server behind GigabitEthernet2/1/11, which seed-passive.cfg does not declare
writeFileSync(scenario, readFileSync('scenarios/passive-download.yaml', 'utf8').replace('interface: GigabitEthernet2/1/10', 'interface: GigabitEthernet2/1/11'));
const ifaceLine = readFileSync(scenario, 'utf8').split('\n').findIndex((l) => l.includes('GigabitEthernet2/1/11')) + 1;
const ifaceCol = readFileSync(scenario, 'utf8').split('\n')[ifaceLine - 1]!.indexOf('GigabitEthernet2/1/11') + 1;

describe('the scenario must fit the config', () => {
  it('refuses a host behind an interface the config does not declare, at the interface, with the closest name', () => {
    const r = ftpwall(['replay', scenario, '-c', 'rules/seed-passive.cfg']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(
      `${scenario}:${ifaceLine}:${ifaceCol}: error: host 'server' is behind interface 'GigabitEthernet2/1/11', which rules/seed-passive.cfg does not declare (it has GigabitEthernet2/1/1, GigabitEthernet2/1/10): nothing would filter its packets (did you mean GigabitEthernet2/1/1?)`,
    );
    expect(r.stdout).toBe('');
  });

  it('refuses --inside naming an interface the config does not have', () => {
    const r = ftpwall(['replay', 'scenarios/passive-download.yaml', '-c', 'rules/seed-passive.cfg', '--inside', '10.0.0.0/8@GigabitEthernet2/1/12']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("error: --inside 10.0.0.0/8@GigabitEthernet2/1/12: interface 'GigabitEthernet2/1/12' is not in the config");
  });

  it('runs every config of `replay -c A -c B`, never silently only the last', () => {
    const r = ftpwall(['replay', 'scenarios/passive-download.yaml', '-c', 'rules/seed-active.cfg', '-c', 'rules/seed-passive.cfg', '--format', 'json']);
    expect(r.status).toBe(0);
    const runs = JSON.parse(r.stdout).runs as { config: string; ftp: { works: boolean } }[];
    expect(runs.map((x) => `${x.config} ${x.ftp.works}`)).toEqual(['rules/seed-active.cfg false', 'rules/seed-passive.cfg true']);
  });

  it('says once that a device config given as a scenario looks like a device config', () => {
    const r = ftpwall(['replay', 'rules/seed-passive.cfg', '-c', 'rules/seed-passive.cfg']);
    expect(r.status).toBe(2);
    expect(r.stderr.split('\n').filter((l) => l.includes('error:'))).toEqual([
      'error: rules/seed-passive.cfg looks like a device config, not a scenario (this looks like a device config: did you mean --config?)',
    ]);
  });

  it('says once that a scenario given as a config looks like a scenario', () => {
    for (const args of [['replay', 'scenarios/passive-download.yaml', '-c', 'scenarios/passive-download.yaml'], ['check', 'scenarios/passive-download.yaml']]) {
      const r = ftpwall(args);
      expect(r.status).toBe(2);
      expect(r.stderr.split('\n').filter((l) => l.includes('error:'))).toEqual([
        'error: scenarios/passive-download.yaml looks like a scenario (YAML with hosts and sessions), not a device config (did you mean to give it as a scenario argument, and the device config with --config?)',
      ]);
    }
  });
});

describe('a config of many interfaces', () => {
  it('names its first twelve interfaces and counts the rest when a scenario host sits behind one it lacks', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ftpwall-fit-'));
    try {
      const config = join(dir, 'vlans.cfg');
      const lines: string[] = [];
      for (let i = 1; i <= 300; i++) lines.push(`interface Vlan-interface${i}`, ' packet-filter 3000 inbound', '#');
      writeFileSync(config, `acl advanced 3000\n rule permit ip\n#\n${lines.join('\n')}\n`);
      const r = ftpwall(['replay', 'scenarios/passive-download.yaml', '-c', config]);
      expect(r.status).toBe(2);
      const first12 = Array.from({ length: 12 }, (_, i) => `Vlan-interface${i + 1}`).join(', ');
      expect(r.stderr).toContain(`host 'client' is behind interface 'GigabitEthernet2/1/1', which ${config} does not declare (it has ${first12} and 288 more): nothing would filter its packets`);
      expect(r.stderr.split('\n').every((l) => l.length < 600)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
