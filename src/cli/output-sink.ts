/**
 * Where a streamed report goes: the output layer's sink (src/output/: atomic for
 * regular files and new paths, a plain streamed write for stdout, devices and
 * FIFOs, every write checked). Up to HOLD_BYTES are held before anything is
 * written, so a run that fails early leaves no output at all, on stdout as in a file.
 */
import { OutputError, openOutput, type OutputSink as ChunkOutput } from '../output/sink.js';
import { outputProblem } from './io.js';

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

/** An output failure as the located bad-input problem the CLI prints (exit 2). */
function asProblem(e: unknown): unknown {
  return e instanceof OutputError ? outputProblem(e) : e;
}

/** Opens stdout (`file` undefined or '-') or a file for a streamed report. */
export function openOutputSink(file: string | undefined): OutputSink {
  let out: ChunkOutput | undefined;
  // the chunks not yet handed to the output, kept apart: joined, a long report's text made strings of V8's
  // large-object size, each on pages mapped fresh (the output encodes each chunk into its own buffer)
  let pending: string[] = [];
  let pendingChars = 0;
  let started = false;
  const flush = (): void => {
    if (pendingChars === 0) return;
    const chunks = pending;
    pending = [];
    pendingChars = 0;
    try {
      out ??= openOutput(file);
      for (let i = 0; i < chunks.length; i++) out.write(chunks[i]!);
    } catch (e) {
      out?.abort();
      throw asProblem(e);
    }
  };
  return {
    write(chunk: string): void {
      if (chunk.length === 0) return;
      pending.push(chunk);
      pendingChars += chunk.length;
      if (pendingChars >= (started ? WRITE_BYTES : HOLD_BYTES)) {
        started = true;
        flush();
      }
    },
    commit(): void {
      flush();
      try {
        out ??= openOutput(file);
        out.commit();
      } catch (e) {
        out?.abort();
        throw asProblem(e);
      }
    },
    abort(): void {
      pending = [];
      pendingChars = 0;
      out?.abort();
    },
  };
}
