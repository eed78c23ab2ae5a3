import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ftpwall } from '../helpers/cli.js';

// Real public Comware configs (test/fixtures/real/SOURCES.md): each passes `ftpwall check` with exit 0,
// and its summary lists exactly what the file has, counted here from the text with plain regular
// expressions (independently of the parser).
const DIR = 'test/fixtures/real';
const FILES = readdirSync(DIR).filter((f) => f.endsWith('.cfg')).sort();

/** What the source text declares, by line-oriented regular expressions. */
function countFromText(text: string): { acls: number; bindings: number; zonePairs: number; aspf: number; interfaces: number } {
  const lines = text.split(/\r\n|\r|\n/);
  const acls = new Set<string>();
  const interfaces = new Set<string>();
  let bindings = 0;
  let zonePairs = 0;
  let aspf = 0;
  for (const l of lines) {
    const acl = /^\s*acl\s+((?:ipv6\s+)?(?:number|advanced|basic|name)\s+\S+)/i.exec(l);
    if (acl) acls.add(acl[1]!.toLowerCase());
    if (/^\s*(?:firewall\s+)?packet-filter\s+(?:ipv6\s+)?(?:\d+|name\s+\S+)\s+(?:inbound|outbound)\b/i.test(l)) bindings++;
    if (/^\s*zone-pair\s+security\s+source\s/i.test(l)) zonePairs++;
    if (/^\s*(?:aspf\s+apply\s+policy|firewall\s+aspf)\s/i.test(l)) aspf++;
    const ifc = /^\s*interface\s+(?!range\b)([A-Za-z-]+)\s*(\d[\d/:.]*)/i.exec(l);
    if (ifc) interfaces.add(`${ifc[1]!.toLowerCase()}${ifc[2]}`);
  }
  return { acls: acls.size, bindings, zonePairs, aspf, interfaces: interfaces.size };
}

/** The same facts, as `check` summarises them. */
function countFromSummary(stdout: string): { acls: number; bindings: number; zonePairs: number; aspf: number; interfaces: number } {
  const lines = stdout.split('\n');
  const ifaceLines = lines.filter((l) => /^ {2}\S+: (no packet filter|packet-filter )/.test(l));
  return {
    acls: lines.filter((l) => /^ {2}acl /.test(l)).length,
    bindings: ifaceLines.reduce((n, l) => n + (l.match(/packet-filter /g)?.length ?? 0), 0),
    zonePairs: lines.filter((l) => /^ {2}zone-pair /.test(l)).length,
    aspf: lines.filter((l) => /^ {2}stateful inspection: ASPF/.test(l)).length,
    interfaces: ifaceLines.length,
  };
}

describe('real public Comware configs', () => {
  it('are all listed in SOURCES.md with their repository, path and commit', () => {
    const sources = readFileSync(`${DIR}/SOURCES.md`, 'utf8');
    for (const f of FILES) expect(sources).toMatch(new RegExp(`\\| ${f.replace(/\./g, '\\.')} \\| [\\w.-]+/[\\w.-]+ \\| \\S+ \\| [0-9a-f]{40} \\|`));
    expect(FILES.length).toBeGreaterThanOrEqual(9);
  });

  for (const f of FILES)
    it(`${f} passes check with exit 0, and the summary lists exactly its ACLs, bindings, zone pairs, ASPF applications and interfaces`, () => {
      const r = ftpwall(['check', `${DIR}/${f}`]);
      expect(r.stderr).not.toMatch(/ error: /);
      expect(r.status).toBe(0);
      expect(r.stdout).toContain(`${DIR}/${f}: ok`);
      const want = countFromText(readFileSync(`${DIR}/${f}`, 'utf8'));
      expect(want.interfaces).toBeGreaterThan(0);
      expect(countFromSummary(r.stdout)).toEqual(want);
    });
});
