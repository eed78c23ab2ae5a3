/**
 * The simulator keeps nothing per packet unless the report asks for packets: file content is
 * made a segment at a time from the seeded stream (the same bytes as filling a buffer), TCP cuts
 * a write into segments only as it sends them, and a packet sink leaves the trace empty.
 */
import { describe, expect, it } from 'vitest';
import type { TracePacket } from '../../src/engine/trace.js';
import { startRunReport } from '../../src/report/run.js';
import { EventQueue } from '../../src/sim/clock.js';
import { fileContent } from '../../src/sim/content.js';
import { Network } from '../../src/sim/network.js';
import { createPrng, type ByteSource } from '../../src/sim/prng.js';
import { simulate } from '../../src/sim/run.js';
import { mssFor, TCP_WINDOW } from '../../src/sim/tcp.js';
import { ip } from '../helpers/build.js';
import { INSIDE, OUTSIDE, permitAll, scenario, session, step } from './fakes.js';

describe('file content made on demand', () => {
  it('gives the bytes fill gives, from any offset, and moves the stream past them', () => {
    for (const bytes of [0, 1, 3, 4, 5, 1001, 4096 + 3]) {
      const filled = createPrng(42);
      const want = filled.fill(new Uint8Array(bytes));
      const taken = createPrng(42);
      const src = taken.take(bytes);
      expect(src.length).toBe(bytes);
      expect(src.subarray(0, bytes)).toEqual(want);
      // pieces at offsets that cut through draws
      for (const [a, b] of [[1, 6], [3, 4], [bytes - 2, bytes], [7, 7]] as const) {
        if (a < 0 || b > bytes || a > b) continue;
        expect(src.subarray(a, b)).toEqual(want.subarray(a, b));
      }
      // the next draw after the content is the same either way
      expect(taken.nextUint32()).toBe(filled.nextUint32());
    }
  });

  it('holds no buffer: a 1 TiB file costs nothing until read, and its last bytes read at once', () => {
    const src = fileContent(createPrng(1), 2 ** 40);
    expect(src.length).toBe(2 ** 40);
    expect(src).not.toBeInstanceOf(Uint8Array);
    expect(src.subarray(2 ** 40 - 5, 2 ** 40).length).toBe(5);
  });
});

describe('TCP cuts a write into segments as it sends', () => {
  it('reads no further into a long write than the window ahead of what the peer has received', () => {
    const queue = new EventQueue();
    const net = new Network(queue, permitAll(), createPrng(3), () => undefined);
    const client = net.addHost(ip('10.0.0.2'), OUTSIDE);
    const server = net.addHost(ip('192.168.10.1'), INSIDE);
    const total = 4 << 20;
    let readUpTo = 0;
    const source: ByteSource = {
      length: total,
      subarray(begin: number, end: number): Uint8Array {
        readUpTo = Math.max(readUpTo, end);
        return new Uint8Array(end - begin);
      },
    };
    server.listen(2121, 'server', (sock) => {
      sock.write(source);
      sock.close();
    });
    let received = 0;
    let worstAhead = 0;
    let ended = false;
    const opts = { who: 'client', synRetries: 3, initialRtoMs: 1000 };
    const sock = client.connect(40000, ip('192.168.10.1'), 2121, opts, {
      onData: (d) => {
        received += d.length;
        worstAhead = Math.max(worstAhead, readUpTo - received);
      },
      onEnd: () => {
        ended = true;
        sock.close();
      },
    });
    queue.run(10_000_000);
    expect(ended).toBe(true);
    expect(received).toBe(total);
    expect(readUpTo).toBe(total);
    // the eager version cut all 4 MiB at the write: 4 MiB ahead at the first segment
    expect(worstAhead).toBeLessThanOrEqual(TCP_WINDOW + 2 * mssFor(4));
  });
});

describe('a packet sink', () => {
  const download = (bytes: number) => scenario([session([step.login(), step.retr('big.bin', bytes), step.quit()])]);

  it('takes every packet in order and leaves the trace and a row-less report holding none', () => {
    const whole = simulate(download(200_000), permitAll());
    const seen: number[] = [];
    let last: TracePacket | undefined;
    const label = { scenario: 'test', source: 'test.yaml', config: 'permit-all', engine: 'static' } as const;
    const b = startRunReport(label, 'none');
    const streamed = simulate(download(200_000), permitAll(), {
      onPacket: (tp) => {
        seen.push(tp.n);
        last = tp;
        b.add(tp);
      },
    });
    expect(whole.packets.length).toBeGreaterThan(100);
    expect(seen).toEqual(whole.packets.map((tp) => tp.n));
    expect(last).toEqual(whole.packets.at(-1));
    expect(streamed.packets).toHaveLength(0);
    expect(streamed.sessions).toEqual(whole.sessions);
    expect(streamed.events).toEqual(whole.events);
    const r = b.finish(streamed);
    expect(r.packets).toHaveLength(0);
    expect(r.flows.length).toBe(2);
    for (const f of r.flows) expect(f.packetNumbers).toHaveLength(0);
    expect(r.flows.reduce((n, f) => n + f.packets, 0)).toBe(whole.packets.length);
  });
});
