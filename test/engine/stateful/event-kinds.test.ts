/**
 * When each kind of event first came, with recording off (a capture replay's engine, and each shard of
 * a sharded one): Firewall.eventKindsSeen gives the kinds in first-seen order with their place among the
 * events of the step that first had one, which must be the index in that step's events with recording on.
 * A sharded replay orders its merged event counts by those (step, place) pairs.
 */
import { describe, expect, it } from 'vitest';
import { createStatefulFirewall } from '../../../src/engine/stateful/firewall.js';
import type { Packet } from '../../../src/net/packet.js';
import { Conversation, IN, OUT } from './packets.js';
import { guarded, INSPECT_IN } from './policies.js';

const S = 1000;

/** A session's packets with their times: login, a 227 whose data connection opens and one that never does, then the close. */
function script(): [Packet, number][] {
  const cv = new Conversation('10.0.0.2', 50000, '192.168.10.1', 21);
  const data = new Conversation('10.0.0.2', 50010, '192.168.10.1', 50001, 70000, 80000);
  const at = (p: Packet, sec: number): [Packet, number] => [p, sec * S];
  return [
    at(cv.syn(), 0), at(cv.synAck(), 0), at(cv.ack(), 0),
    at(cv.s('220 ftpwall test server\r\n'), 0), at(cv.c('USER anonymous\r\n'), 0), at(cv.s('331 Password required\r\n'), 0),
    at(cv.c('PASS guest\r\n'), 0), at(cv.s('230 Logged in\r\n'), 0),
    at(cv.c('PASV\r\n'), 1), at(cv.s('227 Entering Passive Mode (192,168,10,1,195,81).\r\n'), 1),
    at(data.syn(), 2), at(data.synAck(), 2), at(data.ack(), 2),
    at(cv.c('PASV\r\n'), 3), at(cv.s('227 Entering Passive Mode (192,168,10,1,195,82).\r\n'), 3),
    at(cv.clientFin(), 4), at(cv.serverFin(), 4), at(cv.ack(), 4),
  ];
}

/** Steps the script (then lets the clock run for an hour) and lists each kind's first [step, place]. */
function firstKinds(recording: boolean): [string, number, number][] {
  const fw = createStatefulFirewall(guarded([INSPECT_IN]));
  fw.setRecording(recording);
  const out: [string, number, number][] = [];
  const fromEvents = (step: number, kinds: readonly string[]): void => {
    kinds.forEach((kind, i) => {
      if (!out.some(([k]) => k === kind)) out.push([kind, step, i]);
    });
  };
  let known = 0;
  const fromEngine = (step: number): void => {
    const seen = fw.eventKindsSeen();
    for (; known < seen.length; known++) out.push([seen[known]![0], step, seen[known]![1]]);
  };
  const steps = script();
  steps.forEach(([p, tMs], k) => {
    const server = p.src.v4 >>> 8 === 0xc0a80a;
    const r = fw.step(p, { n: k + 1, nowMs: tMs, ingress: server ? IN : OUT, egress: server ? OUT : IN });
    expect(r.verdict.action).toBe('permit');
    if (recording) fromEvents(k + 1, r.events.map((e) => e.kind));
    else {
      expect(r.events).toEqual([]);
      fromEngine(k + 1);
    }
  });
  const events = fw.advanceTo(3600 * S);
  if (recording) fromEvents(steps.length + 1, events.map((e) => e.kind));
  else fromEngine(steps.length + 1);
  return out;
}

describe('the kinds of event an engine saw, and where each first came', () => {
  it('with recording off, the same steps and places as the indices of the events recording on returns', () => {
    const on = firstKinds(true);
    const off = firstKinds(false);
    expect(off).toEqual(on);
    expect(on.map(([k]) => k)).toEqual(['conntrack-new', 'conntrack-state', 'expectation-open', 'expectation-consumed', 'conntrack-destroy', 'expectation-expired']);
    // the data connection's SYN: the expectation is consumed first (index 0), then the entry made (a kind already seen)
    expect(on).toContainEqual(['expectation-consumed', 11, 0]);
    // the hour's clock move: the connections time out, and the master's going orphans the second 227's expectation
    // after it (nf_ct_remove_expectations): a kind first seen at a place other than 0
    const destroyAt = on.find(([k]) => k === 'conntrack-destroy')!;
    const expiredAt = on.find(([k]) => k === 'expectation-expired')!;
    expect(destroyAt[1]).toBe(19);
    expect(expiredAt[1]).toBe(19);
    expect(expiredAt[2]).toBeGreaterThan(destroyAt[2]);
  });
});
