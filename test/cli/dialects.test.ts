import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkerUnavailable, runChecker } from '../export/check.js';
import { ftpwall } from '../helpers/cli.js';
import { lineOf } from '../helpers/run.js';
import { checkPrerequisites } from '../../src/verify/prereq.js';

const kernel = checkPrerequisites();

const RULES = 'rules/linux/ftp-forward.rules';
const NFT = 'rules/linux/ftp-forward.nft';
const PASSIVE = 'scenarios/linux/passive-download.yaml';
const ACTIVE = 'scenarios/linux/active-download.yaml';

function tmpFile(name: string, text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'ftpw-dialects-')), name);
  writeFileSync(file, text);
  return file;
}

describe('Linux rulesets through the CLI', () => {
  it.each([RULES, NFT])('%s: passive and active downloads work, with the stateful engine chosen by itself', (config) => {
    const r = ftpwall(['replay', PASSIVE, ACTIVE, '--config', config, '--expect', 'works']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout.match(/\[stateful\]\n {2}FTP works: control and 1 data connection passed/g)).toHaveLength(2);
  });

  it('without the helper rule, the data connection of both modes meets the REJECT rule', () => {
    const text = readFileSync(RULES, 'utf8').replace(/^-A PREROUTING .*CT --helper ftp\n/m, '');
    const file = tmpFile('no-helper.rules', text);
    const r = ftpwall(['replay', PASSIVE, ACTIVE, '--config', file, '--format', 'json']);
    expect(r.status).toBe(0);
    const runs = JSON.parse(r.stdout).runs as { ftp: { works: boolean; summary: string } }[];
    expect(runs.map((x) => x.ftp.works)).toEqual([false, false]);
    // passive: the client's SYN to the passive port is NEW, from lan0 to srv0, so lan_out rejects it
    expect(runs[0]!.ftp.summary).toContain(`denied by filter lan_out rule 3 (${file}:${lineOf(RULES, '-A lan_out -j REJECT --reject-with icmp-port-unreachable') - 1})`);
    // active: the server's SYN from port 20 arrives on srv0, which no rule accepts: the FORWARD policy drops it
    expect(runs[1]!.ftp.summary).toContain(`denied by filter FORWARD policy drop (${file}:${lineOf(RULES, ':FORWARD DROP [0:0]') - 1})`);
  });

  it('MASQUERADE without the address of its interface is a located error and exit 2, running nothing', () => {
    const file = tmpFile('nat.rules', `*nat\n:PREROUTING ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n-A POSTROUTING -o srv0 -j MASQUERADE\nCOMMIT\n`);
    const r = ftpwall(['replay', PASSIVE, '--config', file]);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`${file}:4:1: error: MASQUERADE translates to the address of the interface a connection leaves by, and ${PASSIVE} does not give the firewall's address on srv0`);
    expect(r.stderr).toContain('add to the scenario: interfaces: { srv0: ADDRESS }');
  });

  it('replays the bundled NAT rulesets: DNAT with the helper works, without it fails, MASQUERADE with the scenario\'s interfaces: works', () => {
    const runs = (args: string[]) => {
      const r = ftpwall(['replay', ...args, '--format', 'json']);
      expect(r.status, r.stderr).toBe(0);
      return (JSON.parse(r.stdout).runs as { ftp: { works: boolean } }[]).map((x) => x.ftp.works);
    };
    const dnat = ['scenarios/linux/nat-passive-download.yaml', 'scenarios/linux/nat-active-download.yaml'];
    expect(runs([...dnat, '--config', 'rules/linux-dnat.iptables', '--config', 'rules/linux-dnat.nft'])).toEqual([true, true, true, true]);
    expect(runs([...dnat, '--config', 'rules/linux-dnat-no-helper.iptables'])).toEqual([false, false]);
    expect(runs(['scenarios/linux/nat-client-active.yaml', '--config', 'rules/linux-masquerade.nft'])).toEqual([true]);
  });

  it('--dialect overrides the detection: read as H3C, an iptables-save file is skipped section by section, and says so', () => {
    const h3c = ftpwall(['check', RULES, '--dialect', 'h3c']);
    expect(h3c.stderr).toContain(`${RULES}:${lineOf(RULES, '*raw')}:1: info: skipped 17 lines of unsupported sections: *raw`);
    expect(h3c.stdout).not.toContain('FORWARD');
    const ipt = ftpwall(['check', RULES, '--dialect', 'iptables']);
    expect(ipt.status).toBe(0);
    expect(ipt.stdout).toContain('ip filter FORWARD (hook forward, priority 0, policy drop): 3 rules');
  });

  it('export refuses a Linux ruleset, saying why', () => {
    const r = ftpwall(['export', '--to', 'nft', '--config', NFT]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`error: ${NFT} is a Linux ruleset (nft); export reads H3C Comware configs only (it is Linux already: load it with iptables-restore or nft -f)`);
  });

  it.skipIf(checkerUnavailable !== undefined)('the bundled example rulesets load in the kernel as they are', () => {
    expect(runChecker('iptables-restore', readFileSync(RULES, 'utf8'))).toMatchObject({ ok: true });
    expect(runChecker('nft', readFileSync(NFT, 'utf8'))).toMatchObject({ ok: true });
  });

  // issue 12: verify loads a Linux ruleset as it is (iptables-restore), and reads the kernel's iptables-save back
  it.skipIf(!kernel.ok)('verify loads an iptables-save file as it is and reads back the kernel\'s iptables-save', () => {
    const out = mkdtempSync(join(tmpdir(), 'ftpw-dialects-verify-'));
    const r = ftpwall(['verify', ACTIVE, '--config', RULES, '--out-dir', out]);
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
    expect(r.stdout).toContain(`verify ${ACTIVE} × ${RULES} [stateful]`);
    expect(r.stdout).toMatch(/read-back: the kernel's iptables-save, replayed over the kernel's capture, denies exactly the 0 of \d+ arrived packets the kernel dropped/);
    expect(r.stdout).toContain('verify: 1 of 1 runs agree (agreement: 2/2 flows)');
    expect(readFileSync(join(out, 'linux-active-download.iptables-save'), 'utf8')).toMatch(/^\*filter$/m);
    const map = ftpwall(['verify', ACTIVE, '--config', RULES, '--interface-map', 'eth0=x0', '--out-dir', out]);
    expect(map.status).toBe(2);
    expect(map.stderr).toContain(`${RULES} is a Linux ruleset: its interface names are the ones the scenarios use, so --interface-map does not apply`);
  }, 120_000);
});
