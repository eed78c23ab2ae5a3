/**
 * Output sinks: a result written in chunks (open → write… → commit, or abort).
 * A regular file (or a new path) is written to a temporary file next to it,
 * fsync'd and renamed into place, so the previous file survives any failure; a
 * character device, FIFO, socket, stdout (`-`) or a path under /dev or /proc
 * gets a plain streamed write and is never replaced by a regular file. Every
 * write is checked to its last byte: a short write, ENOSPC, EIO or EFBIG is an
 * OutputError naming the path, with the temporary file removed.
 */
import { closeSync, constants, fchmodSync, fsyncSync, lstatSync, openSync, readlinkSync, renameSync, statSync, unlinkSync, writeSync, type Stats } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { TEMP_MARK } from './stale.js';

/** A write that could not complete: `cannot write PATH: REASON`. */
export class OutputError extends Error {
  constructor(
    readonly path: string,
    readonly reason: string,
    /** bytes had reached a stream (stdout, a pipe, a device) before it failed: its reader has part of the output */
    readonly partial = false,
  ) {
    super(`cannot write ${path}: ${reason}`);
  }
}

/** Where a sink's bytes go. */
export type OutputKind = 'atomic' | 'stream' | 'stdout';

/** A chunked output: write() any number of chunks, then commit() or abort(). */
export interface OutputSink {
  /** the path as given (`-` for stdout) */
  readonly path: string;
  readonly kind: OutputKind;
  /** appends a chunk (text as UTF-8); throws OutputError when the bytes cannot be written */
  write(chunk: string | Uint8Array): void;
  /** flushes, fsyncs and (atomic) renames into place; throws OutputError, the old file intact */
  commit(): void;
  /** drops what was written (atomic: the temporary file); safe to call twice or after commit */
  abort(): void;
  /** bytes accepted so far */
  bytes(): number;
}

/** How a path would be written. */
export type OutputPlan =
  | { readonly kind: 'atomic'; readonly target: string; readonly existing?: Stats }
  | { readonly kind: 'stream'; readonly flags: number }
  | { readonly kind: 'stdout' };

/** Paths whose files belong to the system or to another open file: never replaced, only written through. */
const SYSTEM_PREFIXES = ['/dev/', '/proc/'];
const MAX_SYMLINK_HOPS = 40;
const BUFFER_BYTES = 1 << 18;
const MAX_TEMP_TRIES = 1000;

/** A short reason for a file-system error, as the messages print it. */
export function ioReason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'ENOTDIR':
      return 'a part of the path is not a directory';
    case 'EISDIR':
      return 'is a directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENOSPC':
      return 'no space left on the device';
    case 'EDQUOT':
      return 'disk quota exceeded';
    case 'EFBIG':
      return 'the file is too large for the file system';
    case 'EIO':
      return 'input/output error';
    case 'EROFS':
      return 'read-only file system';
    case 'EPIPE':
      return 'broken pipe (the reader went away)';
    case 'ENXIO':
      return 'no reader on the other end (a FIFO without a reader, or a socket)';
    case 'ENAMETOOLONG':
      return 'the name is too long';
    default:
      return e instanceof Error ? e.message : String(e);
  }
}

function isSystemPath(p: string): boolean {
  return SYSTEM_PREFIXES.some((x) => p.startsWith(x)) || p === '/dev' || p === '/proc';
}

/**
 * The final target of a chain of symbolic links, and whether any hop passes
 * through /dev or /proc (e.g. /dev/stdout → /proc/self/fd/1 → the caller's file).
 */
function followLinks(path: string): { target: string; system: boolean } {
  let cur = resolve(path);
  let system = isSystemPath(cur);
  for (let hop = 0; hop < MAX_SYMLINK_HOPS; hop++) {
    let link: string;
    try {
      if (!lstatSync(cur).isSymbolicLink()) break;
      link = readlinkSync(cur);
    } catch {
      break;
    }
    cur = resolve(dirname(cur), link);
    if (isSystemPath(cur)) system = true;
  }
  return { target: cur, system };
}

/** Decides how `path` is written; throws OutputError for a directory or an unreachable path. */
export function planOutput(path: string | undefined): OutputPlan {
  if (path === undefined || path === '-') return { kind: 'stdout' };
  let st: Stats | undefined;
  try {
    st = statSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new OutputError(path, ioReason(e));
  }
  const { target, system } = followLinks(path);
  // a device that is not there is not a file to create: writing /dev/nul would make a regular file in /dev
  if (st === undefined && system) throw new OutputError(path, 'no such device or file (nothing is created under /dev or /proc)');
  if (st === undefined) return { kind: 'atomic', target };
  if (st.isDirectory()) throw new OutputError(path, 'is a directory');
  if (!st.isFile()) return { kind: 'stream', flags: constants.O_WRONLY };
  // a regular file reached through /dev or /proc is another process's open file (a shell redirect): append to it
  if (system) return { kind: 'stream', flags: constants.O_WRONLY | constants.O_APPEND };
  return { kind: 'atomic', target, existing: st };
}

/** The temporary name for `target`: `.<name>.ftpwall-<pid>-<n>.tmp` in the same directory. */
export function tempPathFor(target: string, n: number): string {
  return join(dirname(target), `.${basename(target).slice(0, 120)}${TEMP_MARK}${process.pid}-${n}.tmp`);
}

