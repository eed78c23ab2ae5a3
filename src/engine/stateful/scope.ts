/**
 * The ASPF scope of the stateful engine (H3C): where a connection's first packet makes it a
 * session whose state passes ahead of the filters, and where the FTP helper attaches by
 * inspection (`detect ftp`, `--inspect ftp`). A Linux ruleset has no scope: every connection is
 * tracked, and its helpers come from its own rules.
 */
import { PROTO_TCP, type Packet } from '../../net/packet.js';
import type { Inspection, Policy } from '../../policy/model.js';
import { crossesPoint, sessionPoints, zoneSessions } from '../../policy/sessions.js';
import type { StepContext } from '../verdict.js';
import { createFtpHelperState, type FtpHelperState } from './helpers/ftp-session.js';

/** The scope of one policy. */
export interface SessionScopeView {
  /** Does this first packet (destination port `dstPort` of its tuple) make its connection a session? */
  startsSession(p: Packet, ctx: StepContext, dstPort: number): boolean;
  /** The FTP helper an inspection attaches to this first packet's connection, if any. */
  attachHelper(p: Packet, ctx: StepContext): FtpHelperState | undefined;
}

/** Builds the scope of a policy with the command line's extra inspections. */
export function createSessionScope(policy: Policy, extra: readonly Inspection[] | undefined): SessionScopeView {
  const inspections = [...policy.inspections, ...(extra ?? [])].filter((i) => i.protocol === 'ftp');
  // where a connection becomes a session whose state passes (H3C ASPF), or everywhere (Linux, `--inspect ftp`)
  const points = sessionPoints(policy, extra);
  // security zones: a zone pair's default ASPF policy (every protocol, FTP inspected) or a security policy rule
  const zoneSession = zoneSessions(policy);
  const zoneFtpPorts = policy.sessionScope?.zones?.ftpPorts ?? [];
  return {
    startsSession(p, ctx, dstPort) {
      if (points === 'everywhere') return true;
      // indexed loops: an array iterator is an object per call wherever V8 does not optimize it away (once per connection here)
      for (let k = 0; k < points.length; k++) if (crossesPoint(points[k]!, p.proto, dstPort, ctx.ingress, ctx.egress)) return true;
      return zoneSession !== undefined && zoneSession(ctx.ingress, ctx.egress) !== undefined;
    },
    attachHelper(p, ctx) {
      if (p.proto !== PROTO_TCP) return undefined;
      for (let k = 0; k < inspections.length; k++) {
        const i = inspections[k]!;
        const portsOk = i.ports.length === 0 ? p.dstPort === 21 : i.ports.includes(p.dstPort);
        if (!portsOk) continue;
        const inbound = (i.direction === 'inbound' || i.direction === 'both') && ctx.ingress === i.interface;
        const outbound = (i.direction === 'outbound' || i.direction === 'both') && ctx.egress === i.interface;
        if (i.interface === '*' || inbound || outbound) return createFtpHelperState(p.dstPort);
      }
      if (zoneSession && zoneFtpPorts.includes(p.dstPort) && zoneSession(ctx.ingress, ctx.egress) === 'zone-pair') return createFtpHelperState(p.dstPort);
      return undefined;
    },
  };
}
