import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { aspfReachWarnings } from '../../src/analysis/aspf-reach.js';
import { formatDiagnostic } from '../../src/diag/diagnostic.js';
import { parseConfig } from '../../src/dialects/load.js';

const STATEFUL = readFileSync('rules/stateful.cfg', 'utf8').replace(' aspf apply policy 1 inbound\n', '');

function withAspf(iface: string, direction: string): string {
  return STATEFUL.replace(`interface ${iface}\n`, `interface ${iface}\n aspf apply policy 1 ${direction}\n`);
}

function warnings(text: string): string[] {
  return aspfReachWarnings(parseConfig(text, 'a.cfg').value).map((d) => formatDiagnostic(d).split('\n')[0]!);
}

describe('check warns about ASPF where no FTP client SYN can pass', () => {
  it('says nothing where the clients\' SYNs enter (inbound on the client side) or leave (outbound on the server side)', () => {
    expect(warnings(withAspf('GigabitEthernet2/1/1', 'inbound'))).toEqual([]);
    expect(warnings(withAspf('GigabitEthernet2/1/10', 'outbound'))).toEqual([]);
  });

  it('warns, with the rule that denies the SYN and where to apply ASPF instead, inbound on the server side', () => {
    const text = withAspf('GigabitEthernet2/1/10', 'inbound');
    const lines = text.split('\n');
    const aspfLine = lines.indexOf(' aspf apply policy 1 inbound') + 1;
    const denyLine = lines.indexOf('acl advanced 3001') + 3; // header, description, rule deny ip
    expect(lines[denyLine - 1]).toBe(' rule deny ip');
    expect(warnings(text)).toEqual([
      `a.cfg:${aspfLine}:2: warning: ASPF applied inbound on GigabitEthernet2/1/10 never sees an FTP client's SYN to port 21: a SYN entering GigabitEthernet2/1/10 is denied by acl 3001 rule 0 (rule 0 deny ip, a.cfg:${denyLine}).` + " No FTP control connection becomes an ASPF session here, so its return traffic and data connections meet the packet filters (FTP is blocked where they deny them) (apply it inbound on GigabitEthernet2/1/1, where the clients' SYNs pass)",
    ]);
  });

  it('warns outbound on the client side: a SYN leaving there must have entered the server side, where it is denied', () => {
    const [w] = warnings(withAspf('GigabitEthernet2/1/1', 'outbound'));
    expect(w).toContain('ASPF applied outbound on GigabitEthernet2/1/1 never sees an FTP client\'s SYN to port 21: a SYN entering GigabitEthernet2/1/10 is denied by acl 3001 rule 0');
  });

  it('says nothing when nothing filters (every SYN passes)', () => {
    expect(warnings('aspf policy 1\n detect ftp\ninterface GigabitEthernet2/1/10\n aspf apply policy 1 inbound\n')).toEqual([]);
  });

  it('the bundled rules/aspf-wrong-side.cfg gets the warning', () => {
    const text = readFileSync('rules/aspf-wrong-side.cfg', 'utf8');
    const ws = aspfReachWarnings(parseConfig(text, 'rules/aspf-wrong-side.cfg').value);
    expect(ws.map((d) => `${d.span?.line}:${d.span?.column}`)).toEqual(['29:2']);
  });
});
