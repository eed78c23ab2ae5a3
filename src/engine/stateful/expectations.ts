/**
 * Expectations (nf_conntrack_expect): one-shot pinholes a helper opens for a
 * connection it has announced. The FTP helper's are TCP, match the source
 * address exactly, any source port (mask 0), and the destination address and
 * port exactly (nf_ct_expect_init with a NULL source port).
 */
import { formatEndpoint, formatIp, ipEquals, type IpAddress } from '../../net/address.js';
import type { ExpectationRef } from '../verdict.js';
import type { Conn } from './conntrack-table.js';

/** The text that opened an expectation. */
export type ExpectationTrigger = ExpectationRef['trigger'];

/** One pending expectation. */
export interface Expectation {
  /** 1-based */
  readonly id: number;
  /** expectationHash of src, dst, dstPort */
  readonly key: number;
  readonly src: IpAddress;
  readonly dst: IpAddress;
  readonly dstPort: number;
  readonly master: Conn;
  readonly trigger: ExpectationTrigger;
  /** 1-based trace number of the packet whose text opened it */
  readonly openedByPacket: number;
  /** absolute: nf_ct_expect_insert sets the timer once (the engine's timeout after it was made); control traffic does not extend it */
  readonly expiresMs: number;
  alive: boolean;
  /** nf_nat_ftp set it up: the data connection is translated as its master (nf_nat_follow_master) */
  readonly follow: import('./nat.js').NatFollow | undefined;
  /** the table's chains (by key, by id); set by the table */
  nextByKey: Expectation | undefined;
  nextById: Expectation | undefined;
}

function mix(h: number, x: number): number {
  h = Math.imul(h ^ x, 0x85ebca6b);
  return h ^ (h >>> 13);
}

function mixAddr(h: number, a: IpAddress): number {
  if (a.family === 4) return mix(h, a.v4);
  for (let i = 0; i < 4; i++) h = mix(h, a.v6[i]!);
  return mix(h, 6);
}

/** The hash a new connection's ORIGINAL tuple is looked up by: source address, destination address and port (a small integer: no string per lookup). */
export function expectationHash(src: IpAddress, dst: IpAddress, dstPort: number): number {
  return mix(mixAddr(mixAddr(0x27d4eb2f, src), dst), dstPort) & 0x3fffffff;
}

/** `10.0.0.2:* → 192.168.10.1:50021`, IPv6 as `[2001:db8::2]:* → [2001:db8::1]:50021`. */
export function formatExpectation(e: Pick<Expectation, 'src' | 'dst' | 'dstPort'>): string {
  const src = e.src.family === 4 ? `${formatIp(e.src)}:*` : `[${formatIp(e.src)}]:*`;
  return `${src} → ${formatEndpoint(e.dst, e.dstPort)}`;
}

/** How an event names the trigger: `PORT`, `EPRT`, `227 reply`, `229 reply`. */
export function triggerText(trigger: ExpectationTrigger): string {
  return trigger === '227' || trigger === '229' ? `${trigger} reply` : trigger;
}

/** The reference a related connection's provenance carries. */
export function expectationRef(e: Expectation): ExpectationRef {
  return { id: e.id, trigger: e.trigger, openedByPacket: e.openedByPacket };
}

/** Why an expectation could not be added (nf_ct_expect_related failing → the helper drops the packet). */
export type InsertRefusal =
  | { readonly kind: 'clash'; readonly holder: Expectation }
  | { readonly kind: 'full'; readonly max: number };

/** The outcome of adding an expectation (__nf_ct_expect_check order). */
export type InsertOutcome =
  | { readonly ok: true; readonly replaced: Expectation | undefined }
  | { readonly ok: false; readonly refusal: InsertRefusal };

