import { describe, expect, it } from 'vitest';
import { TCP_SYN } from '../../src/net/packet.js';
import { ControlStream, MAX_HELD_SEGMENTS } from '../../src/replay/control-stream.js';

const bytes = (s: string) => new TextEncoder().encode(s);

function collect(): { s: ControlStream; lines: string[] } {
  const lines: string[] = [];
  return { s: new ControlStream((line, n) => lines.push(`${n}:${line}`)), lines };
}

describe('control stream reassembly (RFC 9293 sequence order)', () => {
  it('joins a line split over segments and names the packet that completed it', () => {
    const { s, lines } = collect();
    s.push(1000, TCP_SYN, new Uint8Array(0), 1);
    s.push(1001, 0, bytes('227 Entering Passive Mode (172,23,'), 5);
    s.push(1035, 0, bytes('0,2,82,9).\r\n200 OK\r\n'), 6);
    expect(lines).toEqual(['6:227 Entering Passive Mode (172,23,0,2,82,9).', '6:200 OK']);
  });

  it('skips retransmitted bytes, also when a retransmission overlaps new data', () => {
    const { s, lines } = collect();
    s.push(1000, TCP_SYN, new Uint8Array(0), 1);
    s.push(1001, 0, bytes('PORT 10,0'), 2);
    s.push(1001, 0, bytes('PORT 10,0'), 3); // whole retransmission
    s.push(1006, 0, bytes('10,0,0,2,195,81\r\n'), 4); // overlaps 4 bytes already seen
    expect(lines).toEqual(['4:PORT 10,0,0,2,195,81']);
    expect(s.retransmittedBytes).toBe(9 + 4);
  });

  it('holds a segment that arrives early until the gap fills', () => {
    const { s, lines } = collect();
    s.push(0, TCP_SYN, new Uint8Array(0), 1);
    s.push(7, 0, bytes('World\r\n'), 2);
    expect(lines).toEqual([]);
    s.push(1, 0, bytes('Hello '), 3);
    expect(lines).toEqual(['3:Hello World']);
  });

  it('works across the 2^32 sequence wrap', () => {
    const { s, lines } = collect();
    s.push(0xfffffffd, TCP_SYN, new Uint8Array(0), 1);
    s.push(0xfffffffe, 0, bytes('22'), 2);
    s.push(0, 0, bytes('0 ready\r\n'), 3);
    expect(lines).toEqual(['3:220 ready']);
  });

  it('starts at the first data segment when the capture missed the SYN', () => {
    const { s, lines } = collect();
    s.push(5000, 0, bytes('USER anonymous\r\n'), 9);
    expect(lines).toEqual(['9:USER anonymous']);
  });

  it(`holds at most ${MAX_HELD_SEGMENTS} early segments and counts what it drops`, () => {
    const { s } = collect();
    s.push(0, TCP_SYN, new Uint8Array(0), 1);
    for (let i = 0; i < MAX_HELD_SEGMENTS + 3; i++) s.push(100 + i * 10, 0, bytes('x'.repeat(10)), 2 + i);
    expect(s.heldBytes()).toBe(MAX_HELD_SEGMENTS * 10);
    expect(s.lostBytes).toBe(30);
  });
});
