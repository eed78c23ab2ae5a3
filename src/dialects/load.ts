/** Picks the dialect parser for a device config: H3C Comware, iptables-save, nft, told or detected from the content. */
import type { Parsed } from '../diag/diagnostic.js';
import type { Platform, Policy } from '../policy/model.js';
import { detectDialect, notTextConfig, spansInLines, type Dialect } from './config-text.js';
import { parseH3cConfig } from './h3c/index.js';
import { parseIptablesSave } from './iptables/parse.js';
import { parseNftRuleset } from './nft/parse.js';

export { DIALECTS, detectDialect, type Dialect } from './config-text.js';

/** Parses a device config of the given dialect into the neutral policy. */
export function parseConfig(text: string, file: string, dialect: Dialect | 'auto' = 'auto', options: { readonly platform?: Platform } = {}): Parsed<Policy> {
  return notTextConfig(text, file) ?? spansInLines(parseDialect(text, file, dialect === 'auto' ? detectDialect(text) : dialect, options));
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
