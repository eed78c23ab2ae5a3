/** Reading and parsing device configs for the commands that run over them (replay, compare, export, verify), with every dialect's parser. */
import { hasErrors, type Diagnostic } from '../diag/diagnostic.js';
import { parseConfig } from '../dialects/load.js';
import { unsimulatedParts } from '../engine/unsimulated.js';
import type { Policy } from '../policy/model.js';
import { dialectOption, looksLikeScenario, platformOption, scenarioAsConfig } from './config-inputs.js';
import { InputProblems, readText } from './io.js';

/** A parsed config with its diagnostics (errors stop the command). */
export interface LoadedConfig {
  readonly file: string;
  readonly policy: Policy;
  readonly diagnostics: readonly Diagnostic[];
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
