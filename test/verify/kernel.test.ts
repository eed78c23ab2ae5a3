import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { exportNft } from '../../src/export/nft.js';
import { checkPrerequisites } from '../../src/verify/prereq.js';
import { runKernelScenario, type KernelRun } from '../../src/verify/kernel.js';
import type { Policy } from '../../src/policy/model.js';
import type { Scenario } from '../../src/scenario/model.js';
import { IFMAP, seedActive, seedPassive, statefulPort21 } from '../export/fixtures.js';
import { downloadSession, scenario } from './scenarios.js';
import { readFileSync } from 'node:fs';
import { parseConfig } from '../../src/dialects/load.js';
import { verifyScenario } from '../../src/verify/verify.js';

const prereq = checkPrerequisites();
const outDir = mkdtempSync(join(tmpdir(), 'ftpw-kernel-test-'));
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

async function kernelRun(p: Policy, s: Scenario, stateful: boolean): Promise<KernelRun> {
  const nft = exportNft(p, { interfaceMap: IFMAP, stateful });
  expect(nft.diagnostics).toEqual([]);
  return runKernelScenario(s, { nft: nft.value }, { interfaceMap: IFMAP, outDir });
}

/** The comparable part of each flow, one line per connection. */
function outcomes(run: KernelRun): string[] {
  return run.flows.map((f) => `${f.session ?? '-'} ${f.role} ${f.client} -> ${f.server} ${f.outcome}${f.firstBlocked ? ` at ${f.firstBlocked.packet} on ${f.firstBlocked.ingress}` : ''}`);
}

/** The namespaces of this process still present (there must be none after a run). */
function leftoverNamespaces(): string[] {
  const list = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout ?? '';
  return list.split('\n').filter((l) => l.startsWith(`ftpw-${process.pid}-`));
}

