/**
 * The default translation of H3C interface names to Linux ones: `fw0`, `fw1`, …
 * in order of first appearance (veth names must fit in 15 characters).
 */
import type { Policy } from '../policy/model.js';

/** Maps each name, in order of first appearance, to `${prefix}0`, `${prefix}1`, … */
export function defaultInterfaceMap(names: Iterable<string>, prefix = 'fw'): Map<string, string> {
  const map = new Map<string, string>();
  for (const name of names) if (name !== '*' && !map.has(name)) map.set(name, `${prefix}${map.size}`);
  return map;
}

/** Every interface a policy mentions: declared ones, then bindings, then inspections, in order. */
export function policyInterfaces(policy: Policy): string[] {
  return [...policy.interfaces, ...policy.bindings.map((b) => b.interface), ...policy.inspections.map((i) => i.interface)];
}
