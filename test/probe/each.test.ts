import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/dialects/load.js';
import { createStaticFirewall } from '../../src/engine/static.js';
import { expandEach } from '../../src/probe/each.js';
import { buildRunReport } from '../../src/report/run.js';
import { diagnosticLines, loadScenario } from '../../src/scenario/load.js';
import { simulate } from '../../src/sim/run.js';

const SCENARIO = (choice: string, extra = '') => `name: pasv
seed: 7
${extra}hosts:
  client: { address: 10.0.0.2, interface: GigabitEthernet2/1/1 }
  server: { address: 192.168.10.1, interface: GigabitEthernet2/1/10 }
sessions:
  - name: download
    client: { host: client, mode: passive }
    server: { host: server, passivePorts: 50000-50100, passivePortChoice: ${choice} }
    steps:
      - login
      - retr: { file: a.bin, bytes: 1000 }
      - quit
`;

const policy = parseConfig(readFileSync('rules/passive-range.cfg', 'utf8'), 'rules/passive-range.cfg').value;

function passivePortOf(text: string): number {
  const s = loadScenario(text, 'pasv.yaml').value!;
  const r = buildRunReport({ scenario: s.name, source: s.source, config: 'x', engine: 'static' }, simulate(s, createStaticFirewall(policy)));
  return Number(r.flows.find((f) => f.role === 'data')!.server.split(':')[1]);
}

describe('passivePortChoice', () => {
  it('first takes the first port of the range, as before', () => {
    expect(passivePortOf(SCENARIO('first'))).toBe(50000);
  });

  it('random takes a port of the range fixed by the seed: the same run twice, another with another seed', () => {
    const a = passivePortOf(SCENARIO('random'));
    expect(a).toBeGreaterThanOrEqual(50000);
    expect(a).toBeLessThanOrEqual(50100);
    expect(passivePortOf(SCENARIO('random'))).toBe(a);
    const seeds = new Set([1, 2, 3, 4, 5].map((n) => passivePortOf(SCENARIO('random').replace('seed: 7', `seed: ${n}`))));
    expect(seeds.size).toBeGreaterThan(1);
  });

  it('each runs the scenario once per port-space cell: 50000-50050 works, 50051-50100 is blocked', () => {
    const s = loadScenario(SCENARIO('each'), 'pasv.yaml').value!;
    const variants = expandEach(s, [policy]);
    expect(variants.map((v) => v.scenario.name)).toEqual(['pasv [passive ports 50000-50050]', 'pasv [passive ports 50051-50100]']);
    const works = variants.map((v) => buildRunReport({ scenario: v.scenario.name, source: 'x', config: 'x', engine: 'static' }, simulate(v.scenario, createStaticFirewall(policy))).ftp.works);
    expect(works).toEqual([true, false]);
  });

  it('a misspelt choice is an error with the closest value', () => {
    const r = loadScenario(SCENARIO('eachh'), 'pasv.yaml');
    expect(r.value).toBeUndefined();
    expect(diagnosticLines(r.diagnostics)).toEqual(["pasv.yaml:9:75: error: passivePortChoice 'eachh' is not one of first, random, each (did you mean 'each'?)"]);
  });
});

describe('expect', () => {
  it('takes works or blocked and refuses anything else at its position', () => {
    expect(loadScenario(SCENARIO('first', 'expect: blocked\n'), 'pasv.yaml').value!.expect).toBe('blocked');
    const r = loadScenario(SCENARIO('first', 'expect: block\n'), 'pasv.yaml');
    expect(diagnosticLines(r.diagnostics)).toEqual(["pasv.yaml:3:9: error: expect 'block' is not one of works, blocked (did you mean 'blocked'?)"]);
  });
});
