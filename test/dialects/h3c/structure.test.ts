import { describe, expect, it } from 'vitest';
import { briefs, text } from './helpers.js';

describe('whole configs as the device writes them', () => {
  it('skips banners with any delimiter over many lines as text, counted with the other skipped lines', () => {
    const p = text('header motd %\nWelcome, rule deny ip\n acl number 3000\n%\nheader login #one line#\nheader shell\n$\nbye$\nacl advanced 3000\n rule deny ip\n');
    expect(briefs(p)).toEqual(['1:1 info: skipped 8 lines of unsupported sections: header']);
    expect(p.value.acls.map((a) => a.name)).toEqual(['3000']);
  });

  it('takes the exact interface name: options after it and a trailing comment are not part of it', () => {
    const p = text('acl advanced 3000\n#\ninterface Tunnel0 mode gre\n packet-filter 3000 inbound\n#\ninterface GigabitEthernet 1/0/9    # uplink\n packet-filter 3000 outbound\n');
    expect(p.value.bindings.map((b) => `${b.interface} ${b.direction}`)).toEqual(['Tunnel0 inbound', 'GigabitEthernet1/0/9 outbound']);
    expect(briefs(p)).toEqual([]);
  });

  it('applies the packet filters of an interface range to each member, for `to` spans and comma lists', () => {
    const p = text('acl advanced 3000\ninterface range GigabitEthernet1/0/1 to GigabitEthernet1/0/3, Ten-GigabitEthernet1/0/49 GigabitEthernet1/0/7 to 1/0/8\n packet-filter 3000 inbound\n');
    expect(p.value.bindings.map((b) => b.interface)).toEqual([
      'GigabitEthernet1/0/1',
      'GigabitEthernet1/0/2',
      'GigabitEthernet1/0/3',
      'Ten-GigabitEthernet1/0/49',
      'GigabitEthernet1/0/7',
      'GigabitEthernet1/0/8',
    ]);
    expect(briefs(p)).toEqual([]);
  });

  it('refuses a range whose ends differ in more than the last number', () => {
    expect(briefs(text('interface range GigabitEthernet1/0/1 to GigabitEthernet2/0/4\n'))).toEqual([
      "1:41 error: 'GigabitEthernet1/0/1 to GigabitEthernet2/0/4' is not a range: the names must differ only in their last number, ascending",
    ]);
  });

  it('reports an out-of-range ACL header once and skips its rules silently with it', () => {
    const p = text('acl number 1234\n rule 0 permit ip\n rule 5 deny tcp\n#\nacl advanced 3000\n rule deny ip\n');
    expect(briefs(p)).toEqual([
      '1:12 error: ACL 1234 is not an IPv4 basic (2000-2999) or advanced (3000-3999) ACL (ftpwall simulates only basic and advanced IP ACLs)',
    ]);
    expect(p.value.acls.map((a) => a.name)).toEqual(['3000']);
  });

  it('skips unmodelled interface-view commands (ospf is never a typo of aspf) and reports a typo whose rest parses as the command', () => {
    const p = text(
      'acl advanced 3000\n#\ninterface GigabitEthernet1/0/1\n ospf 1 area 0.0.0.0\n ospf network-type p2p\n port link-type trunk\n stp edged-port\n lldp enable\n qos apply policy p inbound\n pakcet-filter 3000 inbound\n#\nospf 1\n area 0.0.0.0\n#\napsf policy 1\n',
    );
    expect(briefs(p)).toEqual([
      '4:2 info: skipped 8 lines of unsupported sections: interface settings, ospf',
      "10:2 error: unknown command 'pakcet-filter' (did you mean 'packet-filter'?)",
      "15:1 error: unknown command 'apsf' (did you mean 'aspf'?)",
    ]);
  });

  it("keeps typo suggestions inside an ACL view: 'rele deny ip' stays an error", () => {
    expect(briefs(text('acl advanced 3000\n rule deny tcp\n rele deny ip\n'))).toEqual(["3:2 error: unknown command 'rele' (did you mean 'rule'?)"]);
  });

  it('ends a view at a `#` section line of a dump: indented global commands after it are top-level', () => {
    const p = text('acl advanced 3000\n rule deny ip\n#\n ip route-static 0.0.0.0 0 10.0.0.1\n ssh server enable\n#\n rule permit ip\n');
    expect(briefs(p)).toEqual([
      '4:2 info: skipped 2 lines of unsupported sections: ip, ssh',
      "7:2 error: rule outside an ACL view (add an 'acl advanced <number>' line before it)",
    ]);
  });

  it('names the first forty skipped sections of a file of thousands of distinct unknown words and counts the rest', () => {
    // a wrong file (a log, another vendor's dump): every line its own unknown section
    const lines = Array.from({ length: 5000 }, (_, i) => `xq${i}zz ${i}`);
    const p = text(`${lines.join('\n')}\nacl advanced 3000\n rule deny ip\n`);
    const first40 = Array.from({ length: 40 }, (_, i) => `xq${i}zz`).join(', ');
    expect(briefs(p)).toEqual([`1:1 info: skipped 5000 lines of unsupported sections: ${first40} and 4960 more`]);
    expect(p.value.acls.map((a) => a.name)).toEqual(['3000']);
  });
});
