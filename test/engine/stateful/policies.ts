/** Small hand-built policies for the stateful engine tests. */
import { PROTO_ICMP, PROTO_TCP, PROTO_UDP } from '../../../src/net/packet.js';
import type { Inspection, Policy } from '../../../src/policy/model.js';
import { acl, policy, port, rule } from '../../helpers/build.js';
import { IN, OUT } from './packets.js';

/**
 * A stateful device: from the client side (OUT inbound, acl 3001) only FTP control
 * (tcp to port 21), ICMP and UDP may start connections; from the server side
 * (IN inbound, acl 3000) nothing may. Everything else must be tracked or related.
 */
export function guarded(inspections: Inspection[] = []): Policy {
  return policy(
    [
      acl('3001', [
        rule(0, 'permit', { protocol: PROTO_TCP, dstPort: port.eq(21), text: 'rule 0 permit tcp destination-port eq ftp' }),
        rule(5, 'permit', { protocol: PROTO_ICMP, text: 'rule 5 permit icmp' }),
        rule(10, 'permit', { protocol: PROTO_UDP, text: 'rule 10 permit udp' }),
        rule(15, 'deny', { text: 'rule 15 deny ip' }),
      ]),
      acl('3000', [rule(0, 'deny', { text: 'rule 0 deny ip' })]),
    ],
    [
      [OUT, 'inbound', '3001'],
      [IN, 'inbound', '3000'],
    ],
    { inspections },
  );
}

/** FTP inspection on the server-side interface, as ASPF `detect ftp` bound there would give. */
export const INSPECT_IN: Inspection = { interface: IN, direction: 'outbound', protocol: 'ftp', ports: [21] };

/** `--inspect ftp`: every interface. */
export const INSPECT_ANY: Inspection = { interface: '*', direction: 'both', protocol: 'ftp', ports: [21] };
