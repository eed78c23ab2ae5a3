/**
 * Expectations (nf_conntrack_expect): one-shot pinholes a helper opens for a
 * connection it has announced. The FTP helper's are TCP, match the source
 * address exactly, any source port (mask 0), and the destination address and
 * port exactly (nf_ct_expect_init with a NULL source port).
 */
import { formatEndpoint, formatIp, ipKey, type IpAddress } from '../../net/address.js';
import type { ExpectationRef } from '../verdict.js';
import type { Conn } from './conntrack-table.js';

/** The text that opened an expectation. */
export type ExpectationTrigger = ExpectationRef['trigger'];

/** One pending expectation. */
export interface Expectation {
  /** 1-based */
  readonly id: number;
  readonly key: string;
  readonly src: IpAddress;
  readonly dst: IpAddress;
  readonly dstPort: number;
  readonly master: Conn;
  readonly trigger: ExpectationTrigger;
  /** 1-based trace number of the packet whose text opened it */
  readonly openedByPacket: number;
  readonly createdMs: number;
  /** absolute: nf_ct_expect_insert sets the timer once; control traffic does not extend it */
  readonly expiresMs: number;
  alive: boolean;
  /** nf_nat_ftp set it up: the data connection is translated as its master (nf_nat_follow_master) */
  readonly follow?: import('./nat.js').NatFollow;
}

/** The key a new connection's ORIGINAL tuple is looked up by: source address, destination address and port. */
export function expectationKey(src: IpAddress, dst: IpAddress, dstPort: number): string {
  return `${ipKey(src)}>${ipKey(dst)}:${dstPort}`;
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
  find(key: string): Expectation | undefined;
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

/** Creates an expectation table holding at most `max` expectations (nf_ct_expect_max). */
export function createExpectationTable(max: number): ExpectationTable {
  const byKey = new Map<string, Expectation>();
  const ids = new Map<number, Expectation>();
  const remove = (e: Expectation): void => {
    if (!e.alive) return;
    e.alive = false;
    byKey.delete(e.key);
    ids.delete(e.id);
    if (e.master.pending === e) e.master.pending = undefined;
  };
  return {
    find: (key) => byKey.get(key),
    byId: (id) => ids.get(id),
    insert(e: Expectation): InsertOutcome {
      let replaced: Expectation | undefined;
      const same = byKey.get(e.key);
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
      if (byKey.size >= max) return { ok: false, refusal: { kind: 'full', max } };
      byKey.set(e.key, e);
      ids.set(e.id, e);
      e.master.pending = e;
      return { ok: true, replaced };
    },
    remove,
    get size(): number {
      return byKey.size;
    },
    list: () => [...ids.values()].sort((a, b) => a.id - b.id),
  };
}
