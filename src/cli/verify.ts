/**
 * `ftpwall verify`: each scenario × config through the real Linux kernel (network
 * namespaces, the exported nft ruleset, vsftpd, a real client), through ftpwall's
 * simulation, and through ftpwall's replay of the kernel's capture, side by side.
 */
import { hasErrors, type Diagnostic } from '../diag/diagnostic.js';
import { parseInterfaceMap, policyInterfaces } from '../export/interface-map.js';
import { KERNEL_PACKAGES, checkPrerequisites } from '../verify/prereq.js';
import { verifyScenario, type VerifyResult } from '../verify/verify.js';
import { formatAgreement } from '../verify/agreement.js';
import { formatDiagnostic } from '../diag/diagnostic.js';
import { verifyHtml } from './verify-html.js';
import { linuxRulesetRefused, loadConfigs, loadScenarios, resolveEngine, type EngineChoice } from './inputs.js';
import { EXIT_BAD_INPUT, EXIT_EXPECTATION_FAILED, EXIT_OK, InputProblems, prepareOutputs, printDiagnostics, writeLines, writeOutput } from './io.js';

/** Options of `verify`, as commander parses them. */
export interface VerifyCliOptions {
  /** `--platform`: the kind of H3C device */
  readonly platform?: string;
  readonly config: string[];
  readonly engine: EngineChoice;
  readonly interfaceMap: string[];
  /** keep the kernel's captures here */
  readonly outDir?: string;
  readonly output?: string;
  /** `--format`: text (default) or html (a self-contained page) */
  readonly format?: 'text' | 'html';
  /** `--max-packets`: the simulation work limit */
  readonly maxPackets?: number;
}

/** The lines of one result. */
export function resultLines(r: VerifyResult): string[] {
  const head = `verify ${r.job.scenario.source} × ${r.job.config} [${r.job.engine}]`;
  switch (r.kind) {
    case 'not-comparable':
      return [`${head}: not comparable, not run`, ...r.reasons.map((x) => `  reason: ${x}`)];
    case 'refused':
      return [`${head}: refused`, ...r.diagnostics.map((d) => `  ${formatDiagnostic(d).split('\n').join('\n  ')}`)];
    case 'compared': {
      const out = [head, ...formatAgreement(r.agreement)];
      for (const n of r.kernel.notes) out.push(`  note: ${n}`);
      for (const d of r.replayDiagnostics) out.push(`  replay: ${d.message}`);
      if (r.kernel.capture) out.push(`  kernel capture: ${r.kernel.capture.file}${r.kernel.capture.arrived ? ` (as arrived: ${r.kernel.capture.arrived})` : ''}`);
      return out;
    }
  }
}

/** Runs verify; resolves to the exit status. Prints located input problems itself (exit 2). */
export async function runVerify(files: readonly string[], opts: VerifyCliOptions): Promise<number> {
  try {
    return await verifyAll(files, opts);
  } catch (e) {
    if (!(e instanceof InputProblems)) {
      // the machine failed mid-run (a namespace, a tool); everything created was removed already
      process.stderr.write(`ftpwall: verify could not run: ${e instanceof Error ? e.message : String(e)}\n`);
      return EXIT_BAD_INPUT;
    }
    printDiagnostics(e.diagnostics);
    const errors = e.diagnostics.filter((d) => d.severity === 'error').length;
    process.stderr.write(`ftpwall: ${errors} error${errors === 1 ? '' : 's'}; nothing run\n`);
    return EXIT_BAD_INPUT;
  }
}

async function verifyAll(files: readonly string[], opts: VerifyCliOptions): Promise<number> {
  if (opts.config.length === 0) throw new InputProblems([{ severity: 'error', message: 'verify needs --config <file>' }]);
  prepareOutputs([{ option: '-o', path: opts.output }], [...files.map((path) => ({ option: 'input', path })), ...opts.config.map((path) => ({ option: '--config', path }))]);
  const configs = loadConfigs(opts.config, printDiagnostics, opts.platform);
  for (const c of configs) if (c.policy.ruleset) throw new InputProblems([linuxRulesetRefused(c.file, c.policy.ruleset.dialect, 'verify')]);
  const scenarios = loadScenarios(files, printDiagnostics, opts.maxPackets);
  const prereq = checkPrerequisites();
  if (!prereq.ok) {
    process.stderr.write(
      `ftpwall: verify runs the scenarios through the Linux kernel and needs: ${prereq.missing.join(', ')}\n` +
        `ftpwall: on Debian/Ubuntu, as root: apt-get install -y ${KERNEL_PACKAGES.join(' ')}; then run ftpwall verify as root\n`,
    );
    return EXIT_BAD_INPUT;
  }
  const html = opts.format === 'html';
  const jobs = [];
  const problems: Diagnostic[] = [];
  for (const c of configs) {
    const scenarioIfaces = scenarios.flatMap((s) => [...s.hosts.map((h) => h.interface), ...s.sessions.flatMap((x) => [x.client.interface, x.server.interface])]);
    const known = [...new Set([...policyInterfaces(c.policy), ...scenarioIfaces])].filter((n) => n !== '*');
    const map = parseInterfaceMap(opts.interfaceMap, known);
    for (const d of map.diagnostics) problems.push(d);
    const engine = resolveEngine(opts.engine, c.policy, { inspectFtp: false, ftpPorts: [], loose: false });
    for (const scenario of scenarios)
      jobs.push({ scenario, policy: c.policy, config: c.file, engine, interfaceMap: map.value, ...(opts.outDir ? { outDir: opts.outDir } : {}), ...(html ? { recordTables: true } : {}) });
  }
  if (hasErrors(problems)) throw new InputProblems(problems);
  const lines: string[] = [];
  const results: VerifyResult[] = [];
  // One at a time: runs share nothing, but the kernel's conntrack expectations and the CPU are easier to read alone.
  for (const job of jobs) {
    const r = await verifyScenario(job);
    results.push(r);
    const text = resultLines(r);
    if (opts.output === undefined && !html) process.stdout.write(`${text.join('\n')}\n\n`);
    for (const line of text) lines.push(line);
    lines.push('');
  }
  const compared = results.filter((r) => r.kind === 'compared');
  const disagreeing = compared.filter((r) => !r.agreement.agree);
  const skipped = results.filter((r) => r.kind === 'not-comparable');
  const refused = results.filter((r) => r.kind === 'refused');
  const flows = compared.reduce((n, r) => n + r.agreement.flows.length, 0);
  const flowsAgreeing = compared.reduce((n, r) => n + r.agreement.flows.filter((f) => f.agree).length, 0);
  const summary =
    `verify: ${compared.length - disagreeing.length} of ${compared.length} runs agree (agreement: ${flowsAgreeing}/${flows} flows)` +
    `${skipped.length ? `; ${skipped.length} not comparable (reasons above)` : ''}${refused.length ? `; ${refused.length} refused` : ''}`;
  lines.push(summary);
  if (html) writeOutput(opts.output, verifyHtml(results, summary));
  else if (opts.output !== undefined) writeLines(opts.output, lines);
  else process.stdout.write(`${summary}\n`);
  if (refused.length > 0) return EXIT_BAD_INPUT;
  return disagreeing.length > 0 ? EXIT_EXPECTATION_FAILED : EXIT_OK;
}
