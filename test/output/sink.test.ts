import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, closeSync, constants, existsSync, openSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { outputConflicts } from '../../src/output/conflicts.js';
import { OutputError, openOutput, planOutput, tempPathFor } from '../../src/output/sink.js';
import { sweepStaleTempDirs, sweepStaleTemps, tempDirPrefix, tempOwner } from '../../src/output/stale.js';

const dir = mkdtempSync(join(tmpdir(), 'ftpwall-sink-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ours = (d: string) => readdirSync(d).filter((n) => n.includes('.ftpwall-'));

/**
 * A null device (1,3) of our own in the temporary directory, so no test writes to the host's
 * /dev; undefined when mknod is not allowed (not root).
 */
const NULL_DEVICE = ((): string | undefined => {
  const node = join(dir, 'null');
  if (process.getuid?.() !== 0) return undefined;
  if (spawnSync('mknod', ['-m', '666', node, 'c', '1', '3']).status !== 0) return undefined;
  return node;
})();
if (NULL_DEVICE === undefined) console.log('skipping the character-device case: mknod needs root');

/** A process id that no process has now: a child that has exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' });
  return Number(r.stdout.trim());
}

describe('output sinks', () => {
  it('writes a new file through a temporary file next to it, renamed into place on commit', () => {
    const file = join(dir, 'new.txt');
    const sink = openOutput(file);
    expect(sink.kind).toBe('atomic');
    sink.write('hello ');
    sink.write(new TextEncoder().encode('world\n'));
    expect(existsSync(file)).toBe(false);
    const temps = ours(dir);
    expect(temps).toHaveLength(1);
    expect(temps[0]).toMatch(new RegExp(`^\\.new\\.txt\\.ftpwall-${process.pid}-\\d+\\.tmp$`));
    sink.commit();
    expect(readFileSync(file, 'utf8')).toBe('hello world\n');
    expect(sink.bytes()).toBe(12);
    expect(ours(dir)).toEqual([]);
  });

  it('abort keeps the previous file and removes the temporary one', () => {
    const file = join(dir, 'old.txt');
    writeFileSync(file, 'previous');
    const sink = openOutput(file);
    sink.write('x'.repeat(1_000_000));
    sink.abort();
    sink.abort();
    expect(readFileSync(file, 'utf8')).toBe('previous');
    expect(ours(dir)).toEqual([]);
  });

  it('keeps the mode of the file it replaces', () => {
    const file = join(dir, 'mode.txt');
    writeFileSync(file, 'a');
    chmodSync(file, 0o640);
    const sink = openOutput(file);
    sink.write('b');
    sink.commit();
    expect(statSync(file).mode & 0o777).toBe(0o640);
  });

  it('writing through a symbolic link replaces the file it points to and keeps the link', () => {
    const real = join(dir, 'real.txt');
    const link = join(dir, 'link.txt');
    writeFileSync(real, 'old');
    symlinkSync(real, link);
    const sink = openOutput(link);
    sink.write('new');
    sink.commit();
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readlinkSync(link)).toBe(real);
    expect(readFileSync(real, 'utf8')).toBe('new');
  });

  it.skipIf(NULL_DEVICE === undefined)('streams to a character device instead of replacing it (a null device of our own, made with mknod)', () => {
    const dev = NULL_DEVICE!;
    expect(planOutput(dev)).toEqual({ kind: 'stream', flags: constants.O_WRONLY });
    const sink = openOutput(dev);
    sink.write('into the void');
    sink.commit();
    expect(statSync(dev).isCharacterDevice()).toBe(true);
    expect(ours(dir)).toEqual([]);
  });

  it('a path through /proc to a regular file (as /dev/stdout is for a shell redirect) is appended to, never replaced', () => {
    const file = join(dir, 'redirect.txt');
    writeFileSync(file, 'first\n');
    const inode = statSync(file).ino;
    const fd = openSync(file, 'a');
    try {
      const path = `/proc/self/fd/${fd}`;
      expect(planOutput(path)).toEqual({ kind: 'stream', flags: constants.O_WRONLY | constants.O_APPEND });
      const sink = openOutput(path);
      sink.write('second\n');
      sink.commit();
    } finally {
      closeSync(fd);
    }
    expect(readFileSync(file, 'utf8')).toBe('first\nsecond\n');
    expect(statSync(file).ino).toBe(inode);
  });

  it('a missing path under /dev is refused, never created as a regular file', () => {
    expect(() => planOutput('/dev/ftpwall-no-such-device')).toThrow(
      new OutputError('/dev/ftpwall-no-such-device', 'no such device or file (nothing is created under /dev or /proc)'),
    );
    expect(existsSync('/dev/ftpwall-no-such-device')).toBe(false);
  });

  it('a directory is refused', () => {
    expect(() => planOutput(dir)).toThrow(new OutputError(dir, 'is a directory'));
  });

  it('streams to a FIFO, which stays a FIFO', async () => {
    const fifo = join(dir, 'pipe');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const reader = spawn('cat', [fifo]);
    let got = '';
    reader.stdout.on('data', (b: Buffer) => (got += b.toString()));
    const done = new Promise((ok) => reader.on('close', ok));
    const sink = openOutput(fifo);
    expect(sink.kind).toBe('stream');
    sink.write('through the pipe\n');
    sink.commit();
    await done;
    expect(got).toBe('through the pipe\n');
    expect(lstatSync(fifo).isFIFO()).toBe(true);
  });

  it('a missing directory is an OutputError naming the path, and nothing is left', () => {
    const file = join(dir, 'missing', 'x.txt');
    expect(() => openOutput(file)).toThrow(new OutputError(file, 'no such file or directory'));
    expect(existsSync(join(dir, 'missing'))).toBe(false);
  });

  it('a write after a failed or finished sink is refused', () => {
    const sink = openOutput(join(dir, 'done.txt'));
    sink.commit();
    expect(() => sink.write('late')).toThrow(/the output is already closed/);
  });
});

describe('stale temporary files', () => {
  it('recognises our temporary names, current and older, and nothing else', () => {
    expect(tempOwner('.report.json.ftpwall-123-7.tmp')).toBe(123);
    expect(tempOwner('report.json.ftpwall-456.tmp')).toBe(456);
    expect(tempOwner('report.json.456.tmp')).toBeUndefined();
    expect(tempOwner('report.json')).toBeUndefined();
    expect(tempPathFor('/x/y/out.json', 3)).toBe(`/x/y/.out.json.ftpwall-${process.pid}-3.tmp`);
  });

  it('removes those of dead processes older than the finder, and keeps live, fresh and foreign ones', () => {
    const d = join(dir, 'stale');
    mkdirSync(d);
    const dead = deadPid();
    const old = new Date(Date.now() - 3_600_000);
    const names = {
      deadOld: `.r.json.ftpwall-${dead}-0.tmp`,
      legacyDeadOld: `r.json.ftpwall-${dead}.tmp`,
      liveOld: `.r.json.ftpwall-${process.ppid}-0.tmp`,
      deadFresh: `.q.json.ftpwall-${dead}-1.tmp`,
      foreign: `notes.${dead}.tmp`,
    };
    for (const n of Object.values(names)) writeFileSync(join(d, n), 'partial');
    for (const n of [names.deadOld, names.legacyDeadOld, names.liveOld, names.foreign]) utimesSync(join(d, n), old, old);
    const removed = sweepStaleTemps(d, Date.now() - 60_000);
    expect(removed.sort()).toEqual([names.deadOld, names.legacyDeadOld].sort());
    expect(readdirSync(d).sort()).toEqual([names.deadFresh, names.foreign, names.liveOld].sort());
  });

  it('removes the packet-row directories (ftpwall-rows-<pid>-…) a killed run left in the temporary directory, and only those', () => {
    const d = join(dir, 'tmp-rows');
    mkdirSync(d);
    const dead = deadPid();
    const old = new Date(Date.now() - 3_600_000);
    const names = {
      deadOld: `ftpwall-rows-${dead}-a1B2c3`,
      liveOld: `ftpwall-rows-${process.ppid}-d4E5f6`,
      deadFresh: `ftpwall-rows-${dead}-g7H8i9`,
      otherKind: `ftpwall-fuzz-cli-${dead}-x`,
    };
    for (const n of Object.values(names)) {
      mkdirSync(join(d, n));
      writeFileSync(join(d, n, 'rows.json'), '{"n":1},');
    }
    for (const n of [names.deadOld, names.liveOld, names.otherKind]) utimesSync(join(d, n), old, old);
    expect(sweepStaleTempDirs(d, 'rows', Date.now() - 60_000)).toEqual([names.deadOld]);
    expect(readdirSync(d).sort()).toEqual([names.deadFresh, names.liveOld, names.otherKind].sort());
    expect(tempDirPrefix('rows')).toBe(`ftpwall-rows-${process.pid}-`);
  });
});

describe('outputs that are inputs', () => {
  it('an output naming an input, by path, hard link or symbolic link, is an error; a new path or a device is not', () => {
    const input = join(dir, 'in.cfg');
    writeFileSync(input, 'acl');
    const hard = join(dir, 'hard.cfg');
    const soft = join(dir, 'soft.cfg');
    spawnSync('ln', [input, hard]);
    symlinkSync(input, soft);
    const inputs = [{ option: '--config', path: input }];
    for (const path of [input, hard, soft])
      expect(outputConflicts([{ option: '-o', path }], inputs).map((d) => d.message)).toEqual([
        `-o ${path} is the --config input ${input} (the same file): writing the output would overwrite it`,
      ]);
    expect(outputConflicts([{ option: '-o', path: join(dir, 'fresh.txt') }], inputs)).toEqual([]);
    if (NULL_DEVICE) expect(outputConflicts([{ option: '-o', path: NULL_DEVICE }], [{ option: 'input', path: NULL_DEVICE }])).toEqual([]);
    expect(outputConflicts([{ option: '-o', path: undefined }], inputs)).toEqual([]);
  });

  it('two outputs naming one file, existing or not, are an error', () => {
    const p = join(dir, 'same.pcapng');
    expect(outputConflicts([{ option: '--pcap-out', path: p }, { option: '-o', path: p }], []).map((d) => d.message)).toEqual([
      `-o ${p} and --pcap-out ${p} are the same file: one output would overwrite the other`,
    ]);
  });
});
