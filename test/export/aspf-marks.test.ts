/**
 * The exports follow H3C ASPF scope (issue 9): the first packet of a connection where ASPF applies sets a
 * conntrack mark bit; established and related packets are accepted ahead of the ACLs only with that bit
 * (expected connections inherit it: init_conntrack copies the master's mark).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/dialects/load.js';
import { exportIptables } from '../../src/export/iptables.js';
import { exportNft } from '../../src/export/nft.js';
import type { Policy } from '../../src/policy/model.js';
import { checkerUnavailable, runChecker } from './check.js';
import { IFMAP } from './fixtures.js';

const STATEFUL = { interfaceMap: IFMAP, stateful: true } as const;

function config(file: string, edit: (t: string) => string = (t) => t): Policy {
  const p = parseConfig(edit(readFileSync(file, 'utf8')), file);
  expect(p.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return p.value;
}

function forward(text: string, start: string, end: string): string[] {
  const lines = text.split('\n');
  const i = lines.indexOf(start);
  return lines.slice(i + 1, lines.indexOf(end, i)).map((l) => l.trim());
}

describe('nft export: ASPF sessions by conntrack mark', () => {
  it('marks new connections entering the ASPF interface and accepts established/related only with the mark', () => {
    const r = exportNft(config('rules/stateful.cfg'), STATEFUL);
    expect(r.diagnostics).toEqual([]);
    expect(forward(r.value, '\tchain forward {', '\t}').slice(1, 3)).toEqual([
      'ct state new iifname "fw0" ct mark set ct mark | 0x00000001 comment "aspf inbound on GigabitEthernet2/1/1 rules/stateful.cfg:26: first packet makes a session"',
      'ct state established,related ct mark & 0x00000001 == 0x00000001 accept comment "ASPF sessions: packets of marked connections and their FTP data connections"',
    ]);
    // the helper stays where ASPF detects ftp
    expect(r.value).toContain('iifname "fw0" tcp dport 21 ct helper set "ftp-21"');
  });

  it('on the wrong side it marks what enters the server side, and no longer accepts every tracked connection', () => {
    const r = exportNft(config('rules/aspf-wrong-side.cfg'), STATEFUL);
    expect(r.value).toContain('ct state new iifname "fw1" ct mark set ct mark | 0x00000001');
    expect(r.value).not.toContain('\t\tct state established,related accept');
  });

  it('an outbound application matches the egress interface', () => {
    const p = config('rules/stateful.cfg', (t) => t.replace(' aspf apply policy 1 inbound\n', '').replace(' packet-filter 3001 inbound\n', ' packet-filter 3001 inbound\n aspf apply policy 1 outbound\n'));
    expect(exportNft(p, STATEFUL).value).toContain('ct state new oifname "fw1" ct mark set ct mark | 0x00000001');
  });

  it('Comware 5 detect ftp marks only FTP control connections', () => {
    const p = config('rules/stateful.cfg', (t) => `firewall enable\n${t.replace('aspf policy 1', 'aspf-policy 1').replace('aspf apply policy 1 inbound', 'firewall aspf 1 inbound')}`);
    expect(exportNft(p, STATEFUL).value).toContain('ct state new iifname "fw0" tcp dport { 21 } ct mark set ct mark | 0x00000001');
    expect(exportIptables(p, STATEFUL).value).toContain('-A FORWARD -i fw0 -p tcp -m multiport --dports 21 -m conntrack --ctstate NEW');
  });

  it('without ASPF no connection is a session: nothing is accepted by state', () => {
    const p = config('rules/stateful.cfg', (t) => t.replace(' aspf apply policy 1 inbound\n', ''));
    const r = exportNft(p, STATEFUL);
    expect(r.value).toContain('# no ASPF application: no connection is a session');
    expect(r.value).not.toContain('ct state established');
  });
});

describe('iptables export: ASPF sessions by CONNMARK', () => {
  it('sets the mark with CONNMARK on new connections at the ASPF interface and requires it with connmark', () => {
    const r = exportIptables(config('rules/stateful.cfg'), STATEFUL);
    expect(r.value.split('\n').filter((l) => l.startsWith('-A FORWARD')).slice(0, 2)).toEqual([
      '-A FORWARD -i fw0 -m conntrack --ctstate NEW -m comment --comment "aspf inbound on GigabitEthernet2/1/1 rules/stateful.cfg:26: first packet makes a session" -j CONNMARK --or-mark 0x1',
      '-A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -m connmark --mark 0x1/0x1 -m comment --comment "ASPF sessions: packets of marked connections and their FTP data connections" -j ACCEPT',
    ]);
  });
});

describe.skipIf(checkerUnavailable !== undefined)(`marked exports pass the real checkers${checkerUnavailable ? ` (skipped: ${checkerUnavailable})` : ''}`, () => {
  for (const file of ['rules/stateful.cfg', 'rules/aspf-wrong-side.cfg'])
    it(`nft -c and iptables-restore --test accept ${file}`, () => {
      expect(runChecker('nft', exportNft(config(file), STATEFUL).value)).toEqual({ ok: true, output: '' });
      expect(runChecker('iptables-restore', exportIptables(config(file), STATEFUL).value)).toEqual({ ok: true, output: '' });
    });
});
