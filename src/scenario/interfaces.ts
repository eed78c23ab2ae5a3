/**
 * `interfaces:` of a scenario: the firewall's own address on each interface, which MASQUERADE
 * translates a connection's source to (nf_nat_masquerade: the outgoing interface's address).
 *
 * ```yaml
 * interfaces:
 *   wan0: 198.51.100.1
 * ```
 */
import { isMap, isScalar } from 'yaml';
import type { IpAddress } from '../net/address.js';
import type { InterfaceAddress } from './model.js';
import type { YamlReader, YNode } from './yaml-read.js';

/** Reads the mapping of interface name → address (a located error for each bad entry). */
export function readInterfaceAddresses(r: YamlReader, node: YNode): InterfaceAddress[] {
  if (!isMap(node)) return r.error(node, `interfaces must be a mapping of interface name to the firewall's address on it, not ${r.shown(node)}`, 'interfaces: { wan0: 198.51.100.1 }') ?? [];
  const out: InterfaceAddress[] = [];
  for (const pair of node.items) {
    const key = pair.key as YNode;
    if (!isScalar(key) || key.value === null || String(key.value) === '') {
      r.error(key, 'an interface name must be a word', undefined, node);
      continue;
    }
    const name = String(key.value);
    const address = r.address(pair.value as YNode, `the address of interface '${name}'`);
    if (address) out.push({ name, address, at: r.span(key) });
  }
  return out;
}

/** The addresses as a map for the engine. */
export function interfaceAddressMap(list: readonly InterfaceAddress[] | undefined): ReadonlyMap<string, IpAddress> | undefined {
  if (!list || list.length === 0) return undefined;
  const m = new Map<string, IpAddress>();
  for (const i of list) m.set(i.name, i.address);
  return m;
}
