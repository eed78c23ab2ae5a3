/** `ftpwall lint`: exact rule anomalies and config checks, as a table, JSON or SARIF 2.1.0. */
import type { Diagnostic } from '../diag/diagnostic.js';
import { parseConfig } from '../dialects/load.js';
import { countFindings, formatLintJson, formatLintSarif, formatLintTable } from '../analysis/lint/format.js';
import { lintPolicy, type LintReport } from '../analysis/lint/lint.js';
import { EXIT_EXPECTATION_FAILED, EXIT_OK, InputProblems, readText, writeOutput } from './io.js';
import { jobsOption, runJobs, type JobItem } from './jobs.js';
import { startCountProgress } from './progress.js';

/** Options of `ftpwall lint`. */
export interface LintOptions {
  readonly format: 'table' | 'json' | 'sarif';
  readonly failOn?: 'warning' | 'error';
  readonly output?: string;
  /** `--jobs`: worker threads (default: the core count) */
  readonly jobs?: number;
  /** a progress bar on a terminal's stderr (--no-progress sets false) */
  readonly progress?: boolean;
}

/** Lints one config: its report, or the problems that stop it (unreadable, parse errors). */
export function lintOne(file: string): { readonly report?: LintReport; readonly problems: readonly Diagnostic[] } {
  const problems: Diagnostic[] = [];
  const text = readText(file, problems);
  if (text === undefined) return { problems };
  const { value, diagnostics } = parseConfig(text, file);
  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) return { problems: errors };
  return { report: lintPolicy(value, text), problems };
}

/** Lints every config (on `--jobs` workers when there are several); bad input throws InputProblems (exit 2, nothing written); returns the exit status. */
export async function runLint(files: readonly string[], opts: LintOptions, toolVersion: string): Promise<number> {
  const jobs = jobsOption(opts.jobs);
  const bar = opts.progress === false || files.length < 2 ? undefined : startCountProgress('lint', files.length);
  const results =
    jobs > 1 && files.length > 1
      ? await runJobs<ReturnType<typeof lintOne>>(files.map((file) => ({ kind: 'lint', file }) satisfies JobItem), jobs, bar, undefined, (_item, i) => lintOne(files[i]!))
      : files.map((file) => {
          const r = lintOne(file);
          bar?.tick();
          return r;
        });
  bar?.stop();
  const problems: Diagnostic[] = [];
  const reports: LintReport[] = [];
  for (const r of results) {
    for (const d of r.problems) problems.push(d);
    if (r.report) reports.push(r.report);
  }
  if (problems.length > 0) throw new InputProblems(problems);
  const text = opts.format === 'json' ? formatLintJson(reports) : opts.format === 'sarif' ? formatLintSarif(reports, toolVersion) : formatLintTable(reports);
  writeOutput(opts.output, text);
  const c = countFindings(reports);
  const failing = opts.failOn === 'error' ? c.error : opts.failOn === 'warning' ? c.error + c.warning : 0;
  return failing > 0 ? EXIT_EXPECTATION_FAILED : EXIT_OK;
}
