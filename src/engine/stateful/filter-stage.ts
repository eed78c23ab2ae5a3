/**
 * The filter stage of the stateful engine: what decides a packet once conntrack has classified it.
 * H3C: a session's established and related packets pass ahead of the ACLs (ASPF, or everywhere for
 * Linux-style `--inspect ftp`), every other packet meets the ACLs. A Linux ruleset: its chains, walked in
 * the kernel's hook order (engine/ruleset.ts FORWARD_PATH) with `ct state` as classified.
 */
import type { Packet } from '../../net/packet.js';
import type { Policy } from '../../policy/model.js';
import type { CtState } from '../../policy/netfilter.js';
import { compiledRulesetOf, CONNTRACK_STAGE, LAST_STAGE, walkStages, type CompiledRuleset, type NatViews } from '../ruleset.js';
import { checkAcls, compilePolicy, createScopeTracker } from '../static.js';
import { ESTABLISHED_UNNAMED, RELATED_UNNAMED, type StepContext, type Verdict } from '../verdict.js';
import type { Conn } from './conntrack-table.js';
import type { FtpHelperState } from './helpers/ftp-session.js';
import { lookupHelper } from './helpers/registry.js';

/** The filter stage's answer: the verdict, and what a ruleset set on the connection. One object per stage, overwritten by the next decision: read it at once. */
export interface Decision {
  readonly verdict: Verdict;
  /** a helper assigned by `ct helper set` (rulesets) */
  readonly helper: string | undefined;
  /** the connection mark after the walk (rulesets) */
  readonly mark: number;
}

/** What the chains before conntrack did (rulesets only). */
export interface BeforeConntrack {
  readonly verdict: Verdict;
  readonly notrack: boolean;
  /** a helper template for the entry conntrack creates next (xt_CT) */
  readonly template: string | undefined;
}

/** The filter stage of one policy. */
export interface FilterStage {
  readonly ruleset: CompiledRuleset | undefined;
  /** The chains before conntrack (raw); undefined for H3C policies, which have none. */
  beforeConntrack(p: Packet, ctx: StepContext): BeforeConntrack | undefined;
  /**
   * The decision after conntrack; `c` is the packet's connection (undefined: new, invalid or untracked),
   * `p` the packet as DNAT left it, `views` the packet before DNAT and after SNAT (rulesets: chains on the far side of the nat stages).
   */
  decide(p: Packet, ctx: StepContext, state: CtState, c: Conn | undefined, tmplHelper?: string, views?: NatViews): Decision;
  /** false: a session's established and related packets get ESTABLISHED_UNNAMED / RELATED_UNNAMED, no record per connection (Firewall.setVerdictDetail) */
  detail: boolean;
}

/** The placeholder in the reused decision before the first one. */
const NO_VERDICT: Verdict = { action: 'deny', by: { kind: 'invalid', reason: 'no decision yet' } };

/** What the raw chains see: no conntrack entry yet, so `ct state` is invalid (nft_ct_get_eval). */
const PRE_CONNTRACK = { state: 'invalid', helper: undefined, mark: 0 } as const;

/** Builds the filter stage of a policy. */
export function createFilterStage(policy: Policy, wallClockStartMs: number | undefined): FilterStage {
  const rs = compiledRulesetOf(policy);
  const out: { verdict: Verdict; helper: string | undefined; mark: number } = { verdict: NO_VERDICT, helper: undefined, mark: 0 };
  const answer = (verdict: Verdict, helper: string | undefined, mark: number): Decision => {
    out.verdict = verdict;
    out.helper = helper;
    out.mark = mark;
    return out;
  };
  if (rs)
    return {
      ruleset: rs,
      detail: true, // a ruleset's verdicts are its rules' own records: none is made per connection
      beforeConntrack(p, ctx) {
        const r = walkStages(rs, 0, CONNTRACK_STAGE - 1, p, ctx, PRE_CONNTRACK);
        // xt_CT attaches its helper as a template for the entry conntrack creates next; nft's `ct helper set`
        // before conntrack finds no entry and does nothing (nft_ct_helper_obj_eval)
        return { verdict: r.verdict, notrack: r.notrack, template: rs.ruleset.dialect === 'iptables' ? r.helper : undefined };
      },
      decide(p, ctx, state, c, tmplHelper, views) {
        const r = walkStages(rs, CONNTRACK_STAGE + 1, LAST_STAGE, p, ctx, { state, helper: c ? c.helper?.name : tmplHelper, mark: c ? c.mark : 0 }, views);
        return answer(r.verdict, r.helper, r.mark);
      },
    };
  const compiled = compilePolicy(policy);
  const scopeOf = createScopeTracker(policy, wallClockStartMs);
  const stage: FilterStage = {
    ruleset: undefined,
    detail: true,
    beforeConntrack: () => undefined,
    decide(p, ctx, state, c) {
      if (c && c.session && state === 'related') return answer(relatedVerdict(c, stage.detail), undefined, 0);
      if (c && c.session && state === 'established') {
        if (!stage.detail) return answer(ESTABLISHED_UNNAMED, undefined, 0);
        return answer((c.established ??= { action: 'permit', by: { kind: 'conntrack', state: 'established', connection: c.id } }), undefined, 0);
      }
      return answer(checkAcls(compiled, p, ctx.ingress, ctx.egress, scopeOf(ctx)), undefined, 0);
    },
  };
  return stage;
}

/** The verdict of a packet `c`'s expectation let through: the whole record, or with detail off the shared one. */
export function relatedVerdict(c: Conn, detail: boolean): Verdict {
  return detail ? { action: 'permit', by: { kind: 'conntrack', state: 'related', connection: c.id, expectation: c.related! } } : RELATED_UNNAMED;
}

/** The helper a ruleset assigned, when it fits the connection's protocol (nft_ct_helper_obj_eval, xt_CT). */
export function assignedHelper(name: string | undefined, proto: number): FtpHelperState | undefined {
  const entry = name === undefined ? undefined : lookupHelper(name);
  return entry && entry.proto === proto ? entry.create() : undefined;
}
