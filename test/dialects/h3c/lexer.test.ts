import { describe, expect, it } from 'vitest';
import { lexLine } from '../../../src/dialects/h3c/lexer.js';
import { parseConfig } from '../../../src/dialects/load.js';

describe('H3C lexer: ftpwall directives', () => {
  it('leaves a trailing "# ftpwall: ignore …" out of the command, keeping the line text', () => {
    const line = lexLine(' rule 5 permit ip # ftpwall: ignore redundant', 3, 'a.cfg');
    expect(line.tokens.map((t) => t.text)).toEqual(['rule', '5', 'permit', 'ip']);
    expect(line.text).toBe(' rule 5 permit ip # ftpwall: ignore redundant');
  });

  it('keeps any other "#" inside a command, so it is still refused as unexpected', () => {
    const { diagnostics } = parseConfig('acl advanced 3000\n rule 5 permit ip # a note\n', 'a.cfg');
    expect(diagnostics.map((d) => `${d.span?.line}:${d.span?.column} ${d.message}`)).toEqual(["2:19 unexpected '#' in rule"]);
  });
});
