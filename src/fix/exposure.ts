/**
 * What a policy admits beyond FTP's own need between the probed servers and
 * clients: unsolicited TCP connections in port pairs, both ways, counted as
 * `compare` counts them, without the connections to the server's port 21.
 */
import { exposureBetween } from '../analysis/exposure.js';
import { compilePolicy } from '../engine/static.js';
import { formatIp } from '../net/address.js';
import type { Policy } from '../policy/model.js';
import type { ProbeClient, ProbeServer } from '../probe/discover.js';
import { FTP_PORT } from '../probe/discover.js';

/** Exposure between one client side and one server, each way. */
export interface PairExposure {
  readonly client: string;
  readonly server: string;
  /** client → server, without connections to port 21 */
  readonly toServer: number;
  /** server → client */
  readonly toClient: number;
}

/** A policy's exposure over every probed pair. */
export interface PolicyExposure {
  readonly portPairs: number;
  readonly pairs: readonly PairExposure[];
}

/** Counts the exposure of `policy` between every server and its client sides. */
export function policyExposure(
  policy: Policy,
  engine: 'static' | 'stateful',
  sides: readonly { readonly server: ProbeServer; readonly client: ProbeClient }[],
): PolicyExposure {
  const compiled = compilePolicy(policy);
  const none = new Set<string>();
  let total = 0;
  const pairs: PairExposure[] = [];
  for (const { server, client } of sides) {
    const s = { address: server.address, interface: server.interface };
    const c = { address: client.address, interface: client.interface };
    const up = exposureBetween(policy, engine, c, s, none, compiled, { needPorts: [FTP_PORT] });
    const down = exposureBetween(policy, engine, s, c, none, compiled);
    const toServer = up.portPairs - (up.needPairs ?? 0);
    pairs.push({ client: formatIp(client.address), server: formatIp(server.address), toServer, toClient: down.portPairs });
    total += toServer + down.portPairs;
  }
  return { portPairs: total, pairs };
}
