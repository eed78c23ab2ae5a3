import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/dialects/load.js';
import { formatIp } from '../../src/net/address.js';
import { defaultClients, discoverServers, openFamilies } from '../../src/probe/discover.js';
import { InputProblems } from '../../src/cli/io.js';
import { prepareProbe } from '../../src/cli/probe.js';
import { flags } from './helpers.js';

function load(file: string) {
  const text = readFileSync(file, 'utf8');
  return { text, policy: parseConfig(text, file).value };
}

describe('finding FTP servers and clients in a config', () => {
  it('takes the server from a rule for port 21 and places it behind the interface whose inbound ACL names it as source', () => {
    const { text, policy } = load('rules/seed-passive.cfg');
    const { servers } = discoverServers(policy, text);
    expect(servers.map((s) => [formatIp(s.address), s.interface, s.origin])).toEqual([['192.168.10.1', 'GigabitEthernet2/1/10', 'acl 3000 rule 0 (rules/seed-passive.cfg:6)']]);
  });

  it('places a server named as destination of an inbound client-side ACL on another interface', () => {
    const { text, policy } = load('rules/stateful.cfg');
    const { servers } = discoverServers(policy, text);
    expect(servers.map((s) => [formatIp(s.address), s.interface])).toEqual([['192.168.10.1', 'GigabitEthernet2/1/10']]);
  });

  it("finds a server known only from 'nat server … 21 inside ADDR 21'", () => {
    const { text, policy } = load('test/fixtures/probe/nat-server.cfg');
    const { servers } = discoverServers(policy, text);
    expect(servers.map((s) => [formatIp(s.address), s.interface, s.origin])).toEqual([['192.168.10.5', 'GigabitEthernet2/1/10', 'nat server (test/fixtures/probe/nat-server.cfg:3)']]);
  });

  it('picks one representative client address per other interface, one that no rule names', () => {
    const { text, policy } = load('rules/seed-active.cfg');
    const server = discoverServers(policy, text).servers[0]!;
    expect(defaultClients(policy, server, 4).map((c) => [formatIp(c.address), c.interface, c.any])).toEqual([['10.0.0.2', 'GigabitEthernet2/1/1', true]]);
  });

  it('finds no open family where both are filtered', () => {
    const { policy } = load('rules/current-config-dump.cfg');
    expect(openFamilies(policy).every((o) => o.filtered !== o.open)).toBe(true);
  });
});

describe('probe options', () => {
  it('takes --server ADDR@IFACE and --client ADDR@IFACE as given', () => {
    const p = prepareProbe(flags('rules/seed-active.cfg', { server: ['192.168.10.7@GigabitEthernet2/1/10'], client: ['10.9.9.9@GigabitEthernet2/1/1'] }));
    expect(p.request.servers.map((s) => [formatIp(s.address), s.interface, s.origin])).toEqual([['192.168.10.7', 'GigabitEthernet2/1/10', '--server']]);
    expect(p.request.clients.map((c) => [formatIp(c.address), c.interface, c.any])).toEqual([['10.9.9.9', 'GigabitEthernet2/1/1', false]]);
  });

  it('refuses a bad address, an unknown interface, a bad range and an unknown profile, all at once', () => {
    let problems: string[] = [];
    try {
      prepareProbe(flags('rules/seed-active.cfg', { server: ['192.168.10.300'], client: ['10.0.0.2@GigabitEthernet2/1/11'], passivePorts: '50100-50000', clientProfile: ['crul'] }));
    } catch (e) {
      problems = (e as InputProblems).diagnostics.map((d) => `${d.message}${d.suggestion ? ` (${d.suggestion})` : ''}`);
    }
    expect(problems).toEqual([
      "--client-profile 'crul': no such profile (known: curl, lftp, filezilla, windows-ftp, browser) (did you mean 'curl'?)",
      "--passive-ports '50100-50000': expected LO-HI with 1 <= LO <= HI <= 65535 (e.g. '--passive-ports 50000-50100')",
      "--server '192.168.10.300': '192.168.10.300' is not an IP address (e.g. '--server 192.168.10.1@GigabitEthernet2/1/10')",
      "--client '10.0.0.2@GigabitEthernet2/1/11': the config has no interface 'GigabitEthernet2/1/11' (did you mean 'GigabitEthernet2/1/1'?)",
    ]);
  });
});
