import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../src/diag/diagnostic.js';
import { exportIptables } from '../../src/export/iptables.js';
import { exportNft } from '../../src/export/nft.js';
import { defaultInterfaceMap, policyInterfaces } from '../../src/export/interface-map.js';
import type { Policy } from '../../src/policy/model.js';
import type { NatRule } from '../../src/policy/nat.js';
import { PROTO_TCP } from '../../src/net/packet.js';
import { loadPolicy } from '../helpers/run.js';
import { at, port, rule } from '../helpers/build.js';
import { checkerUnavailable, runChecker } from './check.js';

/** Rule and declaration lines (comments and blank lines dropped). */
function body(text: string): string[] {
  return text.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#'));
}

function options(p: Policy) {
  return { interfaceMap: defaultInterfaceMap(policyInterfaces(p)), stateful: true };
}

/** The lines of one nft chain, from its `chain NAME {` to its closing brace. */
function chain(text: string, name: string): string[] {
  const lines = body(text);
  const start = lines.indexOf(`\tchain ${name} {`);
  if (start < 0) return [];
  return lines.slice(start, lines.indexOf('\t}', start) + 1);
}

describe('NAT in the nft export', () => {
  it("translates 'nat server' into DNAT before routing on the outside interface, the helper attached as without NAT", () => {
    const p = loadPolicy('rules/nat-server.cfg');
    const r = exportNft(p, options(p));
    expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(chain(r.value, 'nat_prerouting')).toEqual([
      '\tchain nat_prerouting {',
      '\t\ttype nat hook prerouting priority dstnat; policy accept;',
      '\t\tiifname "fw0" ip daddr 198.51.100.100 tcp dport 21 counter dnat ip to 192.168.10.10:21 comment "nat server protocol tcp global 198.51.100.100 21 inside 192.168.10.10 21 rules/nat-server.cfg:24"',
      '\t}',
    ]);
    expect(chain(r.value, 'ftp_helper_prerouting')).toContain('\t\tiifname "fw0" tcp dport 21 ct helper set "ftp-21" comment "inspect ftp port 21 inbound on GigabitEthernet2/1/1 rules/nat-server.cfg:26"');
    expect(r.value).not.toContain('ct mark set ct mark | 0x00000002');
  });

  it("translates Easy IP ('nat outbound') into SNAT to the interface's own address after routing", () => {
    const p = loadPolicy('rules/nat-outbound.cfg');
    const r = exportNft(p, options(p));
    expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(chain(r.value, 'nat_postrouting')).toEqual([
      '\tchain nat_postrouting {',
      '\t\ttype nat hook postrouting priority srcnat; policy accept;',
      '\t\toifname "fw0" meta nfproto ipv4 counter snat ip to 198.51.100.1 comment "nat outbound rules/nat-outbound.cfg:24"',
      '\t}',
    ]);
  });

  it("with 'undo nat alg ftp' marks NATed connections and attaches the helper only to unmarked candidates, before source NAT", () => {
    const p = loadPolicy('rules/nat-outbound-no-alg.cfg');
    const r = exportNft(p, options(p));
    expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(chain(r.value, 'ftp_helper_prerouting')).toEqual([
      '\tchain ftp_helper_prerouting {',
      '\t\ttype filter hook prerouting priority filter; policy accept;',
      '\t\tiifname "fw1" tcp dport 21 ct mark set ct mark | 0x00000004 comment "inspect ftp port 21 inbound on GigabitEthernet2/1/10 rules/nat-outbound-no-alg.cfg:29"',
      '\t}',
    ]);
    expect(chain(r.value, 'ftp_helper_postrouting')).toEqual([
      '\tchain ftp_helper_postrouting {',
      '\t\ttype filter hook postrouting priority filter; policy accept;',
      '\t\tct state new oifname "fw0" meta nfproto ipv4 ct mark set ct mark | 0x00000002 comment "no FTP ALG: NATed by nat outbound rules/nat-outbound-no-alg.cfg:22"',
      '\t\tct state new ct mark & 0x00000006 == 0x00000004 ct helper set "ftp-21" comment "undo nat alg ftp: the FTP helper only on control connections NAT does not translate"',
      '\t}',
    ]);
    expect(r.value).not.toMatch(/iifname "fw1" tcp dport 21 ct helper set/);
  });

  it("with 'undo nat alg ftp' marks what 'nat server' translates before DNAT runs (mangle priority)", () => {
    const p = loadPolicy('rules/nat-server-no-alg.cfg');
    const r = exportNft(p, options(p));
    expect(chain(r.value, 'ftp_nat_mark_prerouting')).toEqual([
      '\tchain ftp_nat_mark_prerouting {',
      '\t\ttype filter hook prerouting priority mangle; policy accept;',
      '\t\tct state new iifname "fw0" ip daddr 198.51.100.100 tcp dport 21 ct mark set ct mark | 0x00000002 comment "no FTP ALG: NATed by nat server protocol tcp global 198.51.100.100 21 inside 192.168.10.10 21 rules/nat-server-no-alg.cfg:22"',
      '\t}',
    ]);
  });

  it('writes masquerade and redirect with their port ranges, and refuses NAT of locally generated packets', () => {
    const base = loadPolicy('rules/nat-outbound.cfg');
    const m = rule(0, 'permit', { protocol: PROTO_TCP, dstPort: port.eq(21) });
    const mk = (kind: NatRule['kind'], hook: NatRule['hook'], extra: Partial<NatRule>): NatRule => ({ kind, hook, match: m, at: at(40, ` ${kind} line`, 'nat.rules'), ...extra });
    const p: Policy = {
      ...base,
      nat: [
        mk('redirect', 'prerouting', { inInterface: 'GigabitEthernet2/1/10', toPorts: [8021, 8021] }),
        mk('masquerade', 'postrouting', { outInterface: 'GigabitEthernet2/1/1', toPorts: [1024, 65535] }),
      ],
    };
    const r = exportNft(p, options(p));
    expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(r.value).toContain('\t\tiifname "fw1" meta nfproto ipv4 tcp dport 21 counter redirect to :8021 comment "redirect line nat.rules:40"');
    expect(r.value).toContain('\t\toifname "fw0" meta nfproto ipv4 tcp dport 21 counter masquerade to :1024-65535 comment "masquerade line nat.rules:40"');
    if (checkerUnavailable === undefined) expect(runChecker('nft', r.value)).toEqual({ ok: true, output: '' });
    const ipt = exportIptables(p, { ...options(p), family: 4 });
    expect(body(ipt.value)).toContain('-A POSTROUTING -o fw0 -p tcp -m tcp --dport 21 -m comment --comment "masquerade line nat.rules:40" -j MASQUERADE --to-ports 1024-65535');
    const out = exportNft({ ...base, nat: [mk('dnat', 'output', { toAddr: { family: 4, lo: '10.0.0.1', hi: '10.0.0.1' } })] }, options(base));
    expect(out.value).toBe('');
    expect(out.diagnostics.filter((d) => d.severity === 'error').map((d) => formatDiagnostic(d).split('\n')[0])).toEqual([
      'nat.rules:40:1: error: cannot export DNAT of locally generated packets (output): the exports filter forwarded traffic only',
    ]);
  });

  describe.skipIf(checkerUnavailable !== undefined)('accepted by the kernel (nft -c in a throwaway namespace)', () => {
    for (const config of ['rules/nat-server.cfg', 'rules/nat-server-no-alg.cfg', 'rules/nat-outbound.cfg', 'rules/nat-outbound-no-alg.cfg'])
      it(config, () => {
        const p = loadPolicy(config);
        const r = runChecker('nft', exportNft(p, options(p)).value);
        expect(r.output).toBe('');
        expect(r.ok).toBe(true);
      });
  });
});

