/**
 * Live flows of a capture, found by a numeric hash of the address/port pair
 * (the same for both directions) in an open-addressing index: no string key per packet.
 * A flow leaves the table when it has been idle long enough; what the report
 * needs of it is kept in a small aggregate, not its packets.
 */
import { ipEquals, type IpAddress } from '../net/address.js';
import { mixAddr } from '../net/address-cache.js';
import type { Packet } from '../net/packet.js';
import type { Pending } from './announcements.js';
import type { ControlStream } from './control-stream.js';
import { HashIndex } from '../collections/hash-index.js';
import type { CaptureBlockedPacket, CaptureFlowRole } from './flow-types.js';

/** Per-control-connection state: both reassembled directions and the data flows waiting for their reply. */
export interface ControlState {
  readonly toServer: ControlStream<LiveFlow>;
  readonly toClient: ControlStream<LiveFlow>;
  /** the announcements of data flows opened since the last final reply, oldest first (bounded): a list through Pending.nextPending */
  pendingData: Pending | undefined;
  /** this connection's announcements, oldest first (bounded; some may have been taken or replaced): a list through Pending.nextAnnounced */
  announced: Pending | undefined;
  /** the server has sent control text: the connection is a session, kept through long idle times */
  established: boolean;
  /** data flows this control flow announced */
  dataFlows: number;
}

const HAS_PORTS = 1;
const CROSSES = 2;
const BLOCKED_AT_OPEN = 4;
const CLOSED = 8;
const RESET = 16;
const REPLIED = 32;
const LIVE = 64;
/** a data flow this control flow announced had a packet whose row is kept */
const DRAWN_DATA = 128;
/** the role's code sits above the yes/no bits, the protocol above it */
const ROLE_SHIFT = 8;
const PROTO_SHIFT = 10;
/** CaptureFlowRole by code */
const ROLES: readonly CaptureFlowRole[] = ['other', 'control', 'data'];
const ROLE_CONTROL = 1;
const ROLE_DATA = 2;

/** The facts of a flow that few flows have: a denied packet and what came after it, the packets a report keeps. */
class FlowRare {
  firstBlocked: CaptureBlockedPacket | null = null;
  laterPackets = 0;
  numbers: number[] | undefined = undefined;
}

/**
 * A flow being tracked. Mutable; numbers only on the per-packet path. Small facts share
 * integers (protocol and yes/no facts one, the two ports another; a field each otherwise), and
 * what only one role needs sits in the control state (control flows) or the announcement (data flows).
 */
export class LiveFlow {
  /** protocol << PROTO_SHIFT | role code << ROLE_SHIFT | the yes/no bits */
  private bits: number;
  /** client port << 16 | server port (0 without ports) */
  private readonly ports: number;
  packets = 0;
  bytesPassed = 0;
  /** id of the conntrack entry this flow made (stateful engine), 0 when none is live */
  ctId = 0;
  lastMs: number;
  /** what the role needs: a control flow's ControlState, a data flow's announcement (one field for either) */
  private link: ControlState | Pending | undefined = undefined;
  /** what few flows have (a blocked packet, kept packet numbers), made when first set */
  private rare: FlowRare | undefined = undefined;

  constructor(
    readonly id: number,
    proto: number,
    hasPorts: boolean,
    /** initiator */
    readonly cAddr: IpAddress,
    cPort: number,
    /** responder */
    readonly sAddr: IpAddress,
    sPort: number,
    /** interface of the client side / server side */
    readonly cIface: string,
    readonly sIface: string,
    nowMs: number,
  ) {
    this.bits = (proto << PROTO_SHIFT) | (hasPorts ? HAS_PORTS : 0) | (cIface !== sIface ? CROSSES : 0);
    this.ports = (cPort << 16) | sPort;
    this.lastMs = nowMs;
  }

  get proto(): number {
    return this.bits >>> PROTO_SHIFT;
  }

  /** the first denied packet, null while none was */
  get firstBlocked(): CaptureBlockedPacket | null {
    return this.rare === undefined ? null : this.rare.firstBlocked;
  }

  set firstBlocked(b: CaptureBlockedPacket | null) {
    if (b !== null || this.rare !== undefined) (this.rare ??= new FlowRare()).firstBlocked = b;
  }

  /** packets after the first denied one */
  get laterPackets(): number {
    return this.rare === undefined ? 0 : this.rare.laterPackets;
  }

  set laterPackets(n: number) {
    if (n !== 0 || this.rare !== undefined) (this.rare ??= new FlowRare()).laterPackets = n;
  }

  /** numbers of the flow's packets whose rows the replay keeps (made at the first such packet) */
  get numbers(): number[] | undefined {
    return this.rare === undefined ? undefined : this.rare.numbers;
  }

  set numbers(list: number[] | undefined) {
    if (list !== undefined || this.rare !== undefined) (this.rare ??= new FlowRare()).numbers = list;
  }

  get role(): CaptureFlowRole {
    return ROLES[this.roleCode]!;
  }

  /** the role's code: 0 other, ROLE_CONTROL, ROLE_DATA */
  private get roleCode(): number {
    return (this.bits >>> ROLE_SHIFT) & 3;
  }

  set role(role: CaptureFlowRole) {
    const code = role === 'control' ? ROLE_CONTROL : role === 'data' ? ROLE_DATA : 0;
    this.bits = (this.bits & ~(3 << ROLE_SHIFT)) | (code << ROLE_SHIFT);
  }

  /** a control flow's reassembly and bookkeeping, until it is retired */
  get control(): ControlState | undefined {
    return this.roleCode === ROLE_CONTROL ? (this.link as ControlState | undefined) : undefined;
  }

