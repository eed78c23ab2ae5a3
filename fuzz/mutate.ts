/**
 * Mutators: text (configs, YAML) by lines, tokens and characters, with YAML
 * specials (deep nesting, anchors and aliases, flow collections); bytes
 * (captures) by bits, interesting integers, chunks and splices. Every choice
 * comes from the Rng, so an input is reproducible from (seed, index).
 */
import type { Rng } from './rng.js';

const INTERESTING_NUMBERS = [
  '0', '-1', '1', '2', '7', '255', '256', '1023', '1024', '65535', '65536', '2147483647', '2147483648', '4294967295',
  '4294967296', '1000000000', '1000000001', '1e9', '1e10', '1e300', '-1e300', '0.5', '0.0001', '.nan', '.inf', '-.inf',
  '9007199254740993', '1073741824', '1073741825', '0x10', '0o17', '1_000', '00021', '+5', '3600000', '3600001',
];
const CHARS = [':', '-', '{', '}', '[', ']', ',', '&a ', '*a', '!!str ', '!!int ', '"', "'", '#', '|', '>', '\t', '\r', '\r\n', '\n',
  '\u00e9', '\ufeff', '\u2028', '\u0000', '%', '@', '`', '?', ' ', '  ', '\\', '<<: *a', '---', '...', '😀', '\u200b'];

/** Words of the inputs' languages, to swap in for tokens. */
export const YAML_WORDS = [
  'name', 'description', 'seed', 'hosts', 'sessions', 'address', 'interface', 'start', 'client', 'server', 'steps', 'host',
  'mode', 'controlPort', 'dataPort', 'epsvFallback', 'announceAddress', 'announcePort', 'dataSourceAddress', 'synRetries',
  'initialRtoMs', 'passivePorts', 'activeSourcePort', 'dataAcceptTimeoutSec', 'rfc2428', 'login', 'list', 'retr', 'stor',
  'auth-tls', 'wait', 'raw', 'quit', 'user', 'password', 'file', 'bytes', 'split', 'connectDelaySec', 'path', 'active',
  'passive', 'extended-active', 'extended-passive', 'true', 'false', 'null', '~', '10.0.0.2', '192.168.10.1', '2001:db8::1',
  '::1', '10.0.0.0/8', '0.0.0.0/0', 'default', 'GigabitEthernet2/1/1', 'GigabitEthernet2/1/10', '50000-50100', '[1, 2]',
  '{}', '[]', 'PASV', 'PORT 10,0,0,2,195,81', 'a.bin', 'inside', 'outside',
];

/** Splits text into lines, keeping each terminator. */
function linesOf(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

function tokenRanges(text: string): [number, number][] {
  const out: [number, number][] = [];
  const re = /[A-Za-z0-9_./:-]+/g;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    out.push([m.index, m.index + m[0].length]);
    if (out.length > 4096) break;
  }
  return out;
}

/** Nested flow or block collections `depth` deep around `inner`. */
function nesting(rng: Rng, depth: number, inner: string): string {
  switch (rng.int(3)) {
    case 0:
      return `${'['.repeat(depth)}${inner}${']'.repeat(depth)}`;
    case 1:
      return `${'{a: '.repeat(depth)}${inner}${'}'.repeat(depth)}`;
    default: {
      // block nesting grows with the square of its depth: kept to 200 levels (20 KB)
      const levels = Math.min(depth, 200);
      let s = '';
      for (let i = 0; i < levels; i++) s += `${' '.repeat(i)}- \n`;
      return `${s}${' '.repeat(levels)}${inner}`;
    }
  }
}

/** Anchors and aliases: a chain of lists each aliasing the previous one several times (bounded). */
function aliasBomb(rng: Rng): string {
  const levels = 2 + rng.int(8);
  const fan = 2 + rng.int(9);
  let s = 'x0: &a0 [lol]\n';
  for (let i = 1; i < levels; i++) s += `x${i}: &a${i} [${Array.from({ length: fan }, () => `*a${i - 1}`).join(', ')}]\n`;
  return s;
}

