/** Loading device configs and scenarios for the commands, collecting every problem before stopping. */
import { hasErrors, type Diagnostic } from '../diag/diagnostic.js';
import { parseConfig } from '../dialects/load.js';
import { createStaticFirewall } from '../engine/static.js';
import { createStatefulFirewall, type StatefulOptions } from '../engine/stateful/firewall.js';
import type { Firewall } from '../engine/verdict.js';
import type { Policy } from '../policy/model.js';
import { withFtpPorts, withInspection } from '../policy/transform.js';
import type { Scenario } from '../scenario/model.js';
import { loadScenario } from '../scenario/load.js';
import { InputProblems, readText } from './io.js';

/** The engines a run can use; 'auto' is stateful when the config inspects FTP, static otherwise. */
export type EngineChoice = 'static' | 'stateful' | 'auto';

/** A parsed config with its diagnostics (errors stop the command). */
export interface LoadedConfig {
  readonly file: string;
  readonly policy: Policy;
  readonly diagnostics: readonly Diagnostic[];
}

/** Reads and parses configs; throws InputProblems when any has an error. */
export function loadConfigs(files: readonly string[], printWarnings: (d: readonly Diagnostic[]) => void): LoadedConfig[] {
  const problems: Diagnostic[] = [];
  const loaded: LoadedConfig[] = [];
  for (const file of files) {
    const text = readText(file, problems);
    if (text === undefined) continue;
    const { value, diagnostics } = parseConfig(text, file);
    problems.push(...diagnostics);
    loaded.push({ file, policy: value, diagnostics });
  }
  if (hasErrors(problems)) throw new InputProblems(problems);
  printWarnings(problems);
  return loaded;
}

/** Reads and validates scenarios; throws InputProblems when any has an error. */
export function loadScenarios(files: readonly string[], printWarnings: (d: readonly Diagnostic[]) => void): Scenario[] {
  const problems: Diagnostic[] = [];
  const out: Scenario[] = [];
  for (const file of files) {
    const text = readText(file, problems);
    if (text === undefined) continue;
    const { value, diagnostics } = loadScenario(text, file);
    problems.push(...diagnostics);
    if (value) out.push(value);
  }
  if (hasErrors(problems)) throw new InputProblems(problems);
  printWarnings(problems);
  return out;
}

/** Options that shape the stateful engine from the command line. */
export interface EngineOptions {
  /** `--inspect ftp`: attach the FTP helper on every interface even without ASPF in the config */
  readonly inspectFtp: boolean;
  /** `--ftp-port N`: more control ports for the helper */
  readonly ftpPorts: readonly number[];
  readonly loose: boolean;
}

/** The engine a choice resolves to for a policy. */
export function resolveEngine(choice: EngineChoice, policy: Policy, options: EngineOptions): 'static' | 'stateful' {
  if (choice !== 'auto') return choice;
  return policy.inspections.length > 0 || options.inspectFtp ? 'stateful' : 'static';
}

/** The policy as the options change it: `--inspect ftp` everywhere, `--ftp-port` on every FTP inspection. */
export function effectivePolicy(policy: Policy, options: EngineOptions): Policy {
  const inspected = options.inspectFtp
    ? withInspection(policy, { interface: '*', direction: 'both', protocol: 'ftp', ports: [FTP_CONTROL_PORT] })
    : policy;
  return withFtpPorts(inspected, options.ftpPorts);
}

/** Well-known FTP control port (RFC 959). */
const FTP_CONTROL_PORT = 21;

/** Builds a fresh firewall (engines keep state, so one per run). */
export function makeFirewall(engine: 'static' | 'stateful', policy: Policy, options: EngineOptions): Firewall {
  const effective = effectivePolicy(policy, options);
  if (engine === 'static') return createStaticFirewall(effective);
  const stateful: StatefulOptions = { loose: options.loose };
  return createStatefulFirewall(effective, stateful);
}
