/**
 * Issue 12, NAT in Linux rulesets end to end: DNAT and MASQUERADE read from iptables-save and nft
 * text, the FTP helper assigned by the ruleset (so nf_nat_ftp rewrites PORT/EPRT/227/229 and seqadj
 * keeps both TCP ends in step), and without a helper the data connections fail. Expectations come
 * from the facts sheet (sections 4, 9, 10) and the kernel sources it quotes; the H3C twins
 * (rules/nat-server.cfg, rules/nat-outbound.cfg) must give the same packets, packet for packet.
 */
import { describe, expect, it } from 'vitest';
import type { Trace, TracePacket } from '../../src/engine/trace.js';
import { TCP_SYN, type Packet } from '../../src/net/packet.js';
import { formatEndpoint } from '../../src/net/address.js';
import { interfaceAddressMap } from '../../src/scenario/interfaces.js';
import { checkNatAddresses } from '../../src/scenario/fit.js';
import { createStatefulFirewall } from '../../src/engine/stateful/firewall.js';
import { simulate } from '../../src/sim/run.js';
import { buildRunReport, type RunReport } from '../../src/report/run.js';
import { lineOf, loadBundledScenario, loadPolicy } from '../helpers/run.js';

const text = (b: Uint8Array): string => Buffer.from(b).toString('latin1');

/** Runs a bundled scenario through a bundled config with the stateful engine and the scenario's interface addresses. */
function runNat(scenarioFile: string, configFile: string): { trace: Trace; report: RunReport } {
  const scenario = loadBundledScenario(scenarioFile);
  const policy = loadPolicy(configFile);
  const addresses = interfaceAddressMap(scenario.interfaces);
  const trace = simulate(scenario, createStatefulFirewall(policy, addresses ? { interfaceAddresses: addresses } : {}));
  return { trace, report: buildRunReport({ scenario: scenario.name, source: scenarioFile, config: configFile, engine: 'stateful' }, trace) };
}

function carrying(trace: Trace, prefix: string): TracePacket {
  const tp = trace.packets.find((p) => text(p.packet.payload).startsWith(prefix));
  if (!tp) throw new Error(`no packet starts with '${prefix}'`);
  return tp;
}

const DNAT_RULESETS = ['rules/linux-dnat.iptables', 'rules/linux-dnat.nft'];

