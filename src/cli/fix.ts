/** `ftpwall fix`: candidate patches for the FTP modes a config blocks, verified, ranked by exposure; -o writes one. */
import { parseConfig } from '../dialects/load.js';
import { fix, type LoadedForProbe } from '../fix/fix.js';
import { fixJson, formatFix } from '../fix/format.js';
import { PLAIN_STYLE } from '../report/style.js';
import { resolveEngine } from './inputs.js';
import { EXIT_EXPECTATION_FAILED, EXIT_OK, InputProblems, styleFor, writeOutput } from './io.js';
import { boundedPlan, firewallFactory, prepareProbe, type ProbeFlags } from './probe.js';

/** Options of `fix`, as commander parses them. */
export interface FixOptions extends ProbeFlags {
  readonly format: 'table' | 'json';
  readonly candidate?: string;
  readonly output?: string;
  readonly report?: string;
}

/** Runs `fix`; returns the exit status (1 when no candidate could be verified, or the chosen one is not). */
export function runFix(opts: FixOptions): number {
  const prepared = prepareProbe(opts);
  // fix probes the config, then each candidate: the same bound on the probe's size
  boundedPlan(prepared, opts);
  const { engineChoice, engineOptions: eo } = prepared;
  const load = (text: string): LoadedForProbe => {
    const { value, diagnostics } = parseConfig(text, prepared.file);
    const engine = resolveEngine(engineChoice, value, eo);
    return { policy: value, engine, diagnostics, firewall: firewallFactory(engine, value, eo) };
  };
  const { policy: _p, engine: _e, firewall: _f, ...probeReq } = prepared.request;
  const result = fix({ file: prepared.file, text: prepared.text, load, probe: probeReq });
  let chosen = result.candidates[0];
  if (opts.candidate !== undefined) {
    const n = Number(opts.candidate);
    chosen = result.candidates.find((c) => c.rank === n);
    if (!chosen)
      throw new InputProblems([{ severity: 'error', message: `--candidate '${opts.candidate}': there ${result.candidates.length === 1 ? 'is 1 candidate' : `are ${result.candidates.length} candidates`}`, suggestion: result.candidates.length > 0 ? `use 1 to ${result.candidates.length}` : 'nothing is blocked, so nothing to write' }]);
  }
  let status = result.blockedModes.length === 0 || result.candidates.some((c) => c.verified) ? EXIT_OK : EXIT_EXPECTATION_FAILED;
  let written: { file: string; rank: number } | undefined;
  if (opts.output !== undefined) {
    if (!chosen) {
      process.stderr.write('ftpwall: nothing is blocked; the config is written unchanged\n');
      writeOutput(opts.output, prepared.text);
    } else if (!chosen.verified) {
      process.stderr.write(`ftpwall: candidate #${chosen.rank} is not verified (${chosen.verification}); nothing written\n`);
      status = EXIT_EXPECTATION_FAILED;
    } else {
      writeOutput(opts.output, chosen.patched);
      written = { file: opts.output, rank: chosen.rank };
    }
  }
  const style = opts.report ? PLAIN_STYLE : styleFor(process.stdout);
  writeOutput(opts.report, opts.format === 'json' ? fixJson(result, prepared.file, written) : `${formatFix(result, prepared.file, style, written).join('\n')}\n`);
  return status;
}
