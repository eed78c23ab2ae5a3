import { describe, expect, it } from 'vitest';
import { parseH3cConfig } from '../../src/dialects/h3c/index.js';
import { createStaticFirewall } from '../../src/engine/static.js';
import { createStatefulFirewall } from '../../src/engine/stateful/firewall.js';
import { summarizePolicy } from '../../src/policy/summary.js';
import { buildRunReport } from '../../src/report/run.js';
import { simulate } from '../../src/sim/run.js';
import { loadBundledScenario } from '../helpers/run.js';

// Sessions made by security zones (Comware 7). H3C's ASPF command reference, `aspf apply policy (Zonepair
// view)`: "安全域间实例上应用了一个缺省的ASPF策略" (a zone pair has a default ASPF policy applied) and
// "创建安全域间实例时，系统默认为该实例应用一个缺省的ASPF策略，该策略支持对所有协议进行ASPF检测" (it inspects every
// protocol). H3C's security policy guide: once a rule lets a packet through, "設備會創建與此報文對應的會話表項"
// (the device creates the session entry for it). The scenarios: client behind GigabitEthernet2/1/1
// (zone Trust), server behind GigabitEthernet2/1/10 (zone Untrust).
const PASSIVE = loadBundledScenario('scenarios/passive-download.yaml');
const ACTIVE = loadBundledScenario('scenarios/active-download.yaml');

const BASE = `interface GigabitEthernet2/1/1
interface GigabitEthernet2/1/10
security-zone name Trust
 import interface GigabitEthernet2/1/1
security-zone name Untrust
 import interface GigabitEthernet2/1/10
acl advanced 3001
 rule permit ip
`;
/** Only the clients' side has a zone pair: nothing permits Untrust → Trust on its own. */
const OUT_ONLY = `${BASE}zone-pair security source Trust destination Untrust\n packet-filter 3001\n`;
/** Only the server's side has a zone pair: the pair the clients' SYN would need is missing. */
const IN_ONLY = `${BASE}zone-pair security source Untrust destination Trust\n packet-filter 3001\n`;
/** A security policy that passes Trust → Untrust only. */
const POLICY_OUT = `${BASE}security-policy ip\n rule 0 name out\n  action pass\n  source-zone Trust\n  destination-zone Untrust\n`;

function ftp(config: string, engine: 'static' | 'stateful', scenario = PASSIVE): string {
  const { value, diagnostics } = parseH3cConfig(config, 'z.cfg');
  expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  const fw = engine === 'static' ? createStaticFirewall(value) : createStatefulFirewall(value);
  const trace = simulate(scenario, fw);
  const r = buildRunReport({ scenario: scenario.name, source: 'x.yaml', config: 'z.cfg', engine }, trace).ftp;
  return r.works ? 'works' : r.summary;
}

describe('a zone pair makes sessions (its default ASPF policy)', () => {
  it('lets the replies and the FTP data connections of what it permits pass, with no zone pair back', () => {
    expect(ftp(OUT_ONLY, 'stateful')).toBe('works');
    expect(ftp(OUT_ONLY, 'stateful', ACTIVE)).toBe('works');
  });

  it('judged packet by packet (the static engine), the reply meets the missing zone pair', () => {
    expect(ftp(OUT_ONLY, 'static')).toBe(
      'control connection blocked: SYN-ACK 192.168.10.1:21 → 10.0.0.2:50000 denied by security zones: no zone pair Untrust → Trust, discarded',
    );
  });

  it('creates nothing when the first packet has no zone pair: a pair on the other side leaves FTP blocked', () => {
    expect(ftp(IN_ONLY, 'stateful')).toBe(
      'control connection blocked: SYN 10.0.0.2:50000 → 192.168.10.1:21 denied by security zones: no zone pair Trust → Untrust, discarded',
    );
  });

  it('is stated in the summary, and the default engine is the stateful one', () => {
    const { value } = parseH3cConfig(OUT_ONLY, 'z.cfg');
    expect(summarizePolicy(value).join('\n')).toContain(
      'zone sessions: connections whose first packet a zone pair permits (its default ASPF policy inspects every protocol, FTP on port 21)',
    );
    expect(value.sessionScope?.zones).toEqual({ ftpPorts: [21] });
  });
});

describe('a security policy rule makes sessions', () => {
  it('lets the replies of what it passes through, with no rule back', () => {
    expect(ftp(POLICY_OUT, 'stateful')).toBe('works');
    expect(ftp(POLICY_OUT, 'static')).toBe(
      'control connection blocked: SYN-ACK 192.168.10.1:21 → 10.0.0.2:50000 denied by security-policy default drop (no rule matched Untrust → Trust)',
    );
  });

  it('is stated in the summary', () => {
    const { value } = parseH3cConfig(POLICY_OUT, 'z.cfg');
    expect(summarizePolicy(value)).toContain('zone sessions: connections whose first packet a security policy rule passes (FTP not inspected)');
  });

  it('inspects no FTP: an active data connection from the server needs a rule of its own', () => {
    expect(ftp(POLICY_OUT, 'stateful', ACTIVE)).toBe(
      'login works, data connection blocked: SYN 192.168.10.1:20 → 10.0.0.2:50001 denied by security-policy default drop (no rule matched Untrust → Trust)',
    );
  });
});

describe('zone pairs with any on one side', () => {
  const ANY_TO_UNTRUST = `${BASE}zone-pair security source any destination Untrust\n packet-filter 3001\n`;

  it('decide the packets of every source zone (any stands for every zone), and make sessions', () => {
    expect(ftp(ANY_TO_UNTRUST, 'stateful')).toBe('works');
    expect(ftp(`${BASE}zone-pair security source Trust destination any\n packet-filter 3001\n`, 'stateful')).toBe('works');
  });

  it('come after the exact pair', () => {
    const denyAll = `${ANY_TO_UNTRUST}acl advanced 3002\n rule deny ip\nzone-pair security source Trust destination Untrust\n packet-filter 3002\n`;
    expect(ftp(denyAll, 'stateful')).toBe('control connection blocked: SYN 10.0.0.2:50000 → 192.168.10.1:21 denied by acl 3002 rule 0 (z.cfg:12)');
  });

  it('are warned about when both kinds could decide one packet (the order is not documented)', () => {
    const both = `${ANY_TO_UNTRUST}zone-pair security source Trust destination any\n packet-filter 3001\n`;
    const { diagnostics } = parseH3cConfig(both, 'z.cfg');
    expect(diagnostics.map((d) => `${d.span?.line}: ${d.severity}: ${d.message}`)).toContain(
      "11: warning: H3C does not document which of 'zone-pair security source any destination Untrust' and 'zone-pair security source Trust destination any' decides a packet both match: ftpwall uses the one with source any",
    );
  });
});
