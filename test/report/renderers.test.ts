/** What the text renderers show: the ladder's arrows, folds and pinholes, the Markdown's rule line, Mermaid's escapes, the packet trace's layout. */
import { describe, expect, it } from 'vitest';
import type { PacketRow, RunReport } from '../../src/model/index.js';
import { formatLadder } from '../../src/report/ladder.js';
import { formatMarkdown } from '../../src/report/markdown.js';
import { formatMermaid, mermaidText } from '../../src/report/mermaid.js';
import { formatPacketTrace } from '../../src/report/packets.js';
import { diagramSteps } from '../../src/report/steps.js';
import { ANSI_STYLE } from '../../src/report/style.js';
import { formatBytes } from '../../src/report/text-wrap.js';
import { lineOf, run } from '../helpers/run.js';
import { parseMermaid } from './mermaid-parse.js';

const passiveBlocked = run('scenarios/passive-download.yaml', 'rules/seed-active.cfg', 'static').report;
const activeStateful = run('scenarios/active-download.yaml', 'rules/stateful.cfg', 'stateful').report;

describe('the ladder', () => {
  const ladder = formatLadder(passiveBlocked);

  it('draws a permitted packet as an arrow across all five lanes, with its flags and FTP text', () => {
    const line = ladder.find((l) => l.startsWith('   #12 '))!;
    expect(line).toMatch(/^ {3}#12 │◀─+┼─+┼─+┼─+│ {2}PA 21 → 50000 "227 Entering Passive Mode/);
  });

  it('stops a denied packet at the firewall with ✗ and the rule', () => {
    const line = ladder.find((l) => l.startsWith('   #15 '))!;
    expect(line).toMatch(/^ {3}#15 │ +│ +✗◀─+┼─+│ {2}SA 50020 → 50001 ✗ denied by acl 3000 rule/);
    const rest = ladder.slice(ladder.indexOf(line), ladder.indexOf(line) + 3).join(' ');
    expect(rest.replace(/[│ ]+/g, ' ')).toContain(`denied by acl 3000 rule 10 (rules/seed-active.cfg:${lineOf('rules/seed-active.cfg', 'rule deny ip')})`);
  });

  it('lanes read client | ingress interface | firewall | egress interface | server', () => {
    expect(ladder).toContain('    client    GE2/1/1  firewall  GE2/1/10   server');
    expect(ladder).toContain('  client side: 10.0.0.2 on GigabitEthernet2/1/1');
  });

  it('marks the pinhole opening and its use between the arrows, at the firewall', () => {
    const text = formatLadder(activeStateful);
    const port = text.findIndex((l) => l.includes('"PORT 10,0,0,2,195,81"'));
    expect(text[port + 1]).toMatch(/^ {7}│ +│ +◆ pinhole opened: expectation 192\.168\.10\.1:\* → 10\.0\.0\.2:50001\b/);
    expect(text.some((l) => /◆ pinhole consumed: expectation 192\.168\.10\.1:\* → 10\.0\.0\.2:50001\b/.test(l))).toBe(true);
  });

  it('folds a run of data segments into one line with their count and size', () => {
    const text = formatLadder(activeStateful);
    const data = activeStateful.packets.filter((p) => p.flow === 2 && p.len > 0);
    const bytes = data.reduce((a, p) => a + p.len, 0);
    expect(text.join(' ').replace(/[│┊ ]+/g, ' ')).toContain(`… ${data.length} data segments, ${formatBytes(bytes)} on flow 2, all permitted`);
    expect(text.some((l) => l.includes(`#${data[0]!.n} `))).toBe(false);
  });

  it('folds a long transfer: 712 data segments with their ACKs become one step', () => {
    const base = activeStateful.packets.find((p) => p.flow === 2 && p.len > 0)!;
    const packets: PacketRow[] = [];
    for (let i = 0; i < 712; i++) {
      packets.push({ ...base, n: i * 2 + 1, len: 1480 });
      packets.push({ ...base, n: i * 2 + 2, len: 0, flags: '.', src: base.dst, dst: base.src, ingress: base.egress, egress: base.ingress });
    }
    const r: RunReport = { ...activeStateful, packets, events: [] };
    const steps = diagramSteps(r);
    expect(steps).toEqual([{ kind: 'fold', flow: 2, firstN: 1, lastN: 1424, dataSegments: 712, bytes: 712 * 1480, acks: 712 }]);
    const flat = formatLadder(r).join(' ').replace(/[│┊ ]+/g, ' ');
    expect(flat).toContain('… 712 data segments, 1 MiB, 712 ACKs on flow 2, all permitted (#1–#1424) …');
  });
});

describe('a capture run of many hosts (no packet rows)', () => {
  // 40,000 flows of distinct clients, as a day's capture without --packets: the sides come from the flows
  const flows = Array.from({ length: 40_000 }, (_, i) => ({ ...activeStateful.flows[0]!, id: i + 1, client: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}:50000` }));
  const r: RunReport = { ...activeStateful, flows, packets: [], events: [] };

  it('the ladder names the first twelve hosts of a side and counts the rest, and is made in linear time', () => {
    // the sides were found by a list scan per flow: 40,000 distinct clients took seconds, 80,000 flows half a minute
    const text = formatLadder(r);
    const side = text.join('\n').replace(/\n {2}/g, ' ');
    expect(side).toContain('client side: 10.0.0.0, 10.0.0.1, 10.0.0.2, 10.0.0.3, 10.0.0.4, 10.0.0.5, 10.0.0.6, 10.0.0.7, 10.0.0.8, 10.0.0.9, 10.0.0.10, 10.0.0.11 and 39988 more on');
    expect(text.length).toBeLessThan(20);
  });

  it('the Mermaid participants name the first twelve hosts too', () => {
    const text = formatMermaid(r).join('\n');
    expect(text).toContain('participant C as client 10.0.0.0, 10.0.0.1, 10.0.0.2, 10.0.0.3, 10.0.0.4, 10.0.0.5, 10.0.0.6, 10.0.0.7, 10.0.0.8, 10.0.0.9, 10.0.0.10, 10.0.0.11 and 39988 more');
  });
});

describe('Markdown', () => {
  it('gives the verdict, the flows table, and the blocked packet with its rule quoted from the config file', () => {
    const md = formatMarkdown(passiveBlocked).join('\n');
    const line = lineOf('rules/seed-active.cfg', 'rule deny ip');
    expect(md).toContain(`**FTP fails**: ${passiveBlocked.ftp.summary}`);
    expect(md).toContain('| 2 | data | 10.0.0.2:50001 | 192.168.10.1:50020 | **blocked** |');
    expect(md).toContain(`\`rules/seed-active.cfg\` line ${line}:\n\n\`\`\`\n rule deny ip\n\`\`\``);
  });
});

describe('Mermaid', () => {
  it('draws a denied packet as a cross ending at the firewall, and the pinhole as a note over it', () => {
    expect(formatMermaid(passiveBlocked)).toContain(`  S-xF: 15. SA 50020 → 50001 ✗ denied by ${passiveBlocked.packets[14]!.by}`);
    expect(formatMermaid(activeStateful).some((l) => l.startsWith('  Note over F: pinhole opened: expectation 192.168.10.1:* → 10.0.0.2:50001'))).toBe(true);
  });

  it('escapes what Mermaid reads as syntax (; # < >), and mermaid parses the result', async () => {
    const text = mermaidText('USER a;b #1 <x>');
    expect(text).toBe('USER a#59;b #35;1 #lt;x#gt;');
    expect(await parseMermaid(`sequenceDiagram\n  participant C\n  participant S\n  C->>S: ${text}\n`)).toBe('sequence');
  });

  it('the parser used for the golden files refuses a broken diagram', async () => {
    await expect(parseMermaid('sequenceDiagram\n  C->>S: a; S->>>C b\n')).rejects.toThrow(/Parse error on line/);
  });
});

describe('the packet trace (--packets)', () => {
  it('fits 100 columns, with a flag legend and an interface column', () => {
    const lines = formatPacketTrace(passiveBlocked);
    for (const l of lines) expect([...l].length, l).toBeLessThanOrEqual(100);
    expect(lines[0]).toMatch(/^ {2}flags: S SYN, A ACK, \. ACK only, P PSH, F FIN, R RST; in → out: ingress → egress interface/);
    expect(lines.some((l) => /^ {2}15 +0\.013 +2 +deny +0 +GE2\/1\/10 → GE2\/1\/1 +SA 192\.168\.10\.1:50020 → 10\.0\.0\.2:50001$/.test(l))).toBe(true);
  });

  it('prints pinhole events in full colour on a terminal, other events dim', () => {
    const lines = formatPacketTrace(activeStateful, ANSI_STYLE);
    const open = lines.find((l) => l.includes('expectation-open'))!;
    expect(open.startsWith('\u001b[33m')).toBe(true);
    expect(open).not.toContain('\u001b[2m');
    expect(lines.find((l) => l.includes('conntrack-new'))!.startsWith('\u001b[2m')).toBe(true);
  });
});
