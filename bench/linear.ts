/**
 * Paths that were quadratic, measured at two sizes so a regression shows as a ratio far above 1
 * (the time per item at the larger size over the time per item at the smaller):
 * - the merge of a sharded capture replay when many flows finish at one packet (every flow still
 *   live ends at the capture's last packet): peakLiveFlows read the rest of that run for each entry;
 * - `undo rule` of every rule of a large ACL (a change script that empties an ACL): each removal
 *   moved every later rule and re-indexed it;
 * - a change script that enters an ACL's view once per rule (`acl advanced 3000`, one `rule`, `#`):
 *   each visit copied and re-indexed every rule of the ACL;
 * - `check`'s summary of many interfaces with packet filters (each interface scanned every binding),
 *   and the parse of many security zones with zone pairs, or of many security policy rules (each new
 *   one scanned every zone, every zone's interfaces, every pair or every rule);
 * - `lint` and `export` of a config of many interfaces each binding its own named ACL (each binding or
 *   ACL scanned every ACL or every binding);
 * - the HTML step-through of a capture with thousands of live conntrack entries (after every packet the
 *   engine's whole tables were listed, compared and stored: packets × live entries);
 * - probe's discovery of many FTP servers named by rules, with their clients (each server scanned every
 *   bound rule, every server found so far, and every rule's addresses again);
 * - the parse of a wrong file whose every line is a distinct unknown word (each skipped line scanned the
 *   list of skipped section names).
 */
import { parseConfig } from '../src/dialects/load.js';
import { peakLiveFlows, type ShardSummary } from '../src/parallel/capture-merge.js';
import { summarizePolicy } from '../src/policy/summary.js';
import { lintPolicy } from '../src/analysis/lint/lint.js';
import { exportNft } from '../src/export/nft.js';
import { defaultInterfaceMap, policyInterfaces } from '../src/export/interface-map.js';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { recordSnapshots } from '../src/engine/recorder.js';
import { createStatefulFirewall } from '../src/engine/stateful/firewall.js';
import { pageRun } from '../src/report/html/page-data.js';
import { buildCaptureRun } from '../src/replay/capture-run.js';
import { replayCapture } from '../src/replay/index.js';
import { openCapture } from '../src/wire/index.js';
import { generateCapture } from './generate.js';
import { defaultClients, discoverServers } from '../src/probe/discover.js';
import { BENCH_TOPOLOGY } from './phases.js';

function fmt(n: number, digits = 0): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

/** Best of `rounds` runs of `f`, ms. */
function bestMs(rounds: number, f: () => unknown): number {
  let best = Number.POSITIVE_INFINITY;
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    f();
    best = Math.min(best, performance.now() - t0);
  }
  return best;
}

/** Two shards' flow logs: `live` flows made in shard 0 and all finishing at the last packet, one more made there in shard 1. */
function endOfCaptureLogs(live: number): ShardSummary[] {
  const log: number[] = [];
  for (let n = 1; n <= live; n++) log.push(n);
  for (let k = 0; k < live; k++) log.push(-(live + 1));
  const summary = (flowLog: number[]): ShardSummary => ({ stats: {} as ShardSummary['stats'], diagnostics: [], flowLog, firstEvents: [], peakConnections: 0 });
  return [summary(log), summary([live + 1, -(live + 1)])];
}

/** An advanced ACL of `rules` rules, then `undo rule` of each from the first. */
function undoConfig(rules: number): string {
  const lines = ['acl advanced 3000'];
  for (let k = 0; k < rules; k++) lines.push(` rule ${k} permit tcp source 10.${(k >> 8) & 255}.${k & 255}.1 0 destination-port eq ${1 + (k % 60000)}`);
  for (let k = 0; k < rules; k++) lines.push(` undo rule ${k}`);
  return `${lines.join('\n')}\n`;
}

/** `rules` visits of one ACL's view, each adding one rule. */
function revisitConfig(rules: number): string {
  const lines: string[] = [];
  for (let k = 0; k < rules; k++) lines.push('acl advanced 3000', ` rule ${k} permit tcp source 10.${(k >> 8) & 255}.${k & 255}.1 0 destination-port eq ${1 + (k % 60000)}`, '#');
  return `${lines.join('\n')}\n`;
}

