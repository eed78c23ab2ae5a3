import { describe, expect, test } from 'vitest';
import { ipEquals } from '../../src/net/address.js';
import { TCP_ACK, TCP_FIN, TCP_PSH, TCP_RST, TCP_SYN } from '../../src/net/packet.js';
import type { Trace } from '../../src/engine/trace.js';
import { createPrng } from '../../src/sim/prng.js';
import { simulate } from '../../src/sim/run.js';
import { CLIENT, INSIDE, OUTSIDE, permitAll, predicateFirewall, scenario, session, SERVER, step } from './fakes.js';
import { bundled, connection, from, line, seqLength, text, to } from './trace-tools.js';

const SA = TCP_SYN | TCP_ACK;

/** Checks RFC 9293 sequence arithmetic on every connection: each new segment starts where the last ended, ACKs are cumulative. */
function checkSequenceArithmetic(trace: Trace): void {
  const ids = new Set(trace.packets.map((p) => p.connection?.id));
  for (const id of ids) {
    if (id === undefined) continue;
    const next = new Map<string, number>();
    for (const tp of connection(trace, id)) {
      const dir = `${from(tp)}>${to(tp)}`;
      const back = `${to(tp)}>${from(tp)}`;
      const p = tp.packet;
      if (p.tcpFlags & TCP_RST) continue;
      if (p.tcpFlags & TCP_SYN) {
        if (p.tcpFlags & TCP_ACK) expect(p.ack).toBe(next.get(back));
        next.set(dir, (p.seq + 1) >>> 0);
        continue;
      }
      const expected = next.get(dir)!;
      if (tp.note?.startsWith('retransmission')) expect((expected - p.seq) | 0).toBeGreaterThan(0);
      else expect(p.seq, `packet ${tp.n}`).toBe(expected);
      next.set(dir, Math.max(expected, (p.seq + seqLength(tp)) >>> 0) >>> 0);
      expect((p.ack - next.get(back)!) | 0, `ack of packet ${tp.n}`).toBeLessThanOrEqual(0);
    }
  }
}

