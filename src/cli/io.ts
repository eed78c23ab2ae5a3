/**
 * The CLI's edge: reading inputs, printing diagnostics, writing outputs
 * atomically, exit statuses. Nothing here decides anything about packets.
 */
import { closeSync, existsSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { formatDiagnostic, sortDiagnostics, type Diagnostic, type DiagnosticStyle } from '../diag/diagnostic.js';
import { ANSI_STYLE, PLAIN_STYLE, type Style } from '../report/style.js';

/** Exit statuses: 0 done, 1 a verdict differs from --expect (or verify disagrees), 2 bad input. */
export const EXIT_OK = 0;
export const EXIT_EXPECTATION_FAILED = 1;
export const EXIT_BAD_INPUT = 2;
/** A bug in ftpwall itself (a broken invariant), never a verdict. */
export const EXIT_INTERNAL_ERROR = 70;

/** Thrown to stop a command with located problems; main() prints them and exits 2. */
export class InputProblems extends Error {
  constructor(readonly diagnostics: readonly Diagnostic[]) {
    super(`${diagnostics.length} problem(s) in the input`);
  }
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
 * Writes `text` to `file` atomically (temporary file, then rename), or to stdout
 * when file is undefined or '-'. A failed run leaves no half-written file.
 */
export function writeOutput(file: string | undefined, text: string): void {
  if (file === undefined || file === '-') {
    process.stdout.write(text);
    return;
  }
  const tmp = `${file}.ftpwall-${process.pid}.tmp`;
  try {
    const fd = openSync(tmp, 'w');
    try {
      writeSync(fd, text);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
  } catch (e) {
    if (existsSync(tmp)) unlinkSync(tmp);
    throw new InputProblems([{ severity: 'error', message: `cannot write ${file}: ${ioReason(e)}` }]);
  }
}

/** A short reason for a file-system error. */
export function ioReason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'EISDIR':
      return 'is a directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENOSPC':
      return 'no space left on the device';
    case 'EROFS':
      return 'read-only file system';
    default:
      return e instanceof Error ? e.message : String(e);
  }
}
