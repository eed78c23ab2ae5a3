/** The fix report: what is blocked, then each candidate with its lines, verification and exposure; or JSON. */
import type { Style } from '../report/style.js';
import type { FixCandidate, FixResult } from './fix.js';
import type { PolicyExposure } from './exposure.js';

/** Version of the fix JSON layout. */
export const FIX_SCHEMA_VERSION = 1;

function fmt(n: number): string {
  return n.toLocaleString('en-US');
}

/** Client sides an exposure line names; a device with hundreds of interfaces gets the rest counted (the JSON has them all). */
const PAIRS_SHOWN = 4;

function exposureText(e: PolicyExposure): string {
  const shown = e.pairs.slice(0, PAIRS_SHOWN).map((p) => `${p.client} → ${p.server}: ${fmt(p.toServer)}, ${p.server} → ${p.client}: ${fmt(p.toClient)}`);
  if (e.pairs.length > PAIRS_SHOWN) shown.push(`${fmt(e.pairs.length - PAIRS_SHOWN)} more client sides`);
  return `${fmt(e.portPairs)} port pairs (${shown.join('; ')})`;
}

function candidateLines(c: FixCandidate, before: PolicyExposure, st: Style): string[] {
  const out: string[] = [];
  const status = c.verified ? st.good('verified') : st.bad('NOT verified');
  out.push(`#${c.rank} ${c.title}: ${status} (${c.verification}; engine ${c.engine})`);
  if (c.exposure) out.push(`   exposure: ${exposureText(c.exposure)}; before: ${fmt(before.portPairs)}`);
  for (const r of c.rules) out.push(`   for ${r.because}`);
  for (const r of c.removed) out.push(`   removes ${r}`);
  for (const n of c.notes) out.push(`   note: ${n}`);
  for (const a of c.added) out.push(`   +${String(a.line).padStart(4)} ${a.text}`);
  return out;
}

/** The fix report as text lines. */
export function formatFix(r: FixResult, config: string, st: Style, written?: { file: string; rank: number }): string[] {
  const out: string[] = [`fix for ${config} [${r.before.engine}]`];
  if (r.blockedModes.length === 0) {
    out.push('  every probed mode already works: nothing to fix', `  exposure: ${exposureText(r.exposureBefore)}`);
    return out;
  }
  for (const m of r.blockedModes) {
    const cells = r.before.cells.filter((c) => c.mode === m && (c.verdict === 'blocked' || c.verdict === 'partly'));
    const pairs = r.before.cells.filter((c) => c.mode === m && c.verdict !== 'n/a').length;
    out.push(`  ${m} fails for ${cells.length} of ${pairs} client × server profile pairs; e.g. ${cells[0]!.clientProfile} → ${cells[0]!.serverProfile}: ${cells[0]!.summary}`);
  }
  out.push(`  exposure now: ${exposureText(r.exposureBefore)}`, '');
  for (const c of r.candidates) {
    for (const line of candidateLines(c, r.exposureBefore, st)) out.push(line);
    out.push('');
  }
  if (written) out.push(`patched config (candidate #${written.rank}) written to ${written.file}`);
  return out;
}

/** The fix report as JSON. */
export function fixJson(r: FixResult, config: string, written?: { file: string; rank: number }): string {
  const doc = {
    schemaVersion: FIX_SCHEMA_VERSION,
    kind: 'fix',
    config,
    engine: r.before.engine,
    blockedModes: r.blockedModes,
    exposureBefore: r.exposureBefore,
    candidates: r.candidates.map(({ after, patched: _p, ...c }) => ({
      ...c,
      cellsAfter: after ? after.cells.map((x) => ({ mode: x.mode, clientProfile: x.clientProfile, serverProfile: x.serverProfile, client: x.client, verdict: x.verdict })) : null,
    })),
    written: written ?? null,
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}
