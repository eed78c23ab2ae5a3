/**
 * NAT in the stateful engine's packet path: which binding a connection's first packet gets
 * (H3C nat rules in order, or a Linux ruleset's nat chains walked at prerouting and postrouting),
 * how the filter sees each packet of a translated connection, the packet as it leaves, and
 * nf_nat_ftp's rewrite of a PORT/EPRT/227/229 the helper matched.
 */
import { formatIp, ipEquals, type IpAddress } from '../../net/address.js';
import { packetWith, type Packet } from '../../net/packet.js';
import type { Policy } from '../../policy/model.js';
import { walkNat, type CompiledRuleset, type CtView, type NatChoice, type NatViews } from '../ruleset.js';
import type { StepContext, Verdict } from '../verdict.js';
import { describeConn, type Conn } from './conntrack-table.js';
import type { EventSink } from './event-sink.js';
import type { Expectation } from './expectations.js';
import type { FtpParse, FtpSearch } from './helpers/ftp.js';
import { natFtpArgument, spliceArgument } from './helpers/ftp-nat.js';
import * as msg from './messages.js';
import { compileNat, filterView, findNatRule, leavingPacket, replyFromMaster, replyFromRules, type CompiledNatRule, type ReplyTuple } from './nat.js';
import { seqAdjSet } from './seqadj.js';

/** How a connection's first packet starts: dropped by a nat chain, or what the filter sees and the REPLY tuple. */
export type NatStart =
  | { readonly kind: 'drop'; readonly verdict: Verdict }
  | {
      readonly kind: 'go';
      /** the packet as the filter sees it (after DNAT) and its context (egress as routed after DNAT) */
      readonly packet: Packet;
      readonly ctx: StepContext;
      /** the packet before DNAT and after SNAT, for chains on either side of the nat stages */
      readonly views: NatViews | undefined;
      /** the REPLY tuple NAT gives the connection; undefined: no NAT rule applies */
      readonly reply: ReplyTuple | undefined;
    };

/** The NAT part of one policy's stateful engine. */
export interface NatStage {
  /** the policy has NAT rules, or the connection may follow a NATed master */
  readonly any: boolean;
  /** nf_nat_ftp is there (H3C `nat alg ftp`; Linux: built in or loaded, unless `--no-nat-ftp`) */
  readonly alg: boolean;
  /** The binding of a new connection (`e`: the expectation it matched). */
  start(p: Packet, srcPort: number, dstPort: number, ctx: StepContext, e: Expectation | undefined, ct: CtView): NatStart;
  /** What the filter sees of a packet of a translated connection, and where it goes. One object, overwritten by the next call: read it at once. */
  filterOf(p: Packet, c: Conn, dir: 0 | 1, ctx: StepContext): FilterSight;
  /** `; NAT: DNAT to …, reply …` for conntrack events, '' when not translated. */
  note(c: Conn): string;
}

/** What the filter sees of a packet of a translated connection (NatStage.filterOf). */
export interface FilterSight {
  /** the packet as DNAT (or un-SNAT) left it at prerouting */
  readonly packet: Packet;
  /** its context, egress as routed after DNAT */
  readonly ctx: StepContext;
  /** the packet before DNAT and after SNAT (rulesets) */
  readonly views: NatViews | undefined;
}

/** Options the NAT stage needs from the engine. */
export interface NatStageOptions {
  /** each interface's own address (MASQUERADE translates to the outgoing one's) */
  readonly interfaceAddresses?: ReadonlyMap<string, IpAddress>;
}

/** The interface `dst` is routed to (the caller's routing), or ctx.egress. */
export function routed(ctx: StepContext, dst: IpAddress): string {
  return ctx.route?.(dst) ?? ctx.egress;
}

