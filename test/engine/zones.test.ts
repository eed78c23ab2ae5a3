import { describe, expect, it } from 'vitest';
import { parseH3cConfig } from '../../src/dialects/h3c/index.js';
import { createStaticFirewall } from '../../src/engine/static.js';
import { buildRunReport } from '../../src/report/run.js';
import { simulate } from '../../src/sim/run.js';
import { loadBundledScenario } from '../helpers/run.js';

// The zone defaults as H3C documents them ("Security zone-based packet processing rules", H3C MSR
// V9 security configuration guide; HPE HSR6800 V7; H3C F1000 guide for the any-to-any zone pair),
// checked on the passive download scenario: client behind GigabitEthernet2/1/1, server behind 2/1/10.
const SCENARIO = loadBundledScenario('scenarios/passive-download.yaml');

function ftp(config: string): { works: boolean; summary: string } {
  const { value, diagnostics } = parseH3cConfig(config, 'z.cfg');
  expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  const trace = simulate(SCENARIO, createStaticFirewall(value));
  return buildRunReport({ scenario: SCENARIO.name, source: 'passive-download.yaml', config: 'z.cfg', engine: 'static' }, trace).ftp;
}

const IFACES = 'interface GigabitEthernet2/1/1\ninterface GigabitEthernet2/1/10\ninterface GigabitEthernet2/1/20\n';
const zone = (name: string, ...ifaces: string[]): string => `security-zone name ${name}\n${ifaces.map((i) => ` import interface ${i}\n`).join('')}`;

describe('security zone defaults', () => {
  it('discards traffic between two interfaces of one zone by default', () => {
    expect(ftp(IFACES + zone('Trust', 'GigabitEthernet2/1/1', 'GigabitEthernet2/1/10')).summary).toBe(
      'control connection blocked: SYN 10.0.0.2:50000 → 192.168.10.1:21 denied by security zones: within zone Trust, default deny',
    );
  });

  it('forwards it with security-zone intra-zone default permit', () => {
    expect(ftp(`${IFACES}security-zone intra-zone default permit\n${zone('Trust', 'GigabitEthernet2/1/1', 'GigabitEthernet2/1/10')}`).works).toBe(true);
  });

  it('discards traffic between a zone interface and an interface in no zone', () => {
    expect(ftp(IFACES + zone('Trust', 'GigabitEthernet2/1/1')).summary).toBe(
      'control connection blocked: SYN 10.0.0.2:50000 → 192.168.10.1:21 denied by security zones: Trust → (none) (one interface in no zone), discarded',
    );
  });

  it('forwards traffic between two interfaces in no zone (routers), the zones elsewhere notwithstanding', () => {
    expect(ftp(IFACES + zone('Trust', 'GigabitEthernet2/1/20')).works).toBe(true);
  });

  it('discards traffic between two zones without a zone pair, and uses the any-to-any pair when there is one', () => {
    const zones = IFACES + zone('Trust', 'GigabitEthernet2/1/1') + zone('Untrust', 'GigabitEthernet2/1/10');
    expect(ftp(zones).summary).toBe('control connection blocked: SYN 10.0.0.2:50000 → 192.168.10.1:21 denied by security zones: no zone pair Trust → Untrust, discarded');
    expect(ftp(`${zones}acl advanced 3001\n rule permit ip\nzone-pair security source any destination any\n packet-filter 3001\n`).works).toBe(true);
  });
});

describe('interfaces in no zone on a firewall', () => {
  // H3C SecPath F1000 security zones: "Packets between two interfaces that are not in any security zone:
  // Discard." (https://www.h3c.com/en/d_202205/1608028_294551_0.htm); routers forward them (HPE HSR6800).
  const cfg = IFACES + zone('Trust', 'GigabitEthernet2/1/20');
  const run = (platform?: 'firewall' | 'router'): string => {
    const { value } = parseH3cConfig(cfg, 'z.cfg', platform ? { platform } : {});
    const trace = simulate(SCENARIO, createStaticFirewall(value));
    return buildRunReport({ scenario: SCENARIO.name, source: 'passive-download.yaml', config: 'z.cfg', engine: 'static' }, trace).ftp.summary;
  };

  it('are discarded with --platform firewall, forwarded with --platform router or when the config does not tell', () => {
    expect(run('firewall')).toBe('control connection blocked: SYN 10.0.0.2:50000 → 192.168.10.1:21 denied by security zones: both interfaces in no zone, deny');
    expect(run('router')).toBe(run());
    expect(run()).toMatch(/works/i);
  });
});