/** One mutation of text; `others` are the other seeds, for splices. */
function mutateTextOnce(text: string, rng: Rng, others: readonly string[], words: readonly string[]): string {
  const lines = linesOf(text);
  const at = lines.length > 0 ? rng.int(lines.length) : 0;
  switch (rng.int(16)) {
    case 0: // a token becomes a word or an interesting number
    case 1: {
      const toks = tokenRanges(text);
      if (toks.length === 0) return text + rng.pick(words);
      const [a, b] = rng.pick(toks);
      const by = rng.chance(0.5) ? rng.pick(INTERESTING_NUMBERS) : rng.pick(words);
      return text.slice(0, a) + by + text.slice(b);
    }
    case 2: // drop a line
      lines.splice(at, 1);
      return lines.join('');
    case 3: // duplicate a line, maybe many times
      for (let k = rng.chance(0.03) ? 1 + rng.int(100) : 1; k > 0; k--) lines.splice(at, 0, lines[at] ?? '\n');
      return lines.join('');
    case 4: {
      // swap two lines
      const b = rng.int(Math.max(1, lines.length));
      const t = lines[at];
      lines[at] = lines[b] ?? '';
      lines[b] = t ?? '';
      return lines.join('');
    }
    case 5: {
      // a line from another seed
      const other = linesOf(rng.pick(others));
      lines.splice(at, 0, other.length > 0 ? rng.pick(other) : '\n');
      return lines.join('');
    }
    case 6: {
      // indentation changes
      const l = lines[at] ?? '';
      lines[at] = rng.chance(0.5) ? `${rng.pick([' ', '  ', '    ', '\t', '   '])}${l}` : l.replace(/^ {1,4}/, '');
      return lines.join('');
    }
    case 7:
    case 8: {
      // characters in
      const p = rng.int(text.length + 1);
      return text.slice(0, p) + rng.pick(CHARS) + text.slice(p);
    }
    case 9: {
      // a range out
      const p = rng.int(text.length + 1);
      return text.slice(0, p) + text.slice(p + 1 + rng.int(rng.chance(0.8) ? 4 : 200));
    }
    case 10: {
      // a character flipped
      if (text.length === 0) return text;
      const p = rng.int(text.length);
      return text.slice(0, p) + String.fromCharCode(text.charCodeAt(p) ^ (1 << rng.int(7))) + text.slice(p + 1);
    }
    case 11: // truncated
      return text.slice(0, rng.int(text.length + 1));
    case 12: {
      // a value nested deep
      const toks = tokenRanges(text);
      const depth = rng.chance(0.7) ? 1 + rng.int(20) : 100 + rng.int(3000);
      if (toks.length === 0) return nesting(rng, depth, 'x');
      const [a, b] = rng.pick(toks);
      return text.slice(0, a) + nesting(rng, depth, text.slice(a, b)) + text.slice(b);
    }
    case 13: {
      // anchors and aliases
      if (rng.chance(0.3)) return aliasBomb(rng) + text;
      const toks = tokenRanges(text);
      if (toks.length < 2) return text;
      const [a] = rng.pick(toks);
      const [c, d] = rng.pick(toks);
      if (c < a) return text.slice(0, c) + '*a' + text.slice(d, a) + '&a ' + text.slice(a);
      return text.slice(0, a) + '&a ' + text.slice(a, c) + '*a' + text.slice(d);
    }
    case 14: {
      // a block of lines repeated (a session, a rule) a few or many times
      const b = Math.min(lines.length, at + 1 + rng.int(12));
      const block = lines.slice(at, b);
      const times = rng.chance(0.03) ? 10 + rng.int(100) : 1 + rng.int(3);
      for (let i = 0; i < times; i++) lines.splice(b, 0, ...block);
      return lines.join('');
    }
    default: {
      // a slice of another seed spliced in
      const o = rng.pick(others);
      const p = rng.int(o.length + 1);
      const q = Math.min(o.length, p + rng.int(400));
      const here = rng.int(text.length + 1);
      return text.slice(0, here) + o.slice(p, q) + text.slice(here);
    }
  }
}

