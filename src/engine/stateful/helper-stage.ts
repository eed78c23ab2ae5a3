/**
 * The FTP helper at confirm time on one segment the filter accepted (facts 6.1, 6.2): the search
 * for PORT/EPRT/227/229 (ftpHelp), the expectation an announcement opens (announce), and on a
 * translated connection nf_nat_ftp's rewrite of the argument (natFtpRewrite).
 */
import type { Packet } from '../../net/packet.js';
import type { StepContext, Verdict } from '../verdict.js';
import { announce, type AnnounceEnv } from './announce.js';
import type { Conn } from './conntrack-table.js';
import type { EventSink } from './event-sink.js';
import { ftpHelp } from './helpers/ftp-session.js';
import * as msg from './messages.js';
import { natFtpRewrite } from './nat-stage.js';

/** The helper stage of one engine. */
export interface HelperStage {
  /**
   * The helper on segment `p` of `c` (which has a helper) in direction `dir`: `verdict` stands unless
   * the helper drops the segment. Sets `rewritten`.
   */
  help(c: Conn, p: Packet, dir: 0 | 1, ctx: StepContext, events: EventSink, verdict: Verdict): Verdict;
  /** the payload nf_nat_ftp rewrote on the segment help() last read; undefined: unchanged */
  readonly rewritten: Uint8Array | undefined;
}

/** Builds the helper stage over the engine's expectation environment. */
export function createHelperStage(env: AnnounceEnv): HelperStage {
  const stage = {
    rewritten: undefined as Uint8Array | undefined,
    help(c: Conn, p: Packet, dir: 0 | 1, ctx: StepContext, events: EventSink, verdict: Verdict): Verdict {
      stage.rewritten = undefined;
      const out = ftpHelp(c.helper!, p.payload, p.seq, dir, dir === 0 ? c.src : c.replySrc);
      switch (out.kind) {
        case 'drop':
          if (events.want('helper-drop')) events.push({ tMs: ctx.nowMs, kind: 'helper-drop', packet: ctx.n, text: msg.partialText(ctx.n, c.id, out.pattern, out.why) });
          return { action: 'deny', by: { kind: 'helper', reason: `partial match of \`${out.pattern}'`, connection: c.id } };
        case 'opaque':
          if (events.want('helper-opaque')) events.push({ tMs: ctx.nowMs, kind: 'helper-opaque', packet: ctx.n, text: msg.opaqueText(c.id, out.auth, ctx.n) });
          return verdict;
        case 'match': {
          const r = announce(c, dir, out.entry, out.parse, ctx, env, events);
          if (r && 'drop' in r) return { action: 'deny', by: { kind: 'helper', reason: r.drop, connection: c.id } };
          if (r && r.follow) {
            const w = natFtpRewrite(c, dir, p, out.entry, out.parse, r, ctx, events);
            if ('drop' in w) {
              env.expectations.remove(r);
              return { action: 'deny', by: { kind: 'helper', reason: w.drop, connection: c.id } };
            }
            stage.rewritten = w.payload;
          }
          return verdict;
        }
        default:
          return verdict;
      }
    },
  };
  return stage;
}
