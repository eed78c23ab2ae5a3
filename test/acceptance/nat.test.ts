/**
 * Issue 12 section 3, end to end: FTP through `nat server` (DNAT) and Easy IP
 * (`nat outbound`, SNAT) on an H3C config, with and without the FTP NAT ALG,
 * simulated through the stateful engine with real TCP endpoints on both sides.
 */
import { describe, expect, it } from 'vitest';
import type { Trace, TracePacket } from '../../src/engine/trace.js';
import { TCP_ACK, TCP_SYN } from '../../src/net/packet.js';
import { formatRun } from '../../src/report/table.js';
import { notComparableReasons } from '../../src/verify/verify.js';
import { loadBundledScenario, loadPolicy, run } from '../helpers/run.js';

const text = (b: Uint8Array): string => Buffer.from(b).toString('latin1');

/** The packet whose payload (as it arrived) starts with `prefix`. */
function carrying(trace: Trace, prefix: string): TracePacket {
  const tp = trace.packets.find((p) => text(p.packet.payload).startsWith(prefix));
  if (!tp) throw new Error(`no packet starts with '${prefix}'`);
  return tp;
}

function retransmissions(trace: Trace): number {
  return trace.packets.filter((p) => p.note?.startsWith('retransmission')).length;
}

describe('a server published by nat server, with the FTP ALG on (rules/nat-server.cfg)', () => {
  it('passive: the 227 leaves with the public address, one byte longer, and both TCP ends stay in step (seqadj)', () => {
    const { trace, report } = run('scenarios/nat-passive-download.yaml', 'rules/nat-server.cfg', 'stateful');
    expect(report.ftp.works).toBe(true);
    const r227 = carrying(trace, '227 ');
    expect(text(r227.packet.payload)).toBe('227 Entering Passive Mode (192,168,10,10,195,100).\r\n');
    expect(text(r227.after!.payload)).toBe('227 Entering Passive Mode (198,51,100,100,195,100).\r\n');
    // the report row: as seen at ingress, and after the firewall
    const row = report.packets.find((p) => p.n === r227.n)!;
    expect(row).toMatchObject({
      src: '192.168.10.10:21',
      dst: '203.0.113.5:50000',
      natSrc: '198.51.100.100:21',
      text: '227 Entering Passive Mode (192,168,10,10,195,100).',
      natText: '227 Entering Passive Mode (198,51,100,100,195,100).',
    });
    expect(row.natDst).toBeUndefined();
    // the server's next segment reaches the client one byte further on; the client's ACK reaches the server one byte back
    const r150 = carrying(trace, '150 ');
    expect(r150.after!.seq).toBe((r150.packet.seq + 1) >>> 0);
    const retr = carrying(trace, 'RETR ');
    expect(retr.after!.ack).toBe((retr.packet.ack - 1) >>> 0);
    expect(retransmissions(trace)).toBe(0);
    // the data connection: to the public address, translated to the private one
    const dataSyn = trace.packets.find((p) => p.connection?.role === 'data' && p.packet.tcpFlags === TCP_SYN)!;
    expect(report.packets[dataSyn.n - 1]).toMatchObject({ src: '203.0.113.5:50001', dst: '198.51.100.100:50020', natDst: '192.168.10.10:50020' });
  });

  it('the packet table shows each translated packet as it leaves, under the row of the packet as it arrived', () => {
    const { report } = run('scenarios/nat-passive-download.yaml', 'rules/nat-server.cfg', 'stateful');
    const lines = formatRun(report, { packets: true }).map((l) => l.trimEnd());
    const i = lines.findIndex((l) => l.includes('"227 Entering Passive Mode (192,168,10,10,195,100)."'));
    // the trace wraps at 100 columns: the line as it leaves continues on the next line
    expect(`${lines[i + 1]!.trim()} ${lines[i + 2]!.trim()}`).toBe('⇒ leaves as 198.51.100.100:21 → 203.0.113.5:50000  "227 Entering Passive Mode (198,51,100,100,195,100)."');
  });

  it.each(['active', 'epsv', 'eprt'])('%s: the download works', (mode) => {
    const { report, trace } = run(`scenarios/nat-${mode}-download.yaml`, 'rules/nat-server.cfg', 'stateful');
    expect(report.ftp.summary).toBe('FTP works: control and 1 data connection passed');
    expect(retransmissions(trace)).toBe(0);
  });

  it('229: the ALG writes |||port| again (same length, no shift)', () => {
    const { trace } = run('scenarios/nat-epsv-download.yaml', 'rules/nat-server.cfg', 'stateful');
    const r229 = carrying(trace, '229 ');
    expect(text(r229.after!.payload)).toBe(text(r229.packet.payload));
    expect(trace.events.some((e) => e.kind === 'helper-nat' && e.packet === r229.n)).toBe(true);
  });

  it('active: the server\'s data connection from its private address reaches the client from the public one (nf_nat_follow_master)', () => {
    const { trace, report } = run('scenarios/nat-active-download.yaml', 'rules/nat-server.cfg', 'stateful');
    const syn = trace.packets.find((p) => p.connection?.role === 'data' && p.packet.tcpFlags === TCP_SYN)!;
    expect(report.packets[syn.n - 1]).toMatchObject({ src: '192.168.10.10:20', dst: '203.0.113.5:50001', natSrc: '198.51.100.100:20' });
    expect(syn.verdict.by).toMatchObject({ kind: 'conntrack', state: 'related' });
  });
});

