/**
 * Does a scenario fit a config? A host behind an interface the config does not declare would be
 * filtered by nothing, and the report would say "FTP works": the worst kind of wrong answer. So
 * such a host is an error at the interface it names, with the closest declared name.
 */
import { closest, type Diagnostic } from '../diag/diagnostic.js';
import { nameList } from '../diag/name-list.js';
import type { Policy } from '../policy/model.js';
import type { Scenario } from './model.js';

/** The interfaces a config declares: its interface views, bindings, inspections and zone members. */
export function declaredInterfaces(policy: Policy): string[] {
  const out = new Set<string>(policy.interfaces);
  for (const b of policy.bindings) out.add(b.interface);
  for (const i of policy.inspections) if (i.interface !== '*') out.add(i.interface);
  for (const z of policy.zones?.zones ?? []) for (const i of z.interfaces) out.add(i);
  return [...out];
}

/** One error per host of the scenario behind an interface the config does not declare (none when the config declares no interface). */
export function checkScenarioFits(scenario: Scenario, policy: Policy): Diagnostic[] {
  const known = declaredInterfaces(policy);
  if (known.length === 0) return [];
  const out: Diagnostic[] = [];
  for (const h of scenario.hosts) {
    if (known.includes(h.interface)) continue;
    const near = closest(h.interface, known) ?? nearestByNumber(h.interface, known);
    out.push({
      severity: 'error',
      message: `host '${h.name}' is behind interface '${h.interface}', which ${policy.source} does not declare (it has ${nameList(known)}): nothing would filter its packets`,
      span: h.interfaceAt ?? h.at,
      ...(near ? { suggestion: `did you mean ${near}?` } : {}),
    });
  }
  return out;
}

/** Does an interface pattern of a ruleset (`wan+`, `wan*`, or a name) name `iface`? */
function namesInterface(pattern: string, iface: string): boolean {
  const last = pattern[pattern.length - 1];
  return last === '+' || last === '*' ? iface.startsWith(pattern.slice(0, -1)) : pattern === iface;
}

/**
 * One error per MASQUERADE rule and interface it may translate to whose address the scenario does
 * not give (`interfaces:`): the source becomes the outgoing interface's address (nf_nat_masquerade),
 * which only the scenario knows. The interfaces are those of the scenario's hosts the rule's `-o` names.
 */
export function checkNatAddresses(scenario: Scenario, policy: Policy): Diagnostic[] {
  const out: Diagnostic[] = [];
  const given = new Set((scenario.interfaces ?? []).map((i) => i.name));
  const ifaces = [...new Set(scenario.hosts.map((h) => h.interface))];
  for (const r of policy.nat ?? []) {
    if (r.kind !== 'masquerade') continue;
    const missing = ifaces.filter((i) => (r.outInterface === undefined || namesInterface(r.outInterface, i)) && !given.has(i));
    if (missing.length === 0) continue;
    out.push({
      severity: 'error',
      message: `MASQUERADE translates to the address of the interface a connection leaves by, and ${scenario.source} does not give the firewall's address on ${missing.join(', ')}`,
      span: r.at,
      suggestion: `add to the scenario: interfaces: { ${missing.map((i) => `${i}: ADDRESS`).join(', ')} }`,
    });
  }
  return out;
}

/** `GigabitEthernet1/0/4` → the declared name of the same type with the closest numbers, e.g. `GigabitEthernet1/0/3`. */
function nearestByNumber(name: string, known: readonly string[]): string | undefined {
  const type = /^[^\d]*/.exec(name)![0].toLowerCase();
  const sameType = known.filter((k) => /^[^\d]*/.exec(k)![0].toLowerCase() === type);
  return sameType.length > 0 ? sameType[0] : undefined;
}
