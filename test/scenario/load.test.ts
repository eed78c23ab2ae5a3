import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import { diagnosticLines, loadScenario } from '../../src/scenario/load.js';
import { ip } from '../helpers/build.js';

const GOOD = `name: passive-download
description: one RETR
seed: 42
hosts:
  client: { address: 10.0.0.2, interface: GigabitEthernet2/1/1 }
  server: { address: 192.168.10.1, interface: GigabitEthernet2/1/10 }
sessions:
  - name: download
    start: 1.5
    client:
      host: client
      mode: passive
      controlPort: 50000
    server:
      host: server
      passivePorts: 50020-50040
    steps:
      - login
      - retr: { file: file.bin, bytes: 10000, split: [7], connectDelaySec: 400 }
      - { wait: 10 }
      - raw: "PORT 10,0,0,99,0,80"
      - quit
`;

/** The one-line diagnostics of `text`. */
function errors(text: string, file = 'bad.yaml'): string[] {
  return diagnosticLines(loadScenario(text, file).diagnostics);
}

describe('a valid scenario', () => {
  test('loads with every value and default in place and no diagnostics', () => {
    const { value, diagnostics } = loadScenario(GOOD, 'scenarios/passive-download.yaml');
    expect(diagnostics).toEqual([]);
    expect(value?.name).toBe('passive-download');
    expect(value?.seed).toBe(42);
    expect(value?.hosts.map((h) => [h.name, h.interface, h.at.line, h.at.column])).toEqual([
      ['client', 'GigabitEthernet2/1/1', 5, 3],
      ['server', 'GigabitEthernet2/1/10', 6, 3],
    ]);
    const s = value!.sessions[0]!;
    expect(s.startMs).toBe(1500);
    expect(s.client.address).toEqual(ip('10.0.0.2'));
    expect(s.clientBehaviour).toEqual({ mode: 'passive', controlPort: 50000, dataPort: 50001, epsvFallback: true, synRetries: 6, initialRtoMs: 1000 });
    expect(s.serverBehaviour).toEqual({
      controlPort: 21,
      passivePorts: [50020, 50040],
      activeSourcePort: 20,
      dataAcceptTimeoutMs: 60000,
      rfc2428: true,
      synRetries: 6,
      initialRtoMs: 1000,
    });
    expect(s.steps.map((x) => x.kind)).toEqual(['login', 'retr', 'wait', 'raw', 'quit']);
    expect(s.steps[0]).toMatchObject({ kind: 'login', user: 'anonymous', password: 'ftp@example.com' });
    expect(s.steps[1]).toMatchObject({ kind: 'retr', file: 'file.bin', bytes: 10000, transfer: { splitCommandAt: [7], connectDelaySec: 400 } });
    expect(s.steps[1]!.at).toMatchObject({ line: 19, column: 9 });
    expect(s.steps[2]).toMatchObject({ kind: 'wait', sec: 10 });
    expect(s.steps[3]).toMatchObject({ kind: 'raw', line: 'PORT 10,0,0,99,0,80' });
  });

  test('takes a bare host name for client and server, and the file name as the scenario name', () => {
    const text = GOOD.replace(/ {4}client:\n {6}host: client\n {6}mode: passive\n {6}controlPort: 50000\n/, '    client: client\n').replace('name: passive-download\n', '');
    const { value, diagnostics } = loadScenario(text, 'scenarios/short.yaml');
    expect(diagnostics).toEqual([]);
    expect(value?.name).toBe('short');
    expect(value?.sessions[0]?.clientBehaviour.mode).toBe('passive');
  });
});