describe('TCP as the simulator speaks it (permit-all firewall)', () => {
  const trace = simulate(bundled('passive-download'), permitAll());

  test('the control handshake has exact seq/ack arithmetic, the ISNs drawn from the seeded PRNG', () => {
    const [syn, synAck, ack, greeting] = trace.packets;
    const isn = createPrng(1);
    const clientIsn = isn.nextUint32();
    const serverIsn = isn.nextUint32();
    expect([syn!.packet.tcpFlags, syn!.packet.seq, syn!.packet.ack]).toEqual([TCP_SYN, clientIsn, 0]);
    expect([synAck!.packet.tcpFlags, synAck!.packet.seq, synAck!.packet.ack]).toEqual([SA, serverIsn, (clientIsn + 1) >>> 0]);
    expect([ack!.packet.tcpFlags, ack!.packet.seq, ack!.packet.ack]).toEqual([TCP_ACK, (clientIsn + 1) >>> 0, (serverIsn + 1) >>> 0]);
    expect(text(greeting!)).toBe('220 ftpwall simulated FTP server ready.\r\n');
    expect([greeting!.packet.tcpFlags, greeting!.packet.seq]).toEqual([TCP_PSH | TCP_ACK, (serverIsn + 1) >>> 0]);
    expect(syn!.packet.window).toBe(64240);
    expect([syn!.tMs, synAck!.tMs, ack!.tMs]).toEqual([0, 1, 2]);
  });

  test('every connection of every bundled scenario keeps its sequence numbers straight', () => {
    for (const name of ['passive-download', 'active-download', 'active-upload', 'list-and-two-retr', 'ftps', 'ipv6-download', 'two-sessions', 'split-port']) {
      checkSequenceArithmetic(simulate(bundled(name), permitAll()));
    }
  });

  test('the downloaded bytes add up, in 1460-byte segments with PSH on the last', () => {
    const data = trace.packets.filter((p) => p.connection?.role === 'data' && from(p) === '192.168.10.1:50020' && p.packet.payload.length > 0);
    expect(data.map((p) => p.packet.payload.length)).toEqual([1460, 1460, 1460, 1460, 1460, 1460, 1240]);
    expect(data.reduce((n, p) => n + p.packet.payload.length, 0)).toBe(10000);
    expect(data.map((p) => (p.packet.tcpFlags & TCP_PSH) !== 0)).toEqual([false, false, false, false, false, false, true]);
  });

  test('the server closes the download data connection first and 226 follows the ACK of its FIN', () => {
    const d = trace.packets.filter((p) => p.connection?.role === 'data');
    const fins = d.filter((p) => p.packet.tcpFlags & TCP_FIN);
    expect(fins.map(from)).toEqual(['192.168.10.1:50020', '10.0.0.2:50001']);
    const done = line(trace, '226 Transfer complete.');
    const finAck = d.find((p) => from(p) === '10.0.0.2:50001' && p.packet.ack === ((fins[0]!.packet.seq + 1) >>> 0))!;
    expect(done.n).toBeGreaterThan(finAck.n);
  });

  test('the control conversation is real FTP, one line per segment, and QUIT ends with the server closing', () => {
    expect(trace.sessions).toEqual([
      {
        name: 'download',
        works: true,
        loginOk: true,
        transfers: [{ command: 'RETR file.bin', ok: true, reply: '226 Transfer complete.' }],
        transcript: [
          '< 220 ftpwall simulated FTP server ready.',
          '> USER anonymous',
          '< 331 Please specify the password.',
          '> PASS ftp@example.com',
          '< 230 Login successful.',
          '> TYPE I',
          '< 200 Switching to Binary mode.',
          '> PASV',
          '< 227 Entering Passive Mode (192,168,10,1,195,100).',
          '> RETR file.bin',
          '< 150 Opening BINARY mode data connection for file.bin (10000 bytes).',
          '< 226 Transfer complete.',
          '> QUIT',
          '< 221 Goodbye.',
        ],
      },
    ]);
    const control = trace.packets.filter((p) => p.connection?.role === 'control');
    const fins = control.filter((p) => p.packet.tcpFlags & TCP_FIN);
    expect(fins.map(from)).toEqual(['192.168.10.1:21', '10.0.0.2:50000']);
  });

  test('packets are routed from the sender\'s interface to the receiver\'s, numbered from 1, labelled by connection', () => {
    expect(trace.packets.map((p) => p.n)).toEqual(trace.packets.map((_, i) => i + 1));
    for (const p of trace.packets) {
      const outbound = ipEquals(p.packet.src, CLIENT.address);
      expect([p.ingress, p.egress]).toEqual(outbound ? [OUTSIDE, INSIDE] : [INSIDE, OUTSIDE]);
      expect(p.session).toBe('download');
    }
    expect([...new Set(trace.packets.map((p) => `${p.connection?.id} ${p.connection?.role}`))]).toEqual(['1 control', '2 data']);
  });

  test('the firewall clock is advanced to each packet\'s time before the packet is stepped', () => {
    const fw = permitAll();
    simulate(bundled('passive-download'), fw);
    expect(fw.calls.map((c) => c.n)).toEqual(fw.calls.map((_, i) => i + 1));
    expect(fw.advances.slice(0, fw.calls.length)).toEqual(fw.calls.map((c) => c.nowMs));
  });

  test('IPv6 uses EPSV and 1440-byte segments', () => {
    const t = simulate(bundled('ipv6-download'), permitAll());
    expect(text(line(t, 'EPSV'))).toBe('EPSV\r\n');
    expect(text(line(t, '229 Entering Extended Passive Mode (|||50020|)'))).toContain('229');
    const sizes = t.packets.filter((p) => p.connection?.role === 'data' && p.packet.payload.length > 0).map((p) => p.packet.payload.length);
    expect(sizes).toEqual([1440, 1440, 1440, 1440, 1440, 1440, 1360]);
  });

  test('an upload is closed by the client, and its bytes add up', () => {
    const t = simulate(bundled('active-upload'), permitAll());
    const d = t.packets.filter((p) => p.connection?.role === 'data');
    expect(d[0]!.packet.tcpFlags).toBe(TCP_SYN);
    expect(from(d[0]!)).toBe('192.168.10.1:20');
    expect(d.filter((p) => from(p) === '10.0.0.2:50001').reduce((n, p) => n + p.packet.payload.length, 0)).toBe(8000);
    expect(d.filter((p) => p.packet.tcpFlags & TCP_FIN).map(from)).toEqual(['10.0.0.2:50001', '192.168.10.1:20']);
    expect(t.sessions[0]!.transfers).toEqual([{ command: 'STOR upload.bin', ok: true, reply: '226 Transfer complete.' }]);
  });

  test('a split PORT goes out as two segments cut at the given offset', () => {
    const t = simulate(bundled('split-port'), permitAll());
    const i = t.packets.findIndex((p) => text(p) === 'PORT 10,');
    expect(i).toBeGreaterThan(0);
    expect(text(t.packets[i + 1]!)).toBe('0,0,2,195,81\r\n');
    expect(t.sessions[0]!.works).toBe(true);
  });

  test('after AUTH TLS no control payload is readable FTP: TLS records only, and the transfer still works', () => {
    const t = simulate(bundled('ftps'), permitAll());
    const control = t.packets.filter((p) => p.connection?.role === 'control' && p.packet.payload.length > 0);
    const k = control.findIndex((p) => text(p) === '234 Proceed with negotiation.\r\n');
    expect(k).toBe(2);
    const after = control.slice(k + 1);
    expect(text(after[0]!).slice(0, 3)).toBe('\x16\x03\x01');
    for (const p of after) expect(text(p)).not.toMatch(/USER|PASV|227|RETR|226/);
    const appData = after.filter((p) => text(p).startsWith('\x17\x03\x03'));
    expect(appData.length).toBeGreaterThanOrEqual(10);
    expect(t.sessions[0]!.works).toBe(true);
    expect(t.sessions[0]!.transcript).toContain('< 227 Entering Passive Mode (192,168,10,1,195,100).');
  });

  test('the same scenario and firewall give the same trace, byte for byte; another seed changes the ISNs', () => {
    for (const name of ['passive-download', 'ftps', 'two-sessions']) {
      expect(JSON.stringify(simulate(bundled(name), permitAll()))).toBe(JSON.stringify(simulate(bundled(name), permitAll())));
    }
    const other = simulate({ ...bundled('passive-download'), seed: 2 }, permitAll());
    expect(other.packets[0]!.packet.seq).toBe(createPrng(2).nextUint32());
    expect(other.packets[0]!.packet.seq).not.toBe(trace.packets[0]!.packet.seq);
  });
});

