import { describe, expect, it } from 'vitest';
import { ipv4 } from '../../../src/net/address.js';
import { formatDiagnostic } from '../../../src/diag/diagnostic.js';
import { detectDialect, parseConfig } from '../../../src/dialects/load.js';
import { unsimulatedParts } from '../../../src/engine/unsimulated.js';
import { createStaticFirewall } from '../../../src/engine/static.js';
import { createStatefulFirewall } from '../../../src/engine/stateful/firewall.js';
import { TCP_ACK, TCP_SYN, type Packet } from '../../../src/net/packet.js';

const RULESET = `table inet fw {
	ct helper ftp-std {
		type "ftp" protocol tcp
		l3proto inet
	}

	set servers {
		type ipv4_addr
		flags interval
		elements = { 192.168.10.1, 192.168.20.0/24,
			     192.168.30.5-192.168.30.9 }
	}

	chain pre {
		type filter hook prerouting priority filter; policy accept;
		iifname "lan0" tcp dport 21 ct helper set "ftp-std"
	}

	chain fwd {
		type filter hook forward priority filter; policy drop;
		ct state established,related counter packets 3 bytes 180 accept
		iifname "lan*" goto from_lan
	}

	chain from_lan {
		ip daddr @servers tcp dport { 21, 2100-2199 } accept comment "ftp"
		tcp dport > 60000 drop
		ip6 saddr 2001:db8::/32 accept
	}
}
`;

function tcp(src: string, dst: string, sport: number, dport: number, flags: number): Packet {
  const ip = (s: string) => ipv4(s.split('.').reduce((a, b) => a * 256 + Number(b), 0));
  return { src: ip(src), dst: ip(dst), proto: 6, srcPort: sport, dstPort: dport, tcpFlags: flags, seq: 1000, ack: flags & TCP_ACK ? 5000 : 0, window: 65535, payload: new Uint8Array(0), fragment: 'none' };
}

function errorsOf(text: string): string[] {
  return parseConfig(text, 'fw.nft').diagnostics.filter((d) => d.severity === 'error').map((d) => formatDiagnostic(d).split('\n')[0]!);
}