describe('a server published by DNAT, the helper assigned by the ruleset', () => {
  for (const cfg of DNAT_RULESETS) {
    it(`${cfg}: passive: the 227 leaves with the public address as nf_nat_ftp writes it ("%u,%u,%u,%u,%u,%u" in the number span only), and seqadj shifts what follows`, () => {
      const { trace, report } = runNat('scenarios/linux/nat-passive-download.yaml', cfg);
      expect(report.ftp.works).toBe(true);
      const r227 = carrying(trace, '227 ');
      expect(text(r227.packet.payload)).toBe('227 Entering Passive Mode (192,168,10,10,195,100).\r\n');
      expect(Buffer.from(r227.after!.payload)).toEqual(Buffer.from('227 Entering Passive Mode (198,51,100,100,195,100).\r\n', 'latin1'));
      expect([formatEndpoint(r227.after!.src, r227.after!.srcPort), formatEndpoint(r227.after!.dst, r227.after!.dstPort)]).toEqual(['198.51.100.100:21', '203.0.113.5:50000']);
      // "198,51,100,100" is one byte longer than "192,168,10,10": the server's later segments reach the client one byte on,
      // the client's ACKs reach the server one byte back (nf_ct_seq_adjust)
      const r150 = carrying(trace, '150 ');
      expect(r150.after!.seq).toBe((r150.packet.seq + 1) >>> 0);
      const retr = carrying(trace, 'RETR ');
      expect(retr.after!.ack).toBe((retr.packet.ack - 1) >>> 0);
      expect(trace.packets.filter((p) => p.note?.startsWith('retransmission'))).toEqual([]);
      // the data connection: RELATED to the public address, DNATed as its master (nf_nat_follow_master)
      const syn = trace.packets.find((p) => p.connection?.role === 'data' && p.packet.tcpFlags === TCP_SYN)!;
      expect(syn.verdict.action).toBe('permit');
      expect(formatEndpoint(syn.packet.dst, syn.packet.dstPort)).toBe('198.51.100.100:50020');
      expect(formatEndpoint(syn.after!.dst, syn.after!.dstPort)).toBe('192.168.10.10:50020');
      expect(trace.events.some((e) => e.kind === 'conntrack-new' && e.text.includes(`DNAT to 192.168.10.10:21 (${cfg}:`))).toBe(true);
    });

    it(`${cfg}: EPSV: the 229 is rewritten to the same text ("|||%u|"), and the data connection follows the master`, () => {
      const { trace, report } = runNat('scenarios/linux/nat-epsv-download.yaml', cfg);
      expect(report.ftp.works).toBe(true);
      const r229 = carrying(trace, '229 ');
      expect(text(r229.after!.payload)).toBe(text(r229.packet.payload));
      expect(trace.events.some((e) => e.kind === 'helper-nat' && e.text.includes('same length'))).toBe(true);
    });

    it(`${cfg}: active and EPRT: the client is not translated, the server's data connection is RELATED and leaves from the public address`, () => {
      for (const s of ['scenarios/linux/nat-active-download.yaml', 'scenarios/linux/nat-eprt-download.yaml']) {
        const { trace, report } = runNat(s, cfg);
        expect(report.ftp.works, s).toBe(true);
        const syn = trace.packets.find((p) => p.connection?.role === 'data' && p.packet.tcpFlags === TCP_SYN)!;
        expect(formatEndpoint(syn.packet.src, syn.packet.srcPort)).toBe('192.168.10.10:20');
        // nf_nat_follow_master: SNAT to the master's ORIGINAL destination, the public address
        expect(formatEndpoint(syn.after!.src, syn.after!.srcPort)).toBe('198.51.100.100:20');
        expect(syn.verdict.by).toMatchObject({ kind: 'netfilter', chain: cfg.endsWith('.nft') ? 'forward' : 'FORWARD', rule: 1 });
      }
    });

    it(`${cfg}: a server that announces its public address itself (pasv_address) gets no expectation: the helper sees an address that is not the server's`, () => {
      const { trace, report } = runNat('scenarios/linux/nat-server-pasv-address.yaml', cfg);
      expect(report.ftp.works).toBe(false);
      expect(trace.events.some((e) => e.kind === 'expectation-refused')).toBe(true);
    });
  }
});

describe('a server published by DNAT without a helper (rules/linux-dnat-no-helper.iptables)', () => {
  const cfg = 'rules/linux-dnat-no-helper.iptables';
  const policyLine = lineOf(cfg, ':FORWARD DROP [0:0]');

  it('passive: the 227 leaves with the private address, unchanged; a client that uses it is dropped as NEW', () => {
    const { trace, report } = runNat('scenarios/linux/nat-passive-download.yaml', cfg);
    expect(report.ftp.works).toBe(false);
    const r227 = carrying(trace, '227 ');
    expect(text(r227.after!.payload)).toBe('227 Entering Passive Mode (192,168,10,10,195,100).\r\n');
    expect(trace.events.filter((e) => e.kind === 'expectation-open' || e.kind === 'helper-nat')).toEqual([]);
    const syn = trace.packets.find((p) => p.connection?.role === 'data')!;
    expect(formatEndpoint(syn.packet.dst, syn.packet.dstPort)).toBe('192.168.10.10:50020');
    expect(syn.verdict).toMatchObject({ action: 'deny', by: { kind: 'netfilter', reason: 'policy', chain: 'FORWARD', at: { line: policyLine } } });
  });

  it('passive, client ignoring the 227 address (curl): the public address has no DNAT for the data port and no pinhole', () => {
    const { trace, report } = runNat('scenarios/linux/nat-passive-skip-pasv-ip.yaml', cfg);
    expect(report.ftp.works).toBe(false);
    const syn = trace.packets.find((p) => p.connection?.role === 'data')!;
    expect(formatEndpoint(syn.packet.dst, syn.packet.dstPort)).toBe('198.51.100.100:50020');
    expect(syn.after).toBeUndefined();
    expect(syn.verdict.action).toBe('deny');
  });

  it('active and EPRT: no expectation, so the server\'s data SYN is a NEW connection from lan0, which the FORWARD policy drops', () => {
    for (const s of ['scenarios/linux/nat-active-download.yaml', 'scenarios/linux/nat-eprt-download.yaml']) {
      const { trace, report } = runNat(s, cfg);
      expect(report.ftp.works, s).toBe(false);
      const syn = trace.packets.find((p) => p.connection?.role === 'data' && p.packet.tcpFlags === TCP_SYN)!;
      expect(formatEndpoint(syn.packet.src, syn.packet.srcPort)).toBe('192.168.10.10:20');
      expect(syn.verdict).toMatchObject({ action: 'deny', by: { reason: 'policy', chain: 'FORWARD' } });
    }
  });

  it('EPSV: the 229 names no address, but without a pinhole the data connection to the public address fails too', () => {
    const { report } = runNat('scenarios/linux/nat-epsv-download.yaml', cfg);
    expect(report.ftp.works).toBe(false);
  });
});

