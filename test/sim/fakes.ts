/** Tiny stand-ins for the Firewall interface and a scenario builder, for simulator tests. */
import type { SourceSpan } from '../../src/diag/diagnostic.js';
import type { Packet } from '../../src/net/packet.js';
import type { Firewall, StepContext, StepResult, TraceEvent } from '../../src/engine/verdict.js';
import type { ClientBehaviour, Host, Scenario, ServerBehaviour, Session, Step, TransferOptions } from '../../src/scenario/model.js';
import { ip } from '../helpers/build.js';

/** Where nothing in a hand-built scenario came from. */
export const NOWHERE: SourceSpan = { file: 'test.yaml', line: 1, column: 1, length: 1, lineText: '' };

/** A firewall that denies exactly the packets `deny` picks (and permits the rest), recording every call. */
export function predicateFirewall(deny: (p: Packet, ctx: StepContext) => boolean): Firewall & { calls: StepContext[]; advances: number[] } {
  const calls: StepContext[] = [];
  const advances: number[] = [];
  return {
    engine: 'static',
    calls,
    advances,
    step(p: Packet, ctx: StepContext): StepResult {
      calls.push(ctx);
      const denied = deny(p, ctx);
      return {
        verdict: {
          action: denied ? 'deny' : 'permit',
          by: { kind: 'default', reason: 'no-binding', interface: ctx.ingress, direction: 'inbound' },
        },
        events: [],
      };
    },
    advanceTo(nowMs: number): readonly TraceEvent[] {
      advances.push(nowMs);
      return [];
    },
  };
}

/** A firewall that permits everything. */
export function permitAll(): Firewall & { calls: StepContext[]; advances: number[] } {
  return predicateFirewall(() => false);
}

/** A host. */
export function host(name: string, address: string, iface: string): Host {
  return { name, address: ip(address), interface: iface, at: NOWHERE };
}

/** The seed topology: client 10.0.0.2 outside, server 192.168.10.1 inside. */
export const OUTSIDE = 'GigabitEthernet2/1/1';
export const INSIDE = 'GigabitEthernet2/1/10';
export const CLIENT = host('client', '10.0.0.2', OUTSIDE);
export const SERVER = host('server', '192.168.10.1', INSIDE);

/** Step builders. */
export const step = {
  login: (): Step => ({ kind: 'login', user: 'anonymous', password: 'ftp@example.com', at: NOWHERE }),
  retr: (file: string, bytes: number, transfer: TransferOptions = {}): Step => ({ kind: 'retr', file, bytes, transfer, at: NOWHERE }),
  stor: (file: string, bytes: number, transfer: TransferOptions = {}): Step => ({ kind: 'stor', file, bytes, transfer, at: NOWHERE }),
  list: (bytes: number, transfer: TransferOptions = {}): Step => ({ kind: 'list', bytes, transfer, at: NOWHERE }),
  authTls: (): Step => ({ kind: 'auth-tls', at: NOWHERE }),
  wait: (sec: number): Step => ({ kind: 'wait', sec, at: NOWHERE }),
  raw: (line: string): Step => ({ kind: 'raw', line, at: NOWHERE }),
  quit: (): Step => ({ kind: 'quit', at: NOWHERE }),
};

/** A session with the loader's defaults, overridable. */
export function session(
  steps: Step[],
  client: Partial<ClientBehaviour> = {},
  server: Partial<ServerBehaviour> = {},
  fields: Partial<Session> = {},
): Session {
  const controlPort = client.controlPort ?? 50000;
  return {
    name: 'download',
    client: CLIENT,
    server: SERVER,
    clientBehaviour: {
      mode: 'passive',
      controlPort,
      dataPort: controlPort + 1,
      epsvFallback: true,
      synRetries: 6,
      initialRtoMs: 1000,
      ...client,
    },
    serverBehaviour: {
      controlPort: 21,
      passivePorts: [50020, 50040],
      activeSourcePort: 20,
      dataAcceptTimeoutMs: 60_000,
      rfc2428: true,
      synRetries: 6,
      initialRtoMs: 1000,
      ...server,
    },
    startMs: 0,
    steps,
    ...fields,
  };
}

/** A scenario of the given sessions on the seed topology (plus extra hosts). */
export function scenario(sessions: Session[], extraHosts: Host[] = [], seed = 7): Scenario {
  return { name: 'test', source: 'test.yaml', hosts: [CLIENT, SERVER, ...extraHosts], sessions, seed };
}
