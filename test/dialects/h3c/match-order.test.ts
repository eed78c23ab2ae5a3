import { describe, expect, it } from 'vitest';
import { TCP_ACK } from '../../../src/net/packet.js';
import { compileAcl, firstMatch } from '../../../src/policy/compile.js';
import { tcp } from '../../helpers/build.js';
import { aclOf, bundled, fixture } from './helpers.js';

// H3C ACL configuration guides, "Sort ACL rules in depth-first order", IPv4 advanced ACL:
// 1. VPN instance; 2. specific protocol rather than IP; 3. more 0s in the source wildcard;
// 4. more 0s in the destination wildcard; 5. narrower TCP/UDP port range; 6. smaller rule ID.
describe('match-order auto', () => {
  const acl = aclOf(fixture('match-order-auto.cfg'), '3000');

  it('stores the rules in depth-first evaluation order', () => {
    expect(acl.rules.map((r) => r.id)).toEqual([45, 35, 30, 40, 25, 20, 15, 10, 5, 0]);
  });

  it('puts a rule with a VPN instance first, then specific protocols before ip', () => {
    expect(acl.rules[0]!.id).toBe(45);
    const ip = acl.rules.filter((r) => r.protocol === 'any').map((r) => r.id);
    expect(ip).toEqual([5, 0]);
  });

  it('orders by source wildcard zeros, then destination, then source and destination port width, then id', () => {
    // 15 (/16 source) before 10 (/8 source); 20 (host destination) before 15; 25 (gt 1024) before 20;
    // 35 (source port gt 1024) before 30 (source port any); 30 and 40 tie on widths: lower id first.
    const pos = (id: number) => acl.rules.findIndex((r) => r.id === id);
    expect(pos(15)).toBeLessThan(pos(10));
    expect(pos(20)).toBeLessThan(pos(15));
    expect(pos(25)).toBeLessThan(pos(20));
    expect(pos(35)).toBeLessThan(pos(30));
    expect(pos(30)).toBeLessThan(pos(40));
  });

  it('keeps ascending id order for match-order config', () => {
    expect(aclOf(bundled('match-order-auto.cfg'), '3001').rules.map((r) => r.id)).toEqual([0, 5, 10, 15]);
  });

  it('gives the bundled example different verdicts for an FTP control reply in auto and config order', () => {
    const p = bundled('match-order-auto.cfg');
    const reply = tcp('192.168.10.1', 21, '10.0.0.2', 50000, TCP_ACK);
    expect(firstMatch(compileAcl(aclOf(p, '3000')), reply)).toMatchObject({ id: 5, action: 'permit' });
    expect(firstMatch(compileAcl(aclOf(p, '3001')), reply)).toMatchObject({ id: 0, action: 'deny' });
  });
});