describe('clients behind MASQUERADE', () => {
  for (const cfg of ['rules/linux-masquerade.iptables', 'rules/linux-masquerade.nft']) {
    it(`${cfg}: active: PORT leaves with wan0's address (from the scenario's interfaces:), the server's data connection comes back to it and is translated to the client`, () => {
      const { trace, report } = runNat('scenarios/linux/nat-client-active.yaml', cfg);
      expect(report.ftp.works).toBe(true);
      const port = carrying(trace, 'PORT ');
      expect(text(port.packet.payload)).toBe('PORT 192,168,10,20,195,81\r\n');
      expect(text(port.after!.payload)).toBe('PORT 198,51,100,1,195,81\r\n');
      expect(formatEndpoint(port.after!.src, port.after!.srcPort)).toBe('198.51.100.1:50000');
      const syn = trace.packets.find((p) => p.connection?.role === 'data' && p.packet.tcpFlags === TCP_SYN)!;
      expect(formatEndpoint(syn.packet.dst, syn.packet.dstPort)).toBe('198.51.100.1:50001');
      expect(formatEndpoint(syn.after!.dst, syn.after!.dstPort)).toBe('192.168.10.20:50001');
    });

    it(`${cfg}: passive works: the control and data connections leave from wan0's address`, () => {
      const { trace, report } = runNat('scenarios/linux/nat-client-passive.yaml', cfg);
      expect(report.ftp.works).toBe(true);
      const syn = trace.packets.find((p) => p.connection?.role === 'data' && p.packet.tcpFlags === TCP_SYN)!;
      expect(syn.after!.src).toEqual(loadBundledScenario('scenarios/linux/nat-client-passive.yaml').interfaces![0]!.address);
    });
  }

  it('without the address of the interface MASQUERADE leaves by, the scenario does not fit: a located error at the rule', () => {
    const scenario = loadBundledScenario('scenarios/nat-client-active.yaml');
    const linuxNames = { ...scenario, hosts: scenario.hosts.map((h) => ({ ...h, interface: h.interface === 'GigabitEthernet2/1/1' ? 'wan0' : 'lan0' })) };
    const d = checkNatAddresses(linuxNames, loadPolicy('rules/linux-masquerade.iptables'));
    expect(d.map((x) => [x.span?.line, x.message, x.suggestion])).toEqual([
      [
        lineOf('rules/linux-masquerade.iptables', '-A POSTROUTING -s 192.168.10.0/24 -o wan0 -j MASQUERADE'),
        'MASQUERADE translates to the address of the interface a connection leaves by, and scenarios/nat-client-active.yaml does not give the firewall\'s address on wan0',
        'add to the scenario: interfaces: { wan0: ADDRESS }',
      ],
    ]);
  });
});

