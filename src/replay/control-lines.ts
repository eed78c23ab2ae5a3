/**
 * What the replay reads in FTP control text: the data endpoints announced (PORT and EPRT
 * from the client, 227 and 229 from the server) and the replies that end a transfer. Lines
 * are read from their bytes where they lie; only an announcement's text (or every line, when
 * lines are kept) becomes a string. Endpoints are read by the endpoints' own lenient parsers
 * (ftp/text.ts), in their byte form (ftp/endpoint-bytes.ts): no string or object per line, and
 * the address announced is the replay's shared copy when it has one.
 */
import { scanEprtArgument, scanEpsvReply, scanned, scanPasvReply, scanPortArgument } from '../ftp/endpoint-bytes.js';
import type { IpAddress } from '../net/address.js';
import type { AddressCache } from '../net/address-cache.js';
import { replyArrived, type AnnouncementTable } from './announcements.js';
import { latin1, type LineReader } from './control-stream.js';
import type { LiveFlow } from './flow-table.js';
import type { ControlLine } from './flow-types.js';

/** A client line that is not PORT or EPRT. */
export const NO_VERB = 0;
export const VERB_PORT = 1;
export const VERB_EPRT = 2;

/**
 * PORT or EPRT (any case) when bytes[start, end) is that command with an argument: the verb,
 * then a space (RFC 959 5.3: the argument follows one space). NO_VERB otherwise.
 */
export function clientVerb(b: Uint8Array, start: number, end: number): number {
  if (end - start < 5 || b[start + 4] !== 0x20) return NO_VERB;
  // `| 0x20` lower-cases ASCII letters and maps nothing else onto them
  const c0 = b[start]! | 0x20;
  if ((b[start + 2]! | 0x20) !== 0x72 /* r */ || (b[start + 3]! | 0x20) !== 0x74 /* t */) return NO_VERB;
  const c1 = b[start + 1]! | 0x20;
  if (c0 === 0x70 /* p */ && c1 === 0x6f /* o */) return VERB_PORT;
  if (c0 === 0x65 /* e */ && c1 === 0x70 /* p */) return VERB_EPRT;
  return NO_VERB;
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

/** Told of each announcement read: the control flow's client and server, and the address announced. */
export type AnnouncementWatch = (client: IpAddress, server: IpAddress, addr: IpAddress) => void;

/**
 * Reads the lines of every control flow (one object for all of them): records announcements
 * in `announced`, and marks the data flows waiting on a control connection with the
 * completion reply that followed them.
 */
export class ControlLineReader implements LineReader<LiveFlow> {
  constructor(
    private readonly announced: AnnouncementTable,
    /** the replay's clock: the time of the packet being read */
    private readonly clock: { readonly nowMs: number },
    /** every line read, when kept */
    private readonly kept: ControlLine[] | undefined,
    private readonly watch: AnnouncementWatch | undefined,
    /** the replay's shared address copies (an announced address is nearly always a flow's own) */
    private readonly addresses: AddressCache,
  ) {}

  line(f: LiveFlow, from: 0 | 1, bytes: Uint8Array, start: number, end: number, n: number): void {
    if (this.kept !== undefined) this.kept.push({ n, flow: f.id, from: from === 0 ? 'client' : 'server', text: latin1(bytes, start, end) });
    if (from === 0) this.clientLine(f, bytes, start, end, n);
    else this.serverLine(f, bytes, start, end, n);
  }

  private clientLine(f: LiveFlow, bytes: Uint8Array, start: number, end: number, n: number): void {
    const verb = clientVerb(bytes, start, end);
    if (verb === NO_VERB) return;
    // the argument: what follows the verb's space
    const ok = verb === VERB_PORT ? scanPortArgument(bytes, start + 5, end) : scanEprtArgument(bytes, start + 5, end);
    if (ok) this.announce(f, verb === VERB_PORT ? 'PORT' : 'EPRT', this.scannedAddress(), scanned.port, n);
  }

  /** The address the last scan read, as a shared copy. */
  private scannedAddress(): IpAddress {
    return scanned.family === 4 ? this.addresses.keepV4(scanned.ipv4) : this.addresses.keepV6(scanned.ipv6Words);
  }

  private serverLine(f: LiveFlow, bytes: Uint8Array, start: number, end: number, n: number): void {
    const code = replyCode(bytes, start, end);
    if (code === 227) {
      // RFC 1123 4.1.2.12: the numbers are found by scanning the whole line
      if (scanPasvReply(bytes, start, end)) this.announce(f, '227', this.scannedAddress(), scanned.port, n);
    } else if (code === 229) {
      // RFC 2428 3: the address is the control connection's server
      if (scanEpsvReply(bytes, start, end)) this.announce(f, '229', f.sAddr, scanned.port, n);
    }
    const cs = f.control;
    if (cs === undefined || cs.pendingData === undefined) return;
    const done = transferOutcome(bytes, start, end, code);
    if (done === 0) return;
    // a completion the recording shows is what a blocked data connection makes impossible
    replyArrived(cs, done > 0 ? code : 0, n);
  }

  private announce(f: LiveFlow, trigger: 'PORT' | 'EPRT' | '227' | '229', addr: IpAddress, port: number, n: number): void {
    this.announced.add(f, trigger, addr, port, n, this.clock.nowMs);
    if (this.watch !== undefined) this.watch(f.cAddr, f.sAddr, addr);
  }
}
