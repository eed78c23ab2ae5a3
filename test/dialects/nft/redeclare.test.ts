/**
 * A chain declared twice is one chain (nft adds the second body to it, in a later `table` block as
 * well): a ruleset written in parts, as `nft list ruleset` never prints it but admins do. What the
 * kernel does was seen with nft 1.0 on Linux 6 (`nft -f` in a network namespace, then `nft list
 * ruleset`), and is checked again here when root can make a network namespace: the bodies merge in
 * order; a redeclared base chain may change its policy; redeclaring a regular chain as a base chain,
 * or a base chain with another hook or priority, is refused ("Operation not supported").
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ipv4 } from '../../../src/net/address.js';
import { formatDiagnostic } from '../../../src/diag/diagnostic.js';
import { parseConfig } from '../../../src/dialects/load.js';
import { createStatefulFirewall } from '../../../src/engine/stateful/firewall.js';
import { TCP_ACK, TCP_SYN, type Packet } from '../../../src/net/packet.js';
import { checkerUnavailable } from '../../export/check.js';

const BASE = 'type filter hook forward priority 0; policy drop;';
/** Two `table inet f` blocks, each declaring chain `fw`: `first` and `second` are the declarations' headers (or ''). */
function twoBlocks(first: string, second: string): string {
  return `table inet f {\n  chain fw {\n    ${first}\n    tcp dport 21 accept\n  }\n}\ntable inet f {\n  chain fw {\n    ${second}\n    ct state established accept\n  }\n}\n`;
}

const MERGED = twoBlocks(BASE, '');
const POLICY_CHANGED = twoBlocks(BASE, 'type filter hook forward priority 0; policy accept;');
const REGULAR_THEN_BASE = twoBlocks('', BASE);
const OTHER_PRIORITY = twoBlocks(BASE, 'type filter hook forward priority 10; policy drop;');
const OTHER_HOOK = twoBlocks(BASE, 'type filter hook input priority 0; policy drop;');
const ONE_BLOCK = `table inet f {\n  chain fw {\n    ${BASE}\n    tcp dport 21 accept\n  }\n  chain fw {\n    ct state established accept\n  }\n}\n`;

const errorsOf = (text: string): string[] =>
  parseConfig(text, 'fw.nft').diagnostics.filter((d) => d.severity === 'error').map((d) => formatDiagnostic(d).split('\n')[0]!);

/** Loads the ruleset in a throwaway network namespace and lists it back. */
function kernel(text: string): { ok: boolean; listing: string; output: string } {
  const r = spawnSync('unshare', ['--net', 'sh', '-c', 'nft -f - && nft list ruleset'], { input: text, encoding: 'utf8', timeout: 20_000 });
  return { ok: r.status === 0, listing: r.stdout, output: `${r.stdout}${r.stderr}` };
}

function packet(flags: number, fromServer = false): Packet {
  const client = ipv4(0x0a000002);
  const server = ipv4(0xc0a80a01);
  return fromServer
    ? { src: server, dst: client, proto: 6, srcPort: 21, dstPort: 40000, tcpFlags: flags, seq: 9, ack: 2, window: 65535, payload: new Uint8Array(0), fragment: 'none' }
    : { src: client, dst: server, proto: 6, srcPort: 40000, dstPort: 21, tcpFlags: flags, seq: 1, ack: 0, window: 65535, payload: new Uint8Array(0), fragment: 'none' };
}

describe('nft: a chain declared again is the same chain', () => {
  it('merges the bodies in order: one forward chain whose second rule lets the reply through', () => {
    for (const text of [MERGED, ONE_BLOCK]) {
      const { value, diagnostics } = parseConfig(text, 'fw.nft');
      expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
      const chains = value.ruleset!.chains;
      expect(chains.map((c) => `${c.family} ${c.table} ${c.name} ${c.hook} ${c.policy} ${c.rules.map((r) => r.text).join(' | ')}`)).toEqual([
        'inet f fw forward drop tcp dport 21 accept | ct state established accept',
      ]);
      // the reply of the control connection is ESTABLISHED: accepted by the rule of the second body
      const fw = createStatefulFirewall(value);
      const ctx = { n: 1, nowMs: 0, ingress: 'lan0', egress: 'wan0' };
      expect(fw.step(packet(TCP_SYN), ctx).verdict.action).toBe('permit');
      expect(fw.step(packet(TCP_SYN | TCP_ACK, true), { n: 2, nowMs: 1, ingress: 'wan0', egress: 'lan0' }).verdict.action).toBe('permit');
    }
  });

  it('a redeclared base chain keeps its hook and takes the new policy', () => {
    const { value } = parseConfig(POLICY_CHANGED, 'fw.nft');
    expect(value.ruleset!.chains.map((c) => `${c.name} ${c.hook} ${c.priority} ${c.policy} ${c.rules.length}`)).toEqual(['fw forward 0 accept 2']);
  });

  it('refuses what nft refuses: a regular chain redeclared as a base chain, a base chain with another hook or priority', () => {
    expect(errorsOf(REGULAR_THEN_BASE)).toEqual([
      'fw.nft:8:9: error: chain fw is declared again as a base chain, but it was declared as a regular chain (fw.nft:2): nft refuses that (Operation not supported) (declare it as a base chain the first time)',
    ]);
    for (const text of [OTHER_PRIORITY, OTHER_HOOK])
      expect(errorsOf(text)).toEqual([
        'fw.nft:8:9: error: chain fw is declared again with another type, hook or priority than at fw.nft:2: nft refuses that (Operation not supported) (a redeclaration may add rules or change the policy only)',
      ]);
  });

  it.skipIf(checkerUnavailable !== undefined)('the kernel agrees (nft -f in a network namespace)', () => {
    const merged = kernel(MERGED);
    expect(merged.ok, merged.output).toBe(true);
    expect(merged.listing.match(/chain fw \{/g)).toHaveLength(1);
    expect(merged.listing).toMatch(/policy drop;\s+tcp dport 21 accept\s+ct state established accept/);
    const changed = kernel(POLICY_CHANGED);
    expect(changed.ok, changed.output).toBe(true);
    expect(changed.listing).toContain('policy accept;');
    for (const text of [REGULAR_THEN_BASE, OTHER_PRIORITY, OTHER_HOOK]) {
      const r = kernel(text);
      expect(r.ok).toBe(false);
      expect(r.output).toContain('Operation not supported');
    }
  });
});
