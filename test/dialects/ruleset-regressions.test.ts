/**
 * Inputs the iptables and nft fuzz targets (and their seeds) found, kept under test/fuzz-regressions/:
 * each gives a located error where it crashed, or reads as the tools print it.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../src/diag/diagnostic.js';
import { parseConfig } from '../../src/dialects/load.js';

const DIR = resolve(__dirname, '../fuzz-regressions');
const read = (name: string): string => readFileSync(resolve(DIR, name), 'utf8');

describe('ruleset fuzz regressions', () => {
  it('a line holding only an iptables-save -c counter (a crash, iptables seed 2026 #2115) is an error at that line', () => {
    const r = parseConfig(read('iptables-counter-alone.rules'), 'c.rules', 'iptables');
    expect(r.diagnostics.map((d) => formatDiagnostic(d).split('\n').slice(0, 3).join('\n'))).toEqual([
      'c.rules:3:3: error: a counter [packets:bytes] with no rule after it (iptables-save -c writes the counters before a -A rule)\n 3 |   [12:720]  \n   |   ^^^^^^^^',
    ]);
  });

  it('nft 1.0 writes flag lists with commas, `tcp flags syn / fin,syn,rst,ack` (refused at the first comma before)', () => {
    const r = parseConfig(read('nft-tcp-flags-commas.nft'), 'f.nft');
    expect(r.diagnostics).toEqual([]);
    const [c] = r.value.ruleset!.chains;
    // SYN alone among FIN,SYN,RST,ACK (0x17), and SYN+ACK among SYN,ACK (0x12)
    expect(c!.rules.map((x) => x.conds.find((k) => k.kind === 'tcpflags'))).toEqual([
      { kind: 'tcpflags', mask: 0x17, value: 0x02 },
      { kind: 'tcpflags', mask: 0x12, value: 0x12 },
    ]);
  });
});
