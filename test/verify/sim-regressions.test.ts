/**
 * Simulator behaviour that `ftpwall verify` showed wrong against the kernel, kept as regressions.
 */
import { describe, expect, it } from 'vitest';
import { run } from '../helpers/run.js';

describe('disagreements with the kernel, fixed in the simulator', () => {
  it('the simulated server offers the same passive port for each transfer of a session, as vsftpd does on Linux', () => {
    // Kernel run (ftpwall verify scenarios/list-and-two-retr.yaml): vsftpd binds its passive socket with
    // SO_REUSEADDR (privops.c), so the port of a finished data connection in TIME-WAIT is offered again.
    // The simulator used to skip to 50021 and 50022.
    const { report } = run('scenarios/list-and-two-retr.yaml', 'rules/seed-passive.cfg');
    expect(report.flows.filter((f) => f.role === 'data').map((f) => `${f.client} -> ${f.server} ${f.outcome}`)).toEqual([
      '10.0.0.2:50001 -> 192.168.10.1:50020 passed',
      '10.0.0.2:50002 -> 192.168.10.1:50020 passed',
      '10.0.0.2:50003 -> 192.168.10.1:50020 passed',
    ]);
  });

  it('concurrent sessions still get distinct passive ports while the first one is transferring', () => {
    const { report } = run('scenarios/two-sessions.yaml', 'rules/seed-passive.cfg');
    expect(report.flows.filter((f) => f.role === 'data').map((f) => `${f.session} ${f.client} -> ${f.server}`)).toEqual([
      'first 10.0.0.2:50001 -> 192.168.10.1:50020',
      'second 10.0.0.3:50001 -> 192.168.10.1:50021',
      'first 10.0.0.2:50002 -> 192.168.10.1:50020',
    ]);
  });
});
