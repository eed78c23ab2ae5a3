/**
 * The fuzz harness's span invariant across readers. The H3C reader breaks lines at CRLF, CR or LF
 * (device consoles send bare CRs); the iptables, nft and scenario readers at LF or CRLF. The cli
 * target can make a Linux reader read a `.cfg` (`--dialect nft`), so its check accepts a place that
 * holds under either reader's convention; every other target checks by the file's name. Found by
 * the 1,000,000-input cli run (#788853: a mutated config with a bare CR, read with --dialect nft).
 */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/dialects/load.js';
import { spanProblems } from '../../fuzz/spans.js';

const FILE = 'm.cfg';
// a bare CR on line 2: the nft reader sees 4 lines, the H3C convention 5
const TEXT = 'table inet f {\n}\r# note\nsysname x\n';

describe('fuzz span check: line breaks by reader', () => {
  const errors = parseConfig(TEXT, FILE, 'nft').diagnostics.filter((d) => d.span);
  const files = new Map([[FILE, TEXT]]);

  it('the nft reader numbers lines at LF: the bare CR stays inside line 2, `sysname` is line 3', () => {
    expect(errors.map((d) => `${d.span!.line}:${d.span!.column} ${JSON.stringify(d.span!.lineText)}`)).toEqual(['2:2 "}\\r# note"', '3:1 "sysname x"']);
  });

  it('by the file name (.cfg: CR breaks too) the places look wrong; by any reader they hold', () => {
    expect(errors.map((d) => spanProblems(d, files, new Map(), 'by-name'))).toEqual([['line text is not line 2 of the file'], ['line text is not line 3 of the file']]);
    expect(errors.map((d) => spanProblems(d, files, new Map(), 'any-reader'))).toEqual([[], []]);
  });

  it('a place that holds under no convention is still a finding', () => {
    const wrong = { ...errors[1]!, span: { ...errors[1]!.span!, line: 1 } };
    expect(spanProblems(wrong, files, new Map(), 'any-reader')).toEqual(['line text is not line 1 of the file']);
  });
});
