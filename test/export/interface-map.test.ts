import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../src/diag/diagnostic.js';
import { parseInterfaceMap } from '../../src/export/interface-map.js';

const KNOWN = ['GigabitEthernet2/1/1', 'GigabitEthernet2/1/10'];

describe('--interface-map parsing', () => {
  it('takes the given names and names the other interfaces fw0, fw1, … without reusing a given name', () => {
    const r = parseInterfaceMap(['GigabitEthernet2/1/10=fw0'], KNOWN);
    expect(r.diagnostics).toEqual([]);
    expect([...r.value]).toEqual([
      ['GigabitEthernet2/1/10', 'fw0'],
      ['GigabitEthernet2/1/1', 'fw1'],
    ]);
  });

  it('reads several comma-separated pairs and repeated options', () => {
    const r = parseInterfaceMap(['GigabitEthernet2/1/1=eth0', 'GigabitEthernet2/1/10=eth1'], KNOWN);
    expect([...r.value]).toEqual([
      ['GigabitEthernet2/1/1', 'eth0'],
      ['GigabitEthernet2/1/10', 'eth1'],
    ]);
  });

  it('locates a pair without =, an unknown interface with a suggestion, and a too long Linux name in the option text', () => {
    const r = parseInterfaceMap(['GigabitEthernet2/1/11=eth1,eth0,GigabitEthernet2/1/1=averyveryverylongname'], KNOWN);
    expect(r.diagnostics.map((d) => formatDiagnostic(d))).toEqual([
      "--interface-map:1:1: error: the config does not mention interface 'GigabitEthernet2/1/11' (it mentions: GigabitEthernet2/1/1, GigabitEthernet2/1/10) (did you mean 'GigabitEthernet2/1/1'?)\n 1 | GigabitEthernet2/1/11=eth1,eth0,GigabitEthernet2/1/1=averyveryverylongname\n   | ^^^^^^^^^^^^^^^^^^^^^",
      "--interface-map:1:28: error: 'eth0' has no '=': expected H3C-NAME=linux-name (e.g. eth0=eth1)\n 1 | GigabitEthernet2/1/11=eth1,eth0,GigabitEthernet2/1/1=averyveryverylongname\n   |                            ^^^^",
      "--interface-map:1:54: error: Linux interface name 'averyveryverylongname' for 'GigabitEthernet2/1/1' is not valid (1-15 characters of A-Z a-z 0-9 _ . @ -)\n 1 | GigabitEthernet2/1/11=eth1,eth0,GigabitEthernet2/1/1=averyveryverylongname\n   |                                                      ^^^^^^^^^^^^^^^^^^^^^",
    ]);
  });

  it('refuses one Linux name for two interfaces', () => {
    const r = parseInterfaceMap(['GigabitEthernet2/1/1=eth0,GigabitEthernet2/1/10=eth0'], KNOWN);
    expect(r.diagnostics.map((d) => d.message)).toEqual(["Linux name 'eth0' is given to both 'GigabitEthernet2/1/1' and 'GigabitEthernet2/1/10'"]);
  });
});