describe('NAT in the iptables export', () => {
  it("puts 'nat server' in the nat table's PREROUTING chain", () => {
    const p = loadPolicy('rules/nat-server.cfg');
    const r = exportIptables(p, { ...options(p), family: 4 });
    expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const lines = body(r.value);
    const nat = lines.slice(lines.indexOf('*nat'), lines.indexOf('COMMIT', lines.indexOf('*nat')) + 1);
    expect(nat).toEqual([
      '*nat',
      ':PREROUTING ACCEPT [0:0]',
      ':INPUT ACCEPT [0:0]',
      ':OUTPUT ACCEPT [0:0]',
      ':POSTROUTING ACCEPT [0:0]',
      '-A PREROUTING -i fw0 -d 198.51.100.100/32 -p tcp -m tcp --dport 21 -m comment --comment "nat server protocol tcp global 198.51.100.100 21 inside 192.168.10.10 21 rules/nat-server.cfg:24" -j DNAT --to-destination 192.168.10.10:21',
      'COMMIT',
    ]);
    if (checkerUnavailable === undefined) expect(runChecker('iptables-restore', r.value).ok).toBe(true);
  });

  it("with 'undo nat alg ftp' leaves destination-NATed connections without the helper in the raw table", () => {
    const p = loadPolicy('rules/nat-server-no-alg.cfg');
    const r = exportIptables(p, { ...options(p), family: 4 });
    const lines = body(r.value);
    const i = lines.indexOf('*raw');
    expect(lines.slice(i + 3, i + 5)).toEqual([
      '-A PREROUTING -i fw0 -d 198.51.100.100/32 -p tcp -m tcp --dport 21 -m comment --comment "no FTP ALG: no helper on what nat server protocol tcp global 198.51.100.100 21 inside 192.168.10.10 21 rules/nat-server-no-alg.cfg:22 translates" -j RETURN',
      '-A PREROUTING -i fw0 -p tcp -m tcp --dport 21 -m comment --comment "inspect ftp port 21 inbound on GigabitEthernet2/1/1 rules/nat-server-no-alg.cfg:24" -j CT --helper ftp',
    ]);
  });

  it('leaves IPv4 NAT out of the ip6tables export (no nat table, no IPv4 conditions in raw)', () => {
    for (const config of ['rules/nat-server.cfg', 'rules/nat-server-no-alg.cfg', 'rules/nat-outbound-no-alg.cfg']) {
      const p = loadPolicy(config);
      const r = exportIptables(p, { ...options(p), family: 6 });
      expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
      expect(r.value).not.toContain('*nat');
      expect(r.value).not.toMatch(/198\.51\.100|192\.168\.10/);
      if (checkerUnavailable === undefined) expect(runChecker('ip6tables-restore', r.value).ok).toBe(true);
    }
  });

  it("refuses 'undo nat alg ftp' with source NAT, located at the NAT line: the raw table runs before routing", () => {
    const p = loadPolicy('rules/nat-outbound-no-alg.cfg');
    const r = exportIptables(p, { ...options(p), family: 4 });
    expect(r.value).toBe('');
    const errors = r.diagnostics.filter((d) => d.severity === 'error');
    expect(errors.map((d) => `${d.span?.file}:${d.span?.line}:${d.span?.column}`)).toEqual(['rules/nat-outbound-no-alg.cfg:22:2']);
    expect(errors[0]!.message).toContain('the nft export can');
  });
});
