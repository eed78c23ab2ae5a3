import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { prepareProbe, type ProbeFlags } from '../../src/cli/probe.js';
import { makeFirewall, resolveEngine } from '../../src/cli/inputs.js';
import { parseConfig } from '../../src/dialects/load.js';
import { policyExposure } from '../../src/fix/exposure.js';
import { addedLines, fix, type FixResult, type LoadedForProbe } from '../../src/fix/fix.js';
import { formatFix } from '../../src/fix/format.js';
import { probe } from '../../src/probe/probe.js';
import { PLAIN_STYLE } from '../../src/report/style.js';
import { flags } from '../probe/helpers.js';

/** The probe options of these tests: vsftpd with the passive range 50000-50100, every client profile. */
const OPTS: Partial<ProbeFlags> = { serverProfile: ['vsftpd'], passivePorts: '50000-50100' };

function runFix(config: string, more: Partial<ProbeFlags> = OPTS): { result: FixResult; load: (t: string) => LoadedForProbe; text: string } {
  const p = prepareProbe(flags(config, more));
  const load = (text: string): LoadedForProbe => {
    const { value, diagnostics } = parseConfig(text, config);
    const engine = resolveEngine('auto', value, p.engineOptions);
    return { policy: value, engine, diagnostics, firewall: () => makeFirewall(engine, value, p.engineOptions) };
  };
  const { policy: _p, engine: _e, firewall: _f, ...probeReq } = p.request;
  return { result: fix({ file: config, text: p.text, load, probe: probeReq }), load, text: p.text };
}

/** Exposure of a config text under the probe's sides. */
function exposureOf(load: (t: string) => LoadedForProbe, text: string, r: FixResult): number {
  const l = load(text);
  const sides = r.before.clients.map((c) => ({ server: r.before.servers[0]!, client: c }));
  return policyExposure(l.policy, l.engine, sides).portPairs;
}

/** seed-active with seed-passive's `gt 1024` data rule added: how the seeds make every mode work. */
function seedsCombined(): string {
  return readFileSync('rules/seed-active.cfg', 'utf8').replace(
    ' # a bound ACL permits',
    ' rule 7 permit tcp source 192.168.10.1 0 source-port gt 1024 destination-port gt 1024\n # a bound ACL permits',
  );
}

describe('fix on the seed configs', () => {
  for (const seed of ['seed-active', 'seed-passive']) {
    it(`${seed}: every candidate makes every mode work when re-probed, and the ASPF one ranks first`, () => {
      const { result, load } = runFix(`rules/${seed}.cfg`);
      expect(result.blockedModes.length).toBe(2);
      expect(result.candidates.map((c) => [c.rank, c.kind, c.verified])).toEqual([
        [1, 'stateful', true],
        [2, 'static', true],
        [3, 'static', true],
      ]);
      for (const c of result.candidates) {
        // re-probe the patched text from scratch: nothing blocked, nothing partly
        const l = load(c.patched);
        expect(l.diagnostics.filter((d) => d.severity !== 'info')).toEqual([]);
        const again = probe({ ...prepareProbe(flags(`rules/${seed}.cfg`, OPTS)).request, policy: l.policy, engine: l.engine, firewall: l.firewall });
        expect(again.cells.filter((x) => x.verdict !== 'works' && x.verdict !== 'n/a')).toEqual([]);
      }
      const [aspf, tight] = result.candidates;
      expect(aspf!.exposure!.portPairs).toBe(0);
      expect(aspf!.exposure!.portPairs).toBeLessThan(tight!.exposure!.portPairs);
    });
  }

  it("seed-active: the static rules open strictly less than the seeds' gt 1024 rules do for the same modes", () => {
    const { result, load } = runFix('rules/seed-active.cfg');
    const seeds = exposureOf(load, seedsCombined(), result);
    const statics = result.candidates.filter((c) => c.kind === 'static');
    for (const c of statics) expect(c.exposure!.portPairs).toBeLessThan(seeds);
    // the passive rule names the exact server, the passive range and the clients' ephemeral ports, never gt 1024
    const plain = statics.find((c) => c.removed.length === 0)!;
    expect(plain.added.map((a) => a.text)).toEqual([' rule 6 permit tcp source 192.168.10.1 0 source-port range 50000 50100 destination-port range 32768 65535']);
  });

  it("seed-passive: the tight static candidate replaces the gt 1024 rule and opens strictly less than the seed", () => {
    const { result } = runFix('rules/seed-passive.cfg');
    const tight = result.candidates.find((c) => c.kind === 'static' && c.removed.length > 0)!;
    expect(tight.removed).toEqual(['acl 3000 rule 5 (rules/seed-passive.cfg:8): rule 5 permit tcp source 192.168.10.1 0 source-port gt 1024 destination-port gt 1024']);
    expect(tight.added.map((a) => a.text)).toEqual([
      ' rule 1 permit tcp source 192.168.10.1 0 source-port eq 20 destination-port range 32768 65535',
      ' rule 2 permit tcp source 192.168.10.1 0 source-port range 50000 50100 destination-port range 32768 65535',
      ' undo rule 5',
    ]);
    expect(tight.exposure!.portPairs).toBeLessThan(result.exposureBefore.portPairs);
    expect(tight.added.some((a) => /gt 1024/.test(a.text))).toBe(false);
  });

  it('places new rules before the blocking rule with ids between its neighbours, keeping every other id', () => {
    const { result, load } = runFix('rules/seed-active.cfg');
    const plain = result.candidates.find((c) => c.kind === 'static' && c.removed.length === 0)!;
    const acl = load(plain.patched).policy.acls[0]!;
    expect(acl.rules.map((r) => r.id)).toEqual([0, 5, 6, 10]);
    expect(acl.rules[3]!.text).toBe('rule 10 deny ip');
  });

  it('keeps the original text and comments: the patch only inserts lines', () => {
    const { result, text } = runFix('rules/seed-passive.cfg');
    for (const c of result.candidates) {
      const kept = c.patched.split('\n').filter((_, i) => !c.added.some((a) => a.line === i + 1));
      expect(kept.join('\n')).toBe(text.replace(/\n$/, '') + (c.patched.endsWith('\n') ? '\n' : ''));
    }
    const aspf = result.candidates[0]!;
    expect(aspf.added.map((a) => a.text)).toEqual([
      ' undo rule 0',
      ' undo rule 5',
      'aspf policy 1',
      ' detect ftp',
      '#',
      'acl advanced 3001',
      ' description ftpwall fix: new connections to the FTP server on GigabitEthernet2/1/10: port 21 only',
      ' rule 0 permit tcp destination 192.168.10.1 0 destination-port eq 21',
      ' rule 5 deny tcp destination 192.168.10.1 0',
      '#',
      ' packet-filter 3001 outbound',
      ' aspf apply policy 1 outbound',
    ]);
  });

  it('finds nothing to fix on the stateful config', () => {
    const { result } = runFix('rules/stateful.cfg');
    expect(result.blockedModes).toEqual([]);
    expect(result.candidates).toEqual([]);
    expect(formatFix(result, 'rules/stateful.cfg', PLAIN_STYLE)[1]).toBe('  every probed mode already works: nothing to fix');
  });

  it('widens a too-narrow passive rule for the ports the server really uses (50051-50100)', () => {
    const { result } = runFix('rules/passive-range.cfg', { ...OPTS, mode: ['PASV', 'EPSV'] });
    const plain = result.candidates.find((c) => c.kind === 'static' && c.removed.length === 0)!;
    expect(plain.verified).toBe(true);
    expect(plain.added.map((a) => a.text)).toEqual([' rule 6 permit tcp source 192.168.10.1 0 source-port range 50000 50100 destination-port range 32768 65535']);
  });
});

