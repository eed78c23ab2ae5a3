/**
 * H3C Comware device configs → the neutral Policy. Accepts Comware 5 and 7
 * syntax: a whole `display current-configuration`, a snippet, or a bare list of
 * rules. Never throws on bad input: every problem is a located Diagnostic.
 */
import { sortDiagnostics, type Parsed } from '../../diag/diagnostic.js';
import type { Platform, Policy } from '../../policy/model.js';
import { platformSensitivity, withPlatform } from '../../policy/platform.js';
import { detectPlatform } from './platform.js';
import { convertConfig } from './convert.js';
import { parseVendorConfig } from './parser.js';

export { normalizeInterfaceName } from './keywords.js';

/**
 * Parses an H3C Comware config (`file` names it in diagnostics and Policy.source). The kind of device
 * (`platform`, else told by the config, else a router, with a warning where that changes a verdict)
 * decides the `match-order auto` tie-break and how TCP flags of one rule combine.
 */
export function parseH3cConfig(text: string, file: string, options: { readonly platform?: Platform } = {}): Parsed<Policy> {
  const { config, diagnostics } = parseVendorConfig(text, file);
  const diags = [...diagnostics];
  const converted = convertConfig(config, diags);
  const clue = options.platform ? undefined : detectPlatform(text, file);
  const platform = options.platform ?? clue?.platform ?? 'router';
  if (!options.platform && !clue) {
    for (const why of platformSensitivity(converted))
      diags.push({
        severity: 'warning',
        message: `this config does not tell the kind of device, and it matters here: ${why.text}; ftpwall assumes a router`,
        span: why.at,
        suggestion: 'give --platform switch|router|firewall',
      });
  }
  // H3C SecPath F1000 security zones: packets between two interfaces in no zone are discarded
  // (https://www.h3c.com/en/d_202205/1608028_294551_0.htm), where routers forward them (HPE HSR6800). The
  // config tells a firewall by its security policies (convert-zones.ts); `--platform firewall` tells it too.
  // A `security-zone` line alone does not: MSR routers have zones.
  const zoned = options.platform === 'firewall' && converted.zones?.unzoned === 'permit' ? { ...converted, zones: { ...converted.zones, unzoned: 'deny' as const } } : converted;
  return { value: withPlatform(zoned, platform), diagnostics: sortDiagnostics(diags) };
}
