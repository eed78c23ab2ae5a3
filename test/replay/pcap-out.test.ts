import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createStaticFirewall } from '../../src/engine/static.js';
import { createStatefulFirewall } from '../../src/engine/stateful/firewall.js';
import type { Trace } from '../../src/engine/trace.js';
import { describeProvenance } from '../../src/engine/verdict.js';
import type { Policy } from '../../src/policy/model.js';
import { buildFlows } from '../../src/report/flows.js';
import { createCaptureExport, makeTopology, replayCapture, scanCapture, verdictComment, writeTracePcapng } from '../../src/replay/index.js';
import { loadScenario } from '../../src/scenario/load.js';
import { simulate } from '../../src/sim/run.js';
import { openCapture } from '../../src/wire/index.js';
import { bundledPolicy, CORPUS, HAVE_TSHARK, pair, replayFile, tshark, tsharkConversations, tsharkFields } from './helpers.js';
import { parsePrefixForTest } from './topology-fixtures.js';

const ROOT = resolve(__dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'ftpwall-pcap-out-'));
/** The topology of the bundled scenarios: the server behind Gi2/1/10, clients on Gi2/1/1. */
const scenarioTopology = makeTopology([{ prefix: parsePrefixForTest('192.168.10.1/32'), iface: 'GigabitEthernet2/1/10', origin: 'test' }], 'GigabitEthernet2/1/1');

function simulated(scenarioFile: string, policy: Policy, engine: 'static' | 'stateful'): Trace {
  const { value } = loadScenario(readFileSync(resolve(ROOT, scenarioFile), 'utf8'), scenarioFile);
  return simulate(value!, engine === 'static' ? createStaticFirewall(policy) : createStatefulFirewall(policy));
}

const cases = [
  ['seed-passive.cfg', 'static', true],
  ['seed-active.cfg', 'static', false],
  ['stateful.cfg', 'stateful', true],
] as const;

describe('a simulated passive session exported as pcapng', () => {
  for (const [cfg, engine, works] of cases) {
    describe(`through ${cfg} (${engine})`, () => {
      const policy = bundledPolicy(cfg);
      const trace = simulated('scenarios/passive-download.yaml', policy, engine);
      const file = join(dir, `passive-${cfg}.pcapng`);
      const written = writeTracePcapng(file, trace);

      it('is written with every packet, dropped ones included', () => {
        expect(written.diagnostics).toEqual([]);
        expect(written.value.packets).toBe(trace.packets.length);
        expect(trace.packets.some((tp) => tp.verdict.action === 'deny')).toBe(!works);
      });

      it('read back by ftpwall with the same config and topology, gives the same flows and the same verdicts as the simulation', () => {
        const r = replayFile(file, policy, engine, { topology: scenarioTopology, keepPackets: true });
        expect(r.diagnostics).toEqual([]);
        expect(r.replay.packets.map((p) => [p.n, p.action, p.by, p.ingress, p.egress])).toEqual(
          trace.packets.map((tp) => [tp.n, tp.verdict.action, describeProvenance(tp.verdict.by, tp.verdict.action), tp.ingress, tp.egress]),
        );
        const simFlows = buildFlows(trace).map((f) => [f.role, f.client, f.server, f.outcome, f.packets]);
        expect(r.replay.flows.map((f) => [f.role, f.client, f.server, f.outcome, f.packets])).toEqual(simFlows);
        expect(r.replay.works).toBe(works);
        // the data connection is linked to the 227 the simulated server sent
        const data = r.replay.flows.find((f) => f.role === 'data')!;
        const announcing = trace.packets.find((tp) => tp.n === data.announcedBy!.packet)!;
        expect(new TextDecoder().decode(announcing.packet.payload)).toMatch(/^227 Entering Passive Mode \(192,168,10,1,\d+,\d+\)\.\r\n$/);
      });

      it.skipIf(!HAVE_TSHARK)('read back by tshark: no warnings, valid checksums, the same conversations, the comments, the 227 as written (needs tshark)', () => {
        const t = tshark(['-r', file, '-o', 'tcp.check_checksum:TRUE', '-o', 'ip.check_checksum:TRUE', '-T', 'fields', '-e', 'frame.number', '-e', 'ip.checksum.status', '-e', 'tcp.checksum.status']);
        expect(t.stderr.replace(/^Running as user.*\n/m, '')).toBe('');
        const rows = t.stdout.trim().split('\n').map((l) => l.split('\t'));
        expect(rows.length).toBe(trace.packets.length);
        for (const row of rows) expect(row.slice(1)).toEqual(['1', '1']); // 1 = Good
        const simFlows = buildFlows(trace).map((f) => pair(f.client, f.server)).sort();
        expect(tsharkConversations(file)).toEqual(simFlows);
        const comments = tsharkFields(file, 'frame', ['frame.comment']).map((x) => x[0]);
        expect(comments).toEqual(trace.packets.map((tp) => verdictComment(tp.verdict)));
        const sim227 = trace.packets
          .map((tp) => new TextDecoder().decode(tp.packet.payload))
          .filter((s) => s.startsWith('227 '))
          .map((s) => s.slice(4).trimEnd());
        expect(sim227.length).toBe(1);
        expect(tsharkFields(file, 'ftp.response.code == 227', ['ftp.response.arg']).map((x) => x[0])).toEqual(sim227);
      });
    });
  }

  it('marks dropped packets in the comment: "ftpwall: DENY by … (dropped)"', () => {
    const trace = simulated('scenarios/passive-download.yaml', bundledPolicy('seed-active.cfg'), 'static');
    const denied = trace.packets.find((tp) => tp.verdict.action === 'deny')!;
    expect(verdictComment(denied.verdict)).toMatch(/^ftpwall: DENY by acl 3000 rule 10 \(rules\/seed-active\.cfg:\d+\) \(dropped\)$/);
    expect(verdictComment(trace.packets[0]!.verdict)).toBe('ftpwall: permit by default permit (no ACL bound inbound on GigabitEthernet2/1/1)');
  });

  it.skipIf(!HAVE_TSHARK)('an active session: tshark decodes the PORT argument as ftpwall wrote it (needs tshark)', () => {
    const trace = simulated('scenarios/active-download.yaml', bundledPolicy('seed-active.cfg'), 'static');
    const file = join(dir, 'active.pcapng');
    expect(writeTracePcapng(file, trace).diagnostics).toEqual([]);
    const ports = trace.packets.map((tp) => new TextDecoder().decode(tp.packet.payload)).filter((s) => s.startsWith('PORT ')).map((s) => s.slice(5).trimEnd());
    expect(ports.length).toBe(1);
    expect(tsharkFields(file, 'ftp.request.command == "PORT"', ['ftp.request.arg']).map((x) => x[0])).toEqual(ports);
  });
});

