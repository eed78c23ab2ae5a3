/**
 * One measured phase of the benchmark, run in its own process so its peak RSS
 * is its own: the bare record walk, static replay, stateful replay, and the
 * ACL-size check. Each prints one JSON line.
 */
import { readFileSync } from 'node:fs';
import { boundHeapGrowth } from '../src/cli/heap-growth.js';
import { parseConfig } from '../src/dialects/load.js';
import { createStaticFirewall } from '../src/engine/static.js';
import { createStatefulFirewall } from '../src/engine/stateful/firewall.js';
import type { Firewall, StepContext } from '../src/engine/verdict.js';
import type { Packet } from '../src/net/packet.js';
import { parsePrefix } from '../src/net/address.js';
import type { Policy, Rule } from '../src/policy/model.js';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { locate, makeTopology, replayCapture } from '../src/replay/index.js';
import { DECODE_OK, FrameDecoder, openCapture, walkCaptureBuffer } from '../src/wire/index.js';
import { ceilingRun, type CeilingTracker } from './ceiling.js';

/** What a phase measured. */
export interface PhaseResult {
  readonly phase: string;
  readonly packets: number;
  readonly ms: number;
  /** peak resident set size, KiB */
  readonly maxRssKb: number;
  readonly detail?: Record<string, number | string>;
}

const ROOT_RULES = resolve(dirname(fileURLToPath(import.meta.url)), '../../rules');

/** The bundled scenarios' topology: the server behind Gi2/1/10, everyone else on Gi2/1/1. */
export const BENCH_TOPOLOGY = makeTopology(
  [
    { prefix: parsePrefix('192.168.10.1/32')!, iface: 'GigabitEthernet2/1/10', origin: 'bench' },
    { prefix: parsePrefix('2001:db8:10::1/128')!, iface: 'GigabitEthernet2/1/10', origin: 'bench' },
  ],
  'GigabitEthernet2/1/1',
);

function policyOf(file: string): Policy {
  const r = parseConfig(readFileSync(file, 'utf8'), file);
  if (r.diagnostics.some((d) => d.severity === 'error')) throw new Error(`bench: ${file} has errors`);
  return r.value;
}

/** The bare walk over the file held in memory: the best of `rounds` runs. */
export function walkPhase(file: string, rounds = 5): PhaseResult {
  const bytes = readFileSync(file);
  let best = Number.POSITIVE_INFINITY;
  let records = 0;
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now();
    records = walkCaptureBuffer(bytes).records;
    best = Math.min(best, performance.now() - t0);
  }
  return { phase: 'walk', packets: records, ms: best, maxRssKb: process.resourceUsage().maxRSS };
}

/**
 * The bare walk with the file streamed as a replay reads it (the capture cursor over 1 MiB reads,
 * no decoding): the issue's own baseline (its "bare record walk in Node", 48 MB of RSS, read the
 * file). The best of `rounds` runs, each opening the file afresh.
 */
export function streamWalkPhase(file: string, rounds = 5): PhaseResult {
  let best = Number.POSITIVE_INFINITY;
  let records = 0;
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now();
    const reader = openCapture(file);
    const c = reader.cursor;
    let n = 0;
    while (c.advance()) n++;
    reader.close();
    best = Math.min(best, performance.now() - t0);
    records = n;
  }
  return { phase: 'stream-walk', packets: records, ms: best, maxRssKb: process.resourceUsage().maxRSS };
}

/** Streams the file through a replay with the given config and engine. */
export function replayPhase(file: string, config: string, engine: 'static' | 'stateful'): PhaseResult {
  const policy = policyOf(config);
  // as `ftpwall replay` and `compare` do before they stream
  boundHeapGrowth();
  const t0 = performance.now();
  const firewall = engine === 'static' ? createStaticFirewall(policy) : createStatefulFirewall(policy, { maxConnections: 262144 });
  const { replay } = replayCapture(openCapture(file), { topology: BENCH_TOPOLOGY, firewall, maxFlowRows: 1000 });
  const t1 = performance.now();
  const ms = t1 - t0;
  const s = replay.stats;
  return {
    phase: engine,
    packets: s.records,
    ms,
    maxRssKb: process.resourceUsage().maxRSS,
    detail: {
      flows: s.flows.control + s.flows.data + s.flows.other,
      data: s.flows.data,
      linked: s.linkedDataFlows,
      blockedFlows: s.blockedFlows.control + s.blockedFlows.data + s.blockedFlows.other,
      denied: s.denied,
      peakLiveFlows: s.peakLiveFlows,
      // the replay's window on the process clock, for counting only its GC pauses
      fromMs: Math.round(t0),
      toMs: Math.round(t1),
    },
  };
}