describe.skipIf(!prereq.ok)(`kernel runner${prereq.ok ? '' : ` (skipped: needs ${prereq.missing.join(', ')})`}`, () => {
  it('passes the control and data connections of a passive download and upload under the passive seed', async () => {
    const run = await kernelRun(seedPassive(), scenario('passive-download', [downloadSession('s1', 'passive', 50000, 1000, true)]), false);
    expect(outcomes(run)).toEqual([
      's1 control 10.0.0.2:50000 -> 192.168.10.1:21 passed',
      's1 data 10.0.0.2:50001 -> 192.168.10.1:50000 passed',
      's1 data 10.0.0.2:50002 -> 192.168.10.1:50000 passed',
    ]);
    expect(run.sessions[0]?.client?.transfers.map((t) => [t.kind, t.ok, t.bytes])).toEqual([
      ['retr', true, 1000],
      ['stor', true, 500],
    ]);
    // Rule 0 passed the server's control replies, rule 5 the passive data from port 50000.
    const counter = (c: string): number | undefined => run.counters.find((x) => x.comment === c)?.packets;
    expect(counter('acl 3001 rule 0 rules/seed-passive.cfg:4')).toBeGreaterThan(0);
    expect(counter('acl 3001 rule 5 rules/seed-passive.cfg:5')).toBeGreaterThan(0);
    expect(counter('acl 3001 rule 10 rules/seed-passive.cfg:6')).toBe(0);
    expect(run.capture && existsSync(run.capture.file)).toBe(true);
    expect(leftoverNamespaces()).toEqual([]);
  });

  it('blocks the passive data connection at the server SYN-ACK under the active seed, and passes active mode', async () => {
    const s = scenario('seed-active', [downloadSession('passive', 'passive', 50000), downloadSession('active', 'active', 50010)]);
    const run = await kernelRun(seedActive(), s, false);
    expect(outcomes(run)).toEqual([
      'passive control 10.0.0.2:50000 -> 192.168.10.1:21 passed',
      'passive data 10.0.0.2:50001 -> 192.168.10.1:50000 blocked at SYN-ACK 192.168.10.1:50000 → 10.0.0.2:50001 on GigabitEthernet2/1/10',
      'active control 10.0.0.2:50010 -> 192.168.10.1:21 passed',
      'active data 192.168.10.1:20 -> 10.0.0.2:50011 passed',
    ]);
    const passive = run.sessions[0]?.client?.transfers[0];
    expect(passive?.ok).toBe(false);
    expect(passive?.error).toBe('connect to 192.168.10.1:50000 from 10.0.0.2:50001 timed out after 3000 ms');
    expect(run.sessions[1]?.client?.transfers[0]?.ok).toBe(true);
    expect(run.expectations).toEqual([]);
    expect(leftoverNamespaces()).toEqual([]);
  });

  it('passes passive and active through the stateful port-21 policy via expectations of the FTP helper', async () => {
    const s = scenario('stateful', [downloadSession('passive', 'passive', 50000), downloadSession('active', 'active', 50010)]);
    const run = await kernelRun(statefulPort21(), s, true);
    expect(outcomes(run)).toEqual([
      'passive control 10.0.0.2:50000 -> 192.168.10.1:21 passed',
      'passive data 10.0.0.2:50001 -> 192.168.10.1:50000 passed',
      'active control 10.0.0.2:50010 -> 192.168.10.1:21 passed',
      'active data 192.168.10.1:20 -> 10.0.0.2:50011 passed',
    ]);
    // Facts sheet 4.1: the peer of the announcer may connect from any port to the announced address and port.
    expect(run.expectations.filter((e) => e.event === 'NEW').map((e) => [e.src, e.dst, e.masterClient, e.masterServer, e.helper, e.timeoutSec])).toEqual([
      ['10.0.0.2', '192.168.10.1:50000', '10.0.0.2:50000', '192.168.10.1:21', 'ftp', 300],
      ['192.168.10.1', '10.0.0.2:50011', '10.0.0.2:50010', '192.168.10.1:21', 'ftp', 300],
    ]);
    expect(run.pendingExpectations).toEqual([]);
    // The ACL's deny never saw a packet: everything from the server was established or related.
    expect(run.counters.find((c) => c.comment === 'acl 3002 rule 10 rules/stateful.cfg:4')?.packets).toBe(0);
    expect(run.conntrack.some((l) => l.includes('sport=50000 dport=21') && l.includes('helper=ftp'))).toBe(true);
    expect(leftoverNamespaces()).toEqual([]);
  });

  // Issue 9, ASPF scope: the export marks connections where ASPF applies and accepts established/related only
  // with the mark; the kernel must agree with the simulation on both sides (sheet 7.1-7.3).
  for (const [config, works] of [
    ['rules/stateful.cfg', true],
    ['rules/aspf-wrong-side.cfg', false],
  ] as const) {
    it(`${config}: the kernel agrees with the simulation flow by flow (FTP ${works ? 'works' : 'is blocked at the server SYN-ACK'})`, async () => {
      const policy = parseConfig(readFileSync(config, 'utf8'), config).value;
      const s = scenario('aspf', [downloadSession('passive', 'passive', 50000), downloadSession('active', 'active', 50010)]);
      const r = await verifyScenario({ scenario: s, policy, config, engine: 'stateful', interfaceMap: IFMAP, outDir });
      expect(r.kind).toBe('compared');
      if (r.kind !== 'compared') return;
      expect(r.agreement.flows.every((f) => f.agree), JSON.stringify(r.agreement.flows, null, 1)).toBe(true);
      expect(r.simulation.ftp.works).toBe(works);
      const control = outcomes(r.kernel).filter((l) => l.includes(' control '));
      expect(control).toEqual(
        works
          ? ['passive control 10.0.0.2:50000 -> 192.168.10.1:21 passed', 'active control 10.0.0.2:50010 -> 192.168.10.1:21 passed']
          : [
              'passive control 10.0.0.2:50000 -> 192.168.10.1:21 blocked at SYN-ACK 192.168.10.1:21 → 10.0.0.2:50000 on GigabitEthernet2/1/10',
              'active control 10.0.0.2:50010 -> 192.168.10.1:21 blocked at SYN-ACK 192.168.10.1:21 → 10.0.0.2:50010 on GigabitEthernet2/1/10',
            ],
      );
      // the mark is set only where ASPF is applied: with it on the wrong side no connection carries it
      expect(r.kernel.conntrack.some((l) => /mark=1\b/.test(l))).toBe(works);
      // issue 12 read-back: the kernel's own `nft list ruleset`, read back, denies exactly what the kernel dropped
      expect(r.readback?.dialect).toBe('nft');
      expect(r.readback?.text).toContain('table inet ftpwall {');
      expect(r.readback?.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
      expect(r.readback?.mismatches).toEqual([]);
      expect(r.readback!.packets).toBeGreaterThan(10);
      expect(r.readback!.replayed).toBe(r.readback!.packets);
      if (!works) expect(r.readback!.dropped).toBeGreaterThan(0);
      expect(leftoverNamespaces()).toEqual([]);
    }, 120_000);
  }
});
