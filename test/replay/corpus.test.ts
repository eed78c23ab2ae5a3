import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeTopology, parsePrefixForTest } from './topology-fixtures.js';
import { bundledPolicy, CORPUS, corpusFiles, HAVE_TSHARK, pair, plainEndpoint, replayFile, tshark, tsharkConversations, tsharkFields } from './helpers.js';

const files = corpusFiles();
const path = (f: string): string => resolve(CORPUS, f);

describe('every corpus capture replays', () => {
  it('the corpus holds the 20 captures SOURCES.md lists', () => {
    expect(files.length).toBe(20);
  });

  for (const f of files) {
    it(`${f} replays through rules/seed-passive.cfg (static) and rules/stateful.cfg (stateful) without error`, () => {
      for (const [cfg, engine] of [
        ['seed-passive.cfg', 'static'],
        ['stateful.cfg', 'stateful'],
      ] as const) {
        const r = replayFile(path(f), bundledPolicy(cfg), engine);
        expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
        const s = r.replay.stats;
        expect(s.malformed).toBe(0);
        expect(s.records).toBeGreaterThan(0);
        // every record is an IP packet or counted as skipped, and every IP packet is in exactly one flow
        expect(s.packets + Object.values(s.skipped).reduce((a, b) => a + b, 0)).toBe(s.records);
        expect(r.replay.flows.reduce((a, fl) => a + fl.packets, 0)).toBe(s.packets);
        expect(s.permitted + s.denied).toBe(s.crossing);
        expect(s.crossing + s.notCrossing).toBe(s.packets);
      }
    });
  }
});

describe('connection lists agree with tshark -z conv,tcp', () => {
  for (const f of files) {
    it.skipIf(!HAVE_TSHARK)(`${f}: ftpwall's TCP flows are tshark's TCP conversations (needs tshark)`, () => {
      const r = replayFile(path(f), bundledPolicy('seed-passive.cfg'), 'static');
      const ours = r.replay.flows
        .filter((fl) => fl.proto === 'tcp')
        .map((fl) => pair(fl.client, fl.server))
        .sort();
      expect(ours).toEqual(tsharkConversations(path(f)));
    });
  }

  it.skipIf(!HAVE_TSHARK)('record counts equal tshark frame counts (needs tshark)', () => {
    for (const f of files) {
      const frames = tshark(['-r', path(f), '-T', 'fields', '-e', 'frame.number']).stdout.trim().split('\n').length;
      expect(replayFile(path(f), bundledPolicy('seed-passive.cfg'), 'static').replay.stats.records, f).toBe(frames);
    }
  });
});

/** The endpoint an announcement names, read from tshark's argument text with plain regexes (not ftpwall's parsers). */
function tsharkEndpoint(command: string, code: string, reqArg: string, respArg: string, server: string): string | undefined {
  if (command === 'PORT') {
    const n = reqArg.split(',').map(Number);
    return `${n.slice(0, 4).join('.')}:${n[4]! * 256 + n[5]!}`;
  }
  if (command === 'EPRT') {
    const [, , addr, port] = reqArg.split('|');
    return `${addr}:${port}`;
  }
  if (code === '227') {
    const n = /(\d+),(\d+),(\d+),(\d+),(\d+),(\d+)/.exec(respArg)!.slice(1).map(Number);
    return `${n.slice(0, 4).join('.')}:${n[4]! * 256 + n[5]!}`;
  }
  if (code === '229') return `${server}:${/\|\|\|(\d+)\|/.exec(respArg)![1]}`;
  return undefined;
}

