import { describe, expect, it } from 'vitest';
import { parseExpectations } from '../../src/verify/conntrack.js';

// Printed by conntrack-tools 1.4.7 (`conntrack -E expect`) on Linux 6.18 during a passive download.
const EVENTS = `    [NEW] 300 proto=6 src=10.0.0.2 dst=192.168.10.1 sport=0 dport=50000 mask-src=255.255.255.255 mask-dst=255.255.255.255 sport=0 dport=65535 master-src=10.0.0.2 master-dst=192.168.10.1 sport=50030 dport=21 class=0 helper=ftp
[DESTROY] 300 proto=6 src=10.0.0.2 dst=192.168.10.1 sport=0 dport=50000 mask-src=255.255.255.255 mask-dst=255.255.255.255 sport=0 dport=65535 master-src=10.0.0.2 master-dst=192.168.10.1 sport=50030 dport=21 class=0 helper=ftp
conntrack v1.4.7 (conntrack-tools): 2 expectation events have been shown.`;

describe('conntrack expectation lines', () => {
  it('reads the expected source, destination, master connection and helper of each event', () => {
    expect(parseExpectations(EVENTS).map(({ raw: _raw, ...e }) => e)).toEqual([
      { event: 'NEW', timeoutSec: 300, proto: 6, src: '10.0.0.2', dst: '192.168.10.1:50000', masterClient: '10.0.0.2:50030', masterServer: '192.168.10.1:21', helper: 'ftp' },
      { event: 'DESTROY', timeoutSec: 300, proto: 6, src: '10.0.0.2', dst: '192.168.10.1:50000', masterClient: '10.0.0.2:50030', masterServer: '192.168.10.1:21', helper: 'ftp' },
    ]);
  });

  it('reads a table listing line as LIST and skips the summary line', () => {
    const listed = parseExpectations(
      '297 proto=6 src=192.168.10.1 dst=10.0.0.2 sport=0 dport=50041 mask-src=255.255.255.255 mask-dst=255.255.255.255 sport=0 dport=65535 master-src=10.0.0.2 master-dst=192.168.10.1 sport=50040 dport=21 class=0 helper=ftp\nconntrack v1.4.7 (conntrack-tools): 1 expectations have been shown.\n',
    );
    expect(listed.map((e) => [e.event, e.timeoutSec, e.src, e.dst, e.masterClient])).toEqual([['LIST', 297, '192.168.10.1', '10.0.0.2:50041', '10.0.0.2:50040']]);
  });
});
