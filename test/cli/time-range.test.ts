/** `replay --at` and the instant assumed for time-range rules, as a user runs them. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { scanCapture } from '../../src/replay/guess.js';
import { openCapture } from '../../src/wire/index.js';
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

describe('a capture is evaluated at its own timestamps', () => {
  const capture = '../shared/corpus/pcap/zeek-ftp-ipv4.pcap';
  it('a rule active from the capture\'s first minute on lets its FTP through; one that ended a day before does not, unless --at says otherwise', () => {
    const scan = scanCapture(openCapture(capture), [21]);
    const first = new Date(scan.firstSec * 1000);
    const stamp = (d: Date): string => `${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')} ${d.getUTCFullYear()}/${d.getUTCMonth() + 1}/${d.getUTCDate()}`;
    const dayBefore = new Date(first.getTime() - 86_400_000);
    const base = readFileSync('rules/stateful.cfg', 'utf8').replaceAll('192.168.10.1', '199.233.217.249').replace('destination-port eq ftp', 'destination-port eq ftp time-range cap');
    const dir = mkdtempSync(join(tmpdir(), 'ftpw-tr-'));
    try {
      const during = join(dir, 'during.cfg');
      const ended = join(dir, 'ended.cfg');
      writeFileSync(during, `time-range cap from ${stamp(first)}\n${base}`);
      writeFileSync(ended, `time-range cap to ${stamp(dayBefore)}\n${base}`);
      expect(ftpwall(['replay', capture, '-c', during, '--expect', 'works']).status).toBe(0);
      expect(ftpwall(['replay', capture, '-c', ended, '--expect', 'blocked']).status).toBe(0);
      const earlier = new Date(dayBefore.getTime() - 3_600_000).toISOString().slice(0, 16);
      expect(ftpwall(['replay', capture, '-c', ended, '--at', earlier, '--expect', 'works']).status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
