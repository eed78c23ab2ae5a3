/** `ftpwall check`: validate configs and summarise what was found. */
import { hasErrors, type Diagnostic } from '../diag/diagnostic.js';
import { aspfReachWarnings } from '../analysis/aspf-reach.js';
import { parseConfigLoading } from '../dialects/load-one.js';
import { summarizePolicy } from '../policy/summary.js';
import { unsimulatedParts } from '../engine/unsimulated.js';
import { dialectOption, looksLikeScenario, platformOption, scenarioAsConfig } from './config-inputs.js';
import { EXIT_BAD_INPUT, EXIT_OK, printDiagnostics, readText, styleFor } from './io.js';

/** Runs the check; returns the exit status. Only the parsers of the configs' dialects are loaded (cold start). */
export async function runCheck(files: readonly string[], opts: { quiet: boolean; platform?: string; dialect?: string }): Promise<number> {
  const all: Diagnostic[] = [];
  const st = styleFor(process.stdout);
  const out: string[] = [];
  for (const file of files) {
    const problems: Diagnostic[] = [];
    const text = readText(file, problems);
    if (text !== undefined && looksLikeScenario(text)) problems.push(scenarioAsConfig(file));
    else if (text !== undefined) {
      const parsed = await parseConfigLoading(text, file, dialectOption(opts.dialect), platformOption(opts.platform));
      const { value } = parsed;
      const diagnostics = hasErrors(parsed.diagnostics) ? parsed.diagnostics : [...parsed.diagnostics, ...unsimulatedParts(value)];
      for (const d of diagnostics) problems.push(d);
      if (!hasErrors(diagnostics)) for (const d of aspfReachWarnings(value)) problems.push(d);
      const errors = problems.filter((d) => d.severity === 'error').length;
      const warnings = problems.filter((d) => d.severity === 'warning').length;
      const status = errors > 0 ? st.bad(`${errors} error${errors === 1 ? '' : 's'}`) : st.good('ok');
      out.push(`${st.bold(file)}: ${status}, ${warnings} warning${warnings === 1 ? '' : 's'}`);
      if (!opts.quiet) for (const l of summarizePolicy(value)) out.push(`  ${l}`);
    }
    for (const d of problems) all.push(d);
  }
  printDiagnostics(all);
  if (out.length > 0) process.stdout.write(`${out.join('\n')}\n`);
  return hasErrors(all) ? EXIT_BAD_INPUT : EXIT_OK;
}
