import { describe, expect, test } from 'vitest';
import { diagnosticLines, loadScenario } from '../../src/scenario/load.js';
import { MAX_SECONDS } from '../../src/scenario/yaml-read.js';

/** A one-session scenario; `session` goes before `client:`, `client`/`server` extend their mappings. */
function text(o: { session?: string; client?: string; server?: string; steps: string[]; v6?: boolean }): string {
  const [ca, sa] = o.v6 ? ['"2001:db8:1::2"', '"2001:db8:10::1"'] : ['10.0.0.2', '192.168.10.1'];
  return [
    'hosts:',
    `  client: { address: ${ca}, interface: out }`,
    `  server: { address: ${sa}, interface: in }`,
    'sessions:',
    `  - ${o.session ?? ''}client: { host: client${o.client ?? ''} }`,
    `    server: { host: server${o.server ?? ''} }`,
    '    steps:',
    ...o.steps.map((s) => `      - ${s}`),
    '',
  ].join('\n');
}

function load(t: string) {
  const r = loadScenario(t, 'x.yaml');
  return { value: r.value, lines: diagnosticLines(r.diagnostics) };
}

describe('times beyond 1e9 s are refused where they are written (a clock at 1e303 ms cannot advance by 1 ms)', () => {
  test('start, dataAcceptTimeoutSec, wait and connectDelaySec of 1e300 each get a located error naming the limit', () => {
    const r = load(text({ session: 'start: 1e300\n    ', server: ', dataAcceptTimeoutSec: 1e300', steps: ['wait: 1e300', 'retr: { file: a, connectDelaySec: 1e300 }'] }));
    expect(r.value).toBeUndefined();
    expect(r.lines).toEqual([
      'x.yaml:5:12: error: start must be at most 1000000000 seconds, not 1e+300',
      'x.yaml:7:51: error: dataAcceptTimeoutSec must be at most 1000000000 seconds, not 1e+300',
      'x.yaml:9:15: error: wait must be at most 1000000000 seconds, not 1e+300',
      'x.yaml:10:43: error: connectDelaySec must be at most 1000000000 seconds, not 1e+300',
    ]);
  });

  test('exactly the limit is accepted and converted to milliseconds', () => {
    expect(MAX_SECONDS).toBe(1e9);
    const r = load(text({ session: 'start: 1000000000\n    ', steps: ['wait: 1000000000', 'retr: { file: a, connectDelaySec: 1000000000 }'] }));
    expect(r.lines).toEqual([]);
    const s = r.value!.sessions[0]!;
    expect(s.startMs).toBe(1e12);
    expect(s.steps[0]).toMatchObject({ kind: 'wait', sec: 1e9 });
    expect(s.steps[1]).toMatchObject({ kind: 'retr', transfer: { connectDelaySec: 1e9 } });
  });

  test('one past the limit is refused', () => {
    expect(load(text({ steps: ['wait: 1000000001'] })).lines).toEqual(['x.yaml:8:15: error: wait must be at most 1000000000 seconds, not 1000000001']);
  });
});

describe('data ports: one per transfer, plus one only where an EPSV/EPRT fallback can happen', () => {
  test('dataPort 65535 with one PASV transfer is accepted', () => {
    const r = load(text({ client: ', dataPort: 65535', steps: ['retr: { file: a }'] }));
    expect(r.lines).toEqual([]);
    expect(r.value!.sessions[0]!.clientBehaviour.dataPort).toBe(65535);
  });

  test('dataPort 65535 with one PORT transfer is accepted', () => {
    expect(load(text({ client: ', mode: active, dataPort: 65535', steps: ['retr: { file: a }'] })).lines).toEqual([]);
  });

  test('dataPort 65535 with two PASV transfers is refused with the exact text, at dataPort', () => {
    expect(load(text({ client: ', dataPort: 65535', steps: ['list', 'retr: { file: a }'] })).lines).toEqual([
      'x.yaml:5:39: error: data ports from 65535 run past 65535 for 2 transfers',
    ]);
  });

  test('dataPort 65534 with two PASV transfers is accepted: the fallback port is not reserved', () => {
    expect(load(text({ client: ', dataPort: 65534', steps: ['list', 'retr: { file: a }'] })).lines).toEqual([]);
  });

  test('extended modes over IPv4 with epsvFallback keep one port for the PASV/PORT retry', () => {
    for (const mode of ['extended-passive', 'extended-active']) {
      expect(load(text({ client: `, mode: ${mode}, dataPort: 65535`, steps: ['retr: { file: a }'] })).lines).toEqual([
        `x.yaml:5:${39 + mode.length + 8}: error: data ports from 65535 run past 65535 for 1 transfers`,
      ]);
      expect(load(text({ client: `, mode: ${mode}, dataPort: 65534`, steps: ['retr: { file: a }', 'list'] })).lines).toEqual([
        `x.yaml:5:${39 + mode.length + 8}: error: data ports from 65534 run past 65535 for 2 transfers`,
      ]);
      expect(load(text({ client: `, mode: ${mode}, dataPort: 65533`, steps: ['retr: { file: a }', 'list'] })).lines).toEqual([]);
    }
  });

  test('without the fallback (epsvFallback false, or IPv6) extended modes need no extra port', () => {
    expect(load(text({ client: ', mode: extended-passive, epsvFallback: false, dataPort: 65535', steps: ['retr: { file: a }'] })).lines).toEqual([]);
    expect(load(text({ client: ', mode: extended-passive, dataPort: 65535', steps: ['retr: { file: a }'], v6: true })).lines).toEqual([]);
  });
});
