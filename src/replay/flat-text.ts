/**
 * Strings a finished flow keeps for its report, stored compactly. Text built by
 * concatenation is a tree of pieces in V8 (a "cons string" of 32 bytes per join, plus its
 * pieces) once it passes 12 characters; a flow summary held until the report is written
 * keeps several such trees. This copies a short ASCII string into one flat string.
 */
import { formatEndpoint, formatIp, type IpAddress } from '../net/address.js';

const scratch = Buffer.alloc(256);

/** `s` as one flat string (same text); strings longer than 256 characters or not Latin-1 come back as they are. */
export function flatText(s: string): string {
  const n = s.length;
  if (n > scratch.length) return s;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c > 0xff) return s;
    scratch[i] = c;
  }
  return scratch.toString('latin1', 0, n);
}

/** Endpoint texts made lately, by endpoint; emptied when full, so it stays small. */
const endpoints = new Map<number | string, string>();
const MAX_ENDPOINTS = 4096;

/**
 * `ip:port` (or the bare address when `port` is undefined), flat, and shared with the other
 * flows that name the same endpoint lately (a server's control port, its passive ports): a
 * summary held until the report is written then costs a pointer for it, not a string.
 */
export function endpointText(addr: IpAddress, port: number | undefined): string {
  const p = port === undefined ? 65536 : port;
  const key = addr.family === 4 ? addr.v4 * 65537 + p : `${addr.v6[0]}.${addr.v6[1]}.${addr.v6[2]}.${addr.v6[3]}.${p}`;
  let text = endpoints.get(key);
  if (text === undefined) {
    if (endpoints.size >= MAX_ENDPOINTS) endpoints.clear();
    text = flatText(port === undefined ? formatIp(addr) : formatEndpoint(addr, port));
    endpoints.set(key, text);
  }
  return text;
}