const MAX_TEXT_UNITS = 100_000;

/** 1 to 4 stacked text mutations of one seed. */
export function mutateText(seed: string, rng: Rng, others: readonly string[], words: readonly string[] = YAML_WORDS): string {
  let text = seed;
  const n = 1 + rng.int(rng.chance(0.2) ? 8 : 3);
  // inputs stay under ~100 KB: the bugs worth finding show on small inputs, and small inputs run fast
  for (let i = 0; i < n && text.length < MAX_TEXT_UNITS; i++) text = mutateTextOnce(text, rng, others, words);
  return text;
}

const U32S = [0, 1, 0x7fffffff, 0x80000000, 0xffffffff, 0xfffffffe, 0x10000, 0xffff, 28, 32, 0x0a0d0d0a, 0x1a2b3c4d, 0xa1b2c3d4, 65535, 262144];

function mutateBytesOnce(b: Uint8Array, rng: Rng, others: readonly Uint8Array[]): Uint8Array {
  const n = b.length;
  switch (rng.int(9)) {
    case 0:
    case 1: {
      // bits
      const out = b.slice();
      for (let i = 0, k = 1 + rng.int(8); i < k && n > 0; i++) out[rng.int(n)]! ^= 1 << rng.int(8);
      return out;
    }
    case 2: {
      // a byte set
      const out = b.slice();
      if (n > 0) out[rng.int(n)] = rng.pick([0, 0xff, 0x7f, 0x80, 0x01, 0x45, 0x60, 0x06, 0x11]);
      return out;
    }
    case 3: {
      // an interesting 32-bit value, either byte order, 4-aligned (record headers and lengths)
      const out = b.slice();
      if (n < 4) return out;
      const at = rng.int(n >> 2) << 2;
      new DataView(out.buffer, out.byteOffset, out.length).setUint32(at, rng.pick(U32S), rng.chance(0.5));
      return out;
    }
    case 4: {
      // an interesting 16-bit value anywhere (ports, IP lengths)
      const out = b.slice();
      if (n < 2) return out;
      new DataView(out.buffer, out.byteOffset, out.length).setUint16(rng.int(n - 1), rng.pick([0, 1, 20, 21, 40, 0xffff, 0x8000, 1500, 65535]), rng.chance(0.5));
      return out;
    }
    case 5: {
      // a chunk out
      const p = rng.int(n + 1);
      const q = Math.min(n, p + 1 + rng.int(64));
      const out = new Uint8Array(n - (q - p));
      out.set(b.subarray(0, p));
      out.set(b.subarray(q), p);
      return out;
    }
    case 6: {
      // a chunk repeated
      const p = rng.int(n + 1);
      const q = Math.min(n, p + 1 + rng.int(256));
      const times = 1 + rng.int(rng.chance(0.1) ? 200 : 3);
      const chunk = b.subarray(p, q);
      const out = new Uint8Array(n + chunk.length * times);
      out.set(b.subarray(0, q));
      for (let i = 0; i < times; i++) out.set(chunk, q + i * chunk.length);
      out.set(b.subarray(q), q + chunk.length * times);
      return out;
    }
    case 7: // truncated
      return b.slice(0, rng.int(n + 1));
    default: {
      // a run of another capture copied over this one
      const o = rng.pick(others);
      if (o.length === 0 || n === 0) return b;
      const out = b.slice();
      const from = rng.int(o.length);
      const len = Math.min(o.length - from, 1 + rng.int(512));
      const to = rng.int(n);
      out.set(o.subarray(from, from + Math.min(len, n - to)), to);
      return out;
    }
  }
}

/** 1 to 4 stacked byte mutations of one seed. */
export function mutateBytes(seed: Uint8Array, rng: Rng, others: readonly Uint8Array[]): Uint8Array {
  let b = seed;
  const n = 1 + rng.int(4);
  for (let i = 0; i < n; i++) b = mutateBytesOnce(b, rng, others);
  return b;
}
