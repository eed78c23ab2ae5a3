/** Hand-built scenarios for the kernel tests (the YAML loader is written elsewhere). */
import type { FtpMode, Host, Scenario, Session } from '../../src/scenario/model.js';
import { at, ip } from '../helpers/build.js';
import { CLIENT_IF, SERVER, SERVER_IF } from '../export/fixtures.js';

const client: Host = { name: 'client', address: ip('10.0.0.2'), interface: CLIENT_IF, at: at(3, '  client: 10.0.0.2@GigabitEthernet2/1/1', 'scenarios/t.yaml') };
const server: Host = { name: 'server', address: ip(SERVER), interface: SERVER_IF, at: at(4, '  server: 192.168.10.1@GigabitEthernet2/1/10', 'scenarios/t.yaml') };

/** One session downloading `bytes` bytes in `mode`: login, RETR file.bin, (STOR up.bin of 500 bytes,) QUIT. */
export function downloadSession(name: string, mode: FtpMode, controlPort: number, bytes = 1000, upload = false): Session {
  const a = at(10, 'steps', 'scenarios/t.yaml');
  return {
    name,
    client,
    server,
    clientBehaviour: { mode, controlPort, dataPort: controlPort + 1, epsvFallback: false, synRetries: 6, initialRtoMs: 1000 },
    serverBehaviour: { controlPort: 21, passivePorts: [50000, 50100], activeSourcePort: 20, dataAcceptTimeoutMs: 60_000, rfc2428: true, synRetries: 6, initialRtoMs: 1000 },
    startMs: 0,
    steps: [
      { kind: 'login', user: 'anonymous', password: 'guest@example.com', at: a },
      { kind: 'retr', file: 'file.bin', bytes, transfer: {}, at: a },
      ...(upload ? [{ kind: 'stor', file: 'up.bin', bytes: 500, transfer: {}, at: a } as const] : []),
      { kind: 'quit', at: a },
    ],
  };
}

/** A scenario of the given sessions. */
export function scenario(name: string, sessions: Session[]): Scenario {
  return { name, source: `scenarios/${name}.yaml`, hosts: [client, server], sessions: sessions.map((s, i) => ({ ...s, startMs: i * 1000 })), seed: 1 };
}
