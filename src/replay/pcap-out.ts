/**
 * pcapng export of a run: every packet the firewall saw, Ethernet-framed with
 * valid checksums (wire/encode), its verdict and deciding rule as the packet
 * comment, dropped packets included and marked. Written through a temporary
 * file, so a failed run leaves nothing half-written.
 */
import type { Parsed } from '../diag/diagnostic.js';
import type { Trace } from '../engine/trace.js';
import { describeProvenance, type Verdict } from '../engine/verdict.js';
import type { Packet } from '../net/packet.js';
import { createPcapngWriter, type PcapngWriter, type WriteSummary } from '../wire/index.js';
import type { PacketTap } from './replay.js';

/**
 * The comment of one packet: `ftpwall: permit by acl 3000 rule 0 (rules/seed-active.cfg:6)`,
 * `ftpwall: DENY by … (dropped)`, or why it got no verdict.
 */
export function verdictComment(verdict: Verdict | undefined, sameSide?: string): string {
  if (verdict === undefined) return `ftpwall: no verdict: both ends on ${sameSide ?? '?'}, the packet does not cross the firewall`;
  const by = describeProvenance(verdict.by, verdict.action);
  return verdict.action === 'permit' ? `ftpwall: permit by ${by}` : `ftpwall: DENY by ${by} (dropped)`;
}

/** Writes a simulated trace as pcapng (timestamps: the virtual clock from the Unix epoch). */
export function writeTracePcapng(file: string, trace: Trace): Parsed<WriteSummary> {
  const w = createPcapngWriter(file);
  try {
    for (const tp of trace.packets) w.write({ tMs: tp.tMs, packet: tp.packet, comment: verdictComment(tp.verdict) });
  } catch (e) {
    w.abort();
    throw e;
  }
  return w.close();
}

/** A pcapng writer fed by a capture replay, keeping the capture's absolute timestamps. */
export interface CaptureExport {
  readonly tap: PacketTap;
  readonly writer: PcapngWriter;
}

/**
 * Opens `file` for a capture replay's packets. `firstSec`/`firstNsec`: the absolute time
 * of the capture's first stamped record (its tMs = 0).
 */
export function createCaptureExport(file: string, firstSec: number, firstNsec: number): CaptureExport {
  // whole seconds go into the epoch, the sub-second rest into each tMs: no precision lost at present-day epochs
  const writer = createPcapngWriter(file, { epochMs: firstSec * 1000, timestampResolution: 'ns' });
  const restMs = firstNsec / 1e6;
  const tap: PacketTap = (p: Packet, tMs: number, _n: number, verdict: Verdict | undefined, sameSide: string | undefined) => {
    writer.write({ tMs: tMs + restMs, packet: p, comment: verdictComment(verdict, sameSide) });
  };
  return { tap, writer };
}