/** The ceiling (bench/ceiling.ts) with a tracker: one run in a fresh process, as the stateful replay is measured. */
export function ceilingPhase(file: string, tracker: CeilingTracker): PhaseResult {
  const t0 = performance.now();
  const c = ceilingRun(file, tracker);
  const ms = performance.now() - t0;
  return {
    phase: tracker === 'reduced' ? 'ceiling' : 'ceiling-tcp',
    packets: c.packets,
    ms,
    maxRssKb: process.resourceUsage().maxRSS,
    detail: { flows: c.connections, linked: c.linked, denied: c.denied, peakLiveFlows: c.peakLive },
  };
}

/** H3C config text of ACL 3000 with `fillers` deny rules for addresses and ports the capture never uses. */
function fillerConfig(from: number, fillers: number): string {
  const lines = ['acl advanced 3000'];
  for (let i = from; i < from + fillers; i++) {
    lines.push(` rule deny tcp source 172.${16 + (i % 16)}.${(i >> 4) & 255}.${(i >> 12) + 1} 0 destination 192.168.10.1 0 destination-port eq ${1000 + (i % 500)}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Rules parsed per config chunk: the H3C parser slows down superlinearly with ACL length. */
const CHUNK_RULES = 250;

/**
 * A policy whose ACL 3000 (inbound on Gi2/1/10) has `rules` rules: fillers that never
 * match the capture, then seed-passive's three. Fillers are parsed in chunks and joined
 * into one ACL with ids 0, 5, 10… (H3C's default step).
 */
export function aclPolicy(rules: number): Policy {
  const tail = policyOf(resolve(ROOT_RULES, 'seed-passive.cfg'));
  const acl = tail.acls.find((a) => a.name === '3000')!;
  const fillers: Rule[] = [];
  for (let from = 0; from < rules - acl.rules.length; from += CHUNK_RULES) {
    const n = Math.min(CHUNK_RULES, rules - acl.rules.length - from);
    fillers.push(...parseConfig(fillerConfig(from, n), `generated-${rules}.cfg`).value.acls[0]!.rules);
  }
  const all = [...fillers, ...acl.rules].map((r, i) => ({ ...r, id: i * 5 }));
  return { ...tail, acls: [{ ...acl, rules: all }] };
}

/** Passes of the packets through each ACL size in the ACL phase; the best of each counts. */
const ACL_ROUNDS = 8;

/** Per-packet static verdict time (ns) with a `small`- and a `large`-rule ACL over the same decoded packets. */
export function aclPhase(file: string, small: number, large: number, maxPackets = 300_000): PhaseResult {
  const packets: { p: Packet; ingress: string; egress: string }[] = [];
  const reader = openCapture(file);
  const dec = new FrameDecoder(false);
  const c = reader.cursor;
  while (packets.length < maxPackets && c.advance()) {
    if (dec.decode(c.linkType, c.buffer, c.dataStart, c.dataStart + c.capturedLength) !== DECODE_OK) continue;
    const p = dec.packet;
    packets.push({ p, ingress: locate(BENCH_TOPOLOGY, p.src)!, egress: locate(BENCH_TOPOLOGY, p.dst)! });
  }
  reader.close();
  const firewallOf = (rules: number): Firewall => {
    const policy = aclPolicy(rules);
    if (policy.acls[0]!.rules.length !== rules) throw new Error(`bench: built ${policy.acls[0]!.rules.length} rules, not ${rules}`);
    return createStaticFirewall(policy);
  };
  const ctx = { n: 0, nowMs: 0, ingress: '', egress: '' };
  /** one pass of the packets through `fw`, in ms */
  const pass = (fw: Firewall): number => {
    const t0 = performance.now();
    for (const x of packets) {
      ctx.ingress = x.ingress;
      ctx.egress = x.egress;
      fw.step(x.p, ctx as StepContext);
    }
    return performance.now() - t0;
  };
  // both engines built first, then their passes interleaved (small, large, small, …): the host's speed moves
  // during a run, and measured one after the other the two halves of the ratio met different hosts
  const smallFw = firewallOf(small);
  const largeFw = firewallOf(large);
  let smallBest = Number.POSITIVE_INFINITY;
  let largeBest = Number.POSITIVE_INFINITY;
  for (let round = 0; round < ACL_ROUNDS; round++) {
    smallBest = Math.min(smallBest, pass(smallFw));
    largeBest = Math.min(largeBest, pass(largeFw));
  }
  const smallNs = (smallBest * 1e6) / packets.length;
  const largeNs = (largeBest * 1e6) / packets.length;
  return {
    phase: 'acl',
    packets: packets.length,
    ms: 0,
    maxRssKb: process.resourceUsage().maxRSS,
    detail: { smallRules: small, largeRules: large, smallNs, largeNs },
  };
}
