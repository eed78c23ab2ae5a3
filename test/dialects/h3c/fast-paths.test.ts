/**
 * The shortcuts `check` of 100,000 rules takes (issue 13) give what the long way gives: a word is
 * lower-cased only when it has a character that can change, a rule's text is a slice of its line only
 * when the line says exactly that text (its words one space apart, nothing after them), and the platform clue scan skips only lines whose first word
 * cannot start a clue.
 */
import { describe, expect, it } from 'vitest';
import { lexLine } from '../../../src/dialects/h3c/lexer.js';
import { detectPlatform } from '../../../src/dialects/h3c/platform.js';
import { ruleTextOfBody, ruleTextOfLine } from '../../../src/dialects/h3c/rule-text.js';
import { parseConfig } from '../../../src/dialects/load.js';

describe('H3C fast paths', () => {
  it('lower-cases the words with upper-case or non-ASCII letters, and keeps the others as written', () => {
    const line = lexLine(' Rule 5 PERMIT tcp source 10.0.0.1 0 ÉTÉ über x-Y', 1, 'a.cfg');
    expect(line.tokens.map((t) => t.lower)).toEqual(['rule', '5', 'permit', 'tcp', 'source', '10.0.0.1', '0', 'été', 'über', 'x-y']);
    expect(line.tokens.map((t) => t.text)).toEqual(['Rule', '5', 'PERMIT', 'tcp', 'source', '10.0.0.1', '0', 'ÉTÉ', 'über', 'x-Y']);
  });

  it.each([
    ' rule 5 permit tcp source 10.0.0.1 0 destination-port eq 21',
    ' rule 5 permit tcp source 10.0.0.1 0 destination-port eq 21   ',
    ' rule 5  permit tcp source 10.0.0.1 0 destination-port eq 21',
    ' rule 5 permit tcp source 10.0.0.1 0\tdestination-port eq 21',
    ' rule 5 permit tcp source 10.0.0.1 0 destination-port  eq 21',
    ' rule 5 permit tcp source 10.0.0.1/32 destination-port eq 21',
    ' rule 5 permit tcp source 10.0.0.1 0.0.0.0 destination-port eq 21',
    ' rule 05 permit tcp source 10.0.0.1 0 destination-port eq 21',
    ' RULE 5 permit TCP source 10.0.0.1 0 destination-port eq 21',
    ' rule 5 permit tcp source 10.0.0.1 0 destination-port eq ftp',
    '[H3C-acl-ipv4-adv-3000]rule 5 permit tcp source 10.0.0.1 0 destination-port eq 21',
    'rule 5 permit tcp source 10.0.0.1 0 destination-port eq 21 # note',
  ])('gives the rule of %j its normalised text', (line) => {
    const { value, diagnostics } = parseConfig(`acl advanced 3000\n${line}\n`, 'a.cfg');
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const body = line.endsWith('ftp') ? 'permit tcp source 10.0.0.1 0 destination-port eq ftp' : 'permit tcp source 10.0.0.1 0 destination-port eq 21';
    expect(value.acls[0]!.rules.map((r) => r.text)).toEqual([`rule 5 ${body}`]);
  });

  it('slices the text from the line only when the line is that text', () => {
    const at = (lineText: string, column: number) => ({ file: 'a.cfg', line: 1, column, length: 1, lineText });
    expect(ruleTextOfLine({ id: 5, at: at(' rule 5 permit ip', 2) }, 'permit ip')).toBe('rule 5 permit ip');
    expect(ruleTextOfLine({ id: 5, at: at(' rule 5 permit ip ', 2) }, 'permit ip')).toBe(ruleTextOfBody(5, 'permit ip'));
    expect(ruleTextOfLine({ id: 5, at: at(' rule 15 permit ip', 2) }, 'permit ip')).toBe('rule 5 permit ip');
    expect(ruleTextOfLine({ id: 15, at: at(' rule 5 permit ip', 2) }, 'permit ip')).toBe('rule 15 permit ip');
    expect(ruleTextOfLine({ id: 5, at: at(' rule 5 deny ip', 2) }, 'permit ip')).toBe('rule 5 permit ip');
    expect(ruleTextOfLine({ id: 5, at: at('rule 5 permit ip', 0) }, 'permit ip')).toBe('rule 5 permit ip');
  });

  it.each([
    ['acl advanced 3000\r\n rule 0 permit ip\r\nsysname S5130\r\n', 'switch', 3, 'sysname S5130'],
    ['acl advanced 3000\n rule 0 permit ip\n\t Sysname MSR3620\n', 'router', 3, '\t Sysname MSR3620'],
    ['acl advanced 3000\n\u00a0security-zone name Trust\n', 'firewall', 2, '\u00a0security-zone name Trust'],
    ['acl advanced 3000\n\vfirewall enable\r', 'router', 2, '\vfirewall enable\r'],
    ['rule 0 permit ip\r\rsysname S5130\n', undefined, 0, ''],
    ['', undefined, 0, ''],
  ] as const)('finds the platform clue of %j where splitting at each line break would', (text, platform, line, lineText) => {
    const clue = detectPlatform(text, 'a.cfg');
    expect(clue?.platform).toBe(platform);
    if (clue) expect(clue.at).toMatchObject({ line, lineText });
  });
});
