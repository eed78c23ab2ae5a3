import { describe, expect, it } from 'vitest';
import { withFtpPorts, withInspection } from '../../src/policy/transform.js';
import { policy } from '../helpers/build.js';

describe('policy transforms', () => {
  const base = policy([], [], {
    inspections: [{ interface: 'GigabitEthernet2/1/1', direction: 'inbound', protocol: 'ftp', ports: [21] }],
  });

  it('adds control ports to every FTP inspection and leaves the input untouched', () => {
    const more = withFtpPorts(base, [2121, 21]);
    expect(more.inspections[0]!.ports).toEqual([21, 2121]);
    expect(base.inspections[0]!.ports).toEqual([21]);
    expect(Object.isFrozen(more.inspections[0]!.ports)).toBe(true);
  });

  it('adds an inspection on every interface for --inspect ftp', () => {
    const more = withInspection(base, { interface: '*', direction: 'both', protocol: 'ftp', ports: [21] });
    expect(more.inspections.map((i) => i.interface)).toEqual(['GigabitEthernet2/1/1', '*']);
    expect(base.inspections).toHaveLength(1);
  });
});
