import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { parseConfig } from '../../src/dialects/load.js';
import type { Scenario } from '../../src/scenario/model.js';
import { checkPrerequisites } from '../../src/verify/prereq.js';
import { verifyScenario } from '../../src/verify/verify.js';
import { downloadSession, scenario } from './scenarios.js';

// Issue 12, "done when" 1: an iptables ruleset written by hand, loaded with iptables-restore; the kernel's
// iptables-save of it, read back by ftpwall, must deny exactly the packets the kernel dropped in its capture.
const prereq = checkPrerequisites();
const outDir = mkdtempSync(join(tmpdir(), 'ftpw-readback-test-'));
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

/** Clients behind fw0, the server 192.168.10.1 behind fw1; only new control connections and what conntrack relates pass. */
function ruleset(helper: boolean): string {
  return [
    '# hand-written for the read-back test',
    ...(helper ? ['*raw', ':PREROUTING ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]', '-A PREROUTING -i fw0 -p tcp --dport 21 -j CT --helper ftp', 'COMMIT'] : []),
    '*filter',
    ':INPUT ACCEPT [0:0]',
    ':FORWARD DROP [0:0]',
    ':OUTPUT ACCEPT [0:0]',
    ':from_clients - [0:0]',
    '-A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
    '-A FORWARD -i fw0 -o fw1 -j from_clients',
    '-A from_clients -p tcp -d 192.168.10.1 --dport 21 -m conntrack --ctstate NEW -j ACCEPT',
    '-A from_clients -j RETURN',
    'COMMIT',
    '',
  ].join('\n');
}

/** The test scenario with its hosts behind the ruleset's own interface names. */
function onLinuxInterfaces(s: Scenario): Scenario {
  const rename = (i: string): string => (i === 'GigabitEthernet2/1/1' ? 'fw0' : i === 'GigabitEthernet2/1/10' ? 'fw1' : i);
  const host = <H extends { interface: string }>(h: H): H => ({ ...h, interface: rename(h.interface) });
  return { ...s, hosts: s.hosts.map(host), sessions: s.sessions.map((x) => ({ ...x, client: host(x.client), server: host(x.server) })) };
}

function leftoverNamespaces(): string[] {
  const list = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout ?? '';
  return list.split('\n').filter((l) => l.startsWith('ftpwt-rb-'));
}

describe.skipIf(!prereq.ok)(`read-back of a hand-written iptables ruleset${prereq.ok ? '' : ` (skipped: needs ${prereq.missing.join(', ')})`}`, () => {
  for (const helper of [true, false])
    it(`${helper ? 'with' : 'without'} the FTP helper: iptables-save from the kernel denies exactly the packets the kernel dropped`, async () => {
      const text = ruleset(helper);
      const parsed = parseConfig(text, 'handwritten.rules', 'iptables');
      expect(parsed.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
      const s = onLinuxInterfaces(scenario('readback', [downloadSession('passive', 'passive', 50000), downloadSession('active', 'active', 50010)]));
      const r = await verifyScenario({
        scenario: s,
        policy: parsed.value,
        config: 'handwritten.rules',
        engine: 'stateful',
        interfaceMap: new Map([
          ['fw0', 'fw0'],
          ['fw1', 'fw1'],
        ]),
        linuxRuleset: { dialect: 'iptables', text },
        outDir,
        namespacePrefix: 'ftpwt-rb',
      });
      expect(r.kind).toBe('compared');
      if (r.kind !== 'compared') return;
      const b = r.readback!;
      expect(b.dialect).toBe('iptables');
      // the kernel's own text, not ours: iptables-save adds the tcp match and the /32
      expect(b.text).toContain('-A from_clients -d 192.168.10.1/32 -p tcp -m tcp --dport 21 -m conntrack --ctstate NEW -j ACCEPT');
      expect(b.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
      expect(b.mismatches).toEqual([]);
      expect(b.packets).toBeGreaterThan(20);
      // without the helper the data connections' SYNs (passive) and the server's SYN (active) are dropped
      if (helper) expect(b.dropped).toBe(0);
      else expect(b.dropped).toBeGreaterThanOrEqual(2);
      expect(r.kernel.sessions.map((x) => x.client?.transfers.every((t) => t.ok))).toEqual([helper, helper]);
      expect(r.agreement.agree, JSON.stringify(r.agreement, null, 1)).toBe(true);
      expect(leftoverNamespaces()).toEqual([]);
    }, 120_000);
});
