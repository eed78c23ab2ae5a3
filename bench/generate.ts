/**
 * The benchmark capture: a handful of FTP sessions simulated once (passive,
 * active, EPSV, EPRT over IPv4, and EPSV, EPRT over IPv6), then replicated when
 * written: each copy gets its own client address (10.1xx.1xx.1xx, or
 * 2001:db8:1111:2222:3333:4444:51xx:xxxx, patched in the IP header and in the
 * PORT/EPRT text, same length), its own start time, and fresh checksums. Copies
 * run in staggered groups so many sessions are live at once. Much faster than
 * simulating every session, and the packets are the simulator's.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { createStaticFirewall } from '../src/engine/static.js';
import type { Policy } from '../src/policy/model.js';
import { NO_V6 } from '../src/net/address.js';
import { loadScenario } from '../src/scenario/load.js';
import { simulate } from '../src/sim/run.js';
import { encodeEthernetFrame, internetChecksum, pseudoHeaderSum } from '../src/wire/index.js';

/** The template client: every octet has three digits, so the copies' text keeps its length. */
const TEMPLATE_CLIENT = [10, 100, 100, 100] as const;
/**
 * The IPv6 template client: no zero group (so its text is never compressed); its last three bytes
 * (0x64 = 100 in the template) are patched, and each prints as two hex digits in the EPRT text.
 */
const TEMPLATE_CLIENT6 = '2001:db8:1111:2222:3333:4444:5164:6464';
const TEMPLATE_SERVER6 = '2001:db8:10::1';
/** Session j of a group uses template j % TEMPLATES.length. */
const TEMPLATES = [
  { mode: 'passive', v6: false },
  { mode: 'active', v6: false },
  { mode: 'extended-passive', v6: false },
  { mode: 'extended-active', v6: false },
  { mode: 'extended-passive', v6: true },
  { mode: 'extended-active', v6: true },
] as const;
/** Sessions started together in one group, and the gap between their starts. */
const GROUP_SESSIONS = 64;
const STAGGER_MS = 15;
const EPOCH_SEC = 1_700_000_000;

const OPEN_POLICY: Policy = { source: 'bench', acls: [], bindings: [], defaultAction: { action: 'permit' }, inspections: [], interfaces: [] };

interface Template {
  readonly frames: Uint8Array[];
  readonly tMs: number[];
  /** per frame: offsets of the client address's octets 2-4 as binary (IP header) */
  readonly binary: number[][];
  /** per frame: offsets of the client address's patched bytes as ASCII digits (PORT/EPRT text: three decimal digits for IPv4, two hex digits for IPv6) */
  readonly text: number[][];
  readonly v6: boolean;
}

function scenarioText(mode: string, v6: boolean, bytes: number): string {
  return [
    `name: bench-${mode}${v6 ? '-v6' : ''}`,
    'seed: 7',
    'hosts:',
    `  client: { address: "${v6 ? TEMPLATE_CLIENT6 : TEMPLATE_CLIENT.join('.')}", interface: GigabitEthernet2/1/1 }`,
    `  server: { address: "${v6 ? TEMPLATE_SERVER6 : '192.168.10.1'}", interface: GigabitEthernet2/1/10 }`,
    'sessions:',
    '  - name: s',
    `    client: { host: client, mode: ${mode}, controlPort: 50000 }`,
    '    server: { host: server, passivePorts: 50020-50040 }',
    '    steps:',
    '      - login',
    `      - retr: { file: f.bin, bytes: ${bytes} }`,
    '      - quit',
  ].join('\n');
}

function find(hay: Uint8Array, needle: Uint8Array, from: number): number[] {
  const out: number[] = [];
  outer: for (let i = from; i + needle.length <= hay.length; i++) {
    for (let k = 0; k < needle.length; k++) if (hay[i + k] !== needle[k]) continue outer;
    out.push(i);
  }
  return out;
}

