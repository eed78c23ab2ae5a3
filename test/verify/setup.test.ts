import { describe, expect, it } from 'vitest';
import { serverSourceNat, vsftpdConfig } from '../../src/verify/vsftpd.js';
import { planTopology } from '../../src/verify/topology.js';
import { nftCounters } from '../../src/verify/kernel.js';
import { ip } from '../helpers/build.js';
import { IFMAP } from '../export/fixtures.js';
import { downloadSession, scenario } from './scenarios.js';

describe('vsftpd configuration', () => {
  const b = downloadSession('s', 'passive', 50000).serverBehaviour;
  const setup = { address: ip('192.168.10.1'), behaviour: b, rootDir: '/tmp/r', logFile: '/tmp/l', acceptTimeoutSec: 3, connectTimeoutSec: 3 };

  it('listens on the server address and port, offers the first passive port and connects from port 20', () => {
    const lines = vsftpdConfig(setup).split('\n');
    expect(lines).toEqual(expect.arrayContaining(['listen=YES', 'listen_address=192.168.10.1', 'listen_port=21', 'pasv_min_port=50000', 'pasv_max_port=50000', 'connect_from_port_20=YES', 'ftp_data_port=20', 'accept_timeout=3', 'seccomp_sandbox=NO', 'anonymous_enable=YES', 'anon_root=/tmp/r']));
    expect(lines.some((l) => l.startsWith('pasv_address='))).toBe(false);
  });

  it('announces the configured address in 227 replies and listens on IPv6 for an IPv6 server', () => {
    expect(vsftpdConfig({ ...setup, behaviour: { ...b, announceAddress: ip('203.0.113.5') } }).split('\n')).toContain('pasv_address=203.0.113.5');
    const v6 = vsftpdConfig({ ...setup, address: ip('2001:db8:10::1') }).split('\n');
    expect(v6).toEqual(expect.arrayContaining(['listen=NO', 'listen_ipv6=YES', 'listen_address6=2001:db8:10::1']));
  });
});

describe('vsftpd like the simulated server', () => {
  const b = downloadSession('s', 'active', 50000).serverBehaviour;
  const setup = { address: ip('192.168.10.1'), behaviour: b, rootDir: '/tmp/r', logFile: '/tmp/l', acceptTimeoutSec: 3, connectTimeoutSec: 3 };

  it('offers the passive port the simulation chose, and connects to a third host from an ephemeral port when promiscuous', () => {
    const lines = vsftpdConfig({ ...setup, passivePort: 50021, portPromiscuous: true, pasvPromiscuous: true }).split('\n');
    expect(lines).toEqual(expect.arrayContaining(['pasv_min_port=50021', 'pasv_max_port=50021', 'port_promiscuous=YES', 'pasv_promiscuous=YES', 'connect_from_port_20=NO']));
  });

  it('rewrites the promiscuous connect to the announced port to source port 20 inside the server namespace', () => {
    expect(serverSourceNat(ip('192.168.10.1'), 50001, 20)).toBe(
      'table ip ftpwall_server {\n\tchain postrouting {\n\t\ttype nat hook postrouting priority srcnat; policy accept;\n\t\tip saddr 192.168.10.1 tcp dport 50001 snat to 192.168.10.1:20\n\t}\n}\n',
    );
  });
});

describe('kernel topology plan', () => {
  it('puts each host in the namespace of its interface side, the firewall ends named by the map', () => {
    const { topology, diagnostics } = planTopology(scenario('t', [downloadSession('s', 'passive', 50000)]), IFMAP, 'ftpw-1-1');
    expect(diagnostics).toEqual([]);
    expect(topology.firewall).toBe('ftpw-1-1-fw');
    expect(topology.sides.map((s) => [s.interface, s.device, s.namespace, s.addresses.length, s.unowned.length])).toEqual([
      ['GigabitEthernet2/1/1', 'fw0', 'ftpw-1-1-s0', 1, 0],
      ['GigabitEthernet2/1/10', 'fw1', 'ftpw-1-1-s1', 1, 0],
    ]);
  });

  it('refuses a host behind an interface the map does not know, at the host line, with a suggestion', () => {
    const { diagnostics } = planTopology(scenario('t', [downloadSession('s', 'passive', 50000)]), new Map([['GigabitEthernet2/1/1', 'fw0']]), 'p');
    expect(diagnostics).toEqual([
      {
        severity: 'error',
        message: "host 'server' sits behind interface 'GigabitEthernet2/1/10', which the interface map does not translate",
        span: { file: 'scenarios/t.yaml', line: 4, column: 1, length: 44, lineText: '  server: 192.168.10.1@GigabitEthernet2/1/10' },
        suggestion: "did you mean 'GigabitEthernet2/1/1'?",
      },
    ]);
  });
});

describe('nft counters', () => {
  it('reads packets and bytes of commented rules from nft -j list ruleset', () => {
    const json = JSON.stringify({
      nftables: [
        { metainfo: { version: '1.0.6' } },
        { rule: { family: 'inet', table: 'ftpwall', chain: 'acl4_3000', handle: 4, comment: 'acl 3000 rule 0 rules/seed-active.cfg:4', expr: [{ match: {} }, { counter: { packets: 11, bytes: 687 } }, { return: null }] } },
        { rule: { family: 'inet', table: 'ftpwall', chain: 'forward', handle: 5, expr: [{ accept: null }] } },
      ],
    });
    expect(nftCounters(json)).toEqual([{ chain: 'acl4_3000', comment: 'acl 3000 rule 0 rules/seed-active.cfg:4', packets: 11, bytes: 687 }]);
  });
});
