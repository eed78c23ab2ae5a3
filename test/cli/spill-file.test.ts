/**
 * A spill's temporary file (spill-file.ts): text appended in pieces comes back exactly, in chunks that never
 * split a character, whatever the pieces' lengths (short, longer than the encoding buffer, astral characters at
 * a slice's edge); and a trace spill whose lines span many reads gives back every entry in order.
 */
import { describe, expect, it } from 'vitest';
import { HeldText, SpillFile } from '../../src/cli/spill-file.js';
import { TraceSpill } from '../../src/cli/trace-spill.js';
import type { TraceEvent } from '../../src/model/index.js';
import { createPrng } from '../../src/sim/prng.js';

/** Seeded draws in [0, 1) from the simulator's generator, so the pieces are the same every run. */
function prng(seed: number): () => number {
  const g = createPrng(seed);
  return () => g.nextUint32() / 4294967296;
}

const ALPHABET = ['a', 'Z', '0', ' ', '\n', '"', 'é', '→', '↳', '😀', '𝄞', '\u0000'];

function text(rand: () => number, length: number): string {
  let s = '';
  while (s.length < length) s += ALPHABET[Math.floor(rand() * ALPHABET.length)]!;
  return s;
}

/** The encoding buffer's slice in characters (spill-file.ts: WRITE_BYTES / 3). */
const SLICE = Math.floor((1 << 18) / 3);

function readBack(read: (chunk: (t: string) => void) => void): { whole: string; chunks: string[] } {
  const chunks: string[] = [];
  read((t) => chunks.push(t));
  return { whole: chunks.join(''), chunks };
}

describe('SpillFile', () => {
  it('gives back pieces of every length exactly, in chunks of whole characters', () => {
    const rand = prng(20261204);
    const pieces: string[] = [];
    for (let i = 0; i < 300; i++) pieces.push(text(rand, Math.floor(rand() * (rand() < 0.05 ? 3 * SLICE : 2000))));
    // an astral character whose two UTF-16 units sit on either side of a long piece's slice edge
    pieces.push(`${'x'.repeat(SLICE - 1)}😀${'y'.repeat(SLICE + 7)}`);
    pieces.push(`${'→'.repeat(SLICE - 1)}𝄞tail`);
    const file = new SpillFile('test', 'pieces.txt');
    try {
      file.append(pieces.slice(0, 150));
      file.append(pieces.slice(150));
      const { whole, chunks } = readBack((c) => file.read(c));
      expect(whole).toBe(pieces.join(''));
      expect(chunks.length).toBeGreaterThan(10);
      for (const c of chunks) {
        expect(c.length).toBeLessThanOrEqual(1 << 15);
        // no chunk ends in the first half of a surrogate pair, and none starts with the second
        expect(/[\ud800-\udbff]$/.test(c)).toBe(false);
        expect(/^[\udc00-\udfff]/.test(c)).toBe(false);
      }
      expect(whole.includes('\ufffd')).toBe(false);
    } finally {
      file.dispose();
    }
  });

  it('HeldText: held, then spilled, read back in order', () => {
    const rand = prng(7);
    const held = new HeldText('test', 'held.txt', 10_000);
    try {
      const pieces: string[] = [];
      for (let i = 0; i < 2_000; i++) {
        const t = text(rand, Math.floor(rand() * 300));
        pieces.push(t);
        held.add(t);
      }
      expect(held.spilled).toBe(true);
      expect(readBack((c) => held.read(c)).whole).toBe(pieces.join(''));
    } finally {
      held.dispose();
    }
  });
});

describe('TraceSpill lines that span many reads', () => {
  it('gives back every event in order when one line is longer than several reads', () => {
    // 1,500 events a line of ~150 characters each: lines of ~230,000 characters, read 32,768 bytes at a time
    const spill = new TraceSpill(0, 1_500);
    const rand = prng(99);
    const sent: TraceEvent[] = [];
    try {
      for (let i = 0; i < 4_000; i++) {
        const e: TraceEvent = { tMs: i, kind: 'conntrack-state', packet: i + 1, text: `connection ${i}: ${text(rand, 140).replaceAll('\n', ' ')}` };
        sent.push(e);
        spill.event(e);
      }
      const got: TraceEvent[] = [];
      spill.each((row, event) => {
        expect(row).toBeUndefined();
        got.push(event!);
      });
      expect(spill.spilled).toBe(true);
      expect(got).toEqual(sent);
    } finally {
      spill.dispose();
    }
  });
});