function makeTemplate(mode: string, v6: boolean, bytes: number): Template {
  const { value, diagnostics } = loadScenario(scenarioText(mode, v6, bytes), `bench-${mode}.yaml`);
  if (!value) throw new Error(`bench scenario: ${diagnostics.map((d) => d.message).join('; ')}`);
  const trace = simulate(value, createStaticFirewall(OPEN_POLICY));
  const frames = trace.packets.map((tp) => encodeEthernetFrame(tp.packet));
  const enc = new TextEncoder();
  const binary: number[][] = [];
  const text: number[][] = [];
  if (!v6) {
    const bin = Uint8Array.from(TEMPLATE_CLIENT);
    const texts = [enc.encode('10,100,100,100'), enc.encode('10.100.100.100')];
    for (const f of frames) {
      const b: number[] = [];
      for (const at of [14 + 12, 14 + 16]) if (find(f.subarray(at, at + 4), bin, 0).length > 0) b.push(at + 1, at + 2, at + 3);
      binary.push(b);
      const t: number[] = [];
      // offsets of each patched octet's three decimal digits
      for (const needle of texts) for (const at of find(f, needle, 54)) t.push(at + 3, at + 7, at + 11);
      text.push(t);
    }
    return { frames, tMs: trace.packets.map((tp) => tp.tMs), binary, text, v6 };
  }
  const bin = Uint8Array.from([0x51, 0x64, 0x64, 0x64]); // the address's last four bytes
  const needle = enc.encode('5164:6464');
  for (const f of frames) {
    const b: number[] = [];
    // IPv6 source at 14 + 8, destination at 14 + 24; the patched bytes are 13, 14, 15 of 16
    for (const at of [14 + 8, 14 + 24]) if (find(f.subarray(at + 12, at + 16), bin, 0).length > 0) b.push(at + 13, at + 14, at + 15);
    binary.push(b);
    const t: number[] = [];
    // offsets of each patched byte's two hex digits: 51[64]:[64][64]
    for (const at of find(f, needle, 74)) t.push(at + 2, at + 5, at + 7);
    text.push(t);
  }
  return { frames, tMs: trace.packets.map((tp) => tp.tMs), binary, text, v6 };
}

/** What was generated. */
export interface GeneratedCapture {
  readonly file: string;
  readonly sessions: number;
  readonly packets: number;
  readonly bytes: number;
}

/**
 * Writes a pcap of at least `sessions` sessions, or (with `targetBytes`) at least
 * that many bytes. `transferBytes` is each session's RETR size.
 */
