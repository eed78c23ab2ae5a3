import { describe, expect, test } from 'vitest';
import { TCP_ACK, TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN } from '../../src/net/packet.js';
import type { TracePacket } from '../../src/engine/trace.js';
import { simulate } from '../../src/sim/run.js';
import { predicateFirewall, scenario, session, step } from './fakes.js';

const CLIENT_DATA_PORT = 50001;
const SERVER_DATA_PORT = 50020;
const BYTES = 20000;

/** seq, ack, flags, payload length and note of a packet, for exact comparison. */
function shape(tp: TracePacket): [number, number, number, number, string | undefined] {
  return [tp.packet.seq, tp.packet.ack, tp.packet.tcpFlags, tp.packet.payload.length, tp.note];
}

describe('the peer acknowledges up to the highest sequence number ever sent (Linux tcp_ack, BSD snd_max)', () => {
  // Every pure ACK and the FIN of the client's data connection is dropped from just after the
  // server's burst until 300 ms: the server times out, resends its first segment at 200 ms and
  // 600 ms; the client's later retransmitted FIN and duplicate ACK acknowledge all data and the FIN.
  const fw = predicateFirewall((p, ctx) => p.srcPort === CLIENT_DATA_PORT && p.payload.length === 0 && ctx.nowMs >= 16 && ctx.nowMs <= 300);
  const t = simulate(scenario([session([step.login(), step.retr('a', BYTES), step.quit()])]), fw);
  const data = t.packets.filter((tp) => tp.packet.srcPort === CLIENT_DATA_PORT || tp.packet.dstPort === CLIENT_DATA_PORT);
  const fromServer = data.filter((tp) => tp.packet.srcPort === SERVER_DATA_PORT);
  const fromClient = data.filter((tp) => tp.packet.srcPort === CLIENT_DATA_PORT);
  const clientIsn = fromClient[0]!.packet.seq;
  const serverIsn = fromServer[0]!.packet.seq;
  const s = (n: number): number => (serverIsn + n) >>> 0;
  const c = (n: number): number => (clientIsn + n) >>> 0;

  test('the transfer completes with 226 and the session works', () => {
    expect(t.sessions[0]).toMatchObject({ works: true, transfers: [{ command: 'RETR a', ok: true, reply: '226 Transfer complete.' }] });
    expect(data.some((tp) => tp.packet.tcpFlags & TCP_RST)).toBe(false);
    expect(t.events.map((e) => e.text).filter((x) => x.includes('aborts'))).toEqual([]);
  });

  test('the dropped window holds every ACK of the burst and the first FIN; then come two retransmissions of the first segment', () => {
    const denied = data.filter((tp) => tp.verdict.action === 'deny');
    expect(denied.map((tp) => [tp.packet.seq, tp.packet.ack, tp.packet.tcpFlags])).toEqual([
      [c(1), s(1 + 2 * 1460), TCP_ACK],
      [c(1), s(1 + 4 * 1460), TCP_ACK],
      [c(1), s(1 + 6 * 1460), TCP_ACK],
      [c(1), s(1 + 8 * 1460), TCP_ACK],
      [c(1), s(1 + 10 * 1460), TCP_ACK],
      [c(1), s(1 + 12 * 1460), TCP_ACK],
      [c(1), s(1 + BYTES), TCP_ACK],
      [c(1), s(2 + BYTES), TCP_FIN | TCP_ACK],
      [c(1), s(2 + BYTES), TCP_FIN | TCP_ACK],
      [c(2), s(2 + BYTES), TCP_ACK],
    ]);
    const resent = fromServer.filter((tp) => tp.note?.startsWith('retransmission'));
    expect(resent.map(shape)).toEqual([
      [s(1), c(1), TCP_ACK, 1460, 'retransmission 1 (after 200 ms)'],
      [s(1), c(1), TCP_ACK, 1460, 'retransmission 2 (after 400 ms)'],
    ]);
  });

  test('the permitted FIN and duplicate ACK above the resent segment are taken, and the server answers at its highest seq', () => {
    const afterWindow = data.filter((tp) => tp.tMs > 300);
    expect(afterWindow.map((tp) => [tp.packet.srcPort, ...shape(tp)])).toEqual([
      [SERVER_DATA_PORT, s(1), c(1), TCP_ACK, 1460, 'retransmission 2 (after 400 ms)'],
      [CLIENT_DATA_PORT, c(1), s(2 + BYTES), TCP_FIN | TCP_ACK, 0, 'retransmission 2 (after 400 ms)'],
      [CLIENT_DATA_PORT, c(2), s(2 + BYTES), TCP_ACK, 0, undefined],
      // seq is one past the server's FIN (snd_max), not the resent segment's end: the ACK of
      // everything moved snd_nxt up to it.
      [SERVER_DATA_PORT, s(2 + BYTES), c(2), TCP_ACK, 0, undefined],
    ]);
    expect(afterWindow.every((tp) => tp.verdict.action === 'permit')).toBe(true);
  });

  test('the original burst is 13 full segments, the rest with PSH, and the FIN at seq ISN + 1 + bytes', () => {
    const burst = fromServer.filter((tp) => !(tp.packet.tcpFlags & TCP_SYN) && !tp.note?.startsWith('retransmission') && tp.tMs < 100);
    expect(burst.map((tp) => [tp.packet.seq, tp.packet.payload.length, tp.packet.tcpFlags])).toEqual([
      ...Array.from({ length: 13 }, (_, i) => [s(1 + i * 1460), 1460, TCP_ACK]),
      [s(1 + 13 * 1460), BYTES - 13 * 1460, TCP_ACK | TCP_PSH],
      [s(1 + BYTES), 0, TCP_ACK | TCP_FIN],
    ]);
  });
});
