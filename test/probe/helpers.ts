/** Probing bundled configs the way the CLI does (same loading, profiles and engine choice). */
import { prepareProbe, type ProbeFlags } from '../../src/cli/probe.js';
import { probe, type ProbeCell, type ProbeResult } from '../../src/probe/probe.js';

/** The probe flags with defaults, as commander would give them. */
export function flags(config: string, more: Partial<ProbeFlags> = {}): ProbeFlags {
  return { config, server: [], client: [], clientProfile: [], serverProfile: [], mode: [], engine: 'auto', loose: false, ...more };
}

/** Probes a config file. */
export function probeFile(config: string, more: Partial<ProbeFlags> = {}): ProbeResult {
  return probe(prepareProbe(flags(config, more)).request);
}

/** The verdict of one cell, by mode and client profile (first server profile). */
export function verdict(r: ProbeResult, mode: string, client: string, server?: string): ProbeCell['verdict'] | undefined {
  return r.cells.find((c) => c.mode === mode && c.clientProfile === client && (server === undefined || c.serverProfile === server))?.verdict;
}

/** mode → verdict for one client profile. */
export function row(r: ProbeResult, client: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const c of r.cells.filter((x) => x.clientProfile === client)) out[c.mode] = c.verdict;
  return out;
}
