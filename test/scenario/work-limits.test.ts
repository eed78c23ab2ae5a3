/**
 * Limits instead of crashes (issue 14, findings 5, 6, 8, 11, 12, 13): each regression
 * input under test/fuzz-regressions/ gives a located error, or loads when it should.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { spanProblems } from '../../fuzz/spans.js';
import type { Diagnostic } from '../../src/diag/diagnostic.js';
import { parseConfig } from '../../src/dialects/load.js';
import { parseTopologyFile } from '../../src/replay/topology.js';
import { diagnosticLines, loadScenario } from '../../src/scenario/load.js';
import { DEFAULT_MAX_PACKETS, checkSimulationWork, estimateWork, synRetryMs } from '../../src/scenario/work.js';
import { MAX_YAML_CHARS } from '../../src/scenario/yaml-read.js';
import { nestingTooDeep } from '../../src/scenario/yaml-depth.js';
import { ROOT, loadBundledScenario } from '../helpers/run.js';

const DIR = 'test/fuzz-regressions';

function load(name: string) {
  const file = `${DIR}/${name}`;
  const text = readFileSync(resolve(ROOT, file), 'utf8');
  return { file, text, ...loadScenario(text, file) };
}

/** 1-based line and column of the first occurrence of `needle` in `text`. */
function where(text: string, needle: string, nth = 1): string {
  let at = -1;
  for (let i = 0; i < nth; i++) at = text.indexOf(needle, at + 1);
  if (at < 0) throw new Error(`'${needle}' not in the text`);
  const before = text.slice(0, at);
  const line = before.split('\n').length;
  return `${line}:${at - before.lastIndexOf('\n')}`;
}

function errorsOf(ds: readonly Diagnostic[]): string[] {
  return diagnosticLines(ds.filter((d) => d.severity === 'error'));
}

describe('YAML nesting and aliases (finding 5)', () => {
  it('a 4 KB file of nested flow lists is a located error at the level that passes 64, not a crash', () => {
    const { file, text, value, diagnostics } = load('05-deep-flow.yaml');
    expect(text.length).toBeLessThanOrEqual(4096);
    expect(value).toBeUndefined();
    // "hosts: " is 7 characters; the mapping is level 1, so the 64th '[' opens level 65
    expect(errorsOf(diagnostics)).toEqual([`${file}:1:${7 + 64}: error: the YAML nests more than 64 levels deep here; a scenario or topology needs fewer than 10`]);
  });

  it('nested flow mappings and compact block lists are refused the same way', () => {
    for (const name of ['05-deep-map.yaml', '05-deep-block.yaml']) {
      const { diagnostics } = load(name);
      expect(errorsOf(diagnostics)).toHaveLength(1);
      expect(errorsOf(diagnostics)[0]).toContain('error: the YAML nests more than 64 levels deep here');
    }
  });

  it('the depth count ignores brackets inside quotes, comments, plain scalars and block scalars', () => {
    const deepText = '['.repeat(100);
    expect(nestingTooDeep(`a: "${deepText}"\nb: '${deepText}'\n# ${deepText}\nc: x${deepText}\nd: |\n  ${deepText}\ne: 1\n`)).toBeUndefined();
    expect(nestingTooDeep(`a: ${'['.repeat(63)}${']'.repeat(63)}`)).toBeUndefined();
    expect(nestingTooDeep(`a: ${'['.repeat(64)}${']'.repeat(64)}`)).toBe(3 + 63);
    expect(nestingTooDeep(`a:\n${'  '.repeat(70)}b`, 64)).toBeUndefined();
  });

  it('every bundled scenario is far inside the depth limit', () => {
    for (const s of ['passive-download', 'two-sessions', 'split-port', 'ftps'])
      expect(nestingTooDeep(readFileSync(resolve(ROOT, `scenarios/${s}.yaml`), 'utf8'), 10)).toBeUndefined();
  });

  it('an alias bomb is refused at the alias that passes 10,000 expanded nodes', () => {
    const { file, text, value, diagnostics } = load('05-alias-bomb.yaml');
    expect(value).toBeUndefined();
    // *a0 is 2 nodes, *a1 21, *a2 211, *a3 2,111: levels 1-3 add 20 + 210 + 2,110 = 2,340, and the 4th *a3 passes 10,000
    expect(errorsOf(diagnostics)).toEqual([
      `${file}:${where(text, '*a3', 4)}: error: aliases expand to more than 10,000 nodes by here: refused (an alias bomb?) (write the values out, or use fewer aliases)`,
    ]);
  });

  it('a file over 16 Mi characters is refused before it is parsed', () => {
    const line = '  - { client: c, server: s, steps: [login] }\n';
    const text = `sessions:\n${line.repeat(Math.ceil(MAX_YAML_CHARS / line.length) + 1)}`;
    const { value, diagnostics } = loadScenario(text, 'huge.yaml');
    expect(value).toBeUndefined();
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]!.message).toBe(
      `the file is ${(text.length / 1024 / 1024).toFixed(1)} Mi characters long; YAML files over 16 Mi are refused before reading (the YAML tree of a larger file would not fit in memory)`,
    );
    expect(diagnostics[0]!.span?.line).toBe(Math.floor((MAX_YAML_CHARS - 10) / line.length) + 2);
  });
});

