/** `replay --at` and the instant assumed for time-range rules, as a user runs them. */
import { beforeAll, describe, expect, it } from 'vitest';
import { buildOnce, ftpwall } from '../helpers/cli.js';

const CFG = 'test/fixtures/h3c/working-hours.cfg';

beforeAll(() => buildOnce());

describe('replay with time-range rules', () => {
  it('--at inside the working hours: FTP works; on a Saturday: blocked', () => {
    expect(ftpwall(['replay', 'scenarios/passive-download.yaml', '-c', CFG, '--at', '2026-03-02T10:00', '--expect', 'works']).status).toBe(0);
    const sat = ftpwall(['replay', 'scenarios/passive-download.yaml', '-c', CFG, '--at', '2026-03-07T10:00', '--expect', 'blocked']);
    expect(sat.status).toBe(0);
    expect(sat.stdout).toContain('denied by acl 3000 rule 10');
  });

  it('without startTime or --at, a warning names the instant assumed', () => {
    const r = ftpwall(['replay', 'scenarios/passive-download.yaml', '-c', CFG]);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain(
      `warning: scenarios/passive-download.yaml has no startTime and no --at was given: the time-range rules of ${CFG} are evaluated from 1970-01-01 00:00 (Thursday) of the device clock (add 'startTime: 2026-03-02T09:30' to the scenario, or give --at)`,
    );
  });

  it('a bad --at is bad input, exit 2, with a suggestion', () => {
    const r = ftpwall(['replay', 'scenarios/passive-download.yaml', '-c', CFG, '--at', 'tomorrow']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("error: --at 'tomorrow': not an ISO 8601 date and time (write it as 2026-03-02T09:30 (the device's local clock))");
  });
});
