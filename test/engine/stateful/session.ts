/** A logged-in FTP control connection through a stateful firewall, for helper and expectation tests. */
import { createStatefulFirewall, type StatefulFirewall, type StatefulOptions } from '../../../src/engine/stateful/firewall.js';
import type { Inspection, Policy } from '../../../src/policy/model.js';
import { Conversation, Runner } from './packets.js';
import { guarded, INSPECT_IN } from './policies.js';

/** What a test gets: the firewall, the runner (next packet is number 9) and the control conversation. */
export interface ControlSession {
  readonly fw: StatefulFirewall;
  readonly run: Runner;
  readonly cv: Conversation;
}

/**
 * Packets 1-8: handshake, `220` banner, USER, `331`, PASS, `230` — so both
 * directions have a remembered newline position and the next command is parsed.
 */
export function loggedIn(
  options: StatefulOptions = {},
  inspections: Inspection[] = [INSPECT_IN],
  client = '10.0.0.2',
  cPort = 50000,
  policy: Policy = guarded(inspections),
  server = '192.168.10.1',
  sPort = 21,
): ControlSession {
  const fw = createStatefulFirewall(policy, options);
  const run = new Runner(fw);
  const cv = new Conversation(client, cPort, server, sPort);
  const script = [cv.syn(), cv.synAck(), cv.ack(), cv.s('220 ftpwall test server\r\n'), cv.c('USER anonymous\r\n'), cv.s('331 Password required\r\n'), cv.c('PASS guest\r\n'), cv.s('230 Logged in\r\n')];
  for (const p of script) {
    const r = run.step(p, 0);
    if (r.verdict.action !== 'permit') throw new Error(`setup packet ${r.n} was denied`);
  }
  return { fw, run, cv };
}

/** Joins another session's runner numbering: continues the same firewall with a new conversation. */
export function alsoLoggedIn(s: ControlSession, client: string, cPort: number): Conversation {
  const cv = new Conversation(client, cPort, '192.168.10.1', 21, 20000, 30000);
  for (const p of [cv.syn(), cv.synAck(), cv.ack(), cv.s('220 hi\r\n'), cv.c('USER a\r\n'), cv.s('331 pw\r\n'), cv.c('PASS b\r\n'), cv.s('230 ok\r\n')]) s.run.step(p, 0);
  return cv;
}