describe('data connections are linked to the PORT/227/EPRT/229 that announced them', () => {
  const cases: [string, number][] = [
    ['suricata-ftp-download-active.pcap', 3],
    ['suricata-ftp-download-passive.pcap', 3],
    ['zeek-ftp-ipv4.pcap', 4],
    ['zeek-ftp-ipv6.pcap', 5],
    ['suricata-ftp-epsv.pcap', 0],
  ];
  for (const [f, linked] of cases) {
    it(`${f}: ${linked} data flows, each linked to its announcement`, () => {
      const r = replayFile(path(f), bundledPolicy('seed-passive.cfg'), 'static', { keepControlLines: true });
      const data = r.replay.flows.filter((fl) => fl.role === 'data');
      expect(data.length).toBe(linked);
      for (const d of data) {
        expect(d.announcedBy).toBeDefined();
        expect(d.announcedBy!.endpoint).toBe(d.server);
        const control = r.replay.flows.find((fl) => fl.id === d.announcedBy!.controlFlow)!;
        expect(control.role).toBe('control');
      }
      if (!HAVE_TSHARK) return;
      // tshark's dissection of the same announcements: frame number and the endpoint its argument names
      const rows = tsharkFields(
        path(f),
        'ftp.request.command == "PORT" || ftp.request.command == "EPRT" || ftp.response.code == 227 || ftp.response.code == 229',
        ['frame.number', 'ftp.request.command', 'ftp.request.arg', 'ftp.response.code', 'ftp.response.arg', 'ip.src', 'ipv6.src'],
      );
      const announced = rows.map(([n, cmd, reqArg, code, respArg, ip4, ip6]) => ({
        n: Number(n),
        endpoint: tsharkEndpoint(cmd ?? '', code ?? '', reqArg ?? '', respArg ?? '', ip4 || ip6 || ''),
      }));
      expect(r.replay.stats.announcements).toBe(announced.length);
      for (const d of data) {
        const t = announced.find((a) => a.n === d.announcedBy!.packet);
        expect(t, `flow ${d.id}: tshark sees an announcement in packet ${d.announcedBy!.packet}`).toBeDefined();
        expect(t!.endpoint).toBe(plainEndpoint(d.announcedBy!.endpoint));
      }
    });
  }

  it("with stateful.cfg naming the capture's server, zeek-ftp-ipv4's data connections pass as related through the pinhole of the same announcement", () => {
    const r = replayFile(path('zeek-ftp-ipv4.pcap'), bundledPolicy('stateful.cfg', '199.233.217.249'), 'stateful', { keepPackets: true });
    expect(r.replay.works).toBe(true);
    const data = r.replay.flows.filter((fl) => fl.role === 'data');
    expect(data.map((d) => `${d.announcedBy!.trigger}@${d.announcedBy!.packet}`)).toEqual(['227@20', '227@39', 'PORT@57', 'PORT@75']);
    for (const d of data) {
      const first = r.replay.packets.find((p) => p.flow === d.id)!;
      expect(first.by).toMatch(new RegExp(`^expectation from ${d.announcedBy!.trigger} in packet ${d.announcedBy!.packet} \\(conntrack related, connection \\d+\\)$`));
    }
  });
});

describe('what could not have happened', () => {
  it('seed-active (server 172.23.0.2) on suricata-ftp-download-passive: control passes, each passive data connection is blocked at its SYN-ACK, and the 226 after it could not have happened', () => {
    const topology = makeTopology([{ prefix: parsePrefixForTest('172.23.0.2/32'), iface: 'GigabitEthernet2/1/10', origin: 'test' }], 'GigabitEthernet2/1/1');
    const r = replayFile(path('suricata-ftp-download-passive.pcap'), bundledPolicy('seed-active.cfg', '172.23.0.2'), 'static', { topology });
    const [control, ...data] = r.replay.flows;
    expect(control!.outcome).toBe('passed');
    expect(data.map((d) => d.firstBlocked?.packet)).toEqual([
      'SYN-ACK 172.23.0.2:21001 → 172.23.0.3:41928',
      'SYN-ACK 172.23.0.2:21008 → 172.23.0.3:46274',
      'SYN-ACK 172.23.0.2:21008 → 172.23.0.3:46280',
    ]);
    // tshark (SOURCES.md characterisation): frames 25, 41 and 57 carry the 226 replies of the three transfers
    expect(r.replay.notes).toEqual([
      'flow 2 (data 172.23.0.3:41928 → 172.23.0.2:21001): in reality the data connection would not have opened; its 6 later packets could not have happened; the 226 in packet 25 could not have happened',
      'flow 3 (data 172.23.0.3:46274 → 172.23.0.2:21008): in reality the data connection would not have opened; its 6 later packets could not have happened; the 226 in packet 41 could not have happened',
      'flow 4 (data 172.23.0.3:46280 → 172.23.0.2:21008): in reality the data connection would not have opened; its 6 later packets could not have happened; the 226 in packet 57 could not have happened',
    ]);
    if (HAVE_TSHARK) {
      const replies = tsharkFields(path('suricata-ftp-download-passive.pcap'), 'ftp.response.code == 226', ['frame.number']).map((x) => Number(x[0]));
      expect(replies).toEqual([25, 41, 57]);
    }
  });

  it('a control connection blocked at its SYN-ACK means the whole session could not have happened', () => {
    const r = replayFile(path('suricata-ftp-download-active.pcap'), bundledPolicy('seed-passive.cfg'), 'static');
    expect(r.replay.flows[0]!.inReality).toBe(
      'in reality the control connection would not have opened; its 37 later packets could not have happened; the whole session could not have happened (nor its 3 data connections)',
    );
  });

  it('a capture on one host (127.0.0.1 to itself) does not cross the firewall: no verdicts, counted as not crossing', () => {
    const r = replayFile(path('zeek-ftp-auth-tls.pcap'), bundledPolicy('seed-passive.cfg'), 'static');
    expect(r.replay.stats.notCrossing).toBe(84);
    expect(r.replay.stats.crossing).toBe(0);
    expect(r.replay.flows[0]!.crossesFirewall).toBe(false);
    expect(r.replay.works).toBe(false);
    expect(r.replay.summary).toBe('no FTP control connection crossed the firewall (1 flow; 1 does not cross it)');
  });
});