describe('endpoints react to drops', () => {
  test('an active-mode data SYN that is dropped is retransmitted at +1, +2, +4 … s, then 425 comes on the control channel', () => {
    const fw = predicateFirewall((p) => p.srcPort === 20 && p.tcpFlags === TCP_SYN);
    const t = simulate(scenario([session([step.login(), step.retr('f.bin', 3000), step.quit()], { mode: 'active' })]), fw);
    const syns = t.packets.filter((p) => p.packet.srcPort === 20 && p.packet.tcpFlags === TCP_SYN);
    const t0 = syns[0]!.tMs;
    expect(syns.map((p) => p.tMs - t0)).toEqual([0, 1000, 3000, 7000, 15000, 31000, 63000]);
    expect(syns.map((p) => p.note)).toEqual([
      undefined,
      'retransmission 1 (after 1 s)',
      'retransmission 2 (after 2 s)',
      'retransmission 3 (after 4 s)',
      'retransmission 4 (after 8 s)',
      'retransmission 5 (after 16 s)',
      'retransmission 6 (after 32 s)',
    ]);
    expect(syns.every((p) => p.verdict.action === 'deny')).toBe(true);
    const reply = line(t, "425 Can't open data connection.");
    expect(reply.tMs - t0).toBe(127000);
    expect(t.events.map((e) => e.text)).toContain('server 192.168.10.1 gives up connecting to 10.0.0.2:50001 after 7 SYNs (127 s): 425 sent');
    expect(t.events.map((e) => e.text)).toContain('server 192.168.10.1 retransmits SYN to 10.0.0.2:50001 (attempt 2, after 1 s)');
    expect(t.sessions[0]).toMatchObject({ works: false, loginOk: true, transfers: [{ command: 'RETR f.bin', ok: false, reply: "425 Can't open data connection." }] });
    expect(t.sessions[0]!.transcript.slice(-4)).toEqual(['> RETR f.bin', "< 425 Can't open data connection.", '> QUIT', '< 221 Goodbye.']);
  });

  test('a passive data connection that cannot open makes the client give up that transfer and say why', () => {
    const fw = predicateFirewall((p) => p.dstPort === 50020);
    const t = simulate(scenario([session([step.login(), step.retr('f.bin', 3000), step.quit()], { mode: 'passive' })]), fw);
    expect(t.sessions[0]!.transfers).toEqual([
      {
        command: 'RETR f.bin',
        ok: false,
        reply: '227 Entering Passive Mode (192,168,10,1,195,100).',
        note: 'data connection to 192.168.10.1:50020 failed: no SYN-ACK after 7 SYNs (127 s)',
      },
    ]);
    expect(t.sessions[0]!.transcript).not.toContain('> RETR f.bin');
    expect(t.events.map((e) => e.text)).toContain('client 10.0.0.2 gives up connecting to 192.168.10.1:50020 after 7 SYNs (127 s): RETR f.bin not sent');
  });

  test('EPSV refused with 500 makes the client retry with PASV', () => {
    const t = simulate(scenario([session([step.login(), step.retr('f.bin', 3000), step.quit()], { mode: 'extended-passive' }, { rfc2428: false })]), permitAll());
    expect(t.sessions[0]!.transfers).toEqual([
      { command: 'RETR f.bin', ok: true, reply: '226 Transfer complete.', note: "EPSV refused (500 'EPSV': command not understood.), retried with PASV" },
    ]);
    expect(t.sessions[0]!.transcript.slice(7, 11)).toEqual([
      '> EPSV',
      "< 500 'EPSV': command not understood.",
      '> PASV',
      '< 227 Entering Passive Mode (192,168,10,1,195,100).',
    ]);
  });

  test('an EPSV data connection that fails makes the client retry with PASV from the next port', () => {
    const fw = predicateFirewall((p) => p.srcPort === 50001 && p.tcpFlags === TCP_SYN);
    const t = simulate(scenario([session([step.login(), step.retr('f.bin', 3000), step.quit()], { mode: 'extended-passive' })]), fw);
    expect(t.sessions[0]!.transfers).toEqual([
      {
        command: 'RETR f.bin',
        ok: true,
        reply: '226 Transfer complete.',
        note: 'data connection to 192.168.10.1:50020 failed: no SYN-ACK after 7 SYNs (127 s); retried with PASV',
      },
    ]);
    const pasv = line(t, 'PASV');
    expect(pasv.tMs - line(t, '229 Entering Extended Passive Mode (|||50020|)').tMs).toBe(127001);
    expect(t.packets.some((p) => from(p) === '10.0.0.2:50002' && p.packet.tcpFlags === TCP_SYN && p.verdict.action === 'permit')).toBe(true);
  });

  test('without epsvFallback a failed EPSV data connection fails the transfer', () => {
    const fw = predicateFirewall((p) => p.srcPort === 50001 && p.tcpFlags === TCP_SYN);
    const t = simulate(scenario([session([step.login(), step.retr('f.bin', 3000), step.quit()], { mode: 'extended-passive', epsvFallback: false })]), fw);
    expect(t.sessions[0]!.transfers[0]).toMatchObject({ ok: false, reply: '229 Entering Extended Passive Mode (|||50020|)' });
    expect(t.sessions[0]!.transcript).not.toContain('> PASV');
  });

  test('a blocked control connection ends the session before login', () => {
    const fw = predicateFirewall((p) => p.dstPort === 21);
    const t = simulate(scenario([session([step.login(), step.quit()])]), fw);
    expect(t.packets.length).toBe(7);
    expect(t.sessions[0]).toEqual({ name: 'download', works: false, loginOk: false, transfers: [], transcript: [] });
    expect(t.events.map((e) => e.text).at(-1)).toBe('client 10.0.0.2 gives up connecting to 192.168.10.1:21 after 7 SYNs (127 s): no control connection, the session ends');
  });

  test('a dropped SYN-ACK is retransmitted by the listener while the client repeats its SYN', () => {
    const fw = predicateFirewall((p) => p.srcPort === 21 && p.tcpFlags === SA);
    const t = simulate(scenario([session([step.login()])]), fw);
    const texts = t.events.map((e) => e.text);
    expect(texts.slice(0, 3)).toEqual([
      'client 10.0.0.2 retransmits SYN to 192.168.10.1:21 (attempt 2, after 1 s)',
      'server 192.168.10.1 retransmits SYN-ACK to 10.0.0.2:50000 (attempt 2, after 1 s)',
      'client 10.0.0.2 retransmits SYN to 192.168.10.1:21 (attempt 3, after 2 s)',
    ]);
    // A repeated SYN is answered at once with the same SYN-ACK (same ISN) while the half-open connection lives (63 s).
    const synAcks = t.packets.filter((p) => p.packet.tcpFlags === SA && p.tMs < 63_000);
    expect(new Set(synAcks.map((p) => p.packet.seq)).size).toBe(1);
    // At 1001 ms the listener's own timer fires just before the client's repeated SYN (sent at 1000 ms) arrives.
    expect(synAcks.slice(0, 3).map((p) => [p.tMs, p.note])).toEqual([
      [1, undefined],
      [1001, 'retransmission 1 (after 1 s)'],
      [1001, 'retransmission (answer to a repeated SYN)'],
    ]);
    expect(t.sessions[0]!.loginOk).toBe(false);
  });

  test('a dropped data segment is retransmitted after 200 ms and the download completes', () => {
    // Drop the second full-size data segment, once.
    let fullSegments = 0;
    const fw = predicateFirewall((p) => p.srcPort === 50020 && p.payload.length === 1460 && ++fullSegments === 2);
    const t = simulate(scenario([session([step.login(), step.retr('f.bin', 5000), step.quit()])]), fw);
    const lost = t.packets.find((p) => p.verdict.action === 'deny')!;
    const again = t.packets.filter((p) => p.packet.seq === lost.packet.seq && from(p) === '192.168.10.1:50020' && p.n > lost.n);
    expect(again[0]!.note).toBe('retransmission 1 (after 200 ms)');
    expect(again[0]!.packet.payload.length).toBe(1460);
    // 200 ms after the last ACK that moved the window (1 ms there and 1 ms back).
    expect(again[0]!.tMs - lost.tMs).toBe(202);
    expect(t.sessions[0]!.transfers).toEqual([{ command: 'RETR f.bin', ok: true, reply: '226 Transfer complete.' }]);
    const delivered = new Map<number, number>();
    for (const p of t.packets) if (from(p) === '192.168.10.1:50020' && p.verdict.action === 'permit' && p.packet.payload.length > 0) delivered.set(p.packet.seq, p.packet.payload.length);
    expect([...delivered.values()].reduce((a, b) => a + b, 0)).toBe(5000);
  });

  test('in passive mode the server answers 425 when no data connection comes within dataAcceptTimeoutSec', () => {
    const t = simulate(scenario([session([step.login(), step.raw('PASV'), step.raw('LIST'), step.quit()], {}, { dataAcceptTimeoutMs: 30_000 })]), permitAll());
    const list = line(t, 'LIST');
    const reply = line(t, "425 Can't open data connection.");
    expect(reply.tMs - list.tMs).toBe(30_001);
    expect(t.events.map((e) => e.text)).toContain("server 192.168.10.1 waited 30 s for a data connection on port 50020 after LIST: 425 sent");
  });

  test('a PORT naming a port nobody listens on is refused with RST and answered with 425 at once', () => {
    const t = simulate(bundled('privileged-port'), permitAll());
    expect(text(line(t, 'PORT 10,0,0,2,0,80'))).toBe('PORT 10,0,0,2,0,80\r\n');
    const rst = t.packets.find((p) => p.packet.tcpFlags & TCP_RST)!;
    expect([from(rst), to(rst), rst.packet.tcpFlags]).toEqual(['10.0.0.2:80', '192.168.10.1:20', TCP_RST | TCP_ACK]);
    expect(line(t, "425 Can't open data connection.").tMs - rst.tMs).toBe(1);
  });

  test('the server connects to a bounce target behind the client\'s interface', () => {
    const t = simulate(bundled('bounce'), permitAll());
    const syn = t.packets.find((p) => p.packet.tcpFlags === TCP_SYN && p.packet.srcPort === 20)!;
    expect([from(syn), to(syn), syn.ingress, syn.egress]).toEqual(['192.168.10.1:20', '10.0.0.99:50001', INSIDE, OUTSIDE]);
  });

  test('a 227 naming an address no host has gets no answer: the SYNs leave towards the announcer and time out', () => {
    const t = simulate(bundled('server-announces-other'), permitAll());
    const syns = t.packets.filter((p) => to(p) === '203.0.113.10:50020');
    expect(syns.length).toBe(7);
    expect(syns.every((p) => p.ingress === OUTSIDE && p.egress === INSIDE && p.verdict.action === 'permit')).toBe(true);
    expect(t.packets.some((p) => from(p) === '203.0.113.10:50020')).toBe(false);
    expect(t.sessions[0]!.works).toBe(false);
  });

  test('a passive data connection from another address of the client comes from that address', () => {
    const t = simulate(bundled('unexpected-source'), permitAll());
    const syn = t.packets.find((p) => p.connection?.role === 'data')!;
    expect([from(syn), to(syn)]).toEqual(['10.0.0.3:50001', '192.168.10.1:50020']);
  });

  test('waiting 400 s after the 227 delays the data SYN by 400 s', () => {
    const t = simulate(bundled('pasv-wait-400s'), permitAll());
    const syn = t.packets.find((p) => p.connection?.role === 'data')!;
    expect(syn.tMs - line(t, '227 Entering Passive Mode (192,168,10,1,195,100).').tMs).toBe(400_001);
  });

  test('two sessions to one server run side by side with their own connections and passive ports', () => {
    const t = simulate(bundled('two-sessions'), permitAll());
    expect(t.sessions.map((s) => [s.name, s.works])).toEqual([
      ['first', true],
      ['second', true],
    ]);
    expect(t.sessions[1]!.transcript).toContain('< 227 Entering Passive Mode (192,168,10,1,195,101).');
    expect(new Set(t.packets.map((p) => `${p.session}#${p.connection?.id}`)).size).toBe(5);
  });

  test('a server address is the hand-built SERVER host (sanity of the test doubles)', () => {
    expect(SERVER.interface).toBe(INSIDE);
  });
});