describe('reading an nft ruleset', () => {
  it('is detected from the content', () => {
    expect(detectDialect(RULESET)).toBe('nft');
  });

  it('builds base chains with hook, priority and policy, and resolves the ct helper object to its type', () => {
    const { value, diagnostics } = parseConfig(RULESET, 'fw.nft');
    expect(diagnostics).toEqual([]);
    expect(value.ruleset!.chains.map((c) => `${c.family} ${c.table} ${c.name} ${c.hook ?? '-'} ${c.priority ?? '-'} ${c.policy ?? '-'} ${c.rules.length}`)).toEqual([
      'inet fw pre prerouting 0 accept 1',
      'inet fw fwd forward 0 drop 2',
      'inet fw from_lan - - - 3',
    ]);
    expect(value.ruleset!.chains[0]!.rules[0]!.target).toEqual({ kind: 'ct-helper', helper: 'ftp' });
  });

  it('walks named sets with ranges, anonymous port sets, port comparisons, goto and the policy', () => {
    const fw = createStaticFirewall(parseConfig(RULESET, 'fw.nft').value);
    const ctx = { n: 1, nowMs: 0, ingress: 'lan1', egress: 'srv0' };
    const action = (p: Packet) => fw.step(p, ctx).verdict.action;
    expect(action(tcp('10.0.0.2', '192.168.30.7', 40000, 2150, TCP_SYN))).toBe('permit');
    expect(action(tcp('10.0.0.2', '192.168.20.9', 40000, 21, TCP_SYN))).toBe('permit');
    expect(action(tcp('10.0.0.2', '192.168.30.10', 40000, 21, TCP_SYN))).toBe('deny');
    // goto: falling off from_lan does not come back to fwd, the base chain's policy decides
    expect(fw.step(tcp('10.0.0.2', '192.168.40.1', 40000, 22, TCP_SYN), ctx).verdict).toMatchObject({ action: 'deny', by: { kind: 'netfilter', reason: 'policy', chain: 'fwd' } });
    expect(fw.step(tcp('10.0.0.2', '192.168.40.1', 40000, 60001, TCP_SYN), ctx).verdict).toMatchObject({ action: 'deny', by: { reason: 'rule', chain: 'from_lan', rule: 2 } });
  });

  it('attaches the helper named by the object, and passes the reply as established', () => {
    const fw = createStatefulFirewall(parseConfig(RULESET, 'fw.nft').value);
    expect(fw.step(tcp('10.0.0.2', '192.168.10.1', 40000, 21, TCP_SYN), { n: 1, nowMs: 0, ingress: 'lan0', egress: 'srv0' }).verdict.action).toBe('permit');
    expect(fw.connections().map((c) => c.helper)).toEqual(['ftp']);
    expect(fw.step(tcp('192.168.10.1', '10.0.0.2', 21, 40000, TCP_SYN | TCP_ACK), { n: 2, nowMs: 1, ingress: 'srv0', egress: 'lan0' }).verdict).toMatchObject({ action: 'permit', by: { chain: 'fwd', rule: 1 } });
  });

  it('does not attach a helper from a chain that runs before conntrack (nft_ct_helper_obj_eval finds no entry there)', () => {
    const raw = RULESET.replace('type filter hook prerouting priority filter;', 'type filter hook prerouting priority raw;');
    const fw = createStatefulFirewall(parseConfig(raw, 'fw.nft').value);
    fw.step(tcp('10.0.0.2', '192.168.10.1', 40000, 21, TCP_SYN), { n: 1, nowMs: 0, ingress: 'lan0', egress: 'srv0' });
    expect(fw.connections().map((c) => c.helper)).toEqual([undefined]);
  });

  it('says where a rule is wrong', () => {
    const chain = (rule: string) => `table ip t {\n\tchain c {\n\t\ttype filter hook forward priority 0; policy accept;\n\t\t${rule}\n\t}\n}\n`;
    expect(errorsOf(chain('meta mark 0x1 drop'))).toEqual(["fw.nft:4:3: error: 'meta' is not simulated (see the README for the nft syntax ftpwall reads)"]);
    expect(errorsOf(chain('ct helper set "nope"'))).toEqual(["fw.nft:4:17: error: no ct helper object named 'nope' in table t"]);
    expect(errorsOf(chain('ip saddr @nosuch drop'))).toEqual(["fw.nft:4:12: error: no set named 'nosuch' in this table"]);
    expect(errorsOf(chain('jump nowhere'))).toEqual(["fw.nft:4:8: error: no chain named 'nowhere' in table ip t"]);
    expect(errorsOf(chain('tcp dport vmap @ports'))).toEqual(['fw.nft:4:18: error: named verdict maps are not simulated (write the elements inline)']);
    expect(errorsOf('table bridge b {\n}\n')).toEqual(['fw.nft:1:7: error: tables of family bridge are not simulated (ftpwall reads inet, ip and ip6 tables)']);
  });

  it('expands verdict maps into one rule per element: ct state and port keys', () => {
    const text = `table ip t {\n\tchain c {\n\t\ttype filter hook forward priority 0; policy drop;\n\t\tct state vmap { established : accept, related : accept, invalid : drop }\n\t\ttcp dport vmap { 21 : accept, 2000-2999 : jump high, 22 : drop }\n\t}\n\tchain high {\n\t\ttcp dport 2100 accept\n\t}\n}\n`;
    const { value, diagnostics } = parseConfig(text, 'v.nft');
    expect(diagnostics).toEqual([]);
    expect(value.ruleset!.chains[0]!.rules.map((r) => r.target.kind)).toEqual(['accept', 'accept', 'drop', 'accept', 'jump', 'drop']);
    const fw = createStatefulFirewall(value);
    const ctx = (n: number, ingress: string, egress: string) => ({ n, nowMs: n, ingress, egress });
    expect(fw.step(tcp('10.0.0.2', '192.0.2.1', 40000, 2100, TCP_SYN), ctx(1, 'a', 'b')).verdict.action).toBe('permit');
    expect(fw.step(tcp('10.0.0.2', '192.0.2.1', 40001, 2200, TCP_SYN), ctx(2, 'a', 'b')).verdict).toMatchObject({ action: 'deny', by: { reason: 'policy', chain: 'c' } });
    expect(fw.step(tcp('192.0.2.1', '10.0.0.2', 2100, 40000, TCP_SYN | TCP_ACK), ctx(3, 'b', 'a')).verdict).toMatchObject({ action: 'permit', by: { chain: 'c', rule: 1 } });
    // a SYN-ACK that matches no connection is invalid: the map drops it
    expect(fw.step(tcp('192.0.2.1', '10.0.0.2', 21, 40009, TCP_SYN | TCP_ACK), ctx(4, 'b', 'a')).verdict).toMatchObject({ action: 'deny', by: { chain: 'c', rule: 3 } });
  });

  it('reads dnat, snat and masquerade into NAT rules; the engine refuses only the address range, whose address the kernel picks by a hash', () => {
    const text = `table ip nat {\n\tchain prerouting {\n\t\ttype nat hook prerouting priority dstnat; policy accept;\n\t\tiifname "wan0" tcp dport 21 dnat to 192.168.10.1:21\n\t}\n\tchain postrouting {\n\t\ttype nat hook postrouting priority srcnat; policy accept;\n\t\toifname "wan0" masquerade\n\t\tip saddr 10.0.0.0/24 snat to 198.51.100.1-198.51.100.4\n\t}\n}\n`;
    const { value, diagnostics } = parseConfig(text, 'nat.nft');
    expect(diagnostics).toEqual([]);
    expect(value.nat!.map((r) => [r.kind, r.hook, r.toAddr ? `${r.toAddr.lo}-${r.toAddr.hi}` : '-', r.toPorts ?? '-'])).toEqual([
      ['dnat', 'prerouting', '192.168.10.1-192.168.10.1', [21, 21]],
      ['masquerade', 'postrouting', '-', '-'],
      ['snat', 'postrouting', '198.51.100.1-198.51.100.4', '-'],
    ]);
    expect(unsimulatedParts(value).map((d) => `${d.span!.line}:${d.span!.column} ${d.message.slice(0, 40)}`)).toEqual(['9:3 SNAT to the address range 198.51.100.1-1']);
  });

  it('refuses a NAT statement in a filter chain, as nft does', () => {
    const text = `table inet t {\n\tchain fwd {\n\t\ttype filter hook forward priority filter; policy accept;\n\t\ttcp dport 21 dnat ip to 192.168.10.1\n\t}\n}\n`;
    const { value, diagnostics } = parseConfig(text, 'f.nft');
    expect(diagnostics).toEqual([]);
    expect(unsimulatedParts(value).map((d) => `${d.span!.line}:${d.span!.column} ${d.message}`)).toEqual(['4:3 a NAT statement in chain fwd, which is not a nat chain: the kernel refuses it']);
  });
});
