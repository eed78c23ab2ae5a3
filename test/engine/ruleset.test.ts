import { describe, expect, it } from 'vitest';
import { ipv4 } from '../../src/net/address.js';
import { parseConfig } from '../../src/dialects/load.js';
import { FORWARD_PATH } from '../../src/engine/ruleset.js';
import { createStatefulFirewall } from '../../src/engine/stateful/firewall.js';
import { TCP_ACK, TCP_SYN, type Packet } from '../../src/net/packet.js';

function tcp(src: string, dst: string, sport: number, dport: number, flags: number): Packet {
  const ip = (s: string) => ipv4(s.split('.').reduce((a, b) => a * 256 + Number(b), 0));
  return { src: ip(src), dst: ip(dst), proto: 6, srcPort: sport, dstPort: dport, tcpFlags: flags, seq: 1000, ack: flags & TCP_ACK ? 5000 : 0, window: 65535, payload: new Uint8Array(0), fragment: 'none' };
}

const CTX = { n: 1, nowMs: 0, ingress: 'a0', egress: 'b0' };

function nft(chains: string): ReturnType<typeof createStatefulFirewall> {
  const { value, diagnostics } = parseConfig(`table inet t {\n${chains}\n}\n`, 't.nft');
  expect(diagnostics).toEqual([]);
  return createStatefulFirewall(value);
}

describe('the walk of a ruleset in hook order', () => {
  it('names the kernel order once: raw, conntrack, mangle, nat PREROUTING, the rest of prerouting, forward, postrouting, nat POSTROUTING, confirm', () => {
    const name = (s: (typeof FORWARD_PATH)[number]): string =>
      s.kind === 'chains' ? `${s.hook} ${s.minPriority}..${s.maxPriority}` : s.kind === 'nat' ? `nat ${s.hook}` : s.kind;
    expect(FORWARD_PATH.map(name)).toEqual([
      'prerouting -Infinity..-201',
      'conntrack',
      'prerouting -200..-101',
      'nat prerouting',
      'prerouting -100..Infinity',
      'forward -Infinity..Infinity',
      'postrouting -Infinity..99',
      'nat postrouting',
      'postrouting 100..2147483646',
      'confirm',
    ]);
  });

  it('an accept ends only its own base chain: a later base chain at the same hook can still drop', () => {
    const fw = nft(`chain early { type filter hook forward priority -10; policy accept; tcp dport 22 accept }\nchain late { type filter hook forward priority 10; policy accept; tcp dport 22 drop }`);
    expect(fw.step(tcp('10.0.0.2', '192.0.2.1', 40000, 22, TCP_SYN), CTX).verdict).toMatchObject({ action: 'deny', by: { chain: 'late', rule: 1 } });
    expect(fw.connections()).toEqual([]); // never confirmed
  });

  it('base chains run by priority, not by their order in the file', () => {
    const fw = nft(`chain second { type filter hook forward priority 10; policy accept; tcp dport 22 accept }\nchain first { type filter hook forward priority -10; policy drop; }`);
    expect(fw.step(tcp('10.0.0.2', '192.0.2.1', 40000, 22, TCP_SYN), CTX).verdict).toMatchObject({ action: 'deny', by: { reason: 'policy', chain: 'first' } });
  });

  it('notrack before conntrack makes the packet untracked: `ct state untracked` matches it and no entry is made', () => {
    const fw = nft(`chain raw { type filter hook prerouting priority raw; policy accept; tcp dport 53 notrack }\nchain fwd { type filter hook forward priority filter; policy drop; ct state untracked accept }`);
    expect(fw.step(tcp('10.0.0.2', '192.0.2.1', 40000, 53, TCP_SYN), CTX).verdict).toMatchObject({ action: 'permit', by: { chain: 'fwd', rule: 1 } });
    expect(fw.connections()).toEqual([]);
    expect(fw.step(tcp('10.0.0.2', '192.0.2.1', 40000, 80, TCP_SYN), CTX).verdict.action).toBe('deny');
  });

  it('a connection mark set by the first packet stays with the connection: its reply matches `ct mark`', () => {
    const fw = nft(
      `chain fwd { type filter hook forward priority filter; policy drop;\n ct state new ct mark set 0x5\n ct mark 0x5 accept }`,
    );
    expect(fw.step(tcp('10.0.0.2', '192.0.2.1', 40000, 21, TCP_SYN), CTX).verdict.action).toBe('permit');
    expect(fw.step(tcp('192.0.2.1', '10.0.0.2', 21, 40000, TCP_SYN | TCP_ACK), { ...CTX, n: 2, ingress: 'b0', egress: 'a0' }).verdict).toMatchObject({ action: 'permit', by: { rule: 2 } });
  });
});
