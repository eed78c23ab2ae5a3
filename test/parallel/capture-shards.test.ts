import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCapture } from '../../bench/generate.js';
import { runCaptureShard, tooManyFlowsToShard, type ShardItem, type ShardPartial } from '../../src/cli/capture-shards.js';
import { engineOptions, loadConfigs, makeFirewall, resolveEngine } from '../../src/cli/inputs.js';
import type { Flow } from '../../src/model/index.js';
import { parseIp } from '../../src/net/address.js';
import { mergeStats, mergedVerdict, renumberFlows, shardsInexact, type ShardSummary } from '../../src/parallel/capture-merge.js';
import { hostPairShard } from '../../src/parallel/host-pair.js';
import { idOrder } from '../../src/parallel/id-order.js';
import { completeTopology, makeTopology, parseInsideOption, replayCapture, scanCapture } from '../../src/replay/index.js';
import { openCapture } from '../../src/wire/index.js';

const CORPUS = resolve(__dirname, '../../../shared/corpus/pcap');
const corpus = readdirSync(CORPUS).filter((f) => /\.pcap(ng)?$/.test(f));

/** One replay as `ftpwall replay` runs it with one job: flows in id order, stats, verdict. */
function oneJob(file: string, config: string, inside?: string) {
  const [cfg] = loadConfigs([config], () => undefined);
  const eo = engineOptions({ loose: false });
  const scan = scanCapture(openCapture(file), [21]);
  const given = inside ? makeTopology([parseInsideOption(inside).value!], 'GigabitEthernet2/1/1') : undefined;
  const topology = completeTopology(cfg!.policy, given, scan.servers).topology;
  const engine = resolveEngine('auto', cfg!.policy, eo);
  const wallClockStartMs = scan.firstSec * 1000 + Math.floor(scan.firstNsec / 1e6);
  const flows: Flow[] = [];
  const order = idOrder<Flow>((f) => flows.push(f));
  const r = replayCapture(openCapture(file), { topology, firewall: makeFirewall(engine, cfg!.policy, eo, wallClockStartMs), controlPorts: [21], onFlow: order.push });
  order.end();
  const item: Omit<ShardItem, 'shard' | 'shards'> = { kind: 'capture-shard', file, config, flags: { loose: false }, engine, topology, controlPorts: [21], wallClockStartMs };
  return { flows, stats: r.replay.stats, works: r.replay.works, summary: r.replay.summary, diagnostics: r.diagnostics, item };
}

/** The same capture in `shards` shards, run one after the other in this thread, merged. */
function sharded(item: Omit<ShardItem, 'shard' | 'shards'>, shards: number) {
  const flows: Flow[][] = [];
  const summaries: ShardSummary[] = [];
  for (let shard = 0; shard < shards; shard++) {
    const mine: Flow[] = [];
    summaries.push(runCaptureShard({ ...item, shard, shards }, (p: ShardPartial) => ('flows' in p ? mine.push(...p.flows) : undefined)));
    flows.push(mine);
  }
  const why = shardsInexact(summaries, flows, 65536);
  const stats = mergeStats(summaries);
  const merged = renumberFlows(summaries, flows);
  return { why, flows: merged, stats, ...mergedVerdict(stats, merged), diagnostics: summaries[0]!.diagnostics, perShard: flows.map((f) => f.length) };
}

describe('host pairs', () => {
  it('both directions of a pair, and every port, land in the same shard; different pairs spread', () => {
    const a = parseIp('10.0.0.2')!;
    const b = parseIp('192.168.10.1')!;
    const v6 = parseIp('2001:db8::1')!;
    for (const shards of [2, 3, 8]) {
      expect(hostPairShard(a, b, shards)).toBe(hostPairShard(b, a, shards));
      expect(hostPairShard(a, v6, shards)).toBe(hostPairShard(v6, a, shards));
    }
    const used = new Set<number>();
    for (let i = 0; i < 64; i++) used.add(hostPairShard(parseIp(`10.0.${i}.9`)!, b, 2));
    expect(used).toEqual(new Set([0, 1]));
  });
});