describe('a kernel without nf_nat_ftp (--no-nat-ftp): the helper tracks, nothing rewrites', () => {
  /** As runNat, on the policy `--no-nat-ftp` gives (natFtpAlg false). */
  function runNoNatFtp(scenarioFile: string, configFile: string): { trace: Trace; report: RunReport } {
    const scenario = loadBundledScenario(scenarioFile);
    const policy = { ...loadPolicy(configFile), natFtpAlg: false };
    const trace = simulate(scenario, createStatefulFirewall(policy));
    return { trace, report: buildRunReport({ scenario: scenario.name, source: scenarioFile, config: configFile, engine: 'stateful' }, trace) };
  }

  it('passive: the 227 keeps the private address; the expectation is on the public one (tuplehash[ORIGINAL].dst), which a client using the 227 never reaches', () => {
    const { trace, report } = runNoNatFtp('scenarios/linux/nat-passive-download.yaml', 'rules/linux-dnat.iptables');
    expect(report.ftp.works).toBe(false);
    expect(text(carrying(trace, '227 ').after!.payload)).toBe('227 Entering Passive Mode (192,168,10,10,195,100).\r\n');
    expect(trace.events.filter((e) => e.kind === 'expectation-open').map((e) => e.text)).toEqual([expect.stringContaining('203.0.113.5:* → 198.51.100.100:50020')]);
  });

  it('active: the PORT makes an expectation from the server\'s private address, so its SYN is RELATED and leaves untranslated, from 192.168.10.10', () => {
    const { trace, report } = runNoNatFtp('scenarios/linux/nat-active-download.yaml', 'rules/linux-dnat.iptables');
    expect(report.ftp.works).toBe(true);
    const syn = trace.packets.find((p) => p.connection?.role === 'data' && p.packet.tcpFlags === TCP_SYN)!;
    expect(syn.verdict.action).toBe('permit');
    expect(syn.after).toBeUndefined();
    expect(formatEndpoint(syn.packet.src, syn.packet.srcPort)).toBe('192.168.10.10:20');
    // the same as the H3C config with `undo nat alg ftp` and ASPF on
    expect(leavingShape(trace)).toEqual(leavingShape(runNat('scenarios/nat-active-download.yaml', 'rules/nat-server-no-alg.cfg').trace));
  });
});

/** Packet for packet: the same action and the same packet leaving (addresses, ports, sequence numbers, payload bytes). */
function leavingShape(trace: Trace): unknown[] {
  const shape = (p: Packet) => [formatEndpoint(p.src, p.srcPort), formatEndpoint(p.dst, p.dstPort), p.tcpFlags, p.seq, p.ack, text(p.payload)];
  return trace.packets.map((tp) => [tp.n, tp.verdict.action, shape(tp.packet), tp.after ? shape(tp.after) : null]);
}

describe('the H3C NAT configs and their Linux twins agree packet for packet', () => {
  const pairs: [string, string, readonly string[]][] = [
    ['rules/nat-server.cfg', 'nat-passive-download', DNAT_RULESETS],
    ['rules/nat-server.cfg', 'nat-active-download', DNAT_RULESETS],
    ['rules/nat-server.cfg', 'nat-epsv-download', DNAT_RULESETS],
    ['rules/nat-server.cfg', 'nat-eprt-download', DNAT_RULESETS],
    ['rules/nat-server.cfg', 'nat-passive-skip-pasv-ip', DNAT_RULESETS],
    ['rules/nat-server.cfg', 'nat-server-pasv-address', DNAT_RULESETS],
    ['rules/nat-outbound.cfg', 'nat-client-active', ['rules/linux-masquerade.iptables', 'rules/linux-masquerade.nft']],
    ['rules/nat-outbound.cfg', 'nat-client-passive', ['rules/linux-masquerade.iptables', 'rules/linux-masquerade.nft']],
  ];
  for (const [h3c, name, linux] of pairs)
    for (const cfg of linux)
      it(`${name}: ${h3c} and ${cfg}`, () => {
        const a = runNat(`scenarios/${name}.yaml`, h3c);
        const b = runNat(`scenarios/linux/${name}.yaml`, cfg);
        expect(leavingShape(b.trace)).toEqual(leavingShape(a.trace));
        expect(b.report.ftp.works).toBe(a.report.ftp.works);
      });
});
