/**
 * The CLI's edge: reading inputs, printing diagnostics, writing outputs
 * atomically, exit statuses. Nothing here decides anything about packets.
 */
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { formatDiagnostic, sortDiagnostics, type Diagnostic, type DiagnosticStyle } from '../diag/diagnostic.js';
import { outputConflicts, type NamedFile } from '../output/conflicts.js';
import { writeJson, type JsonReplacer } from '../output/json.js';
import { OutputError, ioReason as outputIoReason, openOutput, planOutput, type OutputSink } from '../output/sink.js';
import { sweepStaleTemps } from '../output/stale.js';
import { ANSI_STYLE, PLAIN_STYLE, type Style } from '../report/style.js';

/** Exit statuses: 0 done, 1 a verdict differs from --expect (or verify disagrees), 2 bad input. */
export const EXIT_OK = 0;
export const EXIT_EXPECTATION_FAILED = 1;
export const EXIT_BAD_INPUT = 2;
/** A bug in ftpwall itself (a broken invariant), never a verdict. */
export const EXIT_INTERNAL_ERROR = 70;

/** Thrown to stop a command with located problems; main() prints them and exits 2. */
export class InputProblems extends Error {
  constructor(
    readonly diagnostics: readonly Diagnostic[],
    /** part of the output had reached a stream (stdout, a pipe) before the problem: it is not "nothing written" */
    readonly partialOutput = false,
  ) {
    super(`${diagnostics.length} problem(s) in the input`);
  }
}

/** An output failure as the bad-input problem the CLI prints (exit 2), saying whether a stream's reader got part of it. */
export function outputProblem(e: OutputError): InputProblems {
  return new InputProblems([{ severity: 'error', message: e.message }], e.partial);
}

/** True when stdout should get colours: a TTY, and NO_COLOR unset (https://no-color.org). */
export function wantColour(stream: NodeJS.WriteStream): boolean {
  const noColor = process.env['NO_COLOR'];
  return stream.isTTY === true && (noColor === undefined || noColor === '');
}

/** The report style for a stream. */
export function styleFor(stream: NodeJS.WriteStream): Style {
  return wantColour(stream) ? ANSI_STYLE : PLAIN_STYLE;
}

/** The diagnostic style for stderr. */
export function diagnosticStyle(): DiagnosticStyle {
  if (!wantColour(process.stderr)) return { severity: (_s, t) => t, caret: (t) => t, location: (t) => t };
  return {
    severity: (s, t) => (s === 'error' ? ANSI_STYLE.bad(ANSI_STYLE.bold(t)) : s === 'warning' ? ANSI_STYLE.warn(t) : ANSI_STYLE.dim(t)),
    caret: (t) => ANSI_STYLE.good(t),
    location: (t) => ANSI_STYLE.bold(t),
  };
}

/** Prints diagnostics to stderr, sorted by place. */
export function printDiagnostics(diagnostics: readonly Diagnostic[]): void {
  const style = diagnosticStyle();
  for (const d of sortDiagnostics(diagnostics)) process.stderr.write(`${formatDiagnostic(d, style)}\n`);
}

/** Reads a text file, or records a located error when it cannot. */
export function readText(file: string, problems: Diagnostic[]): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : ioReason(e);
    problems.push({ severity: 'error', message: `cannot read ${file}: ${why}`, bytes: { file, byteOffset: 0 } });
    return undefined;
  }
}

/**
 * Writes to `file` through an output sink (atomically for regular files and new
 * paths; streamed to devices, FIFOs and stdout for undefined or `-`): `fill`
 * writes the chunks. A failed write is exit 2 naming the path, the old file intact.
 */
export function writeOutputWith(file: string | undefined, fill: (sink: OutputSink) => void): void {
  let sink: OutputSink | undefined;
  try {
    sink = openOutput(file);
    fill(sink);
    sink.commit();
  } catch (e) {
    sink?.abort();
    if (e instanceof OutputError) throw outputProblem(e);
    throw e;
  }
}

/** Writes `text` to `file` (or stdout for undefined or `-`); see writeOutputWith. */
export function writeOutput(file: string | undefined, text: string): void {
  writeOutputWith(file, (sink) => sink.write(text));
}

/** Writes lines, each followed by a newline, without joining them into one string. */
export function writeLines(file: string | undefined, lines: readonly string[]): void {
  writeOutputWith(file, (sink) => {
    for (const line of lines) sink.write(`${line}\n`);
  });
}

/** Writes `value` as `JSON.stringify(value, replacer, 2)` and a newline, in chunks. */
export function writeJsonOutput(file: string | undefined, value: unknown, replacer?: JsonReplacer): void {
  writeOutputWith(file, (sink) => {
    writeJson(sink, value, replacer);
    sink.write('\n');
  });
}

/**
 * Before a command runs: refuses outputs that are inputs (or each other), and
 * removes stale temporary files of ours from the directories about to be written.
 */
export function prepareOutputs(outputs: readonly NamedFile[], inputs: readonly NamedFile[]): void {
  const problems = outputConflicts(outputs, inputs);
  if (problems.length > 0) throw new InputProblems(problems);
  const startedMs = Date.now() - process.uptime() * 1000;
  const dirs = new Set<string>();
  for (const o of outputs) {
    try {
      const plan = planOutput(o.path);
      if (plan.kind === 'atomic') dirs.add(dirname(plan.target));
    } catch {
      // reported when the output is written
    }
  }
  for (const dir of dirs) sweepStaleTemps(dir, startedMs);
}

/** A short reason for a file-system error. */
export function ioReason(e: unknown): string {
  return outputIoReason(e);
}