/** `n` interfaces, each with a packet filter of its own named ACL. */
function bindingsConfig(n: number): string {
  const lines: string[] = [];
  for (let k = 0; k < n; k++) lines.push(`acl advanced name a${k}`, ' rule permit ip', '#', `interface GigabitEthernet1/0/${k + 1}`, ` packet-filter name a${k} inbound`, '#');
  return `${lines.join('\n')}\n`;
}

/** `n` security zones of one interface each, and a zone pair from the first to each other one. */
function zonesConfig(n: number): string {
  const lines = ['acl advanced 3000', ' rule permit ip', '#'];
  for (let k = 0; k < n; k++) lines.push(`security-zone name z${k}`, ` import interface GigabitEthernet1/0/${k + 1}`, '#');
  for (let k = 1; k < n; k++) lines.push(`zone-pair security source z0 destination z${k}`, ' packet-filter 3000', '#');
  return `${lines.join('\n')}\n`;
}

/** `n` security policy rules, a third of them numbered automatically. */
function securityPolicyConfig(n: number): string {
  const lines = ['security-zone name Trust', ' import interface GigabitEthernet1/0/1', '#', 'security-zone name Untrust', ' import interface GigabitEthernet1/0/2', '#', 'security-policy ip'];
  for (let k = 0; k < n; k++) lines.push(k % 3 === 0 ? ` rule name r${k}` : ` rule ${k} name r${k}`, '  action pass', '  source-zone Trust', '  destination-zone Untrust', `  destination-ip-host 10.${(k >> 8) & 255}.${k & 255}.1`);
  return `${lines.join('\n')}\n`;
}