  /** makes the flow a control flow with this state; undefined retires a control flow's state (and does nothing to another flow) */
  set control(cs: ControlState | undefined) {
    if (cs !== undefined) this.role = 'control';
    else if (this.roleCode !== ROLE_CONTROL) return;
    this.link = cs;
  }

  /** for data flows: the announcement that named it */
  get announcedBy(): Pending | undefined {
    return this.roleCode === ROLE_DATA ? (this.link as Pending | undefined) : undefined;
  }

  /** makes the flow a data flow named by `a` */
  set announcedBy(a: Pending | undefined) {
    this.role = 'data';
    this.link = a;
  }

  /** initiator's port */
  get cPort(): number {
    return this.ports >>> 16;
  }

  /** responder's port */
  get sPort(): number {
    return this.ports & 0xffff;
  }

  /** pairHash() of the flow's ends */
  get hash(): number {
    return pairHash(this.proto, this.cAddr, this.cPort, this.sAddr, this.sPort);
  }

  get hasPorts(): boolean {
    return (this.bits & HAS_PORTS) !== 0;
  }

  get crosses(): boolean {
    return (this.bits & CROSSES) !== 0;
  }

  /** true when the first denied packet was the SYN or SYN-ACK: the connection could not have opened */
  get blockedAtOpen(): boolean {
    return (this.bits & BLOCKED_AT_OPEN) !== 0;
  }

  set blockedAtOpen(on: boolean) {
    this.set(BLOCKED_AT_OPEN, on);
  }

  /** FIN or RST seen */
  get closed(): boolean {
    return (this.bits & CLOSED) !== 0;
  }

  set closed(on: boolean) {
    this.set(CLOSED, on);
  }

  /** RST seen */
  get reset(): boolean {
    return (this.bits & RESET) !== 0;
  }

  set reset(on: boolean) {
    this.set(RESET, on);
  }

  /** a packet went from the responder to the initiator */
  get replied(): boolean {
    return (this.bits & REPLIED) !== 0;
  }

  set replied(on: boolean) {
    this.set(REPLIED, on);
  }

  /** a data flow this control flow announced had a packet whose row is kept (the packet window's) */
  get drawnData(): boolean {
    return (this.bits & DRAWN_DATA) !== 0;
  }

  set drawnData(on: boolean) {
    this.set(DRAWN_DATA, on);
  }

  /** still in the live table */
  get live(): boolean {
    return (this.bits & LIVE) !== 0;
  }

  set live(on: boolean) {
    this.set(LIVE, on);
  }

  private set(bit: number, on: boolean): void {
    this.bits = on ? this.bits | bit : this.bits & ~bit;
  }
}

/** A hash of (proto, {src, srcPort}, {dst, dstPort}) that is the same in both directions. */
export function pairHash(proto: number, src: IpAddress, srcPort: number, dst: IpAddress, dstPort: number): number {
  const h1 = (mixAddr(src) ^ Math.imul(srcPort + 1, 0xcc9e2d51)) | 0;
  const h2 = (mixAddr(dst) ^ Math.imul(dstPort + 1, 0xcc9e2d51)) | 0;
  const h = (Math.imul(h1 ^ h2, 0x1b873593) + h1 + h2 + proto) | 0;
  return (h ^ (h >>> 15)) & 0x3fffffff; // a small integer: never a heap number
}

/** True when two addresses are equal (numbers only). */
export const sameAddr = ipEquals;

/** 0 when the packet goes client → server in `f`, 1 when server → client, -1 when it is not of `f`. */
export function directionIn(f: LiveFlow, p: Packet, srcPort: number, dstPort: number): number {
  if (f.proto !== p.proto) return -1;
  if (f.cPort === srcPort && f.sPort === dstPort && sameAddr(f.cAddr, p.src) && sameAddr(f.sAddr, p.dst)) return 0;
  if (f.sPort === srcPort && f.cPort === dstPort && sameAddr(f.sAddr, p.src) && sameAddr(f.cAddr, p.dst)) return 1;
  return -1;
}

/** The live flows, by pair hash. */
export class FlowTable {
  private readonly index = new HashIndex<LiveFlow>();
  size = 0;
  peak = 0;

  /** The live flow of this packet and its direction (in `dir`), or undefined. */
  find(p: Packet, srcPort: number, dstPort: number, hash: number, dir: { value: number }): LiveFlow | undefined {
    const index = this.index;
    for (let i = index.first(hash); i >= 0; i = index.next(hash, i)) {
      const f = index.at(i);
      const d = directionIn(f, p, srcPort, dstPort);
      if (d >= 0) {
        dir.value = d;
        return f;
      }
    }
    return undefined;
  }

  /** Adds a new flow; `hash` is its pairHash(). */
  insert(f: LiveFlow, hash: number): void {
    this.index.add(hash, f);
    f.live = true;
    this.size++;
    if (this.size > this.peak) this.peak = this.size;
  }

  remove(f: LiveFlow): void {
    if (!f.live) return;
    f.live = false;
    this.size--;
    this.index.remove(f.hash, f);
  }

  /** Removes every flow `idle` says is done; returns them in id order. */
  sweep(idle: (f: LiveFlow) => boolean): LiveFlow[] {
    const out: LiveFlow[] = [];
    this.index.select(idle, out);
    out.sort(byId);
    for (let i = 0; i < out.length; i++) this.remove(out[i]!);
    return out;
  }
}

function byId(a: LiveFlow, b: LiveFlow): number {
  return a.id - b.id;
}
