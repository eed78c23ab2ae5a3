import { describe, expect, it } from 'vitest';
import { lexLine } from '../../../src/dialects/h3c/lexer.js';
import { parseConfig } from '../../../src/dialects/load.js';

describe('H3C lexer: ftpwall directives', () => {
  it('leaves a trailing "# ftpwall: ignore …" out of the command, keeping the line text', () => {
    const line = lexLine(' rule 5 permit ip # ftpwall: ignore redundant', 3, 'a.cfg');
    expect(line.tokens.map((t) => t.text)).toEqual(['rule', '5', 'permit', 'ip']);
    expect(line.text).toBe(' rule 5 permit ip # ftpwall: ignore redundant');
  });

  it('drops any other trailing "#" comment too (issue 9: a trailing comment never becomes part of a command or a name)', () => {
    const { value, diagnostics } = parseConfig('acl advanced 3000\n rule 5 permit ip # a note\n', 'a.cfg');
    expect(diagnostics.filter((d) => d.severity !== 'info')).toEqual([]);
    expect(value.acls[0]!.rules.map((r) => r.text)).toEqual(['rule 5 permit ip']);
  });
});
