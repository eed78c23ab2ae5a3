/** Shared helpers for the wire tests: hex literals, tshark detection. */
import { execFileSync } from 'node:child_process';

/** Bytes from hex text; spaces, newlines and `|` are ignored: `hex('45 00 | 00 28')`. */
export function hex(text: string): Uint8Array {
  const clean = text.replace(/[\s|]/g, '');
  if (clean.length % 2 !== 0 || /[^0-9a-fA-F]/.test(clean)) throw new Error(`bad hex literal: ${text}`);
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** Concatenates byte arrays. */
export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** True when tshark runs here; tests that need it skip with a message otherwise (CI installs it). */
export const hasTshark: boolean = (() => {
  try {
    execFileSync('tshark', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    console.warn('tshark not installed: the tests that compare with tshark are skipped (apt-get install tshark)');
    return false;
  }
})();
