/**
 * parseConfig (load.ts) with only the parser of the config's own dialect loaded, when the config
 * asks for it: `ftpwall check` of an H3C config loads no iptables or nft parser (cold start).
 * Same results as parseConfig, which the synchronous callers keep using.
 */
import type { Parsed } from '../diag/diagnostic.js';
import type { Platform, Policy } from '../policy/model.js';
import { detectDialect, notTextConfig, spansInLines, type Dialect } from './config-text.js';

/** Parses a device config of the given dialect (or the one its content shows), loading that dialect's parser only. */
export async function parseConfigLoading(text: string, file: string, dialect: Dialect | 'auto' = 'auto', options: { readonly platform?: Platform } = {}): Promise<Parsed<Policy>> {
  const notText = notTextConfig(text, file);
  if (notText) return notText;
  switch (dialect === 'auto' ? detectDialect(text) : dialect) {
    case 'iptables': {
      const { parseIptablesSave } = await import('./iptables/parse.js');
      return spansInLines(parseIptablesSave(text, file));
    }
    case 'nft': {
      const { parseNftRuleset } = await import('./nft/parse.js');
      return spansInLines(parseNftRuleset(text, file));
    }
    case 'h3c': {
      const { parseH3cConfig } = await import('./h3c/index.js');
      return spansInLines(parseH3cConfig(text, file, options));
    }
  }
}
