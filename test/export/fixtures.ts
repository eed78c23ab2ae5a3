/** Hand-built policies for the export and kernel tests (the H3C parser is written elsewhere). */
import { PROTO_TCP } from '../../src/net/packet.js';
import type { Inspection, Policy } from '../../src/policy/model.js';
import { acl, at, policy, port, rule, v4 } from '../helpers/build.js';

/** The client-facing interface (no ACL in the seeds). */
export const CLIENT_IF = 'GigabitEthernet2/1/1';
/** The server-facing interface. */
export const SERVER_IF = 'GigabitEthernet2/1/10';
/** The FTP server of the seeds. */
export const SERVER = '192.168.10.1';

/** Seed for active mode: from the server only replies on port 21 and connections from port 20 to high ports. */
export function seedActive(): Policy {
  return policy(
    [
      acl('3000', [
        rule(0, 'permit', { protocol: PROTO_TCP, src: v4(SERVER), srcPort: port.eq(21), dstPort: port.gt(1024), text: 'rule 0 permit tcp source 192.168.10.1 0 source-port eq 21 destination-port gt 1024', at: at(4, ' rule 0 permit tcp source 192.168.10.1 0 source-port eq 21 destination-port gt 1024', 'rules/seed-active.cfg') }),
        rule(5, 'permit', { protocol: PROTO_TCP, src: v4(SERVER), srcPort: port.eq(20), dstPort: port.gt(1024), text: 'rule 5 permit tcp source 192.168.10.1 0 source-port eq 20 destination-port gt 1024', at: at(5, ' rule 5 permit tcp source 192.168.10.1 0 source-port eq 20 destination-port gt 1024', 'rules/seed-active.cfg') }),
        rule(10, 'deny', { text: 'rule 10 deny ip', at: at(6, ' rule 10 deny ip', 'rules/seed-active.cfg') }),
      ]),
    ],
    [[SERVER_IF, 'inbound', '3000']],
    { source: 'rules/seed-active.cfg', interfaces: [CLIENT_IF, SERVER_IF] },
  );
}

/** Seed for passive mode: from the server, replies from port 21 and from the passive range 50000-50100. */
export function seedPassive(): Policy {
  const f = 'rules/seed-passive.cfg';
  return policy(
    [
      acl('3001', [
        rule(0, 'permit', { protocol: PROTO_TCP, src: v4(SERVER), srcPort: port.eq(21), dstPort: port.gt(1024), at: at(4, ' rule 0 permit tcp source 192.168.10.1 0 source-port eq 21 destination-port gt 1024', f) }),
        rule(5, 'permit', { protocol: PROTO_TCP, src: v4(SERVER), srcPort: port.range(50000, 50100), dstPort: port.gt(1024), at: at(5, ' rule 5 permit tcp source 192.168.10.1 0 source-port range 50000 50100 destination-port gt 1024', f) }),
        rule(10, 'deny', { at: at(6, ' rule 10 deny ip', f) }),
      ]),
    ],
    [[SERVER_IF, 'inbound', '3001']],
    { source: f, interfaces: [CLIENT_IF, SERVER_IF] },
  );
}

/** Stateful: from the server only what conntrack allows; FTP inspected on port 21 everywhere. */
export function statefulPort21(): Policy {
  const f = 'rules/stateful.cfg';
  const inspect: Inspection = { interface: '*', direction: 'both', protocol: 'ftp', ports: [21] };
  return policy(
    [acl('3002', [rule(10, 'deny', { at: at(4, ' rule 10 deny ip', f) })])],
    [[SERVER_IF, 'inbound', '3002']],
    { source: f, interfaces: [CLIENT_IF, SERVER_IF], inspections: [inspect] },
  );
}

/** The interface map the tests use: client side fw0, server side fw1. */
export const IFMAP: ReadonlyMap<string, string> = new Map([
  [CLIENT_IF, 'fw0'],
  [SERVER_IF, 'fw1'],
]);
