/** Limits instead of crashes, as a user meets them (issue 14, findings 5, 6, 8, 11, 12): exit 2 and a located message. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ftpwall } from '../helpers/cli.js';

const DIR = 'test/fuzz-regressions';
const CONFIG = 'rules/stateful.cfg';
const tmp = mkdtempSync(join(tmpdir(), 'ftpwall-limits-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('limits at the command line', () => {
  it('a 4 KB deeply nested scenario exits 2 with a located error (it used to abort Node, exit 134)', () => {
    for (const f of ['05-deep-flow.yaml', '05-deep-block.yaml', '05-deep-map.yaml']) {
      const r = ftpwall(['replay', `${DIR}/${f}`, '-c', CONFIG]);
      expect(r.status, f).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`^${DIR}/${f}:\\d+:\\d+: error: the YAML nests more than 64 levels deep here`));
      expect(r.stdout).toBe('');
    }
  });

  it('two 1 GiB transfers are refused by --max-packets, naming the option (they used to end in exit 70)', () => {
    const r = ftpwall(['replay', `${DIR}/06-two-gib.yaml`, '-c', CONFIG, '--max-packets', '1000000', '-f', 'json']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('error: the scenario would simulate up to 2,206,532 packets');
    expect(r.stderr).toContain('(raise the limit with --max-packets 3000000, or use smaller transfers or fewer sessions)');
  });

  it('two 1 GiB transfers within the packet limit are refused when their packet rows would not fit in the memory Node has, naming NODE_OPTIONS', () => {
    const r = ftpwall(['replay', `${DIR}/06-two-gib.yaml`, '-c', CONFIG, '--packets'], { NODE_OPTIONS: '--max-old-space-size=2048' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/06-two-gib\.yaml:10:9: error: the scenario's 2,206,532 simulated packets, kept for the packet rows, would need about 2\.3 GB of memory, more than the [\d.]+ GB Node may use \(give Node more with NODE_OPTIONS=--max-old-space-size=\d+, report without packet rows \(table or JSON without --packets, no --pcap-out\), or use smaller transfers or fewer sessions\)/);
  });

  it('a transfer whose packet rows would not fit runs when the report shows none: the simulation keeps no packet', () => {
    const file = join(tmp, 'retr-256m.yaml');
    writeFileSync(
      file,
      [
        'hosts:',
        '  c: { address: 10.0.0.2, interface: GigabitEthernet2/1/1 }',
        '  s: { address: 192.168.10.1, interface: GigabitEthernet2/1/10 }',
        'sessions:',
        '  - { client: c, server: s, steps: [login, { retr: { file: big.bin, bytes: 268435456 } }, quit] }',
        '',
      ].join('\n'),
    );
    const small = { NODE_OPTIONS: '--max-old-space-size=256' };
    const refused = ftpwall(['replay', file, '-c', CONFIG, '-f', 'ladder'], small);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain('simulated packets, kept for the packet rows, would need about');
    const r = ftpwall(['replay', file, '-c', CONFIG, '--summary'], small);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('FTP works: control and 1 data connection passed');
  });

  it('--max-packets must be a whole number', () => {
    const r = ftpwall(['replay', 'scenarios/passive-download.yaml', '-c', CONFIG, '--max-packets', '1e6']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("error: option '--max-packets <n>' argument '1e6' is invalid. '1e6' is not a whole number of packets of at least 1 (e.g. 20000000)");
  });

  it('compare refuses the same work', () => {
    const r = ftpwall(['compare', `${DIR}/06-two-gib.yaml`, '-c', CONFIG, '--max-packets', '100']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('more than the limit of 100 packets');
  });

  it('a million sessions are refused before they are read, with exit 2 (they used to run out of heap, exit 134)', () => {
    const file = join(tmp, 'million.yaml');
    const head = 'hosts:\n  c: { address: 10.0.0.2, interface: GigabitEthernet2/1/1 }\n  s: { address: 192.168.10.1, interface: GigabitEthernet2/1/10 }\nsessions:\n';
    writeFileSync(file, head + '  - { client: c, server: s, steps: [login] }\n'.repeat(1_000_000));
    const r = ftpwall(['replay', file, '-c', CONFIG]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/million\.yaml:\d+:\d+: error: the file is 42\.\d Mi characters long; YAML files over 16 Mi are refused before reading/);
  });

  it('synRetries 255 and overlapping control ports exit 2 at the offending value', () => {
    const a = ftpwall(['replay', `${DIR}/11-syn-retries-255.yaml`, '-c', CONFIG]);
    expect(a.status).toBe(2);
    expect(a.stderr).toContain(`${DIR}/11-syn-retries-255.yaml:9:19: error: synRetries 255 is out of range 0-127`);
    const b = ftpwall(['replay', `${DIR}/12-same-control-port.yaml`, '-c', CONFIG]);
    expect(b.status).toBe(2);
    expect(b.stderr).toContain(`${DIR}/12-same-control-port.yaml:17:20: error: session 'second' uses client 10.0.0.2 port 40000 while session 'first' still does`);
  });
});
