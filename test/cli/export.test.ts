import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ftpwall } from '../helpers/cli.js';
import { checkerUnavailable, runChecker } from '../export/check.js';

const CONFIGS = ['rules/seed-active.cfg', 'rules/seed-passive.cfg', 'rules/stateful.cfg'];
const dir = mkdtempSync(join(tmpdir(), 'ftpw-export-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('ftpwall export', () => {
  it('writes the stateful config as nft with the helper attached on the mapped client interface', () => {
    const r = ftpwall(['export', '--to', 'nft', '--config', 'rules/stateful.cfg', '--interface-map', 'GigabitEthernet2/1/1=eth0,GigabitEthernet2/1/10=eth1']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('\t\tiifname "eth0" tcp dport 21 ct helper set "ftp-21" comment "inspect ftp port 21 inbound on GigabitEthernet2/1/1 rules/stateful.cfg:26"');
    expect(r.stdout).toContain('\t\tiifname "eth1" meta nfproto ipv4 jump acl4_3001 comment "packet-filter 3001 inbound on GigabitEthernet2/1/10 rules/stateful.cfg:30"');
  });

  it('refuses a time-range rule with exit 2, the error at file:line:col, and writes nothing', () => {
    const cfg = join(dir, 'time-range.cfg');
    writeFileSync(cfg, 'acl advanced 3000\n rule 0 permit tcp source 192.168.10.1 0 time-range work\n rule 5 deny ip\n#\ninterface GigabitEthernet2/1/10\n packet-filter 3000 inbound\n#\nreturn\n');
    const out = join(dir, 'out.nft');
    const r = ftpwall(['export', '--to', 'nft', '--config', cfg, '-o', out]);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(
      `${cfg}:2:42: error: cannot export 'time-range work' of acl 3000 rule 0: a time range is a schedule defined elsewhere in the config; the export does not approximate it\n 2 |  rule 0 permit tcp source 192.168.10.1 0 time-range work\n   |                                          ^^^^^^^^^^`,
    );
    expect(r.stderr.trimEnd().endsWith('ftpwall: 1 error; nothing written')).toBe(true);
  });

  it('locates --interface-map errors in the option text and exits 2', () => {
    const r = ftpwall(['export', '--to', 'iptables', '--config', 'rules/seed-active.cfg', '--interface-map', 'GigabitEthernet2/1/10=eth1,foo']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("--interface-map:1:28: error: 'foo' has no '=': expected H3C-NAME=linux-name (e.g. foo=eth1)\n 1 | GigabitEthernet2/1/10=eth1,foo\n   |                            ^^^");
  });
});

describe.skipIf(checkerUnavailable !== undefined)(`ftpwall export output passes the real checkers${checkerUnavailable ? ` (skipped: ${checkerUnavailable})` : ''}`, () => {
  for (const config of CONFIGS) {
    for (const to of ['nft', 'iptables', 'ip6tables'] as const) {
      it(`${config} --to ${to} loads with ${to === 'nft' ? 'nft -c -f' : `${to}-restore --test`}`, () => {
        const r = ftpwall(['export', '--to', to, '--config', config]);
        expect(r.status).toBe(0);
        expect(runChecker(to === 'nft' ? 'nft' : to === 'iptables' ? 'iptables-restore' : 'ip6tables-restore', r.stdout)).toEqual({ ok: true, output: '' });
      });
    }
  }
});
