/**
 * Where a streamed report goes: stdout, or a file written atomically (a temporary
 * file renamed at the end). Up to HOLD_BYTES are held before anything is written,
 * so a run that fails early leaves no output at all, on stdout as in a file.
 */
import { closeSync, existsSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { InputProblems, ioReason } from './io.js';

/** Bytes held before the first write. */
const HOLD_BYTES = 1 << 20;
/** Bytes gathered per write once writing has begun. */
const WRITE_BYTES = 1 << 16;

/** A chunk sink with an end. */
export interface OutputSink {
  /** Appends text. */
  readonly write: (chunk: string) => void;
  /** Finishes: flushes, and renames a file into place. */
  commit(): void;
  /** Gives up: a file's temporary copy is removed (what stdout already got stays). */
  abort(): void;
}

/** Opens stdout (`file` undefined or '-') or a file for a streamed report. */
export function openOutputSink(file: string | undefined): OutputSink {
  const toStdout = file === undefined || file === '-';
  const tmp = toStdout ? '' : `${file}.ftpwall-${process.pid}.tmp`;
  let fd = -1;
  let pending = '';
  let started = false;
  const fail = (e: unknown): never => {
    throw new InputProblems([{ severity: 'error', message: `cannot write ${file}: ${ioReason(e)}` }]);
  };
  const flush = (): void => {
    if (pending.length === 0) return;
    const text = pending;
    pending = '';
    if (toStdout) {
      process.stdout.write(text);
      return;
    }
    try {
      if (fd < 0) fd = openSync(tmp, 'w');
      const bytes = Buffer.from(text, 'utf8');
      let off = 0;
      while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
    } catch (e) {
      removeTmp();
      fail(e);
    }
  };
  const removeTmp = (): void => {
    if (fd >= 0) {
      try {
        closeSync(fd);
      } catch {
        // closing is best effort: the file goes anyway
      }
      fd = -1;
    }
    if (!toStdout && existsSync(tmp)) unlinkSync(tmp);
  };
  return {
    write(chunk: string): void {
      pending += chunk;
      if (pending.length >= (started ? WRITE_BYTES : HOLD_BYTES)) {
        started = true;
        flush();
      }
    },
    commit(): void {
      flush();
      if (toStdout) return;
      try {
        if (fd < 0) fd = openSync(tmp, 'w');
        closeSync(fd);
        fd = -1;
        renameSync(tmp, file!);
      } catch (e) {
        removeTmp();
        fail(e);
      }
    },
    abort(): void {
      pending = '';
      removeTmp();
    },
  };
}
