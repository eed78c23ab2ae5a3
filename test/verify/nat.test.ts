import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { parseInterfaceMap, policyInterfaces } from '../../src/export/interface-map.js';
import { checkPrerequisites } from '../../src/verify/prereq.js';
import { verifyScenario, type VerifyResult } from '../../src/verify/verify.js';
import { loadBundledScenario, loadPolicy } from '../helpers/run.js';

// Issue 12, "done when" 2: the bundled NAT scenarios through the real kernel (nft export with dnat/snat and the
// helper), compared with the simulation flow by flow, the ALG's rewritten lines byte for byte in the capture.
const prereq = checkPrerequisites();
const outDir = mkdtempSync(join(tmpdir(), 'ftpw-nat-test-'));
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

type Compared = Extract<VerifyResult, { kind: 'compared' }>;

async function verify(scenarioFile: string, config: string): Promise<Compared> {
  const scenario = loadBundledScenario(scenarioFile);
  const policy = loadPolicy(config);
  const known = [...new Set([...policyInterfaces(policy), ...scenario.hosts.map((h) => h.interface)])];
  const interfaceMap = parseInterfaceMap([], known).value;
  // a Linux ruleset is loaded into the kernel as written (as `ftpwall verify --config FILE` does)
  const linuxRuleset = policy.ruleset ? { linuxRuleset: { dialect: policy.ruleset.dialect, text: readFileSync(config, 'utf8') } } : {};
  const r = await verifyScenario({ scenario, policy, config, engine: 'stateful', interfaceMap, outDir, namespacePrefix: 'ftpwt-nat', ...linuxRuleset });
  expect(r.kind, JSON.stringify(r.kind === 'refused' ? r.diagnostics : r.kind === 'not-comparable' ? r.reasons : '')).toBe('compared');
  expect(leftoverNamespaces()).toEqual([]);
  return r as Compared;
}

function leftoverNamespaces(): string[] {
  const list = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout ?? '';
  return list.split('\n').filter((l) => l.startsWith('ftpwt-nat-'));
}

/** The kernel's outcome per flow: `role client -> server outcome`. */
function kernelFlows(r: Compared): string[] {
  return r.kernel.flows.map((f) => `${f.role} ${f.client} -> ${f.server} ${f.outcome}`);
}

function kernelWorks(r: Compared): boolean {
  return r.kernel.sessions.every((s) => s.client !== undefined && s.client.transfers.length > 0 && s.client.transfers.every((t) => t.ok));
}

/**
 * verify reports the simulation against the kernel honestly: every flow agrees exactly when the simulation has
 * the kernel's outcomes (the kernel wins; where they differ the disagreement is flagged, never hidden).
 */
function expectHonest(r: Compared): void {
  for (const f of r.agreement.flows) if (f.kernel && f.simulation) expect(f.agree).toBe(f.kernel.outcome === f.simulation.outcome && f.kernel.role === f.simulation.role);
  for (const s of r.agreement.sessions) expect(s.agree).toBe(s.kernel.works === s.simulation.works);
}

/** The read-back waits for NAT in the Linux readers: until then it is a located error, after it must agree. */
function expectReadback(r: Compared): void {
  const errors = r.readback!.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) expect(errors.map((d) => d.message)).toEqual(errors.map(() => expect.stringContaining('NAT is not simulated yet for Linux rulesets')));
  else expect(r.readback!.mismatches).toEqual([]);
}

const C = '203.0.113.5';

