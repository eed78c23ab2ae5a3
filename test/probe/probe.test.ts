import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/dialects/load.js';
import { createStaticFirewall } from '../../src/engine/static.js';
import { formatIp, ipv4 } from '../../src/net/address.js';
import { discoverServers } from '../../src/probe/discover.js';
import { formatProbe, probeJson } from '../../src/probe/format.js';
import { PLAIN_STYLE } from '../../src/report/style.js';
import { runOnce, type RunSetup } from '../../src/probe/simulate.js';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadProfiles } from '../../src/cli/probe.js';
import { probeFile, row } from './helpers.js';

const VSFTPD = { serverProfile: ['vsftpd'] };

describe('probe on the seed configs', () => {
  it('seed-active lets PORT and EPRT work and blocks PASV and EPSV at acl 3000 rule 10, for every client profile', () => {
    const r = probeFile('rules/seed-active.cfg', VSFTPD);
    expect(r.engine).toBe('static');
    expect(r.servers.map((s) => `${formatIp(s.address)}@${s.interface}`)).toEqual(['192.168.10.1@GigabitEthernet2/1/10']);
    expect(r.clients.map((c) => `${formatIp(c.address)}@${c.interface}`)).toEqual(['10.0.0.2@GigabitEthernet2/1/1']);
    expect(row(r, 'curl')).toEqual({ PORT: 'works', PASV: 'blocked', EPRT: 'works', EPSV: 'blocked' });
    expect(row(r, 'lftp')).toEqual({ PORT: 'works', PASV: 'blocked', EPRT: 'works', EPSV: 'blocked' });
    expect(row(r, 'windows-ftp')).toEqual({ PORT: 'works', PASV: 'n/a', EPRT: 'n/a', EPSV: 'n/a' });
    expect(row(r, 'browser')).toEqual({ PORT: 'n/a', PASV: 'blocked', EPRT: 'n/a', EPSV: 'blocked' });
    const pasv = r.cells.find((c) => c.mode === 'PASV' && c.clientProfile === 'curl')!;
    expect(pasv.summary).toBe(
      'PASV blocked for all 28,232 passive ports (32768-60999) by acl 3000 rule 10 (rules/seed-active.cfg:10), first at data SYN-ACK 192.168.10.1:32768 → 10.0.0.2:32768',
    );
  });

  it('seed-passive lets PASV and EPSV work and blocks PORT and EPRT (the server connects from port 20)', () => {
    const r = probeFile('rules/seed-passive.cfg', VSFTPD);
    expect(row(r, 'curl')).toEqual({ PORT: 'blocked', PASV: 'works', EPRT: 'blocked', EPSV: 'works' });
    expect(row(r, 'filezilla')).toEqual({ PORT: 'blocked', PASV: 'works', EPRT: 'blocked', EPSV: 'works' });
    expect(row(r, 'windows-ftp')).toEqual({ PORT: 'blocked', PASV: 'n/a', EPRT: 'n/a', EPSV: 'n/a' });
    const port = r.cells.find((c) => c.mode === 'PORT' && c.clientProfile === 'windows-ftp')!;
    expect(port.summary).toBe(
      'PORT blocked for all 16,384 client data ports (49152-65535) by acl 3000 rule 10 (rules/seed-passive.cfg:10), first at data SYN 192.168.10.1:20 → 10.0.0.2:49152',
    );
  });

  it('stateful.cfg works in every mode for every client and server profile', () => {
    const r = probeFile('rules/stateful.cfg');
    expect(r.engine).toBe('stateful');
    const applicable = r.cells.filter((c) => c.verdict !== 'n/a');
    expect(applicable.length).toBe(4 * (4 + 4 + 4 + 1 + 2));
    expect(applicable.every((c) => c.verdict === 'works')).toBe(true);
  });

  it('seed-active fails active mode for IIS, which connects from an ephemeral port, not port 20', () => {
    const r = probeFile('rules/seed-active.cfg', { serverProfile: ['iis'], clientProfile: ['windows-ftp'] });
    const port = r.cells.find((c) => c.mode === 'PORT')!;
    expect(port.verdict).toBe('blocked');
    expect(port.firstBlocked?.packet).toBe('SYN 192.168.10.1:49152 → 10.0.0.2:49152');
  });
});

