/**
 * Data endpoints announced on control connections (PORT/EPRT from the client,
 * 227/229 from the server), waiting for the connection they announce. Each is
 * consumed by the first connection to it, lives as long as its control
 * connection (up to an hour), and each control connection keeps
 * only its most recent few, so 500 PORTs in a row cannot grow memory.
 */
import type { IpAddress } from '../net/address.js';
import type { AnnounceTrigger, AnnouncedBy } from './flow-types.js';
import { endpointText } from './flat-text.js';
import { sameAddr, type ControlState, type LiveFlow } from './flow-table.js';
import { HashIndex } from '../collections/hash-index.js';

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
/** Data flows kept waiting per control connection for the reply that ends their transfer. */
const MAX_AWAITING_REPLY = 16;

/**
 * An announcement: the endpoint, who announced it (control flow, packet, how), until when. The
 * data flow it names keeps it; its report form (announcedBy()) is made only when reported.
 */
export class Pending {
  constructor(
    readonly control: LiveFlow,
    /** the packet that carried it */
    readonly packet: number,
    readonly trigger: AnnounceTrigger,
    readonly expiresMs: number,
    readonly addr: IpAddress,
    readonly port: number,
  ) {}

  /** for the data flow it named: the code of the first completion reply (226, 250) on the control connection after that flow began; 0 when none */
  replyCode = 0;
  /** the packet that completed that reply */
  replyPacket = 0;
  /** the next announcement of its control connection (ControlState.announced: a list, not an array per connection) */
  nextAnnounced: Pending | undefined = undefined;
  /** the next data flow's announcement waiting for a reply (ControlState.pendingData) */
  nextPending: Pending | undefined = undefined;

  /** endpointHash(addr, port) */
  get hash(): number {
    return endpointHash(this.addr, this.port);
  }
}

/** The data flow `a` named opened: it waits on its control connection for the reply that ends its transfer (the oldest go past 16). */
export function awaitReply(cs: ControlState, a: Pending): void {
  const first = cs.pendingData;
  if (first === undefined) {
    cs.pendingData = a;
    return;
  }
  let last = first;
  let count = 2;
  for (; last.nextPending !== undefined; count++) last = last.nextPending;
  last.nextPending = a;
  if (count > MAX_AWAITING_REPLY) {
    cs.pendingData = first.nextPending;
    first.nextPending = undefined;
  }
}

/** The waiting data flows got their reply (`code` from packet `n`; 0 for a failure): marked with it, and no longer waiting. */
export function replyArrived(cs: ControlState, code: number, n: number): void {
  for (let a = cs.pendingData; a !== undefined; ) {
    if (code !== 0 && a.replyCode === 0) {
      a.replyCode = code;
      a.replyPacket = n;
    }
    const next = a.nextPending;
    a.nextPending = undefined;
    a = next;
  }
  cs.pendingData = undefined;
}

/** The report's form of an announcement. */
export function announcedBy(p: Pending): AnnouncedBy {
  return { controlFlow: p.control.id, packet: p.packet, trigger: p.trigger, endpoint: endpointText(p.addr, p.port) };
}

/** A 30-bit hash of an endpoint (IPv4 or IPv6 address and port): no key object or string per lookup. */
export function endpointHash(a: IpAddress, port: number): number {
  let h: number;
  if (a.family === 4) h = Math.imul(a.v4, 0x9e3779b1);
  else {
    const w = a.v6;
    h = Math.imul(w[0]! ^ Math.imul(w[1]!, 0x85ebca6b) ^ Math.imul(w[2]!, 0xc2b2ae35) ^ Math.imul(w[3]!, 0x27d4eb2f), 0x9e3779b1);
  }
  h = (h ^ Math.imul(port + 1, 0xcc9e2d51) ^ a.family) | 0;
  return (h ^ (h >>> 15)) & 0x3fffffff;
}

/** The outstanding announcements of every control connection, at most one per endpoint. */
export class AnnouncementTable {
  private readonly byEndpoint = new HashIndex<Pending>();
  /** announcements read */
  count = 0;

  /** Records an announcement made on `control` by packet `n`; a later one of the same endpoint replaces it. */
  add(control: LiveFlow, trigger: AnnounceTrigger, addr: IpAddress, port: number, n: number, nowMs: number): void {
    const hash = endpointHash(addr, port);
    this.count++;
    const old = this.find(addr, port, hash);
    if (old !== undefined) this.byEndpoint.remove(hash, old);
    const p = new Pending(control, n, trigger, nowMs + ANNOUNCE_TIMEOUT_MS, addr, port);
    this.byEndpoint.add(hash, p);
    const cs = control.control;
    if (cs === undefined) return;
    // the endpoints this connection announced, oldest first: the oldest goes past the bound
    const first = cs.announced;
    if (first === undefined) {
      cs.announced = p;
      return;
    }
    let last = first;
    let count = 2;
    for (; last.nextAnnounced !== undefined; count++) last = last.nextAnnounced;
    last.nextAnnounced = p;
    if (count > MAX_ANNOUNCED_PER_CONTROL) {
      cs.announced = first.nextAnnounced;
      first.nextAnnounced = undefined;
      this.dropIfOf(control, first);
    }
  }

  /** The announcement of the endpoint a new connection goes to, consumed; undefined when none is alive. */
  take(addr: IpAddress, port: number, nowMs: number): Pending | undefined {
    if (this.byEndpoint.size === 0) return undefined;
    const hash = endpointHash(addr, port);
    const p = this.find(addr, port, hash);
    if (p === undefined) return undefined;
    this.byEndpoint.remove(hash, p);
    return p.expiresMs >= nowMs ? p : undefined;
  }

  /** Forgets what a control connection announced (it left the live table). */
  forget(control: LiveFlow): void {
    const cs = control.control;
    if (cs === undefined) return;
    for (let p = cs.announced; p !== undefined; ) {
      this.dropIfOf(control, p);
      const next = p.nextAnnounced;
      p.nextAnnounced = undefined;
      p = next;
    }
    cs.announced = undefined;
  }

  /** Drops announcements that expired before nowMs. */
  expire(nowMs: number): void {
    const gone: Pending[] = [];
    this.byEndpoint.select((p) => p.expiresMs < nowMs, gone);
    for (let i = 0; i < gone.length; i++) this.byEndpoint.remove(gone[i]!.hash, gone[i]!);
  }

  get size(): number {
    return this.byEndpoint.size;
  }

  private find(addr: IpAddress, port: number, hash: number): Pending | undefined {
    const index = this.byEndpoint;
    for (let i = index.first(hash); i >= 0; i = index.next(hash, i)) {
      const p = index.at(i);
      if (p.port === port && sameAddr(p.addr, addr)) return p;
    }
    return undefined;
  }

  /** Drops the announcement of the endpoint `was` named, when it is still this connection's (a later one may have replaced it). */
  private dropIfOf(control: LiveFlow, was: Pending): void {
    const hash = was.hash;
    const p = this.find(was.addr, was.port, hash);
    if (p !== undefined && p.control === control) this.byEndpoint.remove(hash, p);
  }
}