describe('a server that announces its public address itself (server announceAddress, vsftpd pasv_address)', () => {
  it('the helper records nothing (the 227 does not name the server), nothing is rewritten, and the data SYN meets the filter', () => {
    const { trace, report } = run('scenarios/nat-server-pasv-address.yaml', 'rules/nat-server.cfg', 'stateful');
    const r227 = carrying(trace, '227 ');
    expect(text(r227.after!.payload)).toBe(text(r227.packet.payload));
    expect(trace.events.find((e) => e.packet === r227.n)?.kind).toBe('expectation-refused');
    expect(report.ftp.summary).toBe(
      'login works, data connection blocked: SYN 203.0.113.5:50001 → 198.51.100.100:50020 denied by acl 3000 rule 5 (rules/nat-server.cfg:15)',
    );
  });
});

describe('the same server with undo nat alg ftp (rules/nat-server-no-alg.cfg)', () => {
  it('passive: the 227 keeps the private address and the client\'s SYN to it is denied', () => {
    const { trace, report } = run('scenarios/nat-passive-download.yaml', 'rules/nat-server-no-alg.cfg', 'stateful');
    expect(carrying(trace, '227 ').after?.payload ?? carrying(trace, '227 ').packet.payload).toEqual(carrying(trace, '227 ').packet.payload);
    expect(report.ftp.summary).toBe(
      'login works, data connection blocked: SYN 203.0.113.5:50001 → 192.168.10.10:50020 denied by acl 3000 rule 5 (rules/nat-server-no-alg.cfg:13)',
    );
  });

  it('passive, client ignoring the 227 address: the SYN to the public address is not translated and goes unanswered', () => {
    const { report } = run('scenarios/nat-passive-skip-pasv-ip.yaml', 'rules/nat-server-no-alg.cfg', 'stateful');
    expect(report.ftp.works).toBe(false);
    expect(report.ftp.summary).toBe('login works, RETR file.bin failed: data connection to 198.51.100.100:50020 failed: no SYN-ACK after 7 SYNs (127 s)');
  });

  it('EPSV: the 229 names no address, but nothing translates the data connection to the private server', () => {
    const { report } = run('scenarios/nat-epsv-download.yaml', 'rules/nat-server-no-alg.cfg', 'stateful');
    expect(report.ftp.works).toBe(false);
  });
});

describe('clients behind Easy IP (nat outbound)', () => {
  it('active mode works with the ALG: the PORT names 198.51.100.1 and the server\'s SYN is translated to the client', () => {
    const { trace, report } = run('scenarios/nat-client-active.yaml', 'rules/nat-outbound.cfg', 'stateful');
    expect(report.ftp.works).toBe(true);
    const port = carrying(trace, 'PORT ');
    expect(text(port.packet.payload)).toBe('PORT 192,168,10,20,195,81\r\n');
    expect(text(port.after!.payload)).toBe('PORT 198,51,100,1,195,81\r\n');
    const syn = trace.packets.find((p) => p.connection?.role === 'data' && p.packet.tcpFlags === TCP_SYN)!;
    expect(report.packets[syn.n - 1]).toMatchObject({ src: '203.0.113.5:20', dst: '198.51.100.1:50001', natDst: '192.168.10.20:50001' });
    expect(retransmissions(trace)).toBe(0);
  });

  it('active mode fails without the ALG: the server connects to the private address the PORT named', () => {
    const { report } = run('scenarios/nat-client-active.yaml', 'rules/nat-outbound-no-alg.cfg', 'stateful');
    expect(report.ftp.summary).toBe(
      'login works, data connection blocked: SYN 203.0.113.5:20 → 192.168.10.20:50001 denied by acl 3001 rule 0 (rules/nat-outbound-no-alg.cfg:17)',
    );
  });

  it('passive mode needs no ALG: the client opens the data connection, SNAT translates it like the control one', () => {
    for (const cfg of ['rules/nat-outbound.cfg', 'rules/nat-outbound-no-alg.cfg']) {
      const { trace, report } = run('scenarios/nat-client-passive.yaml', cfg, 'stateful');
      expect(report.ftp.works).toBe(true);
      const synAck = trace.packets.find((p) => p.connection?.role === 'data' && p.packet.tcpFlags === (TCP_SYN | TCP_ACK))!;
      expect(report.packets[synAck.n - 1]).toMatchObject({ src: '203.0.113.5:50000', dst: '198.51.100.1:50001', natDst: '192.168.10.20:50001' });
    }
  });
});

describe('verify and the NAT scenarios', () => {
  it('runs a scenario that reaches its server through a NAT address only with a config that translates it', () => {
    const scenario = loadBundledScenario('scenarios/nat-passive-download.yaml');
    expect(notComparableReasons(scenario, 'stateful', loadPolicy('rules/nat-server.cfg'))).toEqual([]);
    expect(notComparableReasons(scenario, 'stateful', loadPolicy('rules/stateful.cfg'))).toEqual([
      "session 'download' reaches its server through the NAT address 198.51.100.100, which no NAT rule of this config translates (no such server on the kernel's network)",
    ]);
    expect(notComparableReasons(loadBundledScenario('scenarios/nat-client-active.yaml'), 'stateful')).toEqual([]);
  });
});
