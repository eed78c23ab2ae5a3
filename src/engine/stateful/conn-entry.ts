/**
 * The conntrack entry the engine makes (a Conn). Small facts share integers: the protocol and
 * the status bits one field, the two ports another; the REPLY tuple is stored only when it is
 * not the ORIGINAL one swapped (a ruleset's NAT), and what few entries have (mark, verdict record, NAT) sits
 * in one object made when needed. Every field is 8 bytes in V8 whatever it holds, and a replay makes one
 * entry per connection, which lives as long as the connection: about 112 bytes where the plain object took 192.
 */
import type { IpAddress } from '../../net/address.js';
import type { ExpectationRef, Verdict } from '../verdict.js';
import { icmpReplyType, type Conn } from './conntrack-table.js';
import type { Expectation } from './expectations.js';
import type { FtpHelperState } from './helpers/ftp-session.js';
import type { ConnNat } from './nat.js';

const SEEN_REPLY = 1;
const ASSURED = 2;
const SESSION = 4;
const ALIVE = 8;
/** ICMP or ICMPv6: the reply ports are 0 and the reply type */
const ICMP = 16;

/** A REPLY tuple that is not the ORIGINAL swapped. */
export interface StoredReply {
  readonly src: IpAddress;
  readonly dst: IpAddress;
  readonly srcPort: number;
  readonly dstPort: number;
}

/**
 * What few entries have: a mark (rulesets), the verdict record of their established packets (kept only with
 * verdict detail on), NAT. One field for all three in the entry, made when the first is set.
 */
class ConnRare {
  mark = 0;
  established: Verdict | undefined = undefined;
  nat: ConnNat | undefined = undefined;
}

/** One conntrack entry (see Conn for what each field means). */
export class ConnEntry implements Conn {
  /** protocol << 8 | SEEN_REPLY | ASSURED | SESSION | ALIVE | ICMP */
  private bits: number;
  /** srcPort << 16 | dstPort */
  private readonly ports: number;
  pending: Expectation | undefined = undefined;
  slot = -1;
  /** the mark, established verdict and NAT, when one is set */
  private rare: ConnRare | undefined = undefined;

  constructor(
    readonly id: number,
    proto: number,
    icmp: boolean,
    readonly src: IpAddress,
    readonly dst: IpAddress,
    srcPort: number,
    dstPort: number,
    /** the REPLY tuple, when it is not the ORIGINAL one swapped */
    private readonly reply: StoredReply | undefined,
    session: boolean,
    readonly related: ExpectationRef | undefined,
    readonly helper: FtpHelperState | undefined,
    mark: number,
    nat: ConnNat | undefined,
  ) {
    this.bits = (proto << 8) | ALIVE | (session ? SESSION : 0) | (icmp ? ICMP : 0);
    this.ports = (srcPort << 16) | dstPort;
    if (mark !== 0 || nat !== undefined) {
      const rare = (this.rare = new ConnRare());
      rare.mark = mark;
      rare.nat = nat;
    }
  }

  get mark(): number {
    return this.rare === undefined ? 0 : this.rare.mark;
  }

  set mark(mark: number) {
    if (mark !== 0 || this.rare !== undefined) (this.rare ??= new ConnRare()).mark = mark;
  }

  get established(): Verdict | undefined {
    return this.rare === undefined ? undefined : this.rare.established;
  }

  set established(v: Verdict | undefined) {
    if (v !== undefined || this.rare !== undefined) (this.rare ??= new ConnRare()).established = v;
  }

  get nat(): ConnNat | undefined {
    return this.rare === undefined ? undefined : this.rare.nat;
  }

  get proto(): number {
    return this.bits >>> 8;
  }

  get srcPort(): number {
    return this.ports >>> 16;
  }

  get dstPort(): number {
    return this.ports & 0xffff;
  }

  get replySrc(): IpAddress {
    return this.reply === undefined ? this.dst : this.reply.src;
  }

  get replyDst(): IpAddress {
    return this.reply === undefined ? this.src : this.reply.dst;
  }

  get replySrcPort(): number {
    if (this.reply !== undefined) return this.reply.srcPort;
    return (this.bits & ICMP) !== 0 ? 0 : this.dstPort;
  }

  get replyDstPort(): number {
    if (this.reply !== undefined) return this.reply.dstPort;
    return (this.bits & ICMP) !== 0 ? icmpReplyType(this.proto, this.dstPort) : this.srcPort;
  }

  get session(): boolean {
    return (this.bits & SESSION) !== 0;
  }

  get seenReply(): boolean {
    return (this.bits & SEEN_REPLY) !== 0;
  }

  set seenReply(on: boolean) {
    this.set(SEEN_REPLY, on);
  }

  get assured(): boolean {
    return (this.bits & ASSURED) !== 0;
  }

  set assured(on: boolean) {
    this.set(ASSURED, on);
  }

  get alive(): boolean {
    return (this.bits & ALIVE) !== 0;
  }

  set alive(on: boolean) {
    this.set(ALIVE, on);
  }

  private set(bit: number, on: boolean): void {
    this.bits = on ? this.bits | bit : this.bits & ~bit;
  }
}
