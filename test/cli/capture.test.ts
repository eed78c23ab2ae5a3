import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ftpwall, unwrapVerdicts, wrappedText } from '../helpers/cli.js';
import { HAVE_TSHARK, tshark, tsharkConversations } from '../replay/helpers.js';

const CORPUS = resolve(__dirname, '../../../shared/corpus/pcap');
const passive = join(CORPUS, 'suricata-ftp-download-passive.pcap');
const dir = mkdtempSync(join(tmpdir(), 'ftpwall-cli-capture-'));
/** seed-active.cfg with the capture's server address in place of 192.168.10.1. */
const activeCfg = join(dir, 'seed-active-172.cfg');
writeFileSync(activeCfg, readFileSync(resolve(__dirname, '../../rules/seed-active.cfg'), 'utf8').replaceAll('192.168.10.1', '172.23.0.2'));

describe('ftpwall replay CAPTURE', () => {
  it('prints the flow table, the topology, the data-connection links and what could not have happened', () => {
    const r = ftpwall(['replay', passive, '--config', activeCfg, '--inside', '172.23.0.2/32@GigabitEthernet2/1/10', '--outside-interface', 'GigabitEthernet2/1/1']);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    expect(unwrapVerdicts(r.stdout)).toContain('FTP fails: 3 flows of 4 blocked; first: data SYN-ACK 172.23.0.2:21001 → 172.23.0.3:41928 denied by acl 3000 rule 10');
    expect(r.stdout).toMatch(/\n\s+1\s+control\s+172\.23\.0\.3:41790\s+172\.23\.0\.2:21\s+passed\n/);
    expect(r.stdout).toMatch(/\n\s+2\s+data\s+172\.23\.0\.3:41928\s+172\.23\.0\.2:21001\s+blocked\s+#16 SYN-ACK/);
    expect(r.stdout).toMatch(wrappedText('  capture: 63 records, 63 IP packets: 63 crossing the firewall ('));
    expect(r.stdout).toMatch(wrappedText('  topology: 172.23.0.2/32 on GigabitEthernet2/1/10; everything else on GigabitEthernet2/1/1'));
    expect(r.stdout).toMatch(wrappedText('    flow 2 announced by 227 in packet 14 on flow 1 (172.23.0.2:21001)'));
    expect(r.stdout).toMatch(
      wrappedText(
        '    flow 2 (data 172.23.0.3:41928 → 172.23.0.2:21001): in reality the data connection would not have opened; its 6 later packets could not have happened; the 226 in packet 25 could not have happened',
      ),
    );
  });

  it('when both ends sit behind the same interface, no packet crosses: no verdicts, and the report says so', () => {
    const r = ftpwall(['replay', passive, '--config', activeCfg, '--inside', '172.23.0.0/24@GigabitEthernet2/1/10']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('FTP fails: no FTP control connection crossed the firewall (4 flows; 4 do not cross it)');
    expect(r.stdout).toMatch(wrappedText('  capture: 63 records, 63 IP packets: 0 crossing the firewall (0 permitted, 0 denied), 63 not crossing'));
    expect(r.stdout).toMatch(wrappedText('  flow 1: both ends on GigabitEthernet2/1/10: does not cross the firewall, no verdicts'));
    expect(r.stderr).toBe('ftpwall: info: topology: everything not inside on GigabitEthernet2/1/1 (guessed; use --outside-interface to change it)\n');
  });

  it('a capture with no packets is not "FTP works": --expect works exits 1 and says why', () => {
    const empty = join(dir, 'empty.pcap');
    // pcap file header only: magic a1b2c3d4 (little-endian), version 2.4, snaplen 65535, Ethernet
    writeFileSync(empty, Uint8Array.from([0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 1, 0, 0, 0]));
    const r = ftpwall(['replay', empty, '--config', activeCfg, '--outside-interface', 'GigabitEthernet2/1/1', '--expect', 'works']);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('FTP fails: no FTP control connection crossed the firewall (0 flows)');
    expect(r.stderr).toContain(`ftpwall: expected FTP to work in empty.pcap × ${activeCfg}: no FTP control connection crossed the firewall (0 flows)`);
  });

  it('guesses the topology when none is given and says so in one info line on stderr', () => {
    const r = ftpwall(['replay', passive, '--config', activeCfg]);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe(
      'ftpwall: info: topology guessed: 172.23.0.2 inside on GigabitEthernet2/1/10, everything else on GigabitEthernet2/1/1; use --inside to change it\n',
    );
  });

  it('reads the topology from a YAML file', () => {
    const topo = join(dir, 'topo.yaml');
    writeFileSync(topo, 'GigabitEthernet2/1/10: [172.23.0.2/32]\nGigabitEthernet2/1/1: default\n');
    const r = ftpwall(['replay', passive, '--config', activeCfg, '--topology', topo]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(wrappedText('  topology: 172.23.0.2/32 on GigabitEthernet2/1/10; everything else on GigabitEthernet2/1/1'));
  });

  it('writes the JSON contract: flows with their announcements and notes, packets empty unless --packets', () => {
    const args = ['replay', passive, '--config', activeCfg, '--inside', '172.23.0.2@GigabitEthernet2/1/10', '--format', 'json'];
    const doc = JSON.parse(ftpwall(args).stdout);
    expect(doc.schemaVersion).toBe(1);
    const run = doc.runs[0];
    expect(run).toMatchObject({ scenario: 'suricata-ftp-download-passive.pcap', source: passive, config: activeCfg, engine: 'static', ftp: { works: false }, sessions: [], packets: [] });
    expect(run.flows.map((f: { role: string }) => f.role)).toEqual(['control', 'data', 'data', 'data']);
    expect(run.flows[1]).toMatchObject({
      id: 2,
      proto: 'tcp',
      client: '172.23.0.3:41928',
      server: '172.23.0.2:21001',
      outcome: 'blocked',
      clientInterface: 'GigabitEthernet2/1/1',
      serverInterface: 'GigabitEthernet2/1/10',
      crossesFirewall: true,
      announcedBy: { controlFlow: 1, packet: 14, trigger: '227', endpoint: '172.23.0.2:21001' },
    });
    expect(run.flows[1].firstBlocked).toMatchObject({ n: 16, packet: 'SYN-ACK 172.23.0.2:21001 → 172.23.0.3:41928' });
    expect(run.capture.stats).toMatchObject({ records: 63, packets: 63, crossing: 63, notCrossing: 0, linkedDataFlows: 3, announcements: 3 });
    expect(run.capture.notes.length).toBe(3);
    const withPackets = JSON.parse(ftpwall([...args, '--packets']).stdout).runs[0];
    expect(withPackets.packets.length).toBe(63);
    expect(withPackets.packets[13]).toMatchObject({ n: 14, text: 'Entering Passive Mode (172,23,0,2,82,9).'.replace(/^/, '227 '), flow: 1, action: 'permit' });
  });

  it('replays scenarios and captures in one run, in the order given', () => {
    const r = ftpwall(['replay', 'scenarios/passive-download.yaml', passive, '--config', 'rules/seed-passive.cfg', '--inside', '172.23.0.2@GigabitEthernet2/1/10', '--format', 'json']);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).runs.map((x: { scenario: string }) => x.scenario)).toEqual(['passive-download', 'suricata-ftp-download-passive.pcap']);
  });

  it('a file that is not a capture exits 2 with its byte offset, and --pcap-out leaves nothing behind', () => {
    const bad = join(dir, 'bad.pcap');
    writeFileSync(bad, 'hello world, not a capture');
    const out = join(dir, 'bad-out.pcapng');
    const r = ftpwall(['replay', bad, '--config', activeCfg, '--pcap-out', out]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`${bad}: byte 0: error: bad magic 0x68656c6c: not a pcap file`);
    expect(existsSync(out)).toBe(false);
  });

  it('a capture cut inside a record header exits 2 naming the byte and packet, and an older --pcap-out file stays as it was', () => {
    const cut = join(dir, 'cut.pcap');
    writeFileSync(cut, readFileSync(passive).subarray(0, 3000));
    const out = join(dir, 'older.pcapng');
    writeFileSync(out, 'older');
    const r = ftpwall(['replay', cut, '--config', activeCfg, '--pcap-out', out]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/cut\.pcap: byte 2988, packet 32: error: record 32 header cut/);
    expect(readFileSync(out, 'utf8')).toBe('older');
    expect(readdirSync(dir).filter((n) => n.includes('.ftpwall-'))).toEqual([]);
  });

  it('a bad --inside value exits 2 with an example', () => {
    const r = ftpwall(['replay', passive, '--config', activeCfg, '--inside', '172.23.0.2']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("error: --inside '172.23.0.2': expected PREFIX@INTERFACE (e.g. --inside 192.168.10.0/24@GigabitEthernet2/1/10)");
  });

  it('--pcap-out with two inputs is refused', () => {
    const r = ftpwall(['replay', passive, passive, '--config', activeCfg, '--pcap-out', join(dir, 'two.pcapng')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('error: --pcap-out writes one run: give exactly one scenario or capture, not 2');
  });

  it.skipIf(!HAVE_TSHARK)('--pcap-out of a capture: tshark opens it without warnings and sees the same conversations and the verdict comments (needs tshark)', () => {
    const copy = join(dir, 'passive.cap');
    copyFileSync(passive, copy); // found by its magic, not its name
    const out = join(dir, 'passive-out.pcapng');
    const r = ftpwall(['replay', copy, '--config', activeCfg, '--inside', '172.23.0.2@GigabitEthernet2/1/10', '--pcap-out', out]);
    expect(r.status).toBe(0);
    const t = tshark(['-r', out, '-T', 'fields', '-e', 'frame.comment']);
    expect(t.stderr.replace(/^Running as user.*\n/m, '')).toBe('');
    const comments = t.stdout.trim().split('\n');
    expect(comments.length).toBe(63);
    expect(comments[0]).toBe('ftpwall: permit by default permit (no ACL bound inbound on GigabitEthernet2/1/1)');
    expect(comments[15]).toMatch(/^ftpwall: DENY by acl 3000 rule 10 \(.*seed-active-172\.cfg:\d+\) \(dropped\)$/);
    expect(tsharkConversations(out)).toEqual(tsharkConversations(passive));
  });

  it.skipIf(!HAVE_TSHARK)('--pcap-out of a scenario writes the simulated packets with their verdicts (needs tshark)', () => {
    const out = join(dir, 'scenario.pcapng');
    const r = ftpwall(['replay', 'scenarios/active-download.yaml', '--config', 'rules/seed-active.cfg', '--pcap-out', out]);
    expect(r.status).toBe(0);
    const t = tshark(['-r', out, '-Y', 'ftp.request.command == "PORT"', '-T', 'fields', '-e', 'ftp.request.arg', '-e', 'frame.comment']);
    expect(t.stdout).toMatch(/^10,0,0,2,\d+,\d+\tftpwall: permit by default permit \(no ACL bound inbound on GigabitEthernet2\/1\/1\)\n$/);
  });
});
