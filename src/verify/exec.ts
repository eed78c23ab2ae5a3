/**
 * Child processes for the kernel runner: every command has a time limit, every
 * long-running process is remembered, and a cleanup stack runs on success, on
 * error and on SIGINT/SIGTERM, so no namespace or process outlives a run.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';

/** What a finished command printed. */
export interface CommandResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command to completion, killing it after `timeoutMs`. Never rejects. */
export function run(cmd: string, args: readonly string[], timeoutMs = 10_000, input?: string): Promise<CommandResult> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      stderr += `\n(killed after ${timeoutMs} ms)`;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ code: null, stdout, stderr: `${stderr}${e.message}` });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.on('error', () => {});
    child.stdin.end(input ?? '');
  });
}

/** Runs a command and throws (a broken environment, not user input) when it fails. */
export async function must(cmd: string, args: readonly string[], timeoutMs = 10_000, input?: string): Promise<string> {
  const r = await run(cmd, args, timeoutMs, input);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.code}): ${r.stderr.trim()}`);
  return r.stdout;
}

/** A long-running child whose output is collected. */
export interface Background {
  readonly child: ChildProcess;
  readonly stdout: () => string;
  readonly stderr: () => string;
  /** resolves with the exit code once the process has ended */
  readonly exited: Promise<number | null>;
}

/** Starts a long-running process (tcpdump, vsftpd, conntrack -E). */
export function background(cmd: string, args: readonly string[]): Background {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<number | null>((resolve) => {
    child.on('error', (e) => {
      err += e.message;
      resolve(null);
    });
    child.on('close', (code) => resolve(code));
  });
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** Waits until `test` holds, polling every `everyMs`, at most `timeoutMs`. */
export async function waitFor(test: () => boolean | Promise<boolean>, timeoutMs: number, everyMs = 50): Promise<boolean> {
  for (let waited = 0; waited <= timeoutMs; waited += everyMs) {
    if (await test()) return true;
    await sleep(everyMs);
  }
  return false;
}

/** A promise that resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Stops a background process: `signal`, then SIGKILL after `graceMs`. */
export async function stop(p: Background, signal: NodeJS.Signals = 'SIGTERM', graceMs = 2000): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return;
  p.child.kill(signal);
  const done = await Promise.race([p.exited.then(() => true), sleep(graceMs).then(() => false)]);
  if (!done) {
    p.child.kill('SIGKILL');
    await Promise.race([p.exited, sleep(graceMs)]);
  }
}

/** Synchronous cleanup steps, run last-in first-out; also run on SIGINT/SIGTERM. */
export class CleanupStack {
  private readonly steps: (() => void)[] = [];
  private readonly onSignal = (signal: NodeJS.Signals): void => {
    this.runAll();
    process.off('SIGINT', this.onSignal);
    process.off('SIGTERM', this.onSignal);
    process.kill(process.pid, signal);
  };

  constructor() {
    process.on('SIGINT', this.onSignal);
    process.on('SIGTERM', this.onSignal);
  }

  /** Remembers a step to run at cleanup. */
  push(step: () => void): void {
    this.steps.push(step);
  }

  /** Runs every step once (errors in one step do not stop the others) and detaches the signal handlers. */
  runAll(): void {
    while (this.steps.length) {
      const step = this.steps.pop()!;
      try {
        step();
      } catch {
        // best effort: the next steps still run
      }
    }
    process.off('SIGINT', this.onSignal);
    process.off('SIGTERM', this.onSignal);
  }
}

/** Kills every process still inside a namespace (by pid, from `ip netns pids`), then deletes it. */
export function deleteNamespaceSync(ns: string): void {
  const pids = spawnSync('ip', ['netns', 'pids', ns], { encoding: 'utf8', timeout: 5000 });
  for (const pid of (pids.stdout ?? '').split(/\s+/).filter((p) => /^\d+$/.test(p))) {
    try {
      process.kill(Number(pid), 'SIGKILL');
    } catch {
      // already gone
    }
  }
  spawnSync('ip', ['netns', 'del', ns], { timeout: 5000 });
}

/** Kills a child by its pid if it still runs. */
export function killSync(child: ChildProcess): void {
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}
