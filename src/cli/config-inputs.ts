/**
 * Reading device configs for the commands: parse with the chosen dialect and platform, refuse a
 * scenario given as a config. Kept apart from inputs.ts (scenarios and engines) so that `check`
 * loads no engine, scenario reader or YAML library (cold start).
 */
import { hasErrors, type Diagnostic } from '../diag/diagnostic.js';
import { DIALECTS, parseConfig, type Dialect } from '../dialects/load.js';
import { unsimulatedParts } from '../engine/unsimulated.js';
import type { Platform, Policy } from '../policy/model.js';
import { InputProblems, readText } from './io.js';

/** A parsed config with its diagnostics (errors stop the command). */
export interface LoadedConfig {
  readonly file: string;
  readonly policy: Policy;
  readonly diagnostics: readonly Diagnostic[];
}

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

/** Reads and parses configs; throws InputProblems when any has an error. */
export function loadConfigs(files: readonly string[], printWarnings: (d: readonly Diagnostic[]) => void, platform?: string, dialect?: string): LoadedConfig[] {
  const problems: Diagnostic[] = [];
  const loaded: LoadedConfig[] = [];
  for (const file of files) {
    const text = readText(file, problems);
    if (text === undefined) continue;
    if (looksLikeScenario(text)) {
      problems.push(scenarioAsConfig(file));
      continue;
    }
    const parsed = parseConfig(text, file, dialectOption(dialect), platformOption(platform));
    const { value } = parsed;
    const diagnostics = hasErrors(parsed.diagnostics) ? parsed.diagnostics : [...parsed.diagnostics, ...unsimulatedParts(value)];
    for (const d of diagnostics) problems.push(d);
    loaded.push({ file, policy: value, diagnostics });
  }
  if (hasErrors(problems)) throw new InputProblems(problems);
  printWarnings(problems);
  return loaded;
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
