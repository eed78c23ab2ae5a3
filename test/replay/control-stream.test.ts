import { describe, expect, it } from 'vitest';
import { TCP_SYN } from '../../src/net/packet.js';
import { ControlStream, latin1, MAX_HELD_SEGMENTS } from '../../src/replay/control-stream.js';

const bytes = (s: string) => new TextEncoder().encode(s);

function collect(): { s: ControlStream<string>; lines: string[] } {
  const lines: string[] = [];
  const reader = {
    line(owner: string, from: 0 | 1, b: Uint8Array, start: number, end: number, n: number): void {
      expect([owner, from]).toEqual(['flow', 1]);
      lines.push(`${n}:${latin1(b, start, end)}`);
    },
  };
  return { s: new ControlStream(reader, 'flow', 1), lines };
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

  it('takes a segment exactly 2^31 bytes behind as already seen, and returns (fuzz pcap seed 2026 #727 hung here)', () => {
    const { s, lines } = collect();
    s.push(0x10, TCP_SYN, new Uint8Array(0), 1);
    // its start is 2^31 before the next expected byte: (seq - next) | 0 is -2^31, whose negation is no int32
    s.push(0x11 + 0x80000000, 0, bytes('PORT 10,0,0,2,195,81\r\n'), 2);
    expect(lines).toEqual([]);
    expect(s.retransmittedBytes).toBe(22);
    s.push(0x11, 0, bytes('220 ok\r\n'), 3);
    expect(lines).toEqual(['3:220 ok']);
  });

  it('starts at the first data segment when the capture missed the SYN', () => {
    const { s, lines } = collect();
    s.push(5000, 0, bytes('USER anonymous\r\n'), 9);
    expect(lines).toEqual(['9:USER anonymous']);
  });

  it('skips a gap the peer has acknowledged (RFC 9293 3.4: the receiver got those bytes, the capture did not), dropping the line it cut', () => {
    const { s, lines } = collect();
    s.push(0, TCP_SYN, new Uint8Array(0), 1);
    s.push(1, 0, bytes('220 hi\r\n200 Ty'), 2); // 14 bytes; the rest of the 200 line is lost
    s.peerAcked(1 + 14 + 15, 3); // the client acknowledges 15 bytes the capture never showed
    s.push(30, 0, bytes('227 Entering Passive Mode (192,168,10,1,195,80).\r\n'), 4);
    expect(lines).toEqual(['2:220 hi', '4:227 Entering Passive Mode (192,168,10,1,195,80).']);
    expect(s.lostBytes).toBe(15 + 6); // the gap and the unfinished "200 Ty"
    expect(s.skippedGaps).toBe(1);
    expect(s.heldBytes()).toBe(0);
  });

  it('releases a held segment when an ACK covering the gap before it arrives later', () => {
    const { s, lines } = collect();
    s.push(0, TCP_SYN, new Uint8Array(0), 1);
    s.push(11, 0, bytes('150 go\r\n'), 2);
    expect(lines).toEqual([]);
    s.peerAcked(5, 3); // covers part of the gap only: a retransmission may still fill it
    expect(lines).toEqual([]);
    s.peerAcked(19, 4);
    expect(lines).toEqual(['4:150 go']);
    expect(s.lostBytes).toBe(10);
  });

  it('does not skip a gap the peer has not acknowledged: the retransmission fills it', () => {
    const { s, lines } = collect();
    s.push(0, TCP_SYN, new Uint8Array(0), 1);
    s.peerAcked(1, 2);
    s.push(8, 0, bytes('World\r\n'), 3);
    s.push(1, 0, bytes('Hello, '), 4);
    expect(lines).toEqual(['4:Hello, World']);
    expect(s.lostBytes).toBe(0);
    expect(s.skippedGaps).toBe(0);
  });

  it(`without ACKs, gives up on a gap after ${MAX_HELD_SEGMENTS} segments beyond it and reads on from the first of them`, () => {
    const { s, lines } = collect();
    s.push(0, TCP_SYN, new Uint8Array(0), 1);
    s.push(1, 0, bytes('220 partial'), 2); // 11 bytes, no line end: cut by the gap
    for (let i = 0; i < MAX_HELD_SEGMENTS - 1; i++) s.push(100 + i * 8, 0, bytes(`line ${i}\r\n`), 3 + i);
    expect(lines).toEqual([]);
    expect(s.heldBytes()).toBe(11 + (MAX_HELD_SEGMENTS - 1) * 8);
    s.push(100 + (MAX_HELD_SEGMENTS - 1) * 8, 0, bytes(`line ${MAX_HELD_SEGMENTS - 1}\r\n`), 99);
    expect(lines).toEqual(Array.from({ length: MAX_HELD_SEGMENTS }, (_, i) => `99:line ${i}`));
    expect(s.lostBytes).toBe(100 - 12 + 11);
    expect(s.heldBytes()).toBe(0);
  });

  it('recovers after losing more than it would hold ahead (64 KiB): reads on from a later segment', () => {
    const { s, lines } = collect();
    s.push(0, TCP_SYN, new Uint8Array(0), 1);
    const far = 1 + 100_000;
    for (let i = 0; i < MAX_HELD_SEGMENTS; i++) s.push(far + i * 8, 0, bytes(`226 ok${i}\n`), 2 + i);
    expect(lines).toEqual([`${1 + MAX_HELD_SEGMENTS}:226 ok${MAX_HELD_SEGMENTS - 1}`]);
    expect(s.lostBytes).toBe((MAX_HELD_SEGMENTS - 1) * 8 + (far + (MAX_HELD_SEGMENTS - 1) * 8 - 1));
  });
});

describe('latin1 line text', () => {
  it('maps each byte to one character (ISO 8859-1), from any view of any buffer', () => {
    const backing = new Uint8Array([0x41, 0x32, 0x32, 0x36, 0x20, 0xe9, 0xff, 0x80, 0x0d]);
    expect(latin1(backing, 1, 8)).toBe('226 \u00e9\u00ff\u0080');
    const view = backing.subarray(5);
    expect(latin1(view, 0, 2)).toBe('\u00e9\u00ff');
    expect(latin1(view, 1, 1)).toBe('');
  });
});
