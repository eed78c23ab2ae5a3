import { describe, expect, it } from 'vitest';
import { compareRuns, formatAgreement } from '../../src/verify/agreement.js';
import type { KernelFlow } from '../../src/verify/kernel-flows.js';
import type { Flow } from '../../src/report/flows.js';
import type { CaptureFlow } from '../../src/replay/index.js';
import type { Provenance } from '../../src/engine/verdict.js';

const PROV: Provenance = { kind: 'default', reason: 'no-match', interface: 'GigabitEthernet2/1/10', direction: 'inbound' };

function kernel(client: string, server: string, outcome: 'passed' | 'blocked', role: KernelFlow['role'] = 'data'): KernelFlow {
  return {
    id: 1, session: 's', role, proto: 'tcp', client, server, outcome, packets: 3, dropped: outcome === 'blocked' ? 1 : 0, handshakeForwarded: outcome === 'passed',
    firstBlocked: outcome === 'blocked' ? { n: 5, packet: `SYN-ACK ${server} → ${client}`, ingress: 'GigabitEthernet2/1/10', device: 'fw1' } : null,
  };
}
function sim(client: string, server: string, outcome: 'passed' | 'blocked', role: Flow['role'] = 'data'): Flow {
  return {
    id: 1, role, proto: 'tcp', session: 's', client, server, outcome, packets: 3, bytesPassed: 0, packetNumbers: [],
    firstBlocked: outcome === 'blocked' ? { n: 5, tMs: 1, packet: `SYN-ACK ${server} → ${client}`, by: 'acl 3000 rule 10 (rules/seed-active.cfg:10)', provenance: PROV } : null,
  };
}
function replay(client: string, server: string, outcome: 'passed' | 'blocked', role: CaptureFlow['role'] = 'data'): CaptureFlow {
  return { ...sim(client, server, outcome, role), clientInterface: 'a', serverInterface: 'b', crossesFirewall: true };
}

const C = ['10.0.0.2:50000', '192.168.10.1:21'] as const;
const D = ['10.0.0.2:50001', '192.168.10.1:50020'] as const;

describe('agreement of kernel, simulation and replay', () => {
  it('agrees when every flow has the same role and outcome in all three, and the FTP verdicts match', () => {
    const a = compareRuns({
      kernel: [kernel(...C, 'passed', 'control'), kernel(...D, 'blocked')],
      simulation: [sim(...C, 'passed', 'control'), sim(...D, 'blocked')],
      replay: [replay(...C, 'passed', 'control'), replay(...D, 'blocked')],
      kernelSessions: [{ session: 's', verdict: { works: false, summary: 'RETR failed' } }],
      simulationSessions: [{ name: 's', works: false, loginOk: true, summary: 'data blocked', transfers: [], transcript: [] }],
    });
    expect(a.agree).toBe(true);
    expect(formatAgreement(a)).toEqual([
      '  flow                                        kernel   simulation  replay   agree?',
      '  s control 10.0.0.2:50000 → 192.168.10.1:21  passed   passed      passed   yes',
      '  s data 10.0.0.2:50001 → 192.168.10.1:50020  blocked  blocked     blocked  yes',
      '  session s: FTP fails in the kernel (RETR failed), fails in the simulation (data blocked)',
      '  agreement: 2/2 flows, 1/1 FTP verdicts',
    ]);
  });

  it('reports an outcome that differs, with where each source blocked, and a flow missing from one source', () => {
    const a = compareRuns({
      kernel: [kernel(...D, 'passed')],
      simulation: [sim(...D, 'blocked'), sim('10.0.0.2:50002', '192.168.10.1:50020', 'blocked')],
      replay: [replay(...D, 'passed')],
      kernelSessions: [],
      simulationSessions: [],
    });
    expect(a.agree).toBe(false);
    expect(formatAgreement(a).slice(3)).toEqual([
      '  disagreement: 10.0.0.2:50001 → 192.168.10.1:50020: outcomes differ',
      '    kernel: data passed',
      '    simulation: data blocked at SYN-ACK 192.168.10.1:50020 → 10.0.0.2:50001: acl 3000 rule 10 (rules/seed-active.cfg:10)',
      '    replay: data passed',
      '  disagreement: 10.0.0.2:50002 → 192.168.10.1:50020: no such flow in the kernel and the replay',
      '    simulation: data blocked at SYN-ACK 192.168.10.1:50020 → 10.0.0.2:50002: acl 3000 rule 10 (rules/seed-active.cfg:10)',
      '  disagreement: 2 of 2 flows, 0 of 0 FTP verdicts',
    ]);
  });

  it('counts a role that differs as a disagreement, and an FTP verdict that differs too', () => {
    const a = compareRuns({
      kernel: [kernel(...D, 'passed')],
      simulation: [sim(...D, 'passed')],
      replay: [replay(...D, 'passed', 'other')],
      kernelSessions: [{ session: 's', verdict: { works: false, summary: '425' } }],
      simulationSessions: [{ name: 's', works: true, loginOk: true, summary: 'works', transfers: [], transcript: [] }],
    });
    expect(a.flows.map((f) => f.problem)).toEqual(['roles differ (kernel data, simulation data, replay other)']);
    expect(a.sessions.map((s) => s.agree)).toEqual([false]);
  });
});