describe('verdicts over whole port ranges', () => {
  it('an ACL for 50000-50050 against a passive range of 50000-50100 works for 51 of 101 ports', () => {
    const r = probeFile('rules/passive-range.cfg', { ...VSFTPD, clientProfile: ['curl'], passivePorts: '50000-50100' });
    const pasv = r.cells.find((c) => c.mode === 'PASV')!;
    expect(pasv.verdict).toBe('partly');
    expect([pasv.workingPorts, pasv.totalPorts]).toEqual([51, 101]);
    expect(pasv.slices.map((s) => [s.lo, s.hi, s.outcome])).toEqual([
      [50000, 50050, 'works'],
      [50051, 50100, 'blocked'],
    ]);
    expect(pasv.summary).toBe(
      'PASV works for 51 of 101 passive ports (50000-50050); 50051-50100 blocked by acl 3000 rule 10 (rules/passive-range.cfg:9), first at data SYN-ACK 192.168.10.1:50051 → 10.0.0.2:32768',
    );
    expect(r.cells.find((c) => c.mode === 'EPSV')!.workingPorts).toBe(51);
  });

  it('agrees, port by port, with simulating every one of the 101 passive ports on its own', () => {
    const text = readFileSync('rules/passive-range.cfg', 'utf8');
    const policy = parseConfig(text, 'rules/passive-range.cfg').value;
    const { clients, servers } = loadProfiles();
    const server = discoverServers(policy, text).servers[0]!;
    const setup: RunSetup = {
      server,
      client: { address: ipv4(0x0a000002), interface: 'GigabitEthernet2/1/1', any: true },
      serverProfile: servers.find((s) => s.name === 'vsftpd')!,
      clientProfile: clients.find((c) => c.name === 'curl')!,
      mode: 'PASV',
      firewall: () => createStaticFirewall(policy),
    };
    const working: number[] = [];
    for (let p = 50000; p <= 50100; p++) if (runOnce(setup, { control: 40000, clientData: 40001, server: [p, p] }).works) working.push(p);
    expect(working.length).toBe(51);
    expect([working[0], working.at(-1)]).toEqual([50000, 50050]);
  });

  it('cuts the client data ports of active mode at the rule bounds too', () => {
    // active data is permitted only to client ports above 40000: curl's 32768-60999 splits at 40001
    const r = probeFile('test/fixtures/probe/active-high.cfg', { ...VSFTPD, clientProfile: ['curl'], mode: ['PORT'] });
    const port = r.cells[0]!;
    expect(port.dimension).toBe('client data ports');
    expect(port.verdict).toBe('partly');
    expect([port.workingPorts, port.totalPorts]).toEqual([20999, 28232]);
    expect(port.summary).toBe(
      'PORT works for 20,999 of 28,232 client data ports (40001-60999); 32768-40000 blocked by acl 3000 rule 10 (test/fixtures/probe/active-high.cfg:5), first at data SYN 192.168.10.1:20 → 10.0.0.2:32768',
    );
  });
});

