/**
 * A device config's text before and after its dialect's parser: which dialect the content shows, a
 * binary file refused before any parser runs, every span kept inside its line. No parser is loaded
 * here, so a command can tell the dialect first and load only that dialect's parser (cold start).
 */
import { clampSpan, type Parsed } from '../diag/diagnostic.js';
import type { Policy } from '../policy/model.js';

/** Device config dialects ftpwall reads. */
export const DIALECTS = ['h3c', 'iptables', 'nft'] as const;
/** One of DIALECTS. */
export type Dialect = (typeof DIALECTS)[number];

/** True when the text looks like iptables-save output (a `*table` line and `:CHAIN` or `-A` lines). */
export function looksLikeIptablesSave(text: string): boolean {
  return /^\*(raw|mangle|nat|filter|security)\s*$/m.test(text) && /^(:\S+ \S+|-A \S+)/m.test(text);
}

/** True when the text looks like an nft ruleset (a `table FAMILY NAME {` line). */
export function looksLikeNft(text: string): boolean {
  return /^\s*table\s+(inet|ip|ip6|arp|bridge|netdev)\s+\S+\s*\{/m.test(text);
}

/** The dialect a config's content shows: iptables-save output, an nft ruleset, else H3C Comware. */
export function detectDialect(text: string): Dialect {
  return looksLikeIptablesSave(text) ? 'iptables' : looksLikeNft(text) ? 'nft' : 'h3c';
}

/** The result for a file that is not text (a NUL byte: a capture or an archive given by mistake), else undefined. */
export function notTextConfig(text: string, file: string): Parsed<Policy> | undefined {
  const nul = text.indexOf('\0');
  if (nul < 0) return undefined;
  const empty: Policy = { source: file, acls: [], bindings: [], defaultAction: { action: 'permit' }, inspections: [], interfaces: [] };
  const byteOffset = Buffer.byteLength(text.slice(0, nul), 'utf8');
  return {
    value: empty,
    diagnostics: [{ severity: 'error', message: 'not a text file: a NUL byte, so this is not a device config', bytes: { file, byteOffset }, suggestion: 'give the exported configuration text (display current-configuration)' }],
  };
}

/** A parser's result with every span kept inside its line, however a dialect built it (the fuzzer found a zero-length one). */
export function spansInLines(r: Parsed<Policy>): Parsed<Policy> {
  return { value: r.value, diagnostics: r.diagnostics.map((d) => (d.span ? { ...d, span: clampSpan(d.span) } : d)) };
}
