/** `ftpwall lint`: exact rule anomalies and config checks, as a table, JSON or SARIF 2.1.0. */
import type { Diagnostic } from '../diag/diagnostic.js';
import { parseConfig } from '../dialects/load.js';
import { countFindings, formatLintJson, formatLintSarif, formatLintTable } from '../analysis/lint/format.js';
import { lintPolicy, type LintReport } from '../analysis/lint/lint.js';
import { EXIT_EXPECTATION_FAILED, EXIT_OK, InputProblems, readText, writeOutput } from './io.js';

/** Options of `ftpwall lint`. */
export interface LintOptions {
  readonly format: 'table' | 'json' | 'sarif';
  readonly failOn?: 'warning' | 'error';
  readonly output?: string;
}

/** Lints every config; bad input throws InputProblems (exit 2, nothing written); returns the exit status. */
export function runLint(files: readonly string[], opts: LintOptions, toolVersion: string): number {
  const problems: Diagnostic[] = [];
  const reports: LintReport[] = [];
  for (const file of files) {
    const text = readText(file, problems);
    if (text === undefined) continue;
    const { value, diagnostics } = parseConfig(text, file);
    const errors = diagnostics.filter((d) => d.severity === 'error');
    if (errors.length > 0) {
      for (const d of errors) problems.push(d);
      continue;
    }
    reports.push(lintPolicy(value, text));
  }
  if (problems.length > 0) throw new InputProblems(problems);
  const text = opts.format === 'json' ? formatLintJson(reports) : opts.format === 'sarif' ? formatLintSarif(reports, toolVersion) : formatLintTable(reports);
  writeOutput(opts.output, text);
  const c = countFindings(reports);
  const failing = opts.failOn === 'error' ? c.error : opts.failOn === 'warning' ? c.error + c.warning : 0;
  return failing > 0 ? EXIT_EXPECTATION_FAILED : EXIT_OK;
}
