/**
 * H3C Comware device configs → the neutral Policy. Accepts Comware 5 and 7
 * syntax: a whole `display current-configuration`, a snippet, or a bare list of
 * rules. Never throws on bad input: every problem is a located Diagnostic.
 */
import { sortDiagnostics, type Parsed } from '../../diag/diagnostic.js';
import type { Policy } from '../../policy/model.js';
import { convertConfig } from './convert.js';
import { parseVendorConfig } from './parser.js';

export { normalizeInterfaceName } from './keywords.js';

/** Parses an H3C Comware config (`file` names it in diagnostics and Policy.source). */
export function parseH3cConfig(text: string, file: string): Parsed<Policy> {
  const { config, diagnostics } = parseVendorConfig(text, file);
  const diags = [...diagnostics];
  const value = convertConfig(config, diags);
  return { value, diagnostics: sortDiagnostics(diags) };
}
