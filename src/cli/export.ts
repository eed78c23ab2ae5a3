/** `ftpwall export`: a device config as an nftables or iptables ruleset, refusing what cannot be translated exactly. */
import { hasErrors } from '../diag/diagnostic.js';
import { policyInterfaces, parseInterfaceMap } from '../export/interface-map.js';
import { exportIp6tables, exportIptables } from '../export/iptables.js';
import { exportNft } from '../export/nft.js';
import { engineOptions } from './replay.js';
import { effectivePolicy, linuxRulesetRefused, loadConfigs, resolveEngine, type EngineChoice } from './inputs.js';
import { EXIT_OK, InputProblems, prepareOutputs, printDiagnostics, writeOutput } from './io.js';

/** Options of `export`, as commander parses them. */
export interface ExportCliOptions {
  /** `--platform`: the kind of H3C device */
  readonly platform?: string;
  readonly to: 'nft' | 'iptables' | 'ip6tables';
  readonly config: string;
  readonly engine: EngineChoice;
  readonly interfaceMap: string[];
  readonly inspect?: string;
  readonly ftpPort: number[];
  readonly loose: boolean;
  readonly output?: string;
}

/** Runs the export; returns the exit status (errors throw InputProblems: exit 2, nothing written). */
export function runExport(opts: ExportCliOptions): number {
  const eo = engineOptions(opts);
  prepareOutputs([{ option: '-o', path: opts.output }], [{ option: '--config', path: opts.config }]);
  const [config] = loadConfigs([opts.config], printDiagnostics, opts.platform);
  if (config!.policy.ruleset) throw new InputProblems([linuxRulesetRefused(opts.config, config!.policy.ruleset.dialect, 'export')]);
  const policy = effectivePolicy(config!.policy, eo);
  const known = [...new Set(policyInterfaces(policy))].filter((n) => n !== '*');
  const map = parseInterfaceMap(opts.interfaceMap, known);
  if (hasErrors(map.diagnostics)) throw new InputProblems(map.diagnostics);
  const stateful = resolveEngine(opts.engine, config!.policy, eo) === 'stateful';
  const options = { interfaceMap: map.value, stateful, loose: eo.loose };
  const r = opts.to === 'nft' ? exportNft(policy, options) : opts.to === 'iptables' ? exportIptables(policy, options) : exportIp6tables(policy, options);
  if (hasErrors(r.diagnostics)) throw new InputProblems(r.diagnostics);
  printDiagnostics(r.diagnostics);
  writeOutput(opts.output, r.value);
  return EXIT_OK;
}
