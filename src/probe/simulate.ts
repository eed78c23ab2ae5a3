/**
 * One probe run: a one-session scenario (login, RETR, QUIT) between a client and
 * a server with the given profiles, mode and ports, simulated through a fresh
 * firewall; the answer is whether FTP worked and, if not, the first blocked packet.
 */
import type { SourceSpan } from '../diag/diagnostic.js';
import { formatIp } from '../net/address.js';
import type { Firewall } from '../engine/verdict.js';
import { buildRunReport } from '../report/run.js';
import type { BlockedPacket } from '../report/flows.js';
import type { Host, Scenario, Session } from '../scenario/model.js';
import { simulate } from '../sim/run.js';
import type { ProbeClient, ProbeServer } from './discover.js';
import { FTP_PORT } from './discover.js';
import { MODE_OF, type ClientProfile, type PortRange, type ProbeMode, type ServerProfile } from './profiles.js';

/** The ports one run uses. */
export interface RunPorts {
  /** the client's control connection source port */
  readonly control: number;
  /** the client's first data port (its listening port in active modes, its source port in passive ones) */
  readonly clientData: number;
  /** passive modes: the ports the server may offer (the first free one is taken); active modes: its source port, twice */
  readonly server: PortRange;
}

/** The first denied packet of a failed run, with where it crossed. */
export interface BlockedAt extends BlockedPacket {
  /** the flow's role: control or data */
  readonly role: string;
  readonly fromServer: boolean;
  readonly srcPort: number;
  readonly dstPort: number;
  readonly ingress: string;
  readonly egress: string;
}

/** What one run showed. */
export interface RunResult {
  readonly ports: RunPorts;
  readonly works: boolean;
  /** the session's one-line verdict */
  readonly summary: string;
  /** the first denied packet of the first blocked flow */
  readonly firstBlocked?: BlockedAt;
}

/** Everything a run needs besides its ports. */
export interface RunSetup {
  readonly server: ProbeServer;
  readonly client: ProbeClient;
  readonly serverProfile: ServerProfile;
  readonly clientProfile: ClientProfile;
  readonly mode: ProbeMode;
  readonly firewall: () => Firewall;
}

const PROBE_FILE_BYTES = 4096;

function span(what: string): SourceSpan {
  return { file: '(probe)', line: 1, column: 1, length: 1, lineText: what };
}

/** The scenario of one probe run. */
export function probeScenario(setup: RunSetup, ports: RunPorts): Scenario {
  const server: Host = { name: 'server', address: setup.server.address, interface: setup.server.interface, at: span('server') };
  const client: Host = { name: 'client', address: setup.client.address, interface: setup.client.interface, at: span('client') };
  const at = span('probe');
  const session: Session = {
    name: `${setup.mode} ${setup.clientProfile.name}`,
    client,
    server,
    clientBehaviour: {
      mode: MODE_OF[setup.mode],
      controlPort: ports.control,
      dataPort: ports.clientData,
      epsvFallback: setup.clientProfile.fallback,
      synRetries: 6,
      initialRtoMs: 1000,
    },
    serverBehaviour: {
      controlPort: FTP_PORT,
      passivePorts: ports.server,
      activeSourcePort: ports.server[0],
      dataAcceptTimeoutMs: 60_000,
      rfc2428: setup.serverProfile.rfc2428,
      synRetries: 6,
      initialRtoMs: 1000,
    },
    startMs: 0,
    steps: [
      { kind: 'login', user: 'anonymous', password: 'ftp@example.com', at },
      { kind: 'retr', file: 'probe.bin', bytes: PROBE_FILE_BYTES, transfer: {}, at },
      { kind: 'quit', at },
    ],
  };
  return { name: 'probe', source: '(probe)', hosts: [client, server], sessions: [session], seed: 1 };
}

/** Simulates one run. */
export function runOnce(setup: RunSetup, ports: RunPorts): RunResult {
  const scenario = probeScenario(setup, ports);
  const report = buildRunReport({ scenario: 'probe', source: '(probe)', config: '', engine: 'static' }, simulate(scenario, setup.firewall()));
  const blocked = report.flows.find((f) => f.firstBlocked !== null);
  const fb = blocked?.firstBlocked;
  const row = fb ? report.packets.find((p) => p.n === fb.n) : undefined;
  const portOf = (endpoint: string): number => Number(endpoint.slice(endpoint.lastIndexOf(':') + 1));
  const serverText = setup.server.address.family === 4 ? `${formatIp(setup.server.address)}:` : `[${formatIp(setup.server.address)}]:`;
  return {
    ports,
    works: report.ftp.works,
    summary: report.ftp.summary,
    ...(fb && blocked && row
      ? {
          firstBlocked: {
            ...fb,
            role: blocked.role,
            fromServer: row.src.startsWith(serverText),
            srcPort: portOf(row.src),
            dstPort: portOf(row.dst),
            ingress: row.ingress,
            egress: row.egress,
          },
        }
      : {}),
  };
}