let tempCounter = 0;

function openTemp(path: string, target: string, existing: Stats | undefined): { fd: number; tmp: string } {
  for (let i = 0; i < MAX_TEMP_TRIES; i++) {
    const tmp = tempPathFor(target, tempCounter++);
    try {
      const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o666);
      if (existing) {
        try {
          fchmodSync(fd, existing.mode & 0o7777);
        } catch {
          // keeping the old mode is a courtesy; the content is what matters
        }
      }
      return { fd, tmp };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new OutputError(path, ioReason(e));
    }
  }
  throw new OutputError(path, `no free temporary name next to it after ${MAX_TEMP_TRIES} tries`);
}

const sleepCell = new Int32Array(new SharedArrayBuffer(4));

/**
 * Writes every byte of `bytes` to `fd`, looping on short writes; EAGAIN (a non-blocking pipe) waits and retries.
 * `delivered.bytes` grows by what the descriptor took, also when a later write of the loop fails.
 */
function writeAll(fd: number, bytes: Uint8Array, length: number, delivered: { bytes: number }): void {
  let at = 0;
  while (at < length) {
    let n: number;
    try {
      n = writeSync(fd, bytes, at, length - at);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EAGAIN') {
        Atomics.wait(sleepCell, 0, 0, 5);
        continue;
      }
      throw e;
    }
    if (n <= 0) throw Object.assign(new Error('short write: the device accepted no more bytes'), { code: 'EIO' });
    at += n;
    delivered.bytes += n;
  }
}

function fsyncIfPossible(fd: number): void {
  try {
    fsyncSync(fd);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    // devices, pipes and sockets cannot be synced; that is not a failed write
    if (code !== 'EINVAL' && code !== 'ENOTSUP' && code !== 'EROFS' && code !== 'EBADF') throw e;
  }
}

/** Makes a rename durable: fsync of the directory (best effort; not every file system allows it). */
function syncDirectory(dir: string): void {
  try {
    const fd = openSync(dir, constants.O_RDONLY);
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // the file itself was synced; a directory that cannot be synced is not an error
  }
}

/** Opens an output: stdout for undefined or `-`, otherwise as planOutput decides. Throws OutputError. */
export function openOutput(path: string | undefined): OutputSink {
  const plan = planOutput(path);
  const name = path ?? '-';
  let fd: number;
  let tmp: string | undefined;
  let target: string | undefined;
  if (plan.kind === 'stdout') fd = 1;
  else if (plan.kind === 'stream') {
    try {
      fd = openSync(name, plan.flags);
    } catch (e) {
      throw new OutputError(name, ioReason(e));
    }
  } else {
    ({ fd, tmp } = openTemp(name, plan.target, plan.existing));
    target = plan.target;
  }
  const buf = Buffer.allocUnsafe(BUFFER_BYTES);
  let used = 0;
  let total = 0;
  /** bytes the descriptor took (a stream's reader may have them) */
  const delivered = { bytes: 0 };
  let open = true;
  let fdOpen = true;
  let failed = false;

  const release = (): void => {
    open = false;
    if (fdOpen && plan.kind !== 'stdout') {
      fdOpen = false;
      try {
        closeSync(fd);
      } catch {
        // the write already failed or was abandoned; a close error adds nothing
      }
    }
    if (tmp !== undefined) {
      try {
        unlinkSync(tmp);
      } catch {
        // already gone
      }
      tmp = undefined;
    }
  };
  const fail = (e: unknown): never => {
    failed = true;
    release();
    if (e instanceof OutputError) throw e;
    throw new OutputError(name, ioReason(e), plan.kind !== 'atomic' && delivered.bytes > 0);
  };
  const flush = (): void => {
    if (used === 0) return;
    const n = used;
    used = 0;
    writeAll(fd, buf, n, delivered);
  };
  const check = (): void => {
    if (failed) throw new OutputError(name, 'an earlier write failed');
    if (!open) throw new OutputError(name, 'the output is already closed');
  };

  return {
    path: name,
    kind: plan.kind,
    write(chunk: string | Uint8Array): void {
      check();
      try {
        if (typeof chunk === 'string') {
          if (chunk.length === 0) return;
          // a UTF-16 unit is at most 3 UTF-8 bytes
          if (chunk.length * 3 > buf.length - used) flush();
          if (chunk.length * 3 > buf.length) {
            const b = Buffer.from(chunk, 'utf8');
            writeAll(fd, b, b.length, delivered);
            total += b.length;
          } else {
            const n = buf.write(chunk, used, 'utf8');
            used += n;
            total += n;
          }
        } else {
          if (chunk.length > buf.length - used) flush();
          if (chunk.length > buf.length) writeAll(fd, chunk, chunk.length, delivered);
          else {
            buf.set(chunk, used);
            used += chunk.length;
          }
          total += chunk.length;
        }
      } catch (e) {
        fail(e);
      }
    },
    commit(): void {
      check();
      try {
        flush();
        if (plan.kind !== 'stdout') {
          fsyncIfPossible(fd);
          fdOpen = false;
          closeSync(fd);
        }
        if (tmp !== undefined && target !== undefined) {
          renameSync(tmp, target);
          tmp = undefined;
          syncDirectory(dirname(target));
        }
        open = false;
      } catch (e) {
        fail(e);
      }
    },
    abort(): void {
      release();
    },
    bytes: () => total,
  };
}
