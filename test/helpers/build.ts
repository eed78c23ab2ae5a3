/** Small builders for hand-made policies and packets in tests. */
import type { SourceSpan } from '../../src/diag/diagnostic.js';
import { parseIp, type IpAddress } from '../../src/net/address.js';
import { PROTO_TCP, type Packet } from '../../src/net/packet.js';
import type { Acl, AddrMatch, Binding, Policy, PortMatch, Rule } from '../../src/policy/model.js';

/** A span on line `line` of a fake file. */
export function at(line: number, text = 'rule', file = 'test.cfg'): SourceSpan {
  return { file, line, column: 1, length: text.length, lineText: text };
}

/** Parses an address or fails the test. */
export function ip(text: string): IpAddress {
  const a = parseIp(text);
  if (!a) throw new Error(`bad test address ${text}`);
  return a;
}

/** An IPv4 host/wildcard condition: `v4('192.168.10.1', '0.0.0.0')`. */
export function v4(addr: string, wildcard = '0.0.0.0'): AddrMatch {
  const a = ip(addr);
  const w = ip(wildcard);
  if (a.family !== 4 || w.family !== 4) throw new Error('v4 only');
  return { kind: 'v4', addr: (a.v4 & ~w.v4) >>> 0, wildcard: w.v4 };
}

/** Port conditions as H3C writes them. */
export const port = {
  eq: (n: number): PortMatch => ({ op: 'eq', operands: [n], ranges: [[n, n]] }),
  gt: (n: number): PortMatch => ({ op: 'gt', operands: [n], ranges: [[n + 1, 65535]] }),
  lt: (n: number): PortMatch => ({ op: 'lt', operands: [n], ranges: [[0, n - 1]] }),
  range: (a: number, b: number): PortMatch => ({ op: 'range', operands: [a, b], ranges: [[a, b]] }),
  neq: (n: number): PortMatch => ({
    op: 'neq',
    operands: [n],
    ranges: [
      ...(n > 0 ? [[0, n - 1] as const] : []),
      ...(n < 65535 ? [[n + 1, 65535] as const] : []),
    ],
  }),
};

/** A rule with defaults for everything not given. */
export function rule(id: number, action: 'permit' | 'deny', fields: Partial<Rule> = {}): Rule {
  return {
    id,
    action,
    protocol: 'any',
    src: { kind: 'any' },
    dst: { kind: 'any' },
    text: `rule ${id} ${action}`,
    at: at(id + 1, `rule ${id} ${action}`),
    ...fields,
  };
}

/** An IPv4 advanced ACL with rules in the given (evaluation) order. */
export function acl(name: string, rules: Rule[], fields: Partial<Acl> = {}): Acl {
  return { name, category: 'advanced', family: 4, matchOrder: 'config', step: 5, rules, at: at(1, `acl advanced ${name}`), ...fields };
}

/** A policy binding each [interface, direction, acl] triple. */
export function policy(acls: Acl[], bindings: [string, 'inbound' | 'outbound', string][], fields: Partial<Policy> = {}): Policy {
  const bs: Binding[] = bindings.map(([iface, direction, name]) => ({
    interface: iface,
    direction,
    family: acls.find((a) => a.name === name)?.family ?? 4,
    acl: name,
    at: at(100, `packet-filter ${name} ${direction}`),
  }));
  return {
    source: 'test.cfg',
    acls,
    bindings: bs,
    defaultAction: { action: 'permit' },
    inspections: [],
    interfaces: [...new Set(bindings.map((b) => b[0]))],
    ...fields,
  };
}

/** A TCP packet. */
export function tcp(
  src: string,
  srcPort: number,
  dst: string,
  dstPort: number,
  tcpFlags: number,
  fields: Partial<Packet> = {},
): Packet {
  return {
    src: ip(src),
    dst: ip(dst),
    proto: PROTO_TCP,
    srcPort,
    dstPort,
    tcpFlags,
    seq: 0,
    ack: 0,
    window: 64240,
    payload: new Uint8Array(0),
    fragment: 'none',
    ...fields,
  };
}
