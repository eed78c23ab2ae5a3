/**
 * Jumps between chains, as the kernel checks them at load (nf_tables: nft and iptables-nft). The
 * fuzzer's goto loop (`-A a -g a`) hung the walk for ever; the kernel refuses it ("Too many links"),
 * as it refuses a chain reached through 16 jumps or gotos. The expectations were seen on Linux 6
 * with nft 1.0 and iptables-restore 1.8.9 (nf_tables), and are checked again here when root can
 * make a network namespace. Inputs: test/fuzz-regressions/ruleset-*.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ipv4 } from '../../src/net/address.js';
import { formatDiagnostic } from '../../src/diag/diagnostic.js';
import { parseConfig } from '../../src/dialects/load.js';
import { createStatefulFirewall } from '../../src/engine/stateful/firewall.js';
import { createStaticFirewall } from '../../src/engine/static.js';
import { TCP_SYN, type Packet } from '../../src/net/packet.js';
import { checkerUnavailable } from '../export/check.js';

const DIR = resolve(__dirname, '../fuzz-regressions');
const read = (name: string): string => readFileSync(resolve(DIR, name), 'utf8');
/** Loads the ruleset for real (`--test` and `-c` stop before the kernel's checks) in a throwaway network namespace. */
function load(tool: 'iptables-restore' | 'nft', text: string): { ok: boolean; output: string } {
  const r = spawnSync('unshare', ['--net', tool, ...(tool === 'nft' ? ['-f', '-'] : [])], { input: text, encoding: 'utf8', timeout: 20_000 });
  return { ok: r.status === 0, output: `${r.stdout}${r.stderr}` };
}
const errorsOf = (text: string, file: string): string[] =>
  parseConfig(text, file).diagnostics.filter((d) => d.severity === 'error').map((d) => formatDiagnostic(d).split('\n')[0]!);

function syn(dport: number): Packet {
  return { src: ipv4(0x0a000002), dst: ipv4(0xc0a80a01), proto: 6, srcPort: 40000, dstPort: dport, tcpFlags: TCP_SYN, seq: 1, ack: 0, window: 65535, payload: new Uint8Array(0), fragment: 'none' };
}

/** `n` user chains, FORWARD → c1 → … → cn by `kind` (the last one, `last`), cn accepting TCP. */
function ladder(n: number, kind = '-j', last = kind): string {
  let s = '*filter\n:FORWARD DROP [0:0]\n';
  for (let i = 1; i <= n; i++) s += `:c${i} - [0:0]\n`;
  s += '-A FORWARD -j c1\n';
  for (let i = 1; i < n; i++) s += `-A c${i} ${i === n - 1 ? last : kind} c${i + 1}\n`;
  return `${s}-A c${n} -p tcp -j ACCEPT\nCOMMIT\n`;
}

