/**
 * Temporary files of ours left behind by a killed run (`kill -9`, power loss):
 * recognised by name (`.<name>.ftpwall-<pid>-<n>.tmp`, and the older
 * `<name>.ftpwall-<pid>.tmp`), removed when their process is gone and they are
 * older than the process that finds them.
 */
import { lstatSync, readdirSync, rmSync, type Stats } from 'node:fs';
import { join } from 'node:path';

/** The part of a temporary name that marks it as ftpwall's, before `<pid>-<n>.tmp`. */
export const TEMP_MARK = '.ftpwall-';

const CURRENT = /^\..+\.ftpwall-(\d+)-\d+\.tmp$/;
const OLDER = /^.+\.ftpwall-(\d+)\.tmp$/;

/** The process id a temporary name of ours carries, or undefined for any other name. */
export function tempOwner(name: string): number | undefined {
  const m = CURRENT.exec(name) ?? OLDER.exec(name);
  return m ? Number(m[1]) : undefined;
}

/** True when a process with this id exists (EPERM: it exists, owned by someone else). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes the entries of `dir` that `ownerOf` says are ours (the pid in their name), whose process
 * is gone (and is not this one), of the kind `isKind` accepts, last modified before `startedMs`.
 * Returns the names removed; an unreadable directory removes nothing.
 */
function sweep(dir: string, ownerOf: (name: string) => number | undefined, isKind: (st: Stats) => boolean, startedMs: number, alive: (pid: number) => boolean): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const pid = ownerOf(name);
    if (pid === undefined || pid === process.pid || alive(pid)) continue;
    const path = join(dir, name);
    try {
      const st = lstatSync(path);
      if (!isKind(st) || st.mtimeMs >= startedMs) continue;
      rmSync(path, { recursive: true, force: true });
      removed.push(name);
    } catch {
      // gone meanwhile, or not ours to remove
    }
  }
  return removed;
}

/**
 * Removes the stale temporary files of ours in `dir`: a regular file named as ours,
 * whose process is not alive, last modified before `startedMs` (the finder's start,
 * ms since the epoch). Returns the names removed; unreadable directories remove nothing.
 */
export function sweepStaleTemps(dir: string, startedMs: number, alive: (pid: number) => boolean = processAlive): string[] {
  return sweep(dir, tempOwner, (st) => st.isFile(), startedMs, alive);
}

/** The prefix of a run's temporary directory in the system's temporary directory: `ftpwall-<what>-<pid>-XXXXXX`. */
export function tempDirPrefix(what: string): string {
  return `ftpwall-${what}-${process.pid}-`;
}

/**
 * Removes the stale temporary directories of ours in `dir` (the system's temporary directory):
 * named `ftpwall-<what>-<pid>-…` by tempDirPrefix, whose process is gone, last modified before
 * `startedMs`. Returns the names removed.
 */
export function sweepStaleTempDirs(dir: string, what: string, startedMs: number, alive: (pid: number) => boolean = processAlive): string[] {
  const mark = new RegExp(`^ftpwall-${what}-(\\d+)-[^/]+$`);
  const ownerOf = (name: string): number | undefined => {
    const m = mark.exec(name);
    return m ? Number(m[1]) : undefined;
  };
  return sweep(dir, ownerOf, (st) => st.isDirectory(), startedMs, alive);
}
