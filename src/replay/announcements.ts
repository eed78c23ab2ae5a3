/**
 * Data endpoints announced on control connections (PORT/EPRT from the client,
 * 227/229 from the server), waiting for the connection they announce. Each is
 * consumed by the first connection to it, lives as long as its control
 * connection (up to an hour), and each control connection keeps
 * only its most recent few, so 500 PORTs in a row cannot grow memory.
 */
import type { IpAddress } from '../net/address.js';
import { parseEprtArgument, parseEpsvReply, parsePasvReply, parsePortArgument, splitCommand } from '../ftp/text.js';
import type { AnnounceTrigger, AnnouncedBy } from './flow-types.js';
import { endpointText } from './flat-text.js';
import type { LiveFlow } from './flow-table.js';

/**
 * How long an announcement can name a flow's role. Not the firewall's pinhole timeout
 * (nf_conntrack_ftp's 300 s): a data connection made after its pinhole expired is still
 * the data connection, and the engine's verdict says it was blocked. The hour only stops a
 * stale announcement from claiming an unrelated connection; memory is bounded per
 * control connection (below), and a control connection's announcements go with it.
 */
export const ANNOUNCE_TIMEOUT_MS = 3_600_000;
/** Outstanding announcements kept per control connection. */
export const MAX_ANNOUNCED_PER_CONTROL = 8;

interface Pending {
  readonly control: LiveFlow;
  readonly by: AnnouncedBy;
  readonly expiresMs: number;
}

/** A flat key of an endpoint: a number for IPv4 (address · 65536 + port, exact below 2^53), a string for IPv6. */
export function endpointKey(a: IpAddress, port: number): number | string {
  return a.family === 4 ? a.v4 * 65536 + port : `${a.v6[0]}.${a.v6[1]}.${a.v6[2]}.${a.v6[3]}.${port}`;
}

/** True when a client line may be PORT or EPRT (the only client lines the replay reads): it starts with p or e. */
export function clientLineWanted(b: Uint8Array, start: number, end: number): boolean {
  if (end - start < 5) return false;
  const c0 = b[start]! | 0x20;
  return c0 === 0x70 /* p */ || c0 === 0x65 /* e */;
}

/** What a control line announces, if anything. */
export interface ParsedAnnouncement {
  readonly trigger: AnnounceTrigger;
  readonly addr: IpAddress;
  readonly port: number;
}

/** Reads a client line (PORT, EPRT) with the endpoints' lenient parsers. */
export function clientAnnouncement(line: string): ParsedAnnouncement | undefined {
  if (line.length < 5) return undefined;
  const c0 = line.charCodeAt(0) | 0x20;
  if (c0 !== 0x70 /* p */ && c0 !== 0x65 /* e */) return undefined;
  const { verb, arg } = splitCommand(line);
  if (verb === 'PORT') {
    const r = parsePortArgument(arg);
    return r.ok ? { trigger: 'PORT', addr: r.value.addr, port: r.value.port } : undefined;
  }
  if (verb === 'EPRT') {
    const r = parseEprtArgument(arg);
    return r.ok ? { trigger: 'EPRT', addr: r.value.addr, port: r.value.port } : undefined;
  }
  return undefined;
}

/** Reads a server line: 227 (RFC 1123 4.1.2.12 scan) or 229 (the address is the control connection's server). */
export function serverAnnouncement(line: string, server: IpAddress): ParsedAnnouncement | undefined {
  if (line.startsWith('227')) {
    const r = parsePasvReply(line);
    return r.ok ? { trigger: '227', addr: r.value.addr, port: r.value.port } : undefined;
  }
  if (line.startsWith('229')) {
    const r = parseEpsvReply(line);
    return r.ok ? { trigger: '229', addr: server, port: r.port } : undefined;
  }
  return undefined;
}

/** The code of a server line that starts with three ASCII digits (bytes[start, end)), else -1. */
export function replyCode(b: Uint8Array, start: number, end: number): number {
  if (end - start < 3) return -1;
  const d0 = b[start]! - 0x30;
  const d1 = b[start + 1]! - 0x30;
  const d2 = b[start + 2]! - 0x30;
  if (d0 < 0 || d0 > 9 || d1 < 0 || d1 > 9 || d2 < 0 || d2 > 9) return -1;
  return d0 * 100 + d1 * 10 + d2;
}

/**
 * What a control reply says about the transfer on the data connection (RFC 959 4.2), read from
 * its bytes (`code` is replyCode() of them): 1 for a completion (226, 250), -1 for a failure
 * (425, 426, 451, 452, 552), 0 for anything else, a continued line (`226-`) included. A reply is
 * its code followed by a space, a hyphen or the end of the line (parseReplyLine's form).
 */
export function transferOutcome(b: Uint8Array, start: number, end: number, code: number): number {
  if (end - start > 3 && b[start + 3] !== 0x20 /* ' ' */) return 0; // '-' (continued) or not a reply
  if (code === 226 || code === 250) return 1;
  if (code === 425 || code === 426 || code === 451 || code === 452 || code === 552) return -1;
  return 0;
}

/** The outstanding announcements of every control connection. */
export class AnnouncementTable {
  private readonly byEndpoint = new Map<number | string, Pending>();
  /** announcements read */
  count = 0;

  /** Records an announcement made on `control` by packet `n`. */
  add(control: LiveFlow, a: ParsedAnnouncement, n: number, nowMs: number): void {
    const key = endpointKey(a.addr, a.port);
    this.count++;
    this.byEndpoint.set(key, {
      control,
      by: { controlFlow: control.id, packet: n, trigger: a.trigger, endpoint: endpointText(a.addr, a.port) },
      expiresMs: nowMs + ANNOUNCE_TIMEOUT_MS,
    });
    const cs = control.control;
    if (cs === undefined) return;
    const list = (cs.announced ??= []);
    list.push(key);
    if (list.length > MAX_ANNOUNCED_PER_CONTROL) this.dropIfOf(control, list.shift()!);
  }

  /** The announcement of the endpoint a new connection goes to, consumed; undefined when none is alive. */
  take(addr: IpAddress, port: number, nowMs: number): Pending | undefined {
    if (this.byEndpoint.size === 0) return undefined;
    const key = endpointKey(addr, port);
    const p = this.byEndpoint.get(key);
    if (!p) return undefined;
    this.byEndpoint.delete(key);
    return p.expiresMs >= nowMs ? p : undefined;
  }

  /** Forgets what a control connection announced (it left the live table). */
  forget(control: LiveFlow): void {
    const list = control.control?.announced;
    if (list !== undefined) for (let i = 0; i < list.length; i++) this.dropIfOf(control, list[i]!);
  }

  /** Drops announcements that expired before nowMs. */
  expire(nowMs: number): void {
    // forEach, not entries(): no [key, value] pair per announcement
    this.byEndpoint.forEach((p, key) => {
      if (p.expiresMs < nowMs) this.byEndpoint.delete(key);
    });
  }

  get size(): number {
    return this.byEndpoint.size;
  }

  private dropIfOf(control: LiveFlow, key: number | string): void {
    if (this.byEndpoint.get(key)?.control === control) this.byEndpoint.delete(key);
  }
}