describe('jumps between chains (fuzz regressions)', () => {
  it('a goto loop (the fuzzer hung on it) is refused at the rule that closes it, in both dialects', () => {
    expect(errorsOf(read('ruleset-goto-loop.rules'), 'loop.rules')).toEqual([
      'loop.rules:5:1: error: this goto makes a loop (a → a): the kernel refuses the ruleset ("Too many links") (a chain may not jump back into a chain it was reached from)',
    ]);
    expect(errorsOf(read('ruleset-goto-loop.nft'), 'loop.nft')).toEqual([
      'loop.nft:7:3: error: this goto makes a loop (a → a): the kernel refuses the ruleset ("Too many links") (a chain may not jump back into a chain it was reached from)',
    ]);
  });

  it('a jump loop through two chains is refused, naming the way round', () => {
    const text = '*filter\n:FORWARD ACCEPT [0:0]\n:a - [0:0]\n:b - [0:0]\n-A FORWARD -j a\n-A a -p udp -j ACCEPT\n-A a -j b\n-A b -j a\nCOMMIT\n';
    expect(errorsOf(text, 'l.rules')).toEqual([
      'l.rules:8:1: error: this jump makes a loop (a → b → a): the kernel refuses the ruleset ("Too many links") (a chain may not jump back into a chain it was reached from)',
    ]);
  });

  it('a loop among chains no hooked chain reaches is loaded, as the kernel loads it', () => {
    const text = '*filter\n:FORWARD ACCEPT [0:0]\n:a - [0:0]\n:b - [0:0]\n-A a -j b\n-A b -j a\nCOMMIT\n';
    expect(errorsOf(text, 'u.rules')).toEqual([]);
  });

  it('a chain reached through 16 jumps or gotos is refused at the 16th; 15 are walked', () => {
    expect(errorsOf(read('ruleset-16-hops.rules'), 'h.rules')).toEqual([
      'h.rules:34:1: error: this jump reaches chain c16 through 16 jumps and gotos from the hooked chain FORWARD (FORWARD → c1 → c2 → c3 → c4 → c5 → c6 → c7 → c8 → c9 → c10 → c11 → c12 → c13 → c14 → c15 → c16): the kernel refuses the ruleset ("Too many links"); 15 at most (flatten some of the chains)',
    ]);
    expect(errorsOf(read('ruleset-16-hops.nft'), 'h.nft')).toEqual([
      'h.nft:49:3: error: this goto reaches chain c16 through 16 jumps and gotos from the hooked chain c0 (c0 → c1 → c2 → c3 → c4 → c5 → c6 → c7 → c8 → c9 → c10 → c11 → c12 → c13 → c14 → c15 → c16): the kernel refuses the ruleset ("Too many links"); 15 at most (flatten some of the chains)',
    ]);
    expect(errorsOf(ladder(16, '-g'), 'g.rules')[0]).toMatch(/^g\.rules:34:1: error: this goto reaches chain c16 through 16/);
    const ok = parseConfig(ladder(15, '-j', '-g'), 'ok.rules');
    expect(ok.diagnostics).toEqual([]);
    const ctx = { n: 1, nowMs: 0, ingress: 'lan0', egress: 'srv0' };
    for (const fw of [createStaticFirewall(ok.value), createStatefulFirewall(ok.value)]) expect(fw.step(syn(21), ctx).verdict).toMatchObject({ action: 'permit', by: { chain: 'c15', rule: 1 } });
    expect(createStaticFirewall(ok.value).step({ ...syn(0), proto: 17 }, ctx).verdict).toMatchObject({ action: 'deny', by: { reason: 'policy', chain: 'FORWARD' } });
  });

  it('chains that jump into the same chains 12 times a level (12^6 rules a packet) are refused at the hooked chain', () => {
    expect(errorsOf(read('ruleset-jump-fan.rules'), 'fan.rules')).toEqual([
      "fan.rules:2:1: error: a packet's walk from chain FORWARD may test more than 1,000,000 rules and set elements (its rules jump into the same chains, or test the same large sets, again and again): more than the simulation follows (jump into each chain, and test each large set, from fewer rules)",
    ]);
    // the same shape one level less (12^5 ≈ 250,000 rules) is walked
    const smaller = read('ruleset-jump-fan.rules').replace(/^:c7 .*\n/m, '').replace(/^-A c6 -j c7\n/gm, '').replace(/^-A c7 /m, '-A c6 ');
    expect(errorsOf(smaller, 'fan5.rules')).toEqual([]);
  });

  it('a named set is parsed once, whatever the number of rules naming it; 1,000 rules each testing 1,100 elements are refused', () => {
    // a copy per reference: 5,000 rules naming a 5,000-element set took 72 s of CPU and 2.5 GB to read
    const text = read('nft-set-refs.nft');
    expect(errorsOf(text, 'set.nft')).toEqual([
      "set.nft:6:8: error: a packet's walk from chain f may test more than 1,000,000 rules and set elements (its rules jump into the same chains, or test the same large sets, again and again): more than the simulation follows (jump into each chain, and test each large set, from fewer rules)",
    ]);
    const fewer = text.replace(/^\t\tip saddr @s tcp dport 1[1-9]\d\d accept\n/gm, '');
    const r = parseConfig(fewer, 'fewer.nft');
    expect(r.diagnostics).toEqual([]);
    const rules = r.value.ruleset!.chains[0]!.rules;
    const srcOf = (i: number) => rules[i]!.conds.find((c) => c.kind === 'src') as { any: readonly unknown[] };
    expect(rules.length).toBe(100);
    expect(srcOf(0).any.length).toBe(1100);
    expect(srcOf(99).any).toBe(srcOf(0).any);
  });

  it.skipIf(checkerUnavailable !== undefined)('the kernel agrees: it refuses the loops and the 16th hop, and loads 15 hops', () => {
    for (const [tool, file] of [['iptables-restore', 'ruleset-goto-loop.rules'], ['nft', 'ruleset-goto-loop.nft'], ['iptables-restore', 'ruleset-16-hops.rules'], ['nft', 'ruleset-16-hops.nft']] as const) {
      const r = load(tool, read(file));
      expect(r.ok, `${tool} ${file}`).toBe(false);
      expect(r.output).toMatch(/Too many links/);
    }
    expect(load('iptables-restore', ladder(15, '-j', '-g')).ok).toBe(true);
    expect(load('iptables-restore', ladder(16, '-g')).output).toMatch(/line 34: .*Too many links/);
  });
});
