/**
 * The scenario runner: builds the network from the scenario's hosts, starts every
 * session's client at its start time and its server listener at time 0, and runs
 * the virtual clock until nothing is left to do. Same scenario and same firewall
 * behaviour give the same trace, byte for byte.
 */
import { formatIp, ipEquals, ipKey } from '../net/address.js';
import type { Trace } from '../engine/trace.js';
import type { Firewall } from '../engine/verdict.js';
import type { Session, Scenario } from '../scenario/model.js';
import { EventQueue } from './clock.js';
import type { SimContext } from './control-channel.js';
import { FtpClient } from './ftp-client.js';
import { FtpServerSession, type ServerFiles } from './ftp-server.js';
import { Network, type PacketSink } from './network.js';
import { createPrng } from './prng.js';

/** A bound on simulated events, so a runaway loop is an error rather than a hang. */
const MAX_EVENTS = 20_000_000;
/** Mixed into the seed for content bytes, so content and sequence numbers are independent streams. */
const CONTENT_SEED_MIX = 0x5bd1e995;
/** Mixed into the seed for random passive port choices, a third independent stream. */
const PORT_SEED_MIX = 0x27d4eb2f;

function serverFiles(session: Session): ServerFiles {
  const retr = new Map<string, number>();
  const lists: number[] = [];
  for (const s of session.steps) {
    if (s.kind === 'retr') retr.set(s.file, s.bytes);
    else if (s.kind === 'list') lists.push(s.bytes);
  }
  return { retr, lists };
}

/** How to run a simulation. */
export interface SimulateOptions {
  /**
   * Takes each packet as it crosses the firewall; the returned trace then has no packets, so
   * a run whose report needs no packet rows keeps none (memory does not grow with the transfer).
   */
  readonly onPacket?: PacketSink;
}

/** Runs a scenario through a firewall and returns every packet (unless `onPacket` takes them), event and session outcome. */
export function simulate(scenario: Scenario, firewall: Firewall, options: SimulateOptions = {}): Trace {
  const queue = new EventQueue();
  const net = new Network(queue, firewall, createPrng(scenario.seed), options.onPacket);
  const ctx: SimContext = { net, queue, bytes: createPrng((scenario.seed ^ CONTENT_SEED_MIX) >>> 0), tlsPipes: new Map(), ports: createPrng((scenario.seed ^ PORT_SEED_MIX) >>> 0) };
  for (const h of scenario.hosts) net.addHost(h.address, h.interface, h.vpn);
  for (const s of scenario.sessions) {
    // A data source address no host has is a second address of the client machine.
    const src = s.clientBehaviour.dataSourceAddress;
    if (src && !net.stackOf(src)) net.addHost(src, s.client.interface, scenario.hosts.find((h) => ipEquals(h.address, s.client.address))?.vpn);
  }

  const servers = new Map<string, Session[]>();
  for (const s of scenario.sessions) {
    const key = `${ipKey(s.server.address)}|${s.serverBehaviour.controlPort}`;
    const group = servers.get(key);
    if (group) group.push(s);
    else servers.set(key, [s]);
  }
  for (const group of servers.values()) {
    const first = group[0]!;
    const stack = net.stackOf(first.server.address);
    if (!stack) throw new Error(`no stack for server ${first.server.name}`);
    // Several sessions may share one server: the connection's client picks the session's behaviour
    // (the first session with that client address and port; looked up by key, not by a scan per connection).
    const byClient = new Map<string, Session>();
    for (const s of group) {
      const key = `${ipKey(s.client.address)}|${s.clientBehaviour.controlPort}`;
      if (!byClient.has(key)) byClient.set(key, s);
    }
    stack.listen(first.serverBehaviour.controlPort, `server ${formatIp(first.server.address)}`, (sock) => {
      const session = byClient.get(`${ipKey(sock.remote)}|${sock.remotePort}`) ?? first;
      new FtpServerSession(ctx, session, serverFiles(session), stack, sock);
    });
  }

  const clients = scenario.sessions.map((s) => {
    const c = new FtpClient(ctx, s);
    queue.at(s.startMs, () => c.start());
    return c;
  });
  queue.run(MAX_EVENTS);
  net.flushFirewall();
  return { packets: net.packets, events: net.events, sessions: clients.map((c) => c.outcome()) };
}
