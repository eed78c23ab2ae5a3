/** `ftpwall check` and `replay` on ASPF applied where the clients' SYNs never pass (issue 9, facts sheet 7.1-7.3). */
import { describe, expect, it } from 'vitest';
import { ftpwall, unwrapVerdicts } from '../helpers/cli.js';
import { lineOf } from '../helpers/run.js';

describe('ASPF on the wrong side', () => {
  it('check warns at the aspf apply line, says why and where to apply it instead, and exits 0', () => {
    const r = ftpwall(['check', 'rules/aspf-wrong-side.cfg']);
    expect(r.status).toBe(0);
    const line = lineOf('rules/aspf-wrong-side.cfg', 'aspf apply policy 1 inbound');
    expect(r.stderr).toContain(
      `rules/aspf-wrong-side.cfg:${line}:2: warning: ASPF applied inbound on GigabitEthernet2/1/10 never sees an FTP client's SYN to port 21: a SYN entering GigabitEthernet2/1/10 is denied by acl 3001 rule 0`,
    );
    expect(r.stderr).toContain("(apply it inbound on GigabitEthernet2/1/1, where the clients' SYNs pass)");
    expect(r.stdout).toContain('ASPF sessions: connections whose first packet is permitted inbound on GigabitEthernet2/1/10');
  });

  it('check says nothing of the kind for rules/stateful.cfg', () => {
    expect(ftpwall(['check', 'rules/stateful.cfg']).stderr).not.toContain('never sees');
  });

  it('replay: FTP is blocked at the server SYN-ACK, by acl 3001', () => {
    const r = ftpwall(['replay', 'scenarios/passive-download.yaml', '-c', 'rules/aspf-wrong-side.cfg', '--expect', 'blocked']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('[stateful]');
    expect(unwrapVerdicts(r.stdout)).toMatch(/control connection blocked: SYN-ACK 192\.168\.10\.1:21 → 10\.0\.0\.2:50000 denied by acl 3001 rule 0/);
  });

  it('--engine stateful on a config without ASPF warns that no connection is a session; the verdicts are the static ones', () => {
    const r = ftpwall(['replay', 'scenarios/passive-download.yaml', '-c', 'rules/seed-active.cfg', '--engine', 'stateful', '--expect', 'blocked']);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain(
      'ftpwall: warning: rules/seed-active.cfg applies no ASPF, so with the stateful engine no connection is a session and every packet meets the packet filters, as on the device; give --inspect ftp for Linux-style tracking everywhere',
    );
    const linux = ftpwall(['replay', 'scenarios/passive-download.yaml', '-c', 'rules/seed-active.cfg', '--engine', 'stateful', '--inspect', 'ftp', '--expect', 'works']);
    expect(linux.status).toBe(0);
    expect(linux.stderr).not.toContain('applies no ASPF');
  });
});
