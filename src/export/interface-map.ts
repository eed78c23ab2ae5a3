/**
 * The default translation of H3C interface names to Linux ones: `fw0`, `fw1`, …
 * in order of first appearance (veth names must fit in 15 characters).
 */
import { closest, spanAt, type Diagnostic, type SourceSpan } from '../diag/diagnostic.js';
import { nameList } from '../diag/name-list.js';
import type { Policy } from '../policy/model.js';
import { MAX_IFNAME_LENGTH } from './plan.js';

/** Maps each name, in order of first appearance, to `${prefix}0`, `${prefix}1`, … */
export function defaultInterfaceMap(names: Iterable<string>, prefix = 'fw'): Map<string, string> {
  const map = new Map<string, string>();
  for (const name of names) if (name !== '*' && !map.has(name)) map.set(name, `${prefix}${map.size}`);
  return map;
}

/** Every interface a policy mentions: declared ones, then bindings, inspections and NAT rules, in order. */
export function policyInterfaces(policy: Policy): string[] {
  const nat = (policy.nat ?? []).flatMap((r) => [r.inInterface, r.outInterface].filter((i): i is string => i !== undefined));
  return [...policy.interfaces, ...policy.bindings.map((b) => b.interface), ...policy.inspections.map((i) => i.interface), ...nat];
}

/** Where `--interface-map` diagnostics point: the option's value, as one line. */
export const INTERFACE_MAP_SOURCE = '--interface-map';

/**
 * Parses `--interface-map H3C=linux,H3C=linux` (repeatable; each value may hold several pairs),
 * then names every other interface of the policy `fw0`, `fw1`, … (skipping names already taken).
 * Errors point into the option's value: a pair without '=', an empty or too long Linux name,
 * an interface the policy does not mention (with the closest name), a name given twice.
 */
export function parseInterfaceMap(values: readonly string[], known: readonly string[]): { value: Map<string, string>; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const given = new Map<string, string>();
  const usedLinux = new Map<string, string>();
  for (const text of values) {
    let column = 1;
    for (const pair of text.split(',')) {
      const at = (offset: number, length: number): SourceSpan => spanAt(INTERFACE_MAP_SOURCE, text, 1, column + offset, length);
      const eq = pair.indexOf('=');
      const h3c = (eq < 0 ? pair : pair.slice(0, eq)).trim();
      const linux = eq < 0 ? '' : pair.slice(eq + 1).trim();
      const lead = pair.length - pair.trimStart().length;
      if (pair.trim() === '') diagnostics.push({ severity: 'error', message: 'empty entry in the interface map', span: at(0, 1), suggestion: 'write H3C-NAME=linux-name pairs separated by commas' });
      else if (eq < 0) diagnostics.push({ severity: 'error', message: `'${pair.trim()}' has no '=': expected H3C-NAME=linux-name`, span: at(lead, pair.trim().length), suggestion: `e.g. ${pair.trim()}=eth1` });
      else if (h3c === '') diagnostics.push({ severity: 'error', message: 'missing H3C interface name before \'=\'', span: at(eq, 1) });
      else if (!/^[A-Za-z0-9_.@-]{1,15}$/.test(linux))
        diagnostics.push({
          severity: 'error',
          message: `Linux interface name '${linux}' for '${h3c}' is not valid (1-${MAX_IFNAME_LENGTH} characters of A-Z a-z 0-9 _ . @ -)`,
          span: at(eq + 1, Math.max(1, pair.length - eq - 1)),
        });
      else if (!known.includes(h3c)) {
        const hint = closest(h3c, known);
        diagnostics.push({
          severity: 'error',
          message: `the config does not mention interface '${h3c}' (it mentions: ${known.length ? nameList(known) : 'none'})`,
          span: at(lead, h3c.length),
          ...(hint ? { suggestion: `did you mean '${hint}'?` } : {}),
        });
      } else if (given.has(h3c)) diagnostics.push({ severity: 'error', message: `interface '${h3c}' is mapped twice`, span: at(lead, h3c.length) });
      else if (usedLinux.has(linux)) diagnostics.push({ severity: 'error', message: `Linux name '${linux}' is given to both '${usedLinux.get(linux)}' and '${h3c}'`, span: at(eq + 1, pair.length - eq - 1) });
      else {
        given.set(h3c, linux);
        usedLinux.set(linux, h3c);
      }
      column += pair.length + 1;
    }
  }
  const map = new Map(given);
  let next = 0;
  for (const name of known) {
    if (name === '*' || map.has(name)) continue;
    while (usedLinux.has(`fw${next}`)) next++;
    map.set(name, `fw${next}`);
    usedLinux.set(`fw${next}`, name);
    next++;
  }
  return { value: map, diagnostics };
}