/** The expectation table of one firewall. */
export interface ExpectationTable {
  /** The live expectation a new connection from `src` to `dst:dstPort` would match. */
  find(src: IpAddress, dst: IpAddress, dstPort: number): Expectation | undefined;
  byId(id: number): Expectation | undefined;
  /**
   * Adds `e` as __nf_ct_expect_check does: an identical expectation of the same master
   * is replaced; one of another master → clash (-EBUSY); the master's older one
   * (max_expected = 1) is evicted; a full table (nf_ct_expect_max) refuses.
   */
  insert(e: Expectation): InsertOutcome;
  /** Unlinks (consumed, expired, master gone). */
  remove(e: Expectation): void;
  readonly size: number;
  /** live expectations in id order */
  list(): Expectation[];
}

/** The outcome of an insert that replaced nothing (most), shared. */
const INSERTED: InsertOutcome = Object.freeze({ ok: true, replaced: undefined });

/** Chain heads kept at most (per index); more expectations than this share chains. */
const MAX_CHAINS = 1 << 16;

/**
 * Creates an expectation table holding at most `max` expectations (nf_ct_expect_max). Chained
 * through the expectations themselves (by key hash, and by id for the timers), over arrays that
 * never shrink: no Map whose storage is rebuilt as the table empties and fills on every transfer.
 */
export function createExpectationTable(max: number): ExpectationTable {
  let chains = 16;
  while (chains < 2 * max && chains < MAX_CHAINS) chains *= 2;
  const mask = chains - 1;
  const byKey: (Expectation | undefined)[] = new Array<Expectation | undefined>(chains).fill(undefined);
  const byIdChain: (Expectation | undefined)[] = new Array<Expectation | undefined>(chains).fill(undefined);
  let size = 0;
  const findSame = (src: IpAddress, dst: IpAddress, dstPort: number, key: number): Expectation | undefined => {
    for (let e = byKey[key & mask]; e !== undefined; e = e.nextByKey) if (e.key === key && e.dstPort === dstPort && ipEquals(e.src, src) && ipEquals(e.dst, dst)) return e;
    return undefined;
  };
  const remove = (e: Expectation): void => {
    if (!e.alive) return;
    e.alive = false;
    const k = e.key & mask;
    if (byKey[k] === e) byKey[k] = e.nextByKey;
    else for (let x = byKey[k]; x !== undefined; x = x.nextByKey) if (x.nextByKey === e) {
      x.nextByKey = e.nextByKey;
      break;
    }
    const i = e.id & mask;
    if (byIdChain[i] === e) byIdChain[i] = e.nextById;
    else for (let x = byIdChain[i]; x !== undefined; x = x.nextById) if (x.nextById === e) {
      x.nextById = e.nextById;
      break;
    }
    e.nextByKey = undefined;
    e.nextById = undefined;
    size--;
    if (e.master.pending === e) e.master.pending = undefined;
  };
  return {
    find: (src, dst, dstPort) => findSame(src, dst, dstPort, expectationHash(src, dst, dstPort)),
    byId(id: number): Expectation | undefined {
      for (let e = byIdChain[id & mask]; e !== undefined; e = e.nextById) if (e.id === id) return e;
      return undefined;
    },
    insert(e: Expectation): InsertOutcome {
      let replaced: Expectation | undefined;
      const same = findSame(e.src, e.dst, e.dstPort, e.key);
      if (same) {
        if (same.master !== e.master) return { ok: false, refusal: { kind: 'clash', holder: same } };
        replaced = same;
        remove(same);
      }
      const old = e.master.pending;
      if (old) {
        replaced = old;
        remove(old);
      }
      if (size >= max) return { ok: false, refusal: { kind: 'full', max } };
      const k = e.key & mask;
      e.nextByKey = byKey[k];
      byKey[k] = e;
      const i = e.id & mask;
      e.nextById = byIdChain[i];
      byIdChain[i] = e;
      size++;
      e.master.pending = e;
      return replaced === undefined ? INSERTED : { ok: true, replaced };
    },
    remove,
    get size(): number {
      return size;
    },
    list(): Expectation[] {
      const out: Expectation[] = [];
      // indexed: an array iterator here was an object per chain (the timer rebuild calls this every few thousand packets)
      for (let i = 0; i < byIdChain.length; i++) for (let e = byIdChain[i]; e !== undefined; e = e.nextById) out.push(e);
      return out.sort((a, b) => a.id - b.id);
    },
  };
}
