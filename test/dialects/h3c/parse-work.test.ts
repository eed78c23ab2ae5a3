/**
 * How much work parsing a large ACL does per rule, counted rather than timed (issue 13: `check` of
 * 100,000 rules; speed itself is measured by `npm run bench`): each rule is rendered to text once,
 * ip-num's validator is asked only about addresses the plain dotted-quad scan cannot vouch for, and
 * the platform step (immer) leaves the converted rules, frozen as they were made, unwalked.
 */
import { describe, expect, it, vi } from 'vitest';
import { Validator } from 'ip-num/dist/src/Validator.js';
import { parseH3cConfig } from '../../../src/dialects/h3c/index.js';
import { withPlatform } from '../../../src/policy/platform.js';
import type { Policy, Rule } from '../../../src/policy/model.js';

// formatIpv4 counts how often rule texts are built: every rendering of a rule with a host source and
// destination formats both addresses (a wildcard of 0 is written `0` without formatting)
const formatted = vi.hoisted(() => ({ calls: 0 }));
vi.mock('../../../src/net/address.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../../src/net/address.js')>();
  return {
    ...real,
    formatIpv4: (value: number): string => {
      formatted.calls++;
      return real.formatIpv4(value);
    },
  };
});

/** An ACL of `n` distinct host-to-host rules on `port` (`443` or a name such as `www`), bound on an interface. */
function config(n: number, port: string): string {
  const lines = ['acl advanced 3000'];
  for (let k = 0; k < n; k++) lines.push(` rule ${k * 5} permit tcp source 10.${k >> 8}.${k & 255}.1 0 destination 192.168.${k & 255}.${1 + (k >> 8)} 0 destination-port eq ${port}`);
  lines.push(' rule 65000 deny ip', '#', 'interface GigabitEthernet1/0/1', ' packet-filter 3000 inbound', '#');
  return `${lines.join('\n')}\n`;
}

/** formatIpv4 calls of one parse (parse, convert, platform). */
function formatCalls(text: string): number {
  formatted.calls = 0;
  const p = parseH3cConfig(text, 't.cfg');
  expect(p.diagnostics.filter((d) => d.severity !== 'info')).toEqual([]);
  return formatted.calls;
}

describe('work per rule of a large ACL', () => {
  it('renders a rule once (its text is its duplicate key) when its port is a number, twice when a name', () => {
    // the difference between 2,000 and 1,000 rules is the cost of 1,000 rules, whatever is done once
    expect(formatCalls(config(2000, '443')) - formatCalls(config(1000, '443'))).toBe(1000 * 2);
    // `eq www` is displayed as written but keyed as `eq 80` (sheet 2.6), so that rule is rendered twice
    expect(formatCalls(config(2000, 'www')) - formatCalls(config(1000, 'www'))).toBe(1000 * 4);
  });

  it("asks ip-num's validator about no plain dotted quad, and still about the others", () => {
    const spy = vi.spyOn(Validator, 'isValidIPv4String');
    try {
      parseH3cConfig(config(1000, '443'), 't.cfg');
      expect(spy).not.toHaveBeenCalled();
      const p = parseH3cConfig('acl advanced 3000\n rule 0 permit ip source 010.0.0.1 0\n', 't.cfg');
      expect(spy).toHaveBeenCalledWith('010.0.0.1');
      expect(p.diagnostics.map((d) => `${d.severity}: ${d.message}`)).toEqual(["error: bad IPv4 address '010.0.0.1'"]);
    } finally {
      spy.mockRestore();
    }
  });

  it('keeps the whole parsed policy deeply frozen', () => {
    const p = parseH3cConfig(`${config(50, '443')}acl advanced 3001 match-order auto\n rule 0 permit tcp source 10.0.0.0 0.0.0.255 syn 1 ack 0\n rule 5 permit udp destination-port range 100 200\n`, 't.cfg');
    const unfrozen: string[] = [];
    const seen = new Set<object>();
    const walk = (v: unknown, path: string): void => {
      if (typeof v !== 'object' || v === null || seen.has(v)) return;
      seen.add(v);
      if (!Object.isFrozen(v)) unfrozen.push(path);
      for (const [k, x] of Object.entries(v)) walk(x, `${path}.${k}`);
    };
    walk(p.value, 'policy');
    expect(unfrozen).toEqual([]);
    expect(p.value.acls.map((a) => a.rules.length)).toEqual([51, 2]);
  });

  it('the platform step reads only the TCP flags of rules that are frozen already, and keeps an unchanged rules array', () => {
    const p = parseH3cConfig(config(100, '443'), 't.cfg');
    const traps: string[] = [];
    // every rule behind a proxy that records what is done to it (immer's finalize would inspect each one)
    const handler: ProxyHandler<Rule> = {
      get: (t, k, r) => (traps.push(`get ${String(k)}`), Reflect.get(t, k, r)),
      has: (t, k) => (traps.push(`has ${String(k)}`), Reflect.has(t, k)),
      ownKeys: (t) => (traps.push('ownKeys'), Reflect.ownKeys(t)),
      getOwnPropertyDescriptor: (t, k) => (traps.push(`descriptor ${String(k)}`), Reflect.getOwnPropertyDescriptor(t, k)),
      getPrototypeOf: (t) => (traps.push('getPrototypeOf'), Reflect.getPrototypeOf(t)),
      isExtensible: (t) => (traps.push('isExtensible'), Reflect.isExtensible(t)),
    };
    const acl = p.value.acls[0]!;
    const rules = Object.freeze(acl.rules.map((r) => new Proxy(r, handler)));
    const policy: Policy = { ...p.value, acls: [{ ...acl, rules }] };
    const next = withPlatform(policy, 'router');
    expect(next.acls[0]!.rules).toBe(rules);
    expect(next.platform).toBe('router');
    expect(new Set(traps)).toEqual(new Set(['get tcpFlags']));
    expect(traps).toHaveLength(rules.length);
  });
});
