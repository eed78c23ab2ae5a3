import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../src/diag/diagnostic.js';
import { parseIp } from '../../src/net/address.js';
import { checkInterfaces, completeTopology, describeTopology, locate, makeTopology, parseInsideOption, parseTopologyFile, serverInterface } from '../../src/replay/index.js';
import { bundledPolicy } from './helpers.js';
import { parsePrefixForTest } from './topology-fixtures.js';

const ip = (t: string) => parseIp(t)!;

describe('--inside PREFIX@INTERFACE', () => {
  it('reads IPv4 and IPv6 prefixes and bare addresses', () => {
    expect(parseInsideOption('192.168.10.0/24@GigabitEthernet2/1/10').value).toMatchObject({ prefix: { prefixLen: 24 }, iface: 'GigabitEthernet2/1/10' });
    expect(parseInsideOption('2001:db8:10::/64@Gi1').value).toMatchObject({ prefix: { addr: { family: 6 }, prefixLen: 64 }, iface: 'Gi1' });
    expect(parseInsideOption('10.0.0.1@Gi1').value?.prefix.prefixLen).toBe(32);
  });

  it('says what is wrong with a bad value', () => {
    expect(parseInsideOption('192.168.10.0/24').diagnostics.map((d) => formatDiagnostic(d))).toEqual([
      "error: --inside '192.168.10.0/24': expected PREFIX@INTERFACE (e.g. --inside 192.168.10.0/24@GigabitEthernet2/1/10)",
    ]);
    expect(parseInsideOption('192.168.10.0/33@Gi1').diagnostics.map((d) => d.message)).toEqual([
      "--inside '192.168.10.0/33@Gi1': '192.168.10.0/33' is not an IPv4 or IPv6 prefix",
    ]);
  });
});

describe('longest-prefix match', () => {
  it('puts an address behind the interface of its longest prefix, else the default', () => {
    const t = makeTopology(
      [
        { prefix: parsePrefixForTest('10.0.0.0/8'), iface: 'A', origin: 't' },
        { prefix: parsePrefixForTest('10.1.0.0/16'), iface: 'B', origin: 't' },
        { prefix: parsePrefixForTest('2001:db8::/32'), iface: 'C', origin: 't' },
        { prefix: parsePrefixForTest('2001:db8:0:1::/64'), iface: 'D', origin: 't' },
      ],
      'OUT',
    );
    expect(locate(t, ip('10.1.2.3'))).toBe('B');
    expect(locate(t, ip('10.2.2.3'))).toBe('A');
    expect(locate(t, ip('11.0.0.1'))).toBe('OUT');
    expect(locate(t, ip('2001:db8:0:1::5'))).toBe('D');
    expect(locate(t, ip('2001:db8:0:2::5'))).toBe('C');
    expect(locate(t, ip('2001:db9::1'))).toBe('OUT');
    expect(locate(makeTopology([], undefined), ip('1.2.3.4'))).toBeUndefined();
  });
});

