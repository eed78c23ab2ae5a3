/**
 * Telling device configs from scenarios, and the `--dialect` and `--platform` options, for the
 * commands. Loads no parser, engine, scenario reader or YAML library, so that `check` loads only
 * the parser of the config's dialect (cold start); load-configs.ts reads and parses configs.
 */
import type { Diagnostic } from '../diag/diagnostic.js';
import { DIALECTS, type Dialect } from '../dialects/config-text.js';
import type { Platform } from '../policy/model.js';

/** True when the text reads like an ftpwall scenario (YAML with hosts and sessions), not a device config. */
export function looksLikeScenario(text: string): boolean {
  return /^hosts\s*:/m.test(text) && /^sessions\s*:/m.test(text);
}

/** True when the text reads like a Comware device config, not a scenario. */
export function looksLikeDeviceConfig(text: string): boolean {
  if (looksLikeScenario(text)) return false;
  const lines = text.split(/\r?\n/, 400);
  let hits = 0;
  for (const l of lines) if (/^\s*(acl (number|advanced|basic|ipv6|name)|interface \S|rule( \d+)? (permit|deny)|packet-filter |sysname |return\s*$|#\s*$)/.test(l)) hits++;
  return hits >= 2 || (hits >= 1 && lines.length <= 3);
}

/** The one error for a scenario given as a config (`what` says where it was given). */
export function scenarioAsConfig(file: string): Diagnostic {
  return { severity: 'error', message: `${file} looks like a scenario (YAML with hosts and sessions), not a device config`, suggestion: 'did you mean to give it as a scenario argument, and the device config with --config?' };
}

/** The one error for a device config given where a scenario is expected. */
export function configAsScenario(file: string): Diagnostic {
  return { severity: 'error', message: `${file} looks like a device config, not a scenario`, suggestion: 'this looks like a device config: did you mean --config?' };
}

/** The error for a Linux ruleset given to a command that reads H3C configs only (export, verify). */
export function linuxRulesetRefused(file: string, dialect: string, command: string): Diagnostic {
  return {
    severity: 'error',
    message: `${file} is a Linux ruleset (${dialect}); ${command} reads H3C Comware configs only`,
    suggestion: command === 'export' ? 'it is Linux already: load it with iptables-restore or nft -f' : 'replay it with ftpwall replay, or load it on a Linux box and replay the capture',
  };
}

/** `--dialect` for the parser (commander has checked the choices); absent: detected from the content. */
export function dialectOption(dialect: string | undefined): Dialect | 'auto' {
  return (DIALECTS as readonly string[]).includes(dialect ?? '') ? (dialect as Dialect) : 'auto';
}

/** `--platform` for the parser; commander has checked the choices. */
export function platformOption(platform: string | undefined): { platform?: Platform } {
  return platform === 'switch' || platform === 'router' || platform === 'firewall' ? { platform } : {};
}
