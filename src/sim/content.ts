/** What the simulated data connections carry: file bytes and directory listings, deterministic. */
import type { ByteSource, Prng } from './prng.js';

/**
 * `bytes` bytes of file content drawn from the simulation's seeded byte stream, made a segment
 * at a time as the connection sends them (a 1 GiB RETR holds no 1 GiB buffer).
 */
export function fileContent(source: Prng, bytes: number): ByteSource {
  return source.take(bytes);
}

/** A `ls -l` style listing (what vsftpd sends for LIST), cut to exactly `bytes` bytes. */
export function listingContent(bytes: number): Uint8Array {
  const out = new Uint8Array(bytes);
  let off = 0;
  for (let i = 1; off < bytes; i++) {
    const name = `file-${String(i).padStart(3, '0')}.bin`;
    const size = String(1024 * i).padStart(12, ' ');
    const line = `-rw-r--r--    1 0        0    ${size} Jan 01  2024 ${name}\r\n`;
    for (let k = 0; k < line.length && off < bytes; k++) out[off++] = line.charCodeAt(k);
  }
  return out;
}
