import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../src/diag/diagnostic.js';
import { parseConfig } from '../../src/dialects/load.js';
import { createStaticFirewall } from '../../src/engine/static.js';
import { createStatefulFirewall } from '../../src/engine/stateful/firewall.js';
import { exportIp6tables, exportIptables } from '../../src/export/iptables.js';
import { exportNft } from '../../src/export/nft.js';
import type { Policy } from '../../src/policy/model.js';
import type { Scenario } from '../../src/scenario/model.js';
import { simulate } from '../../src/sim/run.js';
import { unsimulatedParts } from '../../src/engine/unsimulated.js';
import { checkerUnavailable } from '../export/check.js';
import { loadBundledScenario, loadPolicy } from '../helpers/run.js';

// Issue 12 round trip: `export --to iptables` (and ip6tables) of every bundled H3C config, read back as
// iptables-save text, gives the H3C config's verdict on every packet of every bundled scenario.
const SCENARIOS = readdirSync('scenarios').filter((f) => f.endsWith('.yaml')).map((f) => `scenarios/${f}`);
const CONFIGS = readdirSync('rules').filter((f) => f.endsWith('.cfg') && f !== 'broken.cfg' && !f.startsWith('nat-')).map((f) => `rules/${f}`);
// The NAT configs are exported with dnat/snat and helper rules (issue 12); their round trip needs the Linux readers
// to simulate a ruleset's NAT, which is separate work (until it lands they refuse NAT rules with a located error).
// The 'undo nat alg ftp' configs are left out of the round trip, for a stated reason: the export writes them as
// "no FTP helper on NATed control connections" (Linux cannot have the helper without nf_nat_ftp's rewrite on a
// NATed connection), while the simulator models them as "the helper without nf_nat_ftp"; both fail passive mode
// through DNAT, they differ on active mode through DNAT and passive mode behind Easy IP (verify shows the kernel side).
const NAT_CONFIGS = readdirSync('rules').filter((f) => f.endsWith('.cfg') && f.startsWith('nat-') && !f.includes('no-alg')).map((f) => `rules/${f}`);
const PROBE = 'table ip probe {\n\tchain pre {\n\t\ttype nat hook prerouting priority dstnat; policy accept;\n\t\tiifname "fw0" tcp dport 21 dnat to 192.168.10.10\n\t}\n}\n';
/** true once the Linux readers simulate NAT (no "NAT is not simulated yet" error for a dnat rule) */
const readersSimulateNat = unsimulatedParts(parseConfig(PROBE, 'probe.nft').value).length === 0;

function usesSessions(p: Policy): boolean {
  return p.inspections.length > 0 || (p.sessionScope?.points.length ?? 0) > 0;
}

function firewallFor(p: Policy, stateful: boolean) {
  return stateful ? createStatefulFirewall(p) : createStaticFirewall(p);
}

/** Per packet: number, interfaces, action (interfaces in the H3C names). */
function verdicts(scenario: Scenario, policy: Policy, stateful: boolean, back?: ReadonlyMap<string, string>): string[] {
  return simulate(scenario, firewallFor(policy, stateful)).packets.map((p) => `${p.n} ${back?.get(p.ingress) ?? p.ingress}→${back?.get(p.egress) ?? p.egress} ${p.verdict.action}`);
}

type Via = 'iptables' | 'nft';

const kernelCache = new Map<string, string>();

/** The ruleset as the kernel lists it after loading it, in a throwaway network namespace. */
function throughKernel(via: Via, family: 4 | 6, text: string): string {
  const key = `${via}${family}\u0000${text}`;
  const hit = kernelCache.get(key);
  if (hit !== undefined) return hit;
  const cmd = via === 'nft' ? 'nft -f - && nft list ruleset' : family === 4 ? 'iptables-restore && iptables-save' : 'ip6tables-restore && ip6tables-save';
  const r = spawnSync('unshare', ['--net', 'sh', '-c', cmd], { input: text, encoding: 'utf8', timeout: 20_000 });
  if (r.status !== 0) throw new Error(`${cmd}: ${r.stderr}`);
  kernelCache.set(key, r.stdout);
  return r.stdout;
}

function roundTrip(via: Via, kernel: boolean, configs: readonly string[] = CONFIGS): void {
  for (const config of configs)
    it(`${config}: every packet of every bundled scenario has the same verdict`, () => {
      const h3c = loadPolicy(config);
      const stateful = usesSessions(h3c);
      let compared = 0;
      for (const file of SCENARIOS) {
        const scenario = loadBundledScenario(file);
        const names = [...new Set([...h3c.interfaces, ...scenario.hosts.map((h) => h.interface)])].sort();
        const map = new Map(names.map((n, i) => [n, `fw${i}`] as const));
        const back = new Map(names.map((n, i) => [`fw${i}`, n] as const));
        const family = scenario.hosts.some((h) => h.address.family === 6) ? 6 : 4;
        const options = { interfaceMap: map, stateful };
        const exported = via === 'nft' ? exportNft(h3c, options) : family === 4 ? exportIptables(h3c, { ...options, family: 4 }) : exportIp6tables(h3c, options);
        if (exported.diagnostics.some((d) => d.severity === 'error')) continue; // the exporter refuses it (tested with the exporter)
        const text = kernel ? throughKernel(via, family, exported.value) : exported.value;
        const parsed = parseConfig(text, `${config}.${via}`);
        const errors = parsed.diagnostics.filter((d) => d.severity === 'error');
        expect(errors.map((d) => formatDiagnostic(d))).toEqual([]);
        expect(parsed.value.ruleset?.dialect).toBe(via);
        const renamed: Scenario = { ...scenario, hosts: scenario.hosts.map((h) => ({ ...h, interface: map.get(h.interface)! })) };
        expect(verdicts(renamed, parsed.value, stateful, back), `${file}`).toEqual(verdicts(scenario, h3c, stateful));
        compared++;
      }
      expect(compared).toBeGreaterThan(0);
    });
}

describe('iptables export read back as iptables-save gives the H3C verdicts', () => roundTrip('iptables', false));
describe('nft export read back as an nft ruleset gives the H3C verdicts', () => roundTrip('nft', false));
describe.skipIf(checkerUnavailable !== undefined)('the kernel listing of the iptables export (iptables-save after iptables-restore) gives the H3C verdicts', () => roundTrip('iptables', true));
describe.skipIf(checkerUnavailable !== undefined)('the kernel listing of the nft export (nft list ruleset after nft -f) gives the H3C verdicts', () => roundTrip('nft', true));

// Issue 12: NAT configs round trip too. WAITS FOR NAT in the Linux readers and engine (skipped, with this title, until then).
const waits = readersSimulateNat ? '' : ' (waits for NAT in the Linux readers: skipped until a dnat rule reads back without the "NAT is not simulated yet" error)';
describe.skipIf(!readersSimulateNat)(`NAT configs: iptables export read back gives the H3C verdicts${waits}`, () => roundTrip('iptables', false, NAT_CONFIGS));
describe.skipIf(!readersSimulateNat)(`NAT configs: nft export read back gives the H3C verdicts${waits}`, () => roundTrip('nft', false, NAT_CONFIGS));
describe.skipIf(!readersSimulateNat || checkerUnavailable !== undefined)(`NAT configs: the kernel listing of the nft export gives the H3C verdicts${waits}`, () => roundTrip('nft', true, NAT_CONFIGS));
