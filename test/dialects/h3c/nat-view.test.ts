import { describe, expect, it } from 'vitest';
import { formatIp, ipv4 } from '../../../src/net/address.js';
import type { NatRule } from '../../../src/policy/nat.js';
import { briefs, text } from './helpers.js';

/** A NAT rule in one line: `dnat in G1 tcp dst 198.51.100.100:21 → 192.168.10.10:21 (t.cfg:3)`. */
function show(r: NatRule): string {
  const m = r.match;
  const addr = (a: NatRule['match']['src']): string => (a.kind === 'v4' ? formatIp(ipv4(a.addr)) : a.kind);
  const where = r.inInterface ? `in ${r.inInterface}` : `out ${r.outInterface}`;
  const proto = m.protocol === 6 ? 'tcp' : m.protocol === 17 ? 'udp' : 'ip';
  const port = m.dstPort ? `:${m.dstPort.operands[0]}` : '';
  const to = `${r.toAddr?.lo}${r.toPorts ? `:${r.toPorts[0]}` : ''}`;
  return `${r.kind} ${where} ${proto} src ${addr(m.src)} dst ${addr(m.dst)}${port} → ${to} (${r.at.file}:${r.at.line})`;
}

describe('H3C NAT commands', () => {
  it('reads nat server (DNAT on the interface it is configured on) and Easy IP nat outbound (SNAT to the interface address)', () => {
    const p = text(
      [
        'interface GigabitEthernet1/0/1',
        ' ip address 198.51.100.1 255.255.255.0',
        ' nat server protocol tcp global 198.51.100.100 ftp inside 192.168.10.10 21',
        ' nat outbound',
        '#',
      ].join('\n'),
    );
    expect(briefs(p).filter((b) => !b.includes('info'))).toEqual([]);
    expect(p.value.nat!.map(show)).toEqual([
      'dnat in GigabitEthernet1/0/1 tcp src any dst 198.51.100.100:21 → 192.168.10.10:21 (t.cfg:3)',
      'snat out GigabitEthernet1/0/1 ip src any dst any → 198.51.100.1 (t.cfg:4)',
    ]);
    expect(p.value.natFtpAlg).toBeUndefined(); // the ALG keeps its default (on)
  });

  it('reads nat outbound with a basic ACL as one SNAT rule per permit rule, and nat static outbound on interfaces with nat static enable, static first', () => {
    const p = text(
      [
        'acl basic 2000',
        ' rule permit source 192.168.10.0 0.0.0.255',
        '#',
        'interface GigabitEthernet1/0/1',
        ' ip address 198.51.100.1 255.255.255.0',
        ' nat outbound 2000',
        ' nat static enable',
        '#',
        'nat static outbound 192.168.10.30 198.51.100.30',
        '#',
      ].join('\n'),
    );
    expect(p.value.nat!.map(show)).toEqual([
      'dnat in GigabitEthernet1/0/1 ip src any dst 198.51.100.30 → 192.168.10.30 (t.cfg:9)',
      // static before dynamic, whatever the file order
      'snat out GigabitEthernet1/0/1 ip src 192.168.10.30 dst any → 198.51.100.30 (t.cfg:9)',
      'snat out GigabitEthernet1/0/1 ip src 192.168.10.0 dst any → 198.51.100.1 (t.cfg:6)',
    ]);
  });

  it('undo nat alg ftp (or all) turns the FTP ALG off; a later nat alg ftp turns it on again; other ALGs do not matter', () => {
    expect(text('undo nat alg ftp\n').value.natFtpAlg).toBe(false);
    expect(text('undo nat alg all\n').value.natFtpAlg).toBe(false);
    expect(text('undo nat alg ftp\nnat alg ftp\n').value.natFtpAlg).toBe(true);
    expect(text('undo nat alg dns\n').value.natFtpAlg).toBeUndefined();
  });

  it.each([
    [' nat server protocol icmp global 198.51.100.100 inside 192.168.10.10', "3:22 error: expected 'tcp' or 'udp' after 'nat server protocol', got 'icmp'"],
    [' nat server protocol tcp global 198.51.100.100 21 21 inside 192.168.10.10', "3:51 error: expected 'inside' after the global port, got '21' (port ranges are not supported)"],
    [' nat server protocol tcp global 198.51.100.300 21 inside 192.168.10.10 21', "3:33 error: expected an IPv4 address after 'global', got '198.51.100.300'"],
    [' nat outbound 2000 address-group 1', "3:20 error: 'nat outbound … address-group' is not supported by ftpwall: it reads Easy IP ('nat outbound [ACL]') only"],
    [' nat inbound 2000 address-group 1', "3:6 error: 'nat inbound' in an interface view is not supported by ftpwall (ftpwall reads 'nat server protocol …', 'nat outbound [ACL]' and 'nat static enable')"],
  ])('reports %s with its position', (line, expected) => {
    const p = text(['interface GigabitEthernet1/0/1', ' ip address 198.51.100.1 255.255.255.0', line, '#'].join('\n'));
    expect(briefs(p).filter((b) => b.includes('error'))).toEqual([expected]);
  });

  it('refuses nat outbound on an interface without an ip address, with a suggestion', () => {
    const p = text(['interface GigabitEthernet1/0/1', ' nat outbound', '#'].join('\n'));
    expect(briefs(p)).toEqual(["2:2 error: 'nat outbound' on GigabitEthernet1/0/1 translates to the interface's address, but the interface has no 'ip address' (add 'ip address A MASK' under 'interface GigabitEthernet1/0/1')"]);
  });
});