describe('aliases (finding 13)', () => {
  it('aliases are expanded: the anchored client, steps and host load as if written out', () => {
    const { value, diagnostics } = load('13-aliases.yaml');
    expect(errorsOf(diagnostics)).toEqual([]);
    expect(value!.sessions.map((s) => s.steps.map((x) => x.kind))).toEqual([
      ['login', 'retr', 'quit'],
      ['login', 'retr', 'quit'],
    ]);
    expect(value!.sessions[1]!.clientBehaviour.controlPort).toBe(50010);
  });

  it('an alias without an anchor is a sentence at the alias, not "must be a mapping, not nothing"', () => {
    const { file, text, diagnostics } = load('13-alias-unknown.yaml');
    expect(errorsOf(diagnostics)).toEqual([`${file}:${where(text, '*nowhere')}: error: alias '*nowhere' refers to no anchor '&nowhere' defined before it`]);
  });

  it('an alias inside its own anchor is refused at the alias', () => {
    const { file, text, diagnostics } = load('13-alias-self.yaml');
    expect(errorsOf(diagnostics)).toEqual([`${file}:${where(text, '*s')}: error: alias '*s' is inside the node its anchor '&s' marks: it would repeat forever`]);
  });

  it('an empty value is called one', () => {
    const { diagnostics } = loadScenario('hosts:\nsessions: []\n', 'e.yaml');
    expect(errorsOf(diagnostics)).toContain('e.yaml:1:7: error: hosts must be a mapping of host name to { address, interface }, not an empty value');
  });
});

describe('diagnostics on the line they name (the 868 + 20 misplaced errors)', () => {
  it('YAML errors after the parser gave up on a line stay on their own lines: every span lies inside its line', () => {
    const { file, text, diagnostics } = load('spans-after-yaml-error.yaml');
    expect(diagnostics.length).toBeGreaterThan(10);
    const files = new Map([[file, text]]);
    for (const d of diagnostics) expect(spanProblems(d, files), d.message).toEqual([]);
    // the '- list' step is on line 19; before the fix it was reported on line 16
    const list = diagnostics.find((d) => d.message === 'unexpected scalar token in YAML stream: "list"');
    expect(list?.span?.line).toBe(Number(where(text, '- list').split(':')[0]));
  });

  it('the same holds for topology files', () => {
    const file = `${DIR}/spans-after-yaml-error.topology.yaml`;
    const text = readFileSync(resolve(ROOT, file), 'utf8');
    const { diagnostics } = parseTopologyFile(text, file);
    expect(diagnostics.length).toBeGreaterThan(3);
    const files = new Map([[file, text]]);
    for (const d of diagnostics) expect(spanProblems(d, files), d.message).toEqual([]);
  });
});

describe('config spans (found by the h3c fuzz run)', () => {
  it('a config whose skipped-section note sat on an empty-looking line gets a span of at least one character', () => {
    const file = `${DIR}/spans-zero-length.cfg`;
    const text = readFileSync(resolve(ROOT, file), 'utf8');
    const { diagnostics } = parseConfig(text, file);
    const note = diagnostics.find((d) => d.message.startsWith('skipped 1 line of unsupported sections'));
    expect(note?.span?.length).toBe(1);
    const files = new Map([[file, text]]);
    for (const d of diagnostics) expect(spanProblems(d, files), d.message).toEqual([]);
  });
});

