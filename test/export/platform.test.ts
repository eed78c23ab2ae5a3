/** The exports carry the platform semantics: ORed TCP flags (routers) and Comware 5 normal fragment matching. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/dialects/load.js';
import { exportIptables } from '../../src/export/iptables.js';
import { exportNft } from '../../src/export/nft.js';
import { checkerUnavailable, runChecker } from './check.js';

const MAP = { interfaceMap: new Map([['GigabitEthernet2/1/1', 'fw0'], ['GigabitEthernet2/1/10', 'fw1']]), stateful: false } as const;
const FLAGS = 'acl advanced 3000\n rule 0 deny tcp syn 1 ack 0\ninterface GigabitEthernet2/1/10\n packet-filter 3000 inbound\n';

describe('exported TCP flag conditions follow the platform', () => {
  it('router: ORed, written as "not every flag has the opposite value"', () => {
    const p = parseConfig(FLAGS, 't.cfg', 'h3c', { platform: 'router' }).value;
    expect(exportNft(p, MAP).value).toContain('tcp flags & (syn|ack) != ack counter drop');
    expect(exportIptables(p, MAP).value).toContain('-m tcp ! --tcp-flags SYN,ACK ACK');
  });

  it('switch: ANDed', () => {
    const p = parseConfig(FLAGS, 't.cfg', 'h3c', { platform: 'switch' }).value;
    expect(exportNft(p, MAP).value).toContain('tcp flags & (syn|ack) == syn counter drop');
    expect(exportIptables(p, MAP).value).toContain('-m tcp --tcp-flags SYN,ACK SYN');
  });
});

describe('Comware 5 normal fragment matching in the export', () => {
  const p = parseConfig(readFileSync('rules/comware5.cfg', 'utf8'), 'rules/comware5.cfg').value;
  it('adds, after each rule with ports, the same rule without them for non-first fragments', () => {
    const text = exportNft(p, MAP).value;
    const chain = text.slice(text.indexOf('chain acl4_3000 {'));
    expect(chain).toContain(
      'ip saddr 192.168.10.1 tcp sport 21 tcp dport > 1024 counter return comment "acl 3000 rule 0 rules/comware5.cfg:8"\n\t\tmeta l4proto tcp ip saddr 192.168.10.1 ip frag-off & 0x1fff != 0 counter return comment "acl 3000 rule 0 rules/comware5.cfg:8"',
    );
  });

  it.skipIf(checkerUnavailable !== undefined)('loads with nft -c and iptables-restore --test', () => {
    expect(runChecker('nft', exportNft(p, MAP).value)).toEqual({ ok: true, output: '' });
    expect(runChecker('iptables-restore', exportIptables(p, MAP).value)).toEqual({ ok: true, output: '' });
    const r = parseConfig(FLAGS, 't.cfg', 'h3c', { platform: 'router' }).value;
    expect(runChecker('nft', exportNft(r, MAP).value)).toEqual({ ok: true, output: '' });
    expect(runChecker('iptables-restore', exportIptables(r, MAP).value)).toEqual({ ok: true, output: '' });
  });
});
