import { describe, expect, it } from 'vitest';
import { parseReplyLine, splitCommand } from '../../src/ftp/text.js';
import { clientVerb, NO_VERB, replyCode, transferOutcome, VERB_EPRT, VERB_PORT } from '../../src/replay/control-lines.js';

const bytes = (s: string) => new TextEncoder().encode(s);

/** RFC 959 4.2: a completion ends the transfer (226, 250); these failures end it too; `xyz-` opens a multi-line reply. */
function outcomeOf(line: string): number {
  const b = bytes(`>>${line}<<`); // the line sits inside a larger buffer
  return transferOutcome(b, 2, b.length - 2, replyCode(b, 2, b.length - 2));
}

describe('transfer outcome of a control reply, read from its bytes', () => {
  it('reads completions, failures, and nothing else', () => {
    expect(outcomeOf('226 Transfer complete.')).toBe(1);
    expect(outcomeOf('250 Requested file action okay, completed.')).toBe(1);
    expect(outcomeOf('226')).toBe(1);
    for (const code of [425, 426, 451, 452, 552]) expect(outcomeOf(`${code} failed`)).toBe(-1);
    expect(outcomeOf('150 Opening BINARY mode data connection')).toBe(0);
    expect(outcomeOf('227 Entering Passive Mode (10,0,0,1,4,1)')).toBe(0);
    expect(outcomeOf('200 OK')).toBe(0);
  });

  it('ignores the first line of a multi-line reply and lines that only start with digits', () => {
    expect(outcomeOf('226-Transfer complete, more follows')).toBe(0);
    expect(outcomeOf('2260 not a reply')).toBe(0);
    expect(outcomeOf('226\tTab is not the separator')).toBe(0);
    expect(outcomeOf('22')).toBe(0);
    expect(outcomeOf('x226 ok')).toBe(0);
  });

  it('agrees with the reply parser on every line above', () => {
    const lines = ['226 Transfer complete.', '226', '226-more', '2260 x', '250 ok', '425 no', '426-x', '552 full', '150 opening', '22', 'abc', '226\tx', '551 x', '126 x'];
    for (const line of lines) {
      const r = parseReplyLine(line);
      const expected = !r || r.continued ? 0 : r.code === 226 || r.code === 250 ? 1 : [425, 426, 451, 452, 552].includes(r.code) ? -1 : 0;
      expect(outcomeOf(line), line).toBe(expected);
    }
  });

  it('gives the code of a line that starts with three digits', () => {
    const b = bytes('227 Entering');
    expect(replyCode(b, 0, b.length)).toBe(227);
    expect(replyCode(b, 1, b.length)).toBe(-1);
    expect(replyCode(b, 0, 2)).toBe(-1);
  });
});

describe('PORT and EPRT told from a client line\'s bytes', () => {
  const verbOf = (line: string): number => {
    const b = new Uint8Array(line.length + 4);
    for (let i = 0; i < line.length; i++) b[i + 2] = line.charCodeAt(i); // Latin-1 bytes, inside a larger buffer
    return clientVerb(b, 2, 2 + line.length);
  };

  it('reads the verb in any case, followed by its argument (RFC 959 5.3)', () => {
    expect(verbOf('PORT 10,0,0,1,4,1')).toBe(VERB_PORT);
    expect(verbOf('port 10,0,0,1,4,1')).toBe(VERB_PORT);
    expect(verbOf('EPRT |1|10.0.0.1|1025|')).toBe(VERB_EPRT);
    expect(verbOf('ePrT |2|::1|1025|')).toBe(VERB_EPRT);
    expect(verbOf('PORT ')).toBe(VERB_PORT);
  });

  it('refuses other commands and near misses', () => {
    for (const line of ['PASV', 'PASS secret', 'EPSV', 'EPSV 2', 'PORT', 'PORTS 1', 'PORT\t1,2', 'EPRTX |1|', 'xPORT 1', 'P0RT 1', 'P\u00cfRT 1', 'RETR PORT 1'])
      expect(verbOf(line), line).toBe(NO_VERB);
  });

  it('agrees with the command splitter on every line above', () => {
    const lines = ['PORT 10,0,0,1,4,1', 'port 1', 'EPRT |1|', 'ePrT x', 'PORT ', 'PASV', 'PASS secret', 'EPSV 2', 'PORT', 'PORTS 1', 'PORT\t1', 'xPORT 1', 'P\u00cfRT 1', '\u00dfPORT 1', 'RETR PORT 1'];
    for (const line of lines) {
      const { verb } = splitCommand(line);
      const expected = line.length < 5 ? NO_VERB : verb === 'PORT' ? VERB_PORT : verb === 'EPRT' ? VERB_EPRT : NO_VERB;
      expect(verbOf(line), line).toBe(expected);
    }
  });
});