describe('topology file', () => {
  it('reads interface → prefixes with a default', () => {
    const r = parseTopologyFile('GigabitEthernet2/1/10: [192.168.10.0/24, "2001:db8:10::/64"]\nGigabitEthernet2/1/1: default\n', 'topo.yaml');
    expect(r.diagnostics).toEqual([]);
    // entries are kept longest prefix first, the order they are matched in
    expect(describeTopology(r.value!)).toBe('2001:db8:10::/64, 192.168.10.0/24 on GigabitEthernet2/1/10; everything else on GigabitEthernet2/1/1');
  });

  it('locates a bad prefix with line, column and caret, and suggests `default`', () => {
    const r = parseTopologyFile('Gi1: [192.168.10.0/24]\nGi2: [defualt]\n', 'topo.yaml');
    expect(r.value).toBeUndefined();
    expect(r.diagnostics.map((d) => formatDiagnostic(d))).toEqual([
      "topo.yaml:2:7: error: 'defualt' is not an IPv4 or IPv6 prefix (did you mean 'default'?)\n 2 | Gi2: [defualt]\n   |       ^^^^^^^",
    ]);
  });

  it('refuses a file that is not a mapping, and a second default', () => {
    expect(parseTopologyFile('- 10.0.0.0/8\n', 't.yaml').diagnostics.map((d) => d.message)).toEqual([
      'the topology must be a mapping of interface → list of prefixes, not a list',
    ]);
    expect(parseTopologyFile('A: default\nB: default\n', 't.yaml').diagnostics.map((d) => `${d.span?.line}: ${d.message}`)).toEqual([
      "2: 'default' is already given to A",
    ]);
  });

  it('refuses interfaces the config does not have, with the closest name', () => {
    const t = makeTopology([{ prefix: parsePrefixForTest('10.0.0.0/8'), iface: 'GigabitEthernet2/1/11', origin: '--inside 10.0.0.0/8@GigabitEthernet2/1/11' }], 'GigabitEthernet2/1/1');
    const ds = checkInterfaces(t, ['GigabitEthernet2/1/1', 'GigabitEthernet2/1/10']);
    expect(ds.map((d) => formatDiagnostic(d))).toEqual([
      "error: --inside 10.0.0.0/8@GigabitEthernet2/1/11: interface 'GigabitEthernet2/1/11' is not in the config (it has GigabitEthernet2/1/1, GigabitEthernet2/1/10); nothing would filter its packets (did you mean GigabitEthernet2/1/1?)",
    ]);
  });
});

describe('refusing unknown interfaces of a large config', () => {
  it('names the first twelve interfaces of the config and how many more, and still suggests the closest', () => {
    const known = Array.from({ length: 5000 }, (_, k) => `GigabitEthernet1/0/${k + 1}`);
    const t = makeTopology([{ prefix: parsePrefixForTest('10.0.0.0/8'), iface: 'GigabitEthernet1/0/50001', origin: '--inside 10.0.0.0/8@GigabitEthernet1/0/50001' }], 'GigabitEthernet1/0/1');
    const [d] = checkInterfaces(t, known);
    expect(d!.message).toBe(
      `--inside 10.0.0.0/8@GigabitEthernet1/0/50001: interface 'GigabitEthernet1/0/50001' is not in the config (it has ${known.slice(0, 12).join(', ')} and 4988 more); nothing would filter its packets`,
    );
    expect(d!.suggestion).toBe('did you mean GigabitEthernet1/0/5000?');
  });
});

describe('guessing the topology', () => {
  it('seed-passive: the server sits behind the one interface with an inbound packet-filter', () => {
    const g = completeTopology(bundledPolicy('seed-passive.cfg'), undefined, [ip('192.168.10.1')]);
    expect(g.message).toBe(
      'topology guessed: 192.168.10.1 inside on GigabitEthernet2/1/10, everything else on GigabitEthernet2/1/1; use --inside to change it',
    );
    expect(locate(g.topology, ip('10.0.0.2'))).toBe('GigabitEthernet2/1/1');
  });

  it('stateful.cfg: ACL 3000 names the server as destination inbound on Gi2/1/1 and ASPF is inbound there, so the server is behind Gi2/1/10', () => {
    expect(serverInterface(bundledPolicy('stateful.cfg'), [ip('192.168.10.1')])).toBe('GigabitEthernet2/1/10');
    // also for a server the rules do not name: ASPF inbound marks the client side
    expect(serverInterface(bundledPolicy('stateful.cfg'), [ip('172.23.0.2')])).toBe('GigabitEthernet2/1/10');
  });

  it('--inside without --outside-interface puts the rest on the other config interface and says so', () => {
    const given = makeTopology([{ prefix: parsePrefixForTest('172.23.0.0/24'), iface: 'GigabitEthernet2/1/10', origin: 't' }], undefined);
    const g = completeTopology(bundledPolicy('seed-active.cfg'), given, []);
    expect(g.topology.defaultIface).toBe('GigabitEthernet2/1/1');
    expect(g.message).toBe('topology: everything not inside on GigabitEthernet2/1/1 (guessed; use --outside-interface to change it)');
  });

  it('a complete topology is taken as given, without a message', () => {
    const given = makeTopology([], 'X');
    expect(completeTopology(bundledPolicy('seed-active.cfg'), given, [])).toEqual({ topology: given, message: undefined });
  });
});
