import { describe, expect, it } from 'vitest';
import { loadProfiles } from '../../src/cli/probe.js';
import { readClientProfiles, readServerProfiles } from '../../src/probe/profiles.js';

describe('client and server profiles', () => {
  const { clients, servers } = loadProfiles();

  it('bundles the five clients and four servers, each with facts and web sources', () => {
    expect(clients.map((c) => c.name)).toEqual(['curl', 'lftp', 'filezilla', 'windows-ftp', 'browser']);
    expect(servers.map((s) => s.name)).toEqual(['vsftpd', 'proftpd', 'pure-ftpd', 'iis']);
    for (const p of [...clients, ...servers]) {
      expect(p.facts.length, p.name).toBeGreaterThan(0);
      for (const src of p.sources) expect(src, p.name).toMatch(/^https?:\/\//);
    }
  });

  it('encodes what each program is known for', () => {
    const curl = clients.find((c) => c.name === 'curl')!;
    expect([curl.defaultMode, curl.fallback]).toEqual(['EPSV', true]);
    expect(clients.find((c) => c.name === 'windows-ftp')!.modes).toEqual(['PORT']);
    expect(clients.find((c) => c.name === 'browser')!.modes).toEqual(['EPSV', 'PASV']);
    expect(servers.find((s) => s.name === 'vsftpd')!.activeSourcePorts).toEqual([20, 20]);
    expect(servers.find((s) => s.name === 'iis')!.activeSourcePorts).toEqual([49152, 65535]);
  });

  it('says what is wrong with a bad profile document, by profile', () => {
    const c = readClientProfiles({ clients: [{ name: 'x', modes: ['PASVV'], default: 'PASV', ephemeralPorts: [2, 1], sources: [] }] }, 'c.json');
    expect(c.problems.map((d) => d.message)).toEqual([
      'c.json: clients[0] (x): "modes" must list some of PORT, PASV, EPRT, EPSV',
      'c.json: clients[0] (x): "ephemeralPorts" must be [lo, hi] within 1-65535',
      'c.json: clients[0] (x): every profile needs "sources"',
    ]);
    const s = readServerProfiles({ nope: [] }, 's.json');
    expect(s.problems.map((d) => d.message)).toEqual(['s.json: expected an object with a "servers" list']);
  });
});