describe('errors carry file:line:col, the message and a suggestion', () => {
  test('an unknown key is an error with the closest known key', () => {
    expect(errors(GOOD.replace('    server:\n', '    srever:\n'))).toEqual([
      "bad.yaml:8:5: error: session 1 is missing 'server'",
      "bad.yaml:14:5: error: unknown key 'srever' in session 1 (did you mean 'server'?)",
    ]);
    expect(errors(GOOD.replace('    client:\n', '    clinet:\n'))).toEqual([
      "bad.yaml:8:5: error: session 1 is missing 'client'",
      "bad.yaml:10:5: error: unknown key 'clinet' in session 1 (did you mean 'client'?)",
    ]);
  });

  test('an unknown top-level key without a close match lists the allowed keys', () => {
    expect(errors(GOOD + 'zzzzzz: 1\n')).toEqual(['bad.yaml:23:1: error: unknown key \'zzzzzz\' in the scenario (allowed: name, description, seed, startTime, expect, interfaces, hosts, sessions)']);
  });

  test('a misspelt mode suggests the mode', () => {
    expect(errors(GOOD.replace('mode: passive', 'mode: pasive'))).toEqual([
      "bad.yaml:12:13: error: mode 'pasive' is not one of active, passive, extended-active, extended-passive (did you mean 'passive'?)",
    ]);
  });

  test('an undefined host name suggests the defined one', () => {
    expect(errors(GOOD.replace('host: server', 'host: srever'))).toEqual([
      "bad.yaml:15:13: error: server host 'srever' is not defined under hosts (did you mean 'server'?)",
    ]);
  });

  test('a port out of range is an error on its value', () => {
    expect(errors(GOOD.replace('controlPort: 50000', 'controlPort: 70000'))).toEqual(['bad.yaml:13:20: error: controlPort 70000 is out of range 1-65535']);
    expect(errors(GOOD.replace('controlPort: 50000', 'controlPort: 0'))).toEqual(['bad.yaml:13:20: error: controlPort 0 is out of range 1-65535']);
  });

  test('a reversed passive range is an error with the range the right way round', () => {
    expect(errors(GOOD.replace('50020-50040', '50040-50020'))).toEqual([
      "bad.yaml:16:21: error: passivePorts 50040-50020 is empty: the first port is above the last (did you mean '50020-50040'?)",
    ]);
  });

  test('an invalid address is an error on the address', () => {
    expect(errors(GOOD.replace('10.0.0.2,', '10.0.0.300,'))).toEqual([
      "bad.yaml:5:22: error: host 'client' address '10.0.0.300' is not an IPv4 or IPv6 address",
    ]);
  });

  test('client and server behind one interface is an error on the server', () => {
    expect(errors(GOOD.replace('interface: GigabitEthernet2/1/10', 'interface: GigabitEthernet2/1/1'))).toEqual([
      "bad.yaml:15:13: error: client 'client' and server 'server' are both behind GigabitEthernet2/1/1: their packets would not cross the firewall",
    ]);
  });

  test('mixed address families are an error', () => {
    expect(errors(GOOD.replace('192.168.10.1', '"2001:db8:10::1"').replace('mode: passive', 'mode: extended-passive'))).toEqual([
      "bad.yaml:15:13: error: client 'client' is IPv4 but server 'server' is IPv6",
    ]);
  });

  test('PASV with IPv6 hosts is an error that suggests EPSV', () => {
    const v6 = GOOD.replace('10.0.0.2', '"2001:db8:1::2"').replace('192.168.10.1', '"2001:db8:10::1"');
    expect(errors(v6)).toEqual([
      "bad.yaml:12:13: error: mode 'passive' cannot be used with IPv6 hosts: PASV/227 carries only IPv4 addresses (RFC 2428) (did you mean 'extended-passive'?)",
    ]);
  });

  test('an unknown step suggests the closest step and a step after quit is an error', () => {
    expect(errors(GOOD.replace('      - login\n', '      - lgoin\n').replace('      - quit\n', '      - quit\n      - list\n'))).toEqual([
      "bad.yaml:18:9: error: unknown step 'lgoin' (did you mean 'login'?)",
      'bad.yaml:23:9: error: a step after quit would never run',
    ]);
  });

  test('split offsets must increase and wait must be a number', () => {
    expect(errors(GOOD.replace('split: [7]', 'split: [7, 3]').replace('{ wait: 10 }', '{ wait: soon }'))).toEqual([
      'bad.yaml:19:58: error: split offsets must increase: 3 after 7',
      "bad.yaml:20:17: error: wait must be a number, not 'soon'",
    ]);
  });

  test('retr without a file says how to write it', () => {
    expect(errors(GOOD.replace('      - retr: { file: file.bin, bytes: 10000, split: [7], connectDelaySec: 400 }\n', '      - retr\n'))).toEqual([
      "bad.yaml:19:9: error: step 'retr' needs a file (write { retr: { file: NAME, bytes: 4096 } })",
    ]);
  });

  test('a data source address on another interface is an error', () => {
    const text = GOOD.replace('      controlPort: 50000\n', '      controlPort: 50000\n      dataSourceAddress: 192.168.10.1\n');
    expect(errors(text)).toEqual([
      "bad.yaml:14:26: error: dataSourceAddress 192.168.10.1 is host 'server' behind GigabitEthernet2/1/10, not behind the client's interface GigabitEthernet2/1/1",
    ]);
  });

  test('broken YAML is reported where the parser stopped', () => {
    expect(errors('hosts: [\nsessions: 3\n')).toEqual([
      'bad.yaml:2:1: error: flow sequence in block collection must be sufficiently indented and end with a ]',
    ]);
  });

  test('a duplicate session name is an error on the second name', () => {
    const text = GOOD + GOOD.slice(GOOD.indexOf('  - name: download'), GOOD.length);
    expect(errors(text)).toEqual(["bad.yaml:23:11: error: session name 'download' is used twice"]);
  });

  test('the span carries the line text and the length of the offending value', () => {
    const d = loadScenario(GOOD.replace('mode: passive', 'mode: pasive'), 'bad.yaml').diagnostics[0]!;
    expect(d.span).toEqual({ file: 'bad.yaml', line: 12, column: 13, length: 6, lineText: '      mode: pasive' });
    expect(d.suggestion).toBe("did you mean 'passive'?");
  });
});

