import { describe, expect, it } from 'vitest';
import { bindingAt, bindingsOfAcl, findAcl, type Binding } from '../../src/policy/model.js';
import { acl, policy, rule } from '../helpers/build.js';

// The lookups callers make once per binding or interface: built once per list, they must answer what a scan
// in config order answers (the first ACL of a name and family; Comware applies the last binding written at an
// interface, direction and family).
describe('ACL and binding lookups of a policy', () => {
  const v6 = (name: string) => acl(name, [rule(0, 'deny')], { family: 6 });
  const p = policy(
    [acl('3000', [rule(0, 'permit')]), v6('3000'), acl('web', [rule(5, 'deny')]), acl('web', [rule(9, 'permit')])],
    [
      ['Gi1', 'inbound', '3000'],
      ['Gi2', 'inbound', 'web'],
      ['Gi1', 'inbound', 'web'],
      ['Gi1', 'outbound', '3000'],
    ],
    {},
  );
  const withV6: Binding = { interface: 'Gi1', direction: 'inbound', family: 6, acl: '3000', at: p.bindings[0]!.at };
  const q = { ...p, bindings: [...p.bindings, withV6] };

  it('finds an ACL by name and family, the first of that name', () => {
    expect(findAcl(p, '3000', 4)!.rules[0]!.action).toBe('permit');
    expect(findAcl(p, '3000', 6)!.rules[0]!.action).toBe('deny');
    expect(findAcl(p, 'web', 4)!.rules[0]!.id).toBe(5);
    expect(findAcl(p, 'web', 6)).toBeUndefined();
    expect(findAcl(p, 'nope', 4)).toBeUndefined();
  });

  it('gives the binding that applies: the last written at the interface, direction and family', () => {
    expect(bindingAt(p, 'Gi1', 'inbound', 4)!.acl).toBe('web');
    expect(bindingAt(p, 'Gi1', 'outbound', 4)!.acl).toBe('3000');
    expect(bindingAt(p, 'Gi2', 'inbound', 4)!.acl).toBe('web');
    expect(bindingAt(p, 'Gi1', 'inbound', 6)).toBeUndefined();
    expect(bindingAt(p, 'Gi3', 'inbound', 4)).toBeUndefined();
    // another binding list is another index
    expect(bindingAt(q, 'Gi1', 'inbound', 6)).toBe(withV6);
  });

  it('lists the bindings of an ACL in config order, per family', () => {
    expect(bindingsOfAcl(p, { family: 4, name: 'web' }).map((b) => b.interface)).toEqual(['Gi2', 'Gi1']);
    expect(bindingsOfAcl(p, { family: 4, name: '3000' }).map((b) => `${b.interface} ${b.direction}`)).toEqual(['Gi1 inbound', 'Gi1 outbound']);
    expect(bindingsOfAcl(p, { family: 6, name: '3000' })).toEqual([]);
    expect(bindingsOfAcl(q, { family: 6, name: '3000' })).toEqual([withV6]);
  });
});
