/** Picks the dialect parser for a device config: H3C Comware, iptables-save, nft, told or detected from the content. */
import { clampSpan, type Parsed } from '../diag/diagnostic.js';
import type { Platform, Policy } from '../policy/model.js';
import { parseH3cConfig } from './h3c/index.js';
import { looksLikeIptablesSave, parseIptablesSave } from './iptables/parse.js';
import { looksLikeNft, parseNftRuleset } from './nft/parse.js';

/** Device config dialects ftpwall reads. */
export const DIALECTS = ['h3c', 'iptables', 'nft'] as const;
/** One of DIALECTS. */
export type Dialect = (typeof DIALECTS)[number];

/** Parses a device config of the given dialect into the neutral policy. */
export function parseConfig(text: string, file: string, dialect: Dialect | 'auto' = 'auto', options: { readonly platform?: Platform } = {}): Parsed<Policy> {
  const nul = text.indexOf('\0');
  if (nul >= 0) {
    // a device config is text; a NUL byte means a binary file (a capture, an archive) was given by mistake
    const empty: Policy = { source: file, acls: [], bindings: [], defaultAction: { action: 'permit' }, inspections: [], interfaces: [] };
    const byteOffset = Buffer.byteLength(text.slice(0, nul), 'utf8');
    return {
      value: empty,
      diagnostics: [{ severity: 'error', message: 'not a text file: a NUL byte, so this is not a device config', bytes: { file, byteOffset }, suggestion: 'give the exported configuration text (display current-configuration)' }],
    };
  }
  const r = parseDialect(text, file, dialect === 'auto' ? detectDialect(text) : dialect, options);
  // every span kept inside its line, however a dialect built it (the fuzzer found a zero-length one)
  return { value: r.value, diagnostics: r.diagnostics.map((d) => (d.span ? { ...d, span: clampSpan(d.span) } : d)) };
}

function parseDialect(text: string, file: string, dialect: Dialect, options: { readonly platform?: Platform }): Parsed<Policy> {
  switch (dialect) {
    case 'iptables':
      return parseIptablesSave(text, file);
    case 'nft':
      return parseNftRuleset(text, file);
    case 'h3c':
      return parseH3cConfig(text, file, options);
  }
}

/** The dialect a config's content shows: iptables-save output, an nft ruleset, else H3C Comware. */
export function detectDialect(text: string): Dialect {
  return looksLikeIptablesSave(text) ? 'iptables' : looksLikeNft(text) ? 'nft' : 'h3c';
}