describe('simulated work, estimated before simulating (findings 6, 8 and 11)', () => {
  it('two 1 GiB transfers are estimated at 2.2 million packets and refused under a smaller --max-packets, at the bigger step', () => {
    const { file, text, value } = load('06-two-gib.yaml');
    const est = estimateWork(value!);
    // 2 × ceil(2^30 / 1460) data segments × 1.5 (an ACK every second one) plus handshakes and steps
    expect(est.packets).toBeGreaterThan(2 * Math.ceil(2 ** 30 / 1460) * 1.5);
    expect(est.packets).toBeLessThan(2 * Math.ceil(2 ** 30 / 1460) * 1.5 + 500);
    expect(diagnosticLines(checkSimulationWork(value!, { maxPackets: 1_000_000 }))).toEqual([
      `${file}:${where(text, 'retr')}: error: the scenario would simulate up to ${est.packets.toLocaleString('en-US')} packets (1 session, transfers cut into segments of 1460 bytes), more than the limit of 1,000,000 packets (raise the limit with --max-packets 3000000, or use smaller transfers or fewer sessions)`,
    ]);
    expect(checkSimulationWork(value!, { maxPackets: DEFAULT_MAX_PACKETS })).toEqual([]);
  });

  it('every bundled scenario is far inside the default limit', () => {
    for (const s of ['passive-download', 'two-sessions', 'list-and-two-retr', 'pasv-wait-400s']) {
      const sc = loadBundledScenario(`scenarios/${s}.yaml`);
      expect(checkSimulationWork(sc, { maxPackets: DEFAULT_MAX_PACKETS })).toEqual([]);
      expect(estimateWork(sc).packets).toBeLessThan(1000);
    }
  });

  it('a million sessions are refused by the work limit', () => {
    const base = loadBundledScenario('scenarios/passive-download.yaml');
    const many = { ...base, sessions: Array.from({ length: 1_000_000 }, () => base.sessions[0]!) };
    const [d] = checkSimulationWork(many, { maxPackets: DEFAULT_MAX_PACKETS });
    expect(d?.message).toMatch(/^the scenario would simulate up to [\d,]+ packets \(1000000 sessions, .*more than the limit of 10,000,000 packets$/);
  });

  it('waits that add up past 1e9 s are refused at the longest step', () => {
    const text = `hosts:\n  c: { address: 10.0.0.2, interface: a }\n  s: { address: 10.0.0.3, interface: b }\nsessions:\n  - client: c\n    server: s\n    steps:\n      - wait: 600000000\n      - wait: 700000000\n`;
    const { value } = loadScenario(text, 'w.yaml');
    expect(diagnosticLines(checkSimulationWork(value!, { maxPackets: DEFAULT_MAX_PACKETS }))).toEqual([
      'w.yaml:9:9: error: the scenario could run the virtual clock to 1.30e+9 s (starts, waits, delays, retries and timeouts added up), past the limit of 1,000,000,000 s (use shorter waits, delays, timeouts or fewer retries)',
    ]);
  });

  it('synRetries 255 is refused at its value (finding 11), as Linux caps tcp_syn_retries at 127', () => {
    const { file, text, diagnostics } = load('11-syn-retries-255.yaml');
    expect(errorsOf(diagnostics)).toEqual([`${file}:${where(text, '255', 2)}: error: synRetries 255 is out of range 0-127`]);
  });

  it('synRetries within range whose doubling waits pass 1e9 s are refused, naming the most that fits', () => {
    const { file, text, diagnostics } = load('11-server-syn-retries.yaml');
    // 3600 s × (2^21 − 1) = 7.55e9 s; 17 retries: 3600 × (2^18 − 1) = 9.4e8 s fits
    expect(synRetryMs(17, 3_600_000)).toBeLessThanOrEqual(1e12);
    expect(synRetryMs(18, 3_600_000)).toBeGreaterThan(1e12);
    expect(errorsOf(diagnostics)).toEqual([
      `${file}:${where(text, 'synRetries: 20').replace(/:\d+$/, (c) => `:${Number(c.slice(1)) + 12}`)}: error: synRetries 20 with initialRtoMs 3600000 would retransmit a SYN for 7.55e+9 s (each wait doubles), past the limit of 1,000,000,000 s (at most synRetries 17 with initialRtoMs 3600000)`,
    ]);
  });
});

describe('one client control port in two sessions (finding 12)', () => {
  it('is an error at the second session\'s controlPort when the first is still running', () => {
    const { file, text, diagnostics } = load('12-same-control-port.yaml');
    expect(errorsOf(diagnostics)).toEqual([
      `${file}:${where(text, '40000', 2)}: error: session 'second' uses client 10.0.0.2 port 40000 while session 'first' still does (from 0 s to at least 10.01 s): both would be one TCP connection (give one of them another controlPort, or start it later)`,
    ]);
  });

  it('is fine when the second starts after the first has ended', () => {
    const { value, diagnostics } = load('12-same-control-port-later.yaml');
    expect(errorsOf(diagnostics)).toEqual([]);
    expect(value!.sessions).toHaveLength(2);
  });

  it('the bundled two-sessions scenario (two clients, one port each) still loads', () => {
    expect(loadBundledScenario('scenarios/two-sessions.yaml').sessions).toHaveLength(2);
  });
});
