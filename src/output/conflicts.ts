/**
 * Outputs that would destroy an input or each other: an output naming the same
 * file as an input (same real path, or the same device and inode: a hard link or
 * a symbolic link), or two outputs naming one file. Checked before anything runs.
 */
import { realpathSync, statSync, type Stats } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { Diagnostic } from '../diag/diagnostic.js';

/** A file the command reads or writes, with the option (or argument) that named it. */
export interface NamedFile {
  /** how the user named it: `-o`, `--pcap-out`, `--config`, `input` */
  readonly option: string;
  /** the path; undefined or `-` is stdout/stdin and never conflicts */
  readonly path: string | undefined;
}

function statOf(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

/** The identity of a regular file or a path not yet created; undefined for devices, FIFOs, stdout. */
function identity(path: string | undefined): string | undefined {
  if (path === undefined || path === '-') return undefined;
  const st = statOf(path);
  if (st) return st.isFile() ? `inode ${st.dev}:${st.ino}` : undefined;
  try {
    return `path ${join(realpathSync(dirname(path)), basename(path))}`;
  } catch {
    return `path ${resolve(path)}`;
  }
}

/** Errors for outputs that are an input, or the same file as another output. */
export function outputConflicts(outputs: readonly NamedFile[], inputs: readonly NamedFile[]): Diagnostic[] {
  const problems: Diagnostic[] = [];
  // an input that does not exist is reported by its reader; only existing files can be overwritten
  const inputIds = inputs.map((i) => ({ file: i, id: identity(i.path) })).filter((i) => i.id?.startsWith('inode') === true);
  const seen: { file: NamedFile; id: string }[] = [];
  for (const out of outputs) {
    const id = identity(out.path);
    if (id === undefined) continue;
    const input = inputIds.find((i) => i.id === id);
    if (input) {
      const what = input.file.option === 'input' ? 'the input' : `the ${input.file.option} input`;
      problems.push({
        severity: 'error',
        message: `${out.option} ${out.path} is ${what} ${input.file.path} (the same file): writing the output would overwrite it`,
        suggestion: `write the output to another file`,
      });
      continue;
    }
    const other = seen.find((s) => s.id === id);
    if (other) {
      problems.push({
        severity: 'error',
        message: `${out.option} ${out.path} and ${other.file.option} ${other.file.path} are the same file: one output would overwrite the other`,
        suggestion: `give ${out.option} another file`,
      });
      continue;
    }
    seen.push({ file: out, id });
  }
  return problems;
}