describe('bundled scenarios', () => {
  const dir = resolve(__dirname, '../../scenarios');
  const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'));

  test('are all there', () => {
    expect(files.sort()).toEqual([
      'active-download.yaml',
      'active-upload.yaml',
      'bounce.yaml',
      'control-port-1024.yaml',
      'eprt-download.yaml',
      'epsv-download.yaml',
      'ftps.yaml',
      'ipv6-download.yaml',
      'list-and-two-retr.yaml',
      'nat-active-download.yaml',
      'nat-client-active.yaml',
      'nat-client-passive.yaml',
      'nat-eprt-download.yaml',
      'nat-epsv-download.yaml',
      'nat-passive-download.yaml',
      'nat-passive-skip-pasv-ip.yaml',
      'nat-server-pasv-address.yaml',
      'passive-download.yaml',
      'pasv-wait-100s.yaml',
      'pasv-wait-400s.yaml',
      'privileged-port.yaml',
      'server-announces-other.yaml',
      'split-port.yaml',
      'two-sessions.yaml',
      'unexpected-source.yaml',
    ]);
  });

  test.each(files)('%s loads without diagnostics, named after its file', (f) => {
    const { value, diagnostics } = loadScenario(readFileSync(resolve(dir, f), 'utf8'), `scenarios/${f}`);
    expect(diagnosticLines(diagnostics)).toEqual([]);
    expect(value?.name).toBe(f.replace(/\.yaml$/, ''));
  });
});

describe('interfaces: the firewall\'s own address per interface (MASQUERADE)', () => {
  test('reads each interface and address, located at its name', () => {
    const { value, diagnostics } = loadScenario(GOOD.replace('hosts:\n', 'interfaces:\n  wan0: 198.51.100.1\n  lan0: 192.168.10.254\nhosts:\n'), 'i.yaml');
    expect(diagnostics).toEqual([]);
    expect(value!.interfaces!.map((i) => [i.name, i.address, i.at.line, i.at.column])).toEqual([
      ['wan0', ip('198.51.100.1'), 5, 3],
      ['lan0', ip('192.168.10.254'), 6, 3],
    ]);
  });

  test('a bad address or a list instead of a mapping is a located error', () => {
    expect(errors(GOOD.replace('hosts:\n', 'interfaces:\n  wan0: 198.51.100.300\nhosts:\n'))[0]).toMatch(/^bad\.yaml:5:9: error: .*198\.51\.100\.300/);
    expect(errors(GOOD.replace('hosts:\n', 'interfaces: [wan0]\nhosts:\n'))[0]).toMatch(/^bad\.yaml:4:13: error: interfaces must be a mapping of interface name to the firewall's address on it/);
  });
});
