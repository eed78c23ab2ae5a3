/**
 * What help() does after a scanner matched (facts 4.1, 4.5, 5.1): the bounce
 * check against the sender's own address, then an expectation from the peer
 * (any source port) to the announcer's address and the announced port.
 */
import { ipEquals } from '../../net/address.js';
import type { StepContext } from '../verdict.js';
import type { EventSink } from './event-sink.js';
import type { Conn } from './conntrack-table.js';
import { expectationHash, formatExpectation, type Expectation, type ExpectationTable } from './expectations.js';
import type { FtpParse, FtpSearch } from './helpers/ftp.js';
import * as msg from './messages.js';

/** The engine's hooks for a new expectation. */
export interface AnnounceEnv {
  readonly loose: boolean;
  readonly expectationTimeoutMs: number;
  readonly expectations: ExpectationTable;
  /** nf_nat_ftp is loaded (H3C `nat alg ftp`): on a NATed connection the expectation follows the master's NAT */
  readonly natAlg?: boolean;
  /** the id the next expectation will get (taken only when one is created) */
  peekId(): number;
  /** takes the id and arms the expectation's timer */
  schedule(e: Expectation): void;
}

/**
 * Handles a matched PORT/EPRT/227/229 on connection `c`, sent in direction `dir`.
 * Returns the helper's drop reason when the expectation could not be added
 * (nf_ct_expect_related failed → NF_DROP), else the expectation added (undefined: none).
 */
export function announce(
  c: Conn,
  dir: 0 | 1,
  entry: FtpSearch,
  parse: Extract<FtpParse, { kind: 'match' }>,
  ctx: StepContext,
  env: AnnounceEnv,
  events: EventSink,
): { readonly drop: string } | Expectation | undefined {
  // the sender's address in this direction's tuple (cmd.u3 preset); the expectation runs from
  // tuplehash[!dir].src to tuplehash[!dir].dst: the addresses the peer sees (NAT: the public ones)
  const sender = dir === 0 ? c.src : c.replySrc;
  const peer = dir === 0 ? c.replySrc : c.src;
  const seenAs = dir === 0 ? c.replyDst : c.dst;
  const role = dir === 0 ? 'client' : 'server';
  const differs = !ipEquals(parse.addr, sender);
  if (differs && !env.loose) {
    // "NOT RECORDING": accepted, no expectation (nf_conntrack_ftp help(), loose off)
    if (events.want('expectation-refused')) events.push({
      tMs: ctx.nowMs,
      kind: 'expectation-refused',
      packet: ctx.n,
      text: msg.refusedText(entry.trigger, ctx.n, parse.addr, role, sender, msg.quirkNote(entry.pattern, parse)),
    });
    return undefined;
  }
  const dst = differs ? parse.addr : seenAs;
  // one literal of fixed fields (no spreads): every expectation has one shape
  const e: Expectation = {
    id: env.peekId(),
    key: expectationHash(peer, dst, parse.port),
    src: peer,
    dst,
    dstPort: parse.port,
    master: c,
    trigger: entry.trigger,
    openedByPacket: ctx.n,
    expiresMs: ctx.nowMs + env.expectationTimeoutMs,
    alive: true,
    nextByKey: undefined,
    nextById: undefined,
    follow: c.nat && env.natAlg ? { dir: (1 - dir) as 0 | 1, savedPort: parse.port } : undefined,
  };
  const outcome = env.expectations.insert(e);
  if (!outcome.ok) {
    const why =
      outcome.refusal.kind === 'clash'
        ? `connection ${outcome.refusal.holder.master.id}'s pending expectation ${formatExpectation(outcome.refusal.holder)} already covers it (-EBUSY)`
        : `the expectation table is full (nf_ct_expect_max = ${outcome.refusal.max})`;
    if (events.want('helper-drop')) events.push({ tMs: ctx.nowMs, kind: 'helper-drop', packet: ctx.n, text: msg.cannotAddText(ctx.n, c.id, e, why) });
    return { drop: 'cannot add expectation' };
  }
  env.schedule(e);
  if (outcome.replaced)
    if (events.want('expectation-replaced')) events.push({ tMs: ctx.nowMs, kind: 'expectation-replaced', packet: ctx.n, text: msg.replacedText(outcome.replaced, e) });
  if (events.want('expectation-open')) {
    const loose = differs ? msg.looseNote(role, parse.addr, sender) : '';
    events.push({ tMs: ctx.nowMs, kind: 'expectation-open', packet: ctx.n, text: msg.openedText(e, `${loose}${msg.quirkNote(entry.pattern, parse)}`) });
  }
  return e;
}