describe.skipIf(!prereq.ok)(`NAT through the kernel${prereq.ok ? '' : ` (skipped: needs ${prereq.missing.join(', ')})`}`, () => {
  describe('a server behind nat server (DNAT) with the FTP ALG', () => {
    it('passive: the 227 leaves with the public address, as the simulation rewrites it, and the download works', async () => {
      const r = await verify('scenarios/nat-passive-download.yaml', 'rules/nat-server.cfg');
      expect(kernelWorks(r)).toBe(true);
      expect(kernelFlows(r)).toEqual([`control ${C}:50000 -> 198.51.100.100:21 passed`, `data ${C}:50001 -> 198.51.100.100:50020 passed`]);
      expect(r.payloads.map((p) => [p.arrived, p.kernel, p.agree])).toEqual([
        ['227 Entering Passive Mode (192,168,10,10,195,100).\\r\\n', '227 Entering Passive Mode (198,51,100,100,195,100).\\r\\n', true],
      ]);
      expect(r.agreement.agree).toBe(true);
      expectReadback(r);
    }, 60_000);

    for (const [file, mode, line] of [
      ['scenarios/nat-active-download.yaml', 'active', 'PORT 203,0,113,5,195,81\\r\\n'],
      ['scenarios/nat-eprt-download.yaml', 'extended active', 'EPRT |1|203.0.113.5|50001|\\r\\n'],
      ['scenarios/nat-epsv-download.yaml', 'extended passive', '229 Entering Extended Passive Mode (|||50020|)\\r\\n'],
    ] as const)
      it(`${mode}: the download works, the announcement leaves as the simulation says`, async () => {
        const r = await verify(file, 'rules/nat-server.cfg');
        expect(kernelWorks(r)).toBe(true);
        expect(r.kernel.flows.map((f) => f.outcome)).toEqual(['passed', 'passed']);
        // the client is not translated: nf_nat_ftp writes the same address and port back
        expect(r.payloads.map((p) => [p.arrived, p.kernel, p.agree])).toEqual([[line, line, true]]);
        expect(r.agreement.agree).toBe(true);
        expectReadback(r);
      }, 60_000);
  });

  describe('the same server through a Linux ruleset without the FTP helper (rules/linux-dnat-no-helper.iptables)', () => {
    it('passive fails: the 227 keeps the private address, which the outside client cannot reach', async () => {
      const r = await verify('scenarios/linux/nat-passive-download.yaml', 'rules/linux-dnat-no-helper.iptables');
      expect(kernelWorks(r)).toBe(false);
      expect(kernelFlows(r)).toEqual([`control ${C}:50000 -> 198.51.100.100:21 passed`, `data ${C}:50001 -> 192.168.10.10:50020 blocked`]);
      expect(r.payloads.map((p) => [p.arrived, p.kernel])).toEqual([['227 Entering Passive Mode (192,168,10,10,195,100).\\r\\n', '227 Entering Passive Mode (192,168,10,10,195,100).\\r\\n']]);
      expect(r.agreement.agree).toBe(true);
      expectReadback(r);
    }, 60_000);

    it("active fails: nothing expects the server's data connection, which the FORWARD policy drops", async () => {
      const r = await verify('scenarios/linux/nat-active-download.yaml', 'rules/linux-dnat-no-helper.iptables');
      expect(kernelWorks(r)).toBe(false);
      expect(kernelFlows(r)).toEqual([`control ${C}:50000 -> 198.51.100.100:21 passed`, `data 192.168.10.10:20 -> ${C}:50001 blocked`]);
      expect(r.agreement.agree).toBe(true);
      expectReadback(r);
    }, 60_000);
  });

  it("an H3C config that inspects FTP with 'undo nat alg ftp' is not comparable: no Linux ruleset has a helper without nf_nat_ftp's rewrite here", async () => {
    const scenario = loadBundledScenario('scenarios/nat-active-download.yaml');
    const policy = loadPolicy('rules/nat-server-no-alg.cfg');
    const interfaceMap = parseInterfaceMap([], [...new Set([...policyInterfaces(policy), ...scenario.hosts.map((h) => h.interface)])]).value;
    const r = await verifyScenario({ scenario, policy, config: 'rules/nat-server-no-alg.cfg', engine: 'stateful', interfaceMap, outDir, namespacePrefix: 'ftpwt-nat' });
    expect(r.kind).toBe('not-comparable');
    expect(r.kind === 'not-comparable' ? r.reasons.join('\n') : '').toContain("'undo nat alg ftp'");
  });

  describe('a client behind MASQUERADE in active mode (rules/linux-masquerade*.iptables)', () => {
    it('works with the helper: the PORT leaves with the masquerade address, as the simulation rewrites it', async () => {
      const r = await verify('scenarios/linux/nat-client-active.yaml', 'rules/linux-masquerade.iptables');
      expect(kernelWorks(r)).toBe(true);
      expect(r.payloads.map((p) => [p.arrived, p.kernel, p.agree])).toEqual([['PORT 192,168,10,20,195,81\\r\\n', 'PORT 198,51,100,1,195,81\\r\\n', true]]);
      expect(r.agreement.agree).toBe(true);
      expectReadback(r);
    }, 60_000);

    it("fails without it: the PORT keeps the private address and the server's connect is dropped", async () => {
      const r = await verify('scenarios/linux/nat-client-active.yaml', 'rules/linux-masquerade-no-helper.iptables');
      expect(kernelWorks(r)).toBe(false);
      expect(r.payloads.map((p) => p.kernel)).toEqual(['PORT 192,168,10,20,195,81\\r\\n']);
      expect(kernelFlows(r)).toEqual(['control 192.168.10.20:50000 -> 203.0.113.5:21 passed', 'data 203.0.113.5:20 -> 192.168.10.20:50001 blocked']);
      expect(r.agreement.agree).toBe(true);
      expectReadback(r);
    }, 60_000);
  });

  describe('a client behind Easy IP (nat outbound, SNAT) in active mode', () => {
    it('works with the ALG: the PORT leaves with the NAT address, as the simulation rewrites it', async () => {
      const r = await verify('scenarios/nat-client-active.yaml', 'rules/nat-outbound.cfg');
      expect(kernelWorks(r)).toBe(true);
      expect(kernelFlows(r)).toEqual(['control 192.168.10.20:50000 -> 203.0.113.5:21 passed', 'data 203.0.113.5:20 -> 198.51.100.1:50001 passed']);
      expect(r.payloads.map((p) => [p.arrived, p.kernel, p.agree])).toEqual([['PORT 192,168,10,20,195,81\\r\\n', 'PORT 198,51,100,1,195,81\\r\\n', true]]);
      expect(r.agreement.agree).toBe(true);
      expectReadback(r);
    }, 60_000);

  });
});