describe('cells from the rules that can matter', () => {
  it("ignores the port bounds of rules for other hosts: 2,000 of them add no runs and change no verdict", () => {
    const dir = mkdtempSync(join(tmpdir(), 'ftpwall-cells-'));
    try {
      const others: string[] = [];
      for (let i = 0; i < 2000; i++) others.push(` rule permit tcp source 172.16.${i >> 8}.${i & 255} 0 destination-port eq ${30000 + i * 13}`);
      const text = readFileSync('rules/passive-range.cfg', 'utf8').replace(' rule deny ip', `${others.join('\n')}\n rule deny ip`);
      const file = join(dir, 'big.cfg');
      writeFileSync(file, text);
      const big = probeFile(file, { ...VSFTPD, clientProfile: ['curl'], passivePorts: '50000-50100', mode: ['PASV'] });
      const small = probeFile('rules/passive-range.cfg', { ...VSFTPD, clientProfile: ['curl'], passivePorts: '50000-50100', mode: ['PASV'] });
      expect(big.cells[0]!.runs).toBe(small.cells[0]!.runs);
      expect([big.cells[0]!.workingPorts, big.cells[0]!.totalPorts]).toEqual([51, 101]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('control ports', () => {
  it('cuts the client control ports too: a control rule for ports above 40000 makes PASV work for some clients only', () => {
    const r = probeFile('test/fixtures/probe/control-high.cfg', { ...VSFTPD, clientProfile: ['curl'], mode: ['PASV'], passivePorts: '50000-50100' });
    const pasv = r.cells[0]!;
    expect(pasv.verdict).toBe('partly');
    expect(pasv.workingPorts).toBe(0);
    expect(pasv.summary).toBe(
      'PASV works for 0 of 101 passive ports; 50000-50100 works only for some client ports, blocked by acl 3000 rule 10 (test/fixtures/probe/control-high.cfg:5), first at control SYN-ACK 192.168.10.1:21 → 10.0.0.2:40000',
    );
    // the same, simulated directly: control from 40000 fails, from 40001 works
    const text = readFileSync('test/fixtures/probe/control-high.cfg', 'utf8');
    const policy = parseConfig(text, 'c.cfg').value;
    const { clients, servers } = loadProfiles();
    const setup: RunSetup = {
      server: discoverServers(policy, text).servers[0]!,
      client: { address: ipv4(0x0a000002), interface: 'GigabitEthernet2/1/1', any: true },
      serverProfile: servers.find((s) => s.name === 'vsftpd')!,
      clientProfile: clients.find((c) => c.name === 'curl')!,
      mode: 'PASV',
      firewall: () => createStaticFirewall(policy),
    };
    expect(runOnce(setup, { control: 40000, clientData: 45000, server: [50000, 50000] }).works).toBe(false);
    expect(runOnce(setup, { control: 40001, clientData: 45000, server: [50000, 50000] }).works).toBe(true);
  });
});

describe('IPv6', () => {
  it('says that an interface filtering only IPv4 leaves IPv6 open', () => {
    const r = probeFile('rules/stateful.cfg', { ...VSFTPD, clientProfile: ['curl'] });
    expect(r.openFamilies.map((o) => `${o.interface} ${o.direction} v${o.filtered} open v${o.open}`)).toEqual([
      'GigabitEthernet2/1/1 inbound v4 open v6',
      'GigabitEthernet2/1/10 inbound v4 open v6',
    ]);
    const text = formatProbe(r, 'rules/stateful.cfg', PLAIN_STYLE).join('\n');
    expect(text).toContain(
      'IPv6 open: GigabitEthernet2/1/10 filters IPv4 inbound (acl 3001, rules/stateful.cfg:30) but has no IPv6 packet filter inbound: every IPv6 packet passes there',
    );
  });

  it('probes an IPv6 server with EPRT and EPSV only (PORT and PASV carry IPv4 addresses)', () => {
    const r = probeFile('rules/stateful-v6.cfg', { ...VSFTPD, clientProfile: ['curl'] });
    expect(r.servers.map((s) => formatIp(s.address))).toEqual(['2001:db8:10::1']);
    expect(r.clients.map((c) => formatIp(c.address))).toEqual(['2001:db8:1::2']);
    expect(row(r, 'curl')).toEqual({ PORT: 'n/a', PASV: 'n/a', EPRT: 'works', EPSV: 'works' });
    expect(r.openFamilies.map((o) => `v${o.filtered} open v${o.open}`)).toEqual(['v6 open v4', 'v6 open v4']);
  });

  it('the static IPv6 passive policy lets EPSV work and blocks EPRT', () => {
    const r = probeFile('rules/ipv6.cfg', { ...VSFTPD, clientProfile: ['curl'] });
    expect(row(r, 'curl')).toEqual({ PORT: 'n/a', PASV: 'n/a', EPRT: 'blocked', EPSV: 'works' });
  });
});

describe('probe output', () => {
  it('prints the matrix of mode × client profile per server profile, with each failure', () => {
    const r = probeFile('rules/seed-active.cfg', { ...VSFTPD, clientProfile: ['curl', 'windows-ftp'] });
    const lines = formatProbe(r, 'rules/seed-active.cfg', PLAIN_STYLE);
    expect(lines.slice(0, 4)).toEqual([
      'probe of rules/seed-active.cfg [static]',
      '  FTP server 192.168.10.1 behind GigabitEthernet2/1/10 (from acl 3000 rule 0 (rules/seed-active.cfg:6))',
      '  clients of 192.168.10.1: any address on GigabitEthernet2/1/1, shown as 10.0.0.2',
      '  IPv6 open: GigabitEthernet2/1/10 filters IPv4 inbound (acl 3000, rules/seed-active.cfg:17) but has no IPv6 packet filter inbound: every IPv6 packet passes there',
    ]);
    const at = lines.indexOf('192.168.10.1 ← 10.0.0.2 (GigabitEthernet2/1/1), server profile vsftpd:');
    expect(lines.slice(at + 1, at + 6).map((l) => l.trim().split(/\s{2,}/))).toEqual([
      ['mode', 'curl', 'windows-ftp'],
      ['PORT', 'works', 'works'],
      ['PASV', 'blocked', '-'],
      ['EPRT', 'works', '-'],
      ['EPSV', 'blocked', '-'],
    ]);
  });

  it('writes JSON with every cell, its port slices and first blocked packet', () => {
    const r = probeFile('rules/passive-range.cfg', { ...VSFTPD, clientProfile: ['curl'], passivePorts: '50000-50100', mode: ['PASV'] });
    const doc = JSON.parse(probeJson(r, 'rules/passive-range.cfg'));
    expect(doc.kind).toBe('probe');
    expect(doc.cells).toHaveLength(1);
    expect(doc.cells[0]).toMatchObject({ mode: 'PASV', verdict: 'partly', workingPorts: 51, totalPorts: 101, range: '50000-50100', clientProfile: 'curl', serverProfile: 'vsftpd' });
    expect(doc.cells[0].firstBlocked.provenance).toMatchObject({ kind: 'rule', acl: '3000', ruleId: 10 });
  });
});

describe('every client side of a device with many interfaces', () => {
  it('probes a client on each of twenty VLAN interfaces (past the first eight representative addresses) and finds the one whose ACL blocks FTP', () => {
    const r = probeFile('test/fixtures/probe/many-vlans.cfg');
    const vlans = Array.from({ length: 20 }, (_, i) => `Vlan-interface${10 + i}`);
    // one representative client per VLAN, each its own address
    expect(r.clients.map((c) => c.interface)).toEqual(vlans);
    expect(new Set(r.clients.map((c) => formatIp(c.address))).size).toBe(20);
    // the verdicts of the profiles that have the mode ('n/a': a browser has no PORT)
    const byVlan = (iface: string, mode: string): string[] => [...new Set(r.cells.filter((c) => c.clientInterface === iface && c.mode === mode && c.verdict !== 'n/a').map((c) => c.verdict))];
    // Vlan-interface27's inbound acl 3001 denies the control SYN to port 21: nothing works there, in any mode
    for (const mode of ['PORT', 'PASV', 'EPRT', 'EPSV']) expect(byVlan('Vlan-interface27', mode)).toEqual(['blocked']);
    const blocked27 = r.cells.find((c) => c.clientInterface === 'Vlan-interface27' && c.mode === 'PASV')!;
    expect(blocked27.summary).toContain('acl 3001 rule 0');
    // the other VLANs, the last ones too: passive mode works (acl 3000 lets the server's replies and data out); active
    // mode from vsftpd's port 20 does not (acl 3000 wants a source port above 1024)
    for (const iface of vlans.filter((v) => v !== 'Vlan-interface27')) {
      expect(byVlan(iface, 'PASV')).toEqual(['works']);
      expect([...new Set(r.cells.filter((c) => c.clientInterface === iface && c.mode === 'PORT' && c.serverProfile === 'vsftpd' && c.verdict !== 'n/a').map((c) => c.verdict))]).toEqual(['blocked']);
    }
  });
});