/** Builds the NAT stage of a policy; `rs` is its compiled ruleset (Linux), whose nat chains then decide. */
export function createNatStage(policy: Policy, rs: CompiledRuleset | undefined, options: NatStageOptions): NatStage {
  const rules = compileNat(policy.nat ?? []);
  // H3C: `nat alg ftp` (on by default). Linux: nf_nat_ftp present (built in, or a loaded module: no ruleset loads it)
  const alg = policy.natFtpAlg ?? true;
  const ifaceAddress = (iface: string): IpAddress | undefined => options.interfaceAddresses?.get(iface);
  // filterOf's answer and the views in it: one of each per engine, overwritten per packet
  let sight: { packet: Packet; ctx: StepContext; views: NatViews | undefined } | undefined;
  let sightViews: { beforeDnat: Packet; afterSnat: Packet | undefined } | undefined;

  /** A nat chain walk's choice as a compiled rule; 'drop' passes through. */
  const fromChoice = (c: NatChoice): CompiledNatRule | undefined | { drop: Verdict } => {
    if (c.kind === 'drop') return { drop: { action: 'deny', by: c.by } };
    return c.kind === 'rule' ? rules[c.index] : undefined;
  };

  /** The rule chosen at `hook` for a first packet `p` (already DNATed at postrouting). */
  const choose = (hook: 'prerouting' | 'postrouting', p: Packet, ctx: StepContext, ct: CtView): CompiledNatRule | undefined | { drop: Verdict } => {
    if (rs) return fromChoice(walkNat(rs, hook, p, ctx, ct));
    return findNatRule(rules, hook, p, ctx.ingress, ctx.egress);
  };

  const missingAddress = (r: CompiledNatRule, iface: string): Verdict => ({
    action: 'deny',
    by: { kind: 'invalid', reason: `${r.rule.kind === 'masquerade' ? 'MASQUERADE' : 'REDIRECT'} (${r.rule.at.file}:${r.rule.at.line}) needs the address of interface ${iface}, which the scenario does not give (interfaces:)` },
  });

  return {
    any: rules.length > 0,
    alg,
    start(p, srcPort, dstPort, ctx, e, ct) {
      let reply: ReplyTuple | undefined;
      if (e?.follow) reply = replyFromMaster(e.master, e.follow, p, srcPort);
      else if (rules.length > 0) {
        const pre = choose('prerouting', p, ctx, ct);
        if (pre && 'drop' in pre) return { kind: 'drop', verdict: pre.drop };
        const first = replyFromRules(p, srcPort, dstPort, pre, undefined, ctx, ifaceAddress);
        if (first.missing) return { kind: 'drop', verdict: missingAddress(pre!, ctx.ingress) };
        const egress = routed(ctx, first.src);
        const dnatted = packetWith(p, { dst: first.src, dstPort: first.srcPort });
        const postCtx = egress === ctx.egress ? ctx : { ...ctx, egress };
        const post = choose('postrouting', dnatted, postCtx, ct);
        if (post && 'drop' in post) return { kind: 'drop', verdict: post.drop };
        reply = replyFromRules(p, srcPort, dstPort, pre, post, postCtx, ifaceAddress);
        if (reply.missing) return { kind: 'drop', verdict: missingAddress(post!, egress) };
        if (reply.text.length === 0) reply = undefined;
      }
      if (!reply) return { kind: 'go', packet: p, ctx, views: undefined, reply: undefined };
      // the filter sees the destination as DNAT made it at prerouting, the source not yet translated
      const seen = ipEquals(reply.src, p.dst) && reply.srcPort === dstPort ? p : packetWith(p, { dst: reply.src, dstPort: p.fragment === 'later' ? p.dstPort : reply.srcPort });
      const fctx = ipEquals(reply.src, p.dst) ? ctx : { ...ctx, egress: routed(ctx, reply.src) };
      const afterSnat = ipEquals(reply.dst, p.src) && reply.dstPort === srcPort ? seen : packetWith(seen, { src: reply.dst, srcPort: p.fragment === 'later' ? p.srcPort : reply.dstPort });
      return { kind: 'go', packet: seen, ctx: fctx, views: { beforeDnat: p, afterSnat }, reply };
    },
    filterOf(p, c, dir, ctx) {
      const packet = filterView(p, c, dir);
      const fctx = ipEquals(packet.dst, p.dst) ? ctx : { ...ctx, egress: routed(ctx, packet.dst) };
      let views: NatViews | undefined;
      if (rs) {
        const afterSnat = leavingPacket(p, c, dir, p.payload);
        if (sightViews) {
          sightViews.beforeDnat = p;
          sightViews.afterSnat = afterSnat;
        } else sightViews = { beforeDnat: p, afterSnat };
        views = sightViews;
      }
      if (sight) {
        sight.packet = packet;
        sight.ctx = fctx;
        sight.views = views;
      } else sight = { packet, ctx: fctx, views };
      return sight;
    },
    note(c) {
      return c.nat ? `; NAT: ${c.nat.text}, reply ${describeConn({ proto: c.proto, src: c.replySrc, dst: c.replyDst, srcPort: c.replySrcPort, dstPort: c.replyDstPort })}` : '';
    },
  };
}

/**
 * nf_nat_ftp (facts 9.2-9.4) on a segment whose PORT/EPRT/227/229 made expectation `e` on the
 * translated connection `c`: the argument span rewritten to the address the peer sees
 * (tuplehash[!dir].dst) and the expectation's port, and seqadj armed when the length changed.
 * Returns the new payload, or a drop when the address cannot be written (IPv6 in PORT/227).
 */
export function natFtpRewrite(
  c: Conn,
  dir: 0 | 1,
  p: Packet,
  entry: FtpSearch,
  parse: Extract<FtpParse, { kind: 'match' }>,
  e: Expectation,
  ctx: StepContext,
  events: EventSink,
): { readonly payload: Uint8Array } | { readonly drop: string } {
  const addr = dir === 0 ? c.replyDst : c.dst;
  const text = natFtpArgument(entry.trigger, addr, e.dstPort);
  if (text === undefined) return { drop: 'nf_nat_ftp cannot write an IPv6 address into PORT/227' };
  const before = p.payload.subarray(parse.matchOff, parse.matchOff + parse.matchLen);
  const payload = spliceArgument(p.payload, parse.matchOff, parse.matchLen, text);
  const delta = text.length - parse.matchLen;
  seqAdjSet(c.nat!.seqadj[dir], p.seq, delta);
  if (events.want('helper-nat')) events.push({ tMs: ctx.nowMs, kind: 'helper-nat', packet: ctx.n, text: msg.natRewriteText(ctx.n, c.id, entry.trigger, before, text, formatIp(addr), delta) });
  return { payload };
}