export function generateCapture(file: string, opts: { sessions: number; targetBytes?: number; transferBytes: number }): GeneratedCapture {
  const templates = TEMPLATES.map((t) => makeTemplate(t.mode, t.v6, opts.transferBytes));
  // one group's packet order: session j of the group uses template j % 4 and starts j * STAGGER_MS in
  const order: { j: number; k: number; t: number }[] = [];
  for (let j = 0; j < GROUP_SESSIONS; j++) {
    const tpl = templates[j % templates.length]!;
    for (let k = 0; k < tpl.frames.length; k++) order.push({ j, k, t: tpl.tMs[k]! + j * STAGGER_MS });
  }
  order.sort((a, b) => a.t - b.t || a.j - b.j || a.k - b.k);
  const groupMs = order[order.length - 1]!.t + 100;

  const fd = openSync(file, 'w');
  const buf = new Uint8Array(8 << 20);
  const view = new DataView(buf.buffer);
  let used = 0;
  let bytes = 0;
  let packets = 0;
  const flush = (): void => {
    let at = 0;
    while (at < used) at += writeSync(fd, buf, at, used - at);
    used = 0;
  };
  // pcap file header (little-endian, µs, LINKTYPE_ETHERNET)
  view.setUint32(0, 0xa1b2c3d4, true);
  view.setUint16(4, 2, true);
  view.setUint16(6, 4, true);
  view.setUint32(16, 262144, true);
  view.setUint32(20, 1, true);
  used = 24;
  const src = { family: 4 as const, v4: 0, v6: NO_V6 };
  const dst = { family: 4 as const, v4: 0, v6: NO_V6 };
  let session = 0;
  for (let g = 0; ; g++) {
    const done = opts.targetBytes !== undefined ? bytes >= opts.targetBytes : session >= opts.sessions;
    if (done) break;
    for (const { j, k, t } of order) {
      const tpl = templates[j % templates.length]!;
      const frame = tpl.frames[k]!;
      if (used + 16 + frame.length > buf.length) flush();
      const id = (g * GROUP_SESSIONS + j) % 1_000_000;
      const octets = [100 + Math.floor(id / 10000), 100 + (Math.floor(id / 100) % 100), 100 + (id % 100)];
      const tUs = Math.round((g * groupMs + t) * 1000);
      view.setUint32(used, EPOCH_SEC + Math.floor(tUs / 1e6), true);
      view.setUint32(used + 4, tUs % 1e6, true);
      view.setUint32(used + 8, frame.length, true);
      view.setUint32(used + 12, frame.length, true);
      const at = used + 16;
      buf.set(frame, at);
      const bin = tpl.binary[k]!;
      for (let i = 0; i < bin.length; i++) buf[at + bin[i]!] = octets[i % 3]!;
      const txt = tpl.text[k]!;
      for (let i = 0; i < txt.length; i++) {
        const o = octets[i % 3]!;
        if (tpl.v6) {
          buf[at + txt[i]!] = HEX[o >> 4]!;
          buf[at + txt[i]! + 1] = HEX[o & 15]!;
        } else {
          buf[at + txt[i]! + 1] = 48 + (Math.floor(o / 10) % 10);
          buf[at + txt[i]! + 2] = 48 + (o % 10);
        }
      }
      if (tpl.v6) fixChecksums6(buf, at, frame.length);
      else fixChecksums(buf, at, frame.length, src, dst);
      used += 16 + frame.length;
      bytes += 16 + frame.length;
      packets++;
    }
    session += GROUP_SESSIONS;
  }
  flush();
  closeSync(fd);
  return { file, sessions: session, packets, bytes: bytes + 24 };
}

/** Lowercase hex digits, as the simulator prints IPv6 addresses. */
const HEX = Uint8Array.from('0123456789abcdef', (c) => c.charCodeAt(0));

/** Recomputes the TCP checksum of the IPv6 Ethernet frame at b[at, at + len) (no extension headers; RFC 8200 8.1 pseudo-header). */
function fixChecksums6(b: Uint8Array, at: number, len: number): void {
  const ip = at + 14;
  if (b[ip + 6] !== 6) return;
  const t = ip + 40;
  const tcpLen = at + len - t;
  let sum = 6 + (tcpLen >>> 16) + (tcpLen & 0xffff);
  for (let i = ip + 8; i < ip + 40; i += 2) sum += (b[i]! << 8) | b[i + 1]!;
  b[t + 16] = 0;
  b[t + 17] = 0;
  const c = internetChecksum(b, t, t + tcpLen, sum);
  b[t + 16] = c >>> 8;
  b[t + 17] = c & 255;
}

/** Recomputes the IPv4 header and TCP checksums of the Ethernet frame at b[at, at + len). */
function fixChecksums(b: Uint8Array, at: number, len: number, src: { v4: number; family: 4; v6: typeof NO_V6 }, dst: { v4: number; family: 4; v6: typeof NO_V6 }): void {
  const ip = at + 14;
  b[ip + 10] = 0;
  b[ip + 11] = 0;
  const hc = internetChecksum(b, ip, ip + 20);
  b[ip + 10] = hc >>> 8;
  b[ip + 11] = hc & 255;
  if (b[ip + 9] !== 6) return;
  src.v4 = ((b[ip + 12]! << 24) | (b[ip + 13]! << 16) | (b[ip + 14]! << 8) | b[ip + 15]!) >>> 0;
  dst.v4 = ((b[ip + 16]! << 24) | (b[ip + 17]! << 16) | (b[ip + 18]! << 8) | b[ip + 19]!) >>> 0;
  const t = ip + 20;
  const tcpLen = at + len - t;
  b[t + 16] = 0;
  b[t + 17] = 0;
  const c = internetChecksum(b, t, t + tcpLen, pseudoHeaderSum(src, dst, 6, tcpLen));
  b[t + 16] = c >>> 8;
  b[t + 17] = c & 255;
}