describe('fix on other ACL shapes', () => {
  it('in a match-order auto ACL a new rule takes a free id at the end: depth-first order puts it before the subnet deny', () => {
    const { result, load } = runFix('rules/match-order-auto.cfg', { serverProfile: ['vsftpd'], clientProfile: ['curl'] });
    const plain = result.candidates.find((c) => c.kind === 'static' && c.removed.length === 0)!;
    expect(plain.verified).toBe(true);
    expect(plain.added.map((a) => [a.line, a.text])).toEqual([[11, ' rule 16 permit tcp source 192.168.10.1 0 source-port eq 20 destination-port range 32768 60999']]);
    // evaluation order: the new host rule sorts before 'deny ip source 192.168.10.0 0.0.0.255' (rule 0)
    const ids = load(plain.patched).policy.acls.find((a) => a.name === '3000')!.rules.map((r) => r.id);
    expect(ids.indexOf(16)).toBeLessThan(ids.indexOf(0));
  });
});

describe('fix in Comware 5 syntax', () => {
  it('writes the ASPF candidate of a Comware 5 config with Comware 5 commands', () => {
    const { result } = runFix('rules/comware5.cfg', { serverProfile: ['vsftpd'], clientProfile: ['curl'] });
    const aspf = result.candidates[0]!;
    expect([aspf.kind, aspf.verified]).toEqual(['stateful', true]);
    const added = aspf.added.map((a) => a.text);
    expect(added).toContain('aspf-policy 1');
    expect(added).toContain('acl number 3002');
    expect(added.slice(-2)).toEqual([' firewall packet-filter 3002 outbound', ' firewall aspf 1 outbound']);
  });
});

describe('addedLines', () => {
  it('lists the inserted lines with their numbers in the patched text', () => {
    expect(addedLines('a\n#\nb\n', 'a\nx\n#\n#\nb\ny\n')).toEqual([
      { line: 2, text: 'x' },
      { line: 4, text: '#' },
      { line: 6, text: 'y' },
    ]);
  });
});

describe('fix on a device with many client interfaces', () => {
  it('counts the client sides past the fourth in its exposure lines instead of naming all twenty (the JSON keeps them all)', () => {
    const { result } = runFix('test/fixtures/probe/many-vlans.cfg', { serverProfile: ['vsftpd'], clientProfile: ['curl'] });
    expect(result.exposureBefore.pairs.length).toBe(20);
    const lines = formatFix(result, 'many-vlans.cfg', PLAIN_STYLE).filter((l) => l.includes('exposure'));
    expect(lines.length).toBeGreaterThan(1);
    for (const l of lines) {
      expect(l).toContain('; 16 more client sides)');
      expect(l.split(' → 192.168.10.1: ').length - 1).toBe(4);
    }
  });
});