/** The step-through page data of a generated capture of `sessions` sessions (replay with the recorder, then the page's steps and tables): ms and packets. */
function htmlOfCapture(sessions: number): { ms: number; packets: number; live: number } {
  const dir = mkdtempSync(join(tmpdir(), 'ftpwall-bench-html-'));
  try {
    const file = join(dir, 'cap.pcap');
    generateCapture(file, { sessions, transferBytes: 3000 });
    const policy = parseConfig(readFileSync('bench/dual-stack.cfg', 'utf8'), 'bench/dual-stack.cfg').value;
    let packets = 0;
    let live = 0;
    const ms = bestMs(1, () => {
      const engine = createStatefulFirewall(policy);
      const rec = recordSnapshots(engine);
      const outcome = replayCapture(openCapture(file), { topology: BENCH_TOPOLOGY, firewall: rec.firewall, keepPackets: true });
      const page = pageRun({ report: buildCaptureRun({ name: 'cap.pcap', source: file, config: 'bench/dual-stack.cfg', engine: 'stateful' }, outcome.replay, BENCH_TOPOLOGY), snapshots: rec.snapshots() }, 0);
      packets = outcome.replay.stats.packets;
      live = engine.connections().length;
      return page;
    });
    return { ms, packets, live };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** An ACL naming `n` FTP servers, bound on one of two interfaces. */
function serversConfig(n: number): string {
  const lines = ['acl advanced 3000'];
  for (let k = 0; k < n; k++) lines.push(` rule ${k} permit tcp destination 192.${168 + (k >> 16)}.${(k >> 8) & 255}.${k & 255} 0 destination-port eq 21`);
  lines.push('#', 'interface GigabitEthernet1/0/1', ' packet-filter 3000 inbound', '#', 'interface GigabitEthernet1/0/2', '#');
  return `${lines.join('\n')}\n`;
}

/** One line: `what` at each size, and the ratio of the time per item. */
function twoSizes(what: string, unit: string, sizes: readonly [number, number], make: (n: number) => string, run: (text: string) => unknown): string {
  const ms = sizes.map((n) => {
    const text = make(n);
    return bestMs(2, () => run(text));
  });
  return `  ${what}: ${sizes.map((n, i) => `${fmt(n)} ${unit} in ${fmt(ms[i]!)} ms`).join(', ')}; ratio ${fmt(ms[1]! / (sizes[1] / sizes[0]) / ms[0]!, 2)}`;
}

/** The section's lines. */
export function linearSection(): string[] {
  const out = ['', 'paths that were quadratic (two sizes; ratio = time per item at the larger over the smaller, ≈ 1 when linear):'];
  const merge = [125_000, 250_000].map((live) => {
    const logs = endOfCaptureLogs(live);
    return { live, ms: bestMs(3, () => peakLiveFlows(logs)) };
  });
  out.push(
    `  shard merge, flows finishing at the capture's last packet: ${merge.map((m) => `${fmt(m.live)} in ${fmt(m.ms, 1)} ms`).join(', ')}; ratio ${fmt(merge[1]!.ms / 2 / merge[0]!.ms, 2)}`,
  );
  const undo = [32_000, 64_000].map((rules) => {
    const text = undoConfig(rules);
    return { rules, ms: bestMs(2, () => parseConfig(text, 'undo.cfg')) };
  });
  out.push(
    `  parse of an ACL whose every rule is then undone (first to last): ${undo.map((u) => `${fmt(u.rules)} rules in ${fmt(u.ms)} ms`).join(', ')}; ratio ${fmt(undo[1]!.ms / 2 / undo[0]!.ms, 2)}`,
  );
  const revisit = [32_000, 64_000].map((rules) => {
    const text = revisitConfig(rules);
    return { rules, ms: bestMs(2, () => parseConfig(text, 'revisit.cfg')) };
  });
  out.push(
    `  parse of a config that enters one ACL's view once per rule: ${revisit.map((u) => `${fmt(u.rules)} rules in ${fmt(u.ms)} ms`).join(', ')}; ratio ${fmt(revisit[1]!.ms / 2 / revisit[0]!.ms, 2)}`,
  );
  out.push(twoSizes("parse and check's summary of interfaces, each with its own named ACL", 'interfaces', [10_000, 20_000], bindingsConfig, (text) => summarizePolicy(parseConfig(text, 'bindings.cfg').value)));
  out.push(twoSizes('parse of security zones, each with a zone pair', 'zones', [10_000, 20_000], zonesConfig, (text) => parseConfig(text, 'zones.cfg')));
  out.push(twoSizes('parse of security policy rules', 'rules', [10_000, 20_000], securityPolicyConfig, (text) => parseConfig(text, 'policy.cfg')));
  out.push(twoSizes('parse and lint of interfaces, each with its own named ACL', 'interfaces', [5_000, 10_000], bindingsConfig, (text) => lintPolicy(parseConfig(text, 'bindings.cfg').value, text)));
  out.push(
    twoSizes('parse and nft export of interfaces, each with its own named ACL', 'interfaces', [10_000, 20_000], bindingsConfig, (text) => {
      const policy = parseConfig(text, 'bindings.cfg').value;
      return exportNft(policy, { interfaceMap: defaultInterfaceMap(policyInterfaces(policy)), stateful: false });
    }),
  );
  out.push(
    twoSizes("probe's discovery of FTP servers named by rules, and a client for each", 'servers', [20_000, 40_000], serversConfig, (text) => {
      const policy = parseConfig(text, 'servers.cfg').value;
      const { servers } = discoverServers(policy, text);
      for (const s of servers) defaultClients(policy, s, 4);
      return servers.length;
    }),
  );
  out.push(twoSizes('parse of a file of distinct unknown words (a wrong file)', 'lines', [50_000, 100_000], (n) => `${Array.from({ length: n }, (_, k) => `xq${k}zz ${k}`).join('\n')}\n`, (text) => parseConfig(text, 'junk.cfg')));
  const html = [500, 1000].map(htmlOfCapture);
  out.push(
    `  HTML step-through data of a capture (replay with the recorder, page steps and tables): ${html.map((h) => `${fmt(h.packets)} packets (${fmt(h.live)} entries live at the end) in ${fmt(h.ms)} ms`).join(', ')}; ratio ${fmt(html[1]!.ms / html[1]!.packets / (html[0]!.ms / html[0]!.packets), 2)}`,
  );
  return out;
}
