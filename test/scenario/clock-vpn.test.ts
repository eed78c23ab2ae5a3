/** Scenario keys for H3C rule scopes: `startTime:` (time ranges) and a host's `vpn:` (vpn-instance rules). */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { parseConfig } from '../../src/dialects/load.js';
import { createStaticFirewall } from '../../src/engine/static.js';
import { buildRunReport } from '../../src/report/run.js';
import { diagnosticLines, loadScenario } from '../../src/scenario/load.js';
import { simulate } from '../../src/sim/run.js';

const PASSIVE = readFileSync('scenarios/passive-download.yaml', 'utf8');

function withKeys(startTime: string | undefined, vpn: string | undefined): string {
  let text = PASSIVE;
  if (startTime !== undefined) text = `startTime: ${startTime}\n${text}`;
  if (vpn !== undefined) text = text.replace(/(server: \{ address: 192\.168\.10\.1, interface: GigabitEthernet2\/1\/10)/, `$1, vpn: ${vpn}`);
  return text;
}

describe('startTime and vpn', () => {
  test('load into the scenario', () => {
    const { value, diagnostics } = loadScenario(withKeys('2026-03-02T09:30:00', 'blue'), 's.yaml');
    expect(diagnostics).toEqual([]);
    expect(value?.startTime).toEqual({ text: '2026-03-02T09:30:00', wallMs: Date.UTC(2026, 2, 2, 9, 30) });
    expect(value?.hosts.find((h) => h.name === 'server')?.vpn).toBe('blue');
    expect(value?.hosts.find((h) => h.name === 'client')?.vpn).toBeUndefined();
  });

  test('a bad startTime is a located error', () => {
    expect(diagnosticLines(loadScenario(withKeys('monday morning', undefined), 's.yaml').diagnostics)).toEqual([
      "s.yaml:1:12: error: startTime 'monday morning' is not an ISO 8601 date and time (write it as 2026-03-02T09:30:00 (the device's local clock))",
    ]);
  });

  // rules/seed-passive.cfg with its two permit rules limited: to VPN blue, and to working hours
  const seed = readFileSync('rules/seed-passive.cfg', 'utf8');
  const works = (cfg: string, scenarioText: string, wallClockStartMs?: number): boolean => {
    const scenario = loadScenario(scenarioText, 's.yaml').value!;
    const fw = createStaticFirewall(parseConfig(cfg, 'c.cfg').value, wallClockStartMs === undefined ? {} : { wallClockStartMs });
    return buildRunReport({ scenario: 's', source: 's.yaml', config: 'c.cfg', engine: 'static' }, simulate(scenario, fw)).ftp.works;
  };

  test('the server behind a VPN instance passes the VPN rules; as public traffic it does not', () => {
    const vpnCfg = seed.replace(/destination-port gt 1024\n/g, 'destination-port gt 1024 vpn-instance blue\n');
    expect(works(vpnCfg, withKeys(undefined, 'blue'))).toBe(true);
    expect(works(vpnCfg, withKeys(undefined, undefined))).toBe(false);
    expect(works(seed, withKeys(undefined, undefined))).toBe(true);
  });

  test('the scenario start decides whether working-hours rules are active', () => {
    const timedCfg = `time-range work 08:00 to 18:00 working-day\n${seed.replace(/destination-port gt 1024\n/g, 'destination-port gt 1024 time-range work\n')}`;
    const scenarioAt = (t: string) => withKeys(t, undefined);
    const start = (t: string) => loadScenario(scenarioAt(t), 's.yaml').value!.startTime!.wallMs;
    expect(works(timedCfg, scenarioAt('2026-03-02T09:30'), start('2026-03-02T09:30'))).toBe(true);
    expect(works(timedCfg, scenarioAt('2026-03-07T09:30'), start('2026-03-07T09:30'))).toBe(false);
  });
});