describe('a capture replay sharded by host pair is the replay of one job', () => {
  it.each(corpus)('%s: same flows (ids, links, outcomes), counters and verdict in 2 and 3 shards, or a reason to use one job', (name) => {
    const one = oneJob(join(CORPUS, name), 'rules/stateful.cfg');
    for (const shards of [2, 3]) {
      const s = sharded(one.item, shards);
      if (s.why !== undefined) {
        // FTP bounce / a PORT naming a third host: the data connection is another pair's
        expect(s.why).toMatch(/announced .*: its data connection may run between another pair of hosts/);
        continue;
      }
      expect(s.flows).toEqual(one.flows);
      expect(JSON.stringify(s.stats)).toBe(JSON.stringify(one.stats));
      expect(s.summary).toBe(one.summary);
      expect(s.works).toBe(one.works);
      expect(s.diagnostics).toEqual(one.diagnostics);
    }
  });

  it('the captures whose PORT or 227 names a third host are the ones sent back to one job', () => {
    const refused = corpus.filter((name) => sharded(oneJob(join(CORPUS, name), 'rules/stateful.cfg').item, 2).why !== undefined);
    expect(refused).toEqual(['suricata-ftp-bounce.pcap', 'zeek-ftp-many-port-expected.pcap']);
  });

  describe('a generated capture of many sessions from many clients', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ftpwall-shards-'));
    const file = join(dir, 'many.pcap');
    let sessions = 0;
    beforeAll(() => {
      sessions = generateCapture(file, { sessions: 400, transferBytes: 3000 }).sessions;
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('splits the pairs across the shards and merges to the same flows, peak of live flows and counters', () => {
      const one = oneJob(file, 'rules/stateful.cfg', '192.168.10.1/32@GigabitEthernet2/1/10');
      expect(one.flows.length).toBeGreaterThan(700);
      for (const shards of [2, 3]) {
        const s = sharded(one.item, shards);
        expect(s.why).toBeUndefined();
        for (const n of s.perShard) expect(n).toBeGreaterThan(one.flows.length / (shards * 2));
        expect(s.flows).toEqual(one.flows);
        expect(JSON.stringify(s.stats)).toBe(JSON.stringify(one.stats));
        expect(s.stats.peakLiveFlows).toBe(one.stats.peakLiveFlows);
        expect(s.summary).toBe(one.summary);
      }
    });

    it('counts the TCP connections a capture opens from the scan of its start, to send a capture with too many to one job before any shard starts', () => {
      const size = statSync(file).size;
      // the whole capture scanned: each session opens its control and its data connection (the generator makes
      // whole blocks of 64 sessions: 448)
      expect(sessions).toBe(448);
      const whole = scanCapture(openCapture(file), [21]);
      expect(whole.complete).toBe(true);
      expect(whole.connectionStarts).toBe(2 * sessions);
      expect(tooManyFlowsToShard(whole, size, 896)).toBeUndefined();
      expect(tooManyFlowsToShard(whole, size, 895)).toBe('896 TCP connections open in it, more than the 895 flows the merge of the shards would hold in memory until they end');
      // the first 2,000 records only: the count is extrapolated by the file's size
      const part = scanCapture(openCapture(file), [21], 2_000);
      expect(part.complete).toBe(false);
      expect(part.bytesScanned).toBeLessThan(size);
      const why = tooManyFlowsToShard(part, size, 100);
      const m = /^about ([\d,]+) TCP connections open in it \(([\d,]+) in its first ([\d,]+) bytes, of ([\d,]+)\), more than the 100 flows /.exec(why ?? '');
      expect(m).not.toBeNull();
      const estimate = Number(m![1]!.replace(/,/g, ''));
      expect(Math.abs(estimate - 896)).toBeLessThan(90);
      expect(Number(m![2]!.replace(/,/g, ''))).toBe(part.connectionStarts);
      expect(Number(m![3]!.replace(/,/g, ''))).toBe(part.bytesScanned);
      expect(Number(m![4]!.replace(/,/g, ''))).toBe(size);
      expect(tooManyFlowsToShard(part, size)).toBeUndefined();
    });

    it('a seed policy that blocks data: the same blocked flows, first block and "in reality" notes', () => {
      const one = oneJob(file, 'rules/seed-passive.cfg', '192.168.10.1/32@GigabitEthernet2/1/10');
      expect(one.flows.some((f) => f.outcome === 'blocked')).toBe(true);
      const s = sharded(one.item, 2);
      expect(s.why).toBeUndefined();
      expect(s.flows).toEqual(one.flows);
      expect(JSON.stringify(s.stats)).toBe(JSON.stringify(one.stats));
      expect(s.summary).toBe(one.summary);
    });
  });
});