describe('a replayed capture exported as pcapng', () => {
  it('holds every packet with its verdict; replaying the export gives the same verdicts and flows', () => {
    const src = resolve(CORPUS, 'zeek-ftp-ipv4.pcap');
    const policy = bundledPolicy('stateful.cfg', '199.233.217.249');
    const topology = makeTopology([{ prefix: parsePrefixForTest('199.233.217.249/32'), iface: 'GigabitEthernet2/1/10', origin: 'test' }], 'GigabitEthernet2/1/1');
    const scan = scanCapture(openCapture(src), [21]);
    const out = join(dir, 'zeek-ftp-ipv4.out.pcapng');
    const exp = createCaptureExport(out, scan.firstSec, scan.firstNsec);
    const first = replayCapture(openCapture(src), { topology, firewall: createStatefulFirewall(policy), keepPackets: true, tap: exp.tap });
    expect(exp.writer.close().value.packets).toBe(95);
    const again = replayFile(out, policy, 'stateful', { topology, keepPackets: true });
    expect(again.replay.packets.map((p) => [p.n, p.tMs.toFixed(3), p.action, p.by])).toEqual(first.replay.packets.map((p) => [p.n, p.tMs.toFixed(3), p.action, p.by]));
    expect(again.replay.flows.map((f) => [f.role, f.client, f.server, f.outcome, f.announcedBy?.packet])).toEqual(
      first.replay.flows.map((f) => [f.role, f.client, f.server, f.outcome, f.announcedBy?.packet]),
    );
    if (HAVE_TSHARK) {
      // absolute timestamps are kept: tshark shows the original capture's epoch times
      const orig = tsharkFields(src, 'frame', ['frame.time_epoch']).map((x) => x[0]);
      const copy = tsharkFields(out, 'frame', ['frame.time_epoch']).map((x) => x[0]);
      expect(copy).toEqual(orig);
    }
  });

  it('a failed write leaves nothing under the requested name', () => {
    const out = join(dir, 'no-such-dir', 'x.pcapng');
    const exp = createCaptureExport(out, 0, 0);
    const closed = exp.writer.close();
    expect(closed.diagnostics[0]?.message).toMatch(/^cannot write .*x\.pcapng: no such file or directory$/);
    expect(existsSync(out)).toBe(false);
  });
});
