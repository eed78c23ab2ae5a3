/**
 * A progress bar on stderr for long runs (replay of a capture, compare): only on a
 * terminal, only once the run has taken more than a second, never on a pipe or in a
 * report. The bar reads the wall clock; nothing below cli/ does.
 */
import { statSync } from 'node:fs';
import cliProgress from 'cli-progress';

/** A bar is shown only after this long (FTPWALL_PROGRESS_DELAY_MS overrides it, for tests). */
const SHOW_AFTER_MS = 1000;

/** What a running replay reports. */
export interface Progress {
  /** records read, flows seen, bytes of the file reached */
  readonly update: (records: number, flows: number, byteOffset: number) => void;
  /** Removes the bar (if one was shown). */
  stop(): void;
}

/** True when a bar may be drawn: stderr is a terminal. */
export function progressWanted(): boolean {
  return process.stderr.isTTY === true && process.env['TERM'] !== 'dumb';
}

function delayMs(): number {
  const v = Number(process.env['FTPWALL_PROGRESS_DELAY_MS']);
  return Number.isFinite(v) && v >= 0 ? v : SHOW_AFTER_MS;
}

function compact(n: number): string {
  return n >= 1e6 ? `${(n / 1e6).toFixed(1)} M` : n >= 1e4 ? `${Math.round(n / 1e3)} k` : String(Math.round(n));
}

/** A bar for replaying `file` (ETA from its size), or undefined when stderr is not a terminal. */
export function startProgress(file: string): Progress | undefined {
  if (!progressWanted()) return undefined;
  let totalBytes = 0;
  try {
    totalBytes = statSync(file).size;
  } catch {
    return undefined;
  }
  const startMs = Date.now();
  const showAfter = delayMs();
  let bar: cliProgress.SingleBar | undefined;
  return {
    update(records: number, flows: number, byteOffset: number): void {
      const elapsedMs = Date.now() - startMs;
      if (bar === undefined) {
        if (elapsedMs < showAfter) return;
        bar = new cliProgress.SingleBar(
          {
            format: 'replay {bar} {percentage}% | {packets} packets | {flows} flows | {rate} packets/s | ETA {eta_formatted}',
            stream: process.stderr,
            hideCursor: true,
            clearOnComplete: true,
            etaBuffer: 50,
            fps: 10,
          },
          cliProgress.Presets.shades_classic,
        );
        bar.start(totalBytes, 0, { packets: '0', flows: '0', rate: '0' });
      }
      const rate = elapsedMs > 0 ? (records * 1000) / elapsedMs : 0;
      bar.update(Math.min(byteOffset, totalBytes), { packets: compact(records), flows: compact(flows), rate: compact(rate) });
    },
    stop(): void {
      bar?.stop();
    },
  };
}

/** A bar over `total` units of work (compare's cells), or undefined when stderr is not a terminal. */
export function startCountProgress(label: string, total: number): { tick(): void; stop(): void } | undefined {
  if (!progressWanted()) return undefined;
  const startMs = Date.now();
  const showAfter = delayMs();
  let bar: cliProgress.SingleBar | undefined;
  let done = 0;
  return {
    tick(): void {
      done++;
      if (bar === undefined) {
        if (Date.now() - startMs < showAfter) return;
        bar = new cliProgress.SingleBar(
          { format: `${label} {bar} {value}/{total} | ETA {eta_formatted}`, stream: process.stderr, hideCursor: true, clearOnComplete: true, fps: 10 },
          cliProgress.Presets.shades_classic,
        );
        bar.start(total, done);
      }
      bar.update(done);
    },
    stop(): void {
      bar?.stop();
    },
  };
}
