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
import { readFileSync } from 'node:fs';
import { loadConfigs, loadScenarios, resolveEngine, type EngineChoice } from './inputs.js';
import { EXIT_BAD_INPUT, EXIT_EXPECTATION_FAILED, EXIT_OK, InputProblems, prepareOutputs, printDiagnostics, writeLines } from './io.js';

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
      const out = [head, ...formatAgreement(r.agreement), ...readbackLines(r), ...payloadLines(r)];
      for (const n of r.kernel.notes) out.push(`  note: ${n}`);
      for (const d of r.replayDiagnostics) out.push(`  replay: ${d.message}`);
      if (r.kernel.capture) out.push(`  kernel capture: ${r.kernel.capture.file}${r.kernel.capture.arrived ? ` (as arrived: ${r.kernel.capture.arrived})` : ''}`);
      if (r.kernel.capture?.listing) out.push(`  kernel listing: ${r.kernel.capture.listing}`);
      return out;
    }
  }
}

/** The read-back part: the kernel's listing of the ruleset, replayed over the kernel's capture. */
export function readbackLines(r: Extract<VerifyResult, { kind: 'compared' }>): string[] {
  const b = r.readback;
  if (!b) return ['  read-back: not done (no capture of the packets as they arrived)'];
  const what = b.dialect === 'nft' ? 'nft list ruleset' : 'iptables-save';
  const errors = b.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) return [`  read-back: the kernel's ${what} does not read back: ${errors.length} error${errors.length === 1 ? '' : 's'}`, ...errors.slice(0, 5).map((d) => `    ${formatDiagnostic(d).split('\n')[0]}`)];
  const out = [
    b.agree
      ? `  read-back: the kernel's ${what}, replayed over the kernel's capture, denies exactly the ${b.dropped} of ${b.packets} arrived packets the kernel dropped`
      : `  read-back: the kernel's ${what}, replayed over the kernel's capture, DISAGREES with the kernel on ${b.mismatches.length} of ${b.packets} arrived packets (${b.dropped} dropped by the kernel)`,
  ];
  for (const m of b.mismatches.slice(0, 10)) out.push(`    #${m.n} ${m.packet}: kernel ${m.kernel}, read-back ${m.readback}${m.by ? ` (${m.by})` : ''}`);
  if (b.mismatches.length > 10) out.push(`    … ${b.mismatches.length - 10} more`);
  return out;
}

/** The FTP ALG part: each forwarded PORT/EPRT/227/229 as the kernel and as the simulation's engine let it leave. */
export function payloadLines(r: Extract<VerifyResult, { kind: 'compared' }>): string[] {
  const out: string[] = [];
  for (const p of r.payloads) {
    const changed = p.kernel !== p.arrived;
    out.push(`  ${p.agree ? 'payload' : 'PAYLOAD DIFFERS'}: #${p.n} arrived "${p.arrived}" → kernel ${changed ? `"${p.kernel}"` : 'unchanged'}${p.agree ? ', the same in the simulation' : `, simulation "${p.simulation}"`}`);
  }
  return out;
}

/** True when flows, FTP verdicts, the read-back and the rewritten payloads all agree. */
export function resultAgrees(r: Extract<VerifyResult, { kind: 'compared' }>): boolean {
  return r.agreement.agree && (r.readback?.agree ?? true) && r.payloads.every((p) => p.agree);
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
  const scenarios = loadScenarios(files, printDiagnostics, opts.maxPackets);
  const prereq = checkPrerequisites();
  if (!prereq.ok) {
    process.stderr.write(
      `ftpwall: verify runs the scenarios through the Linux kernel and needs: ${prereq.missing.join(', ')}\n` +
        `ftpwall: on Debian/Ubuntu, as root: apt-get install -y ${KERNEL_PACKAGES.join(' ')}; then run ftpwall verify as root\n`,
    );
    return EXIT_BAD_INPUT;
  }
  const jobs = [];
  const problems: Diagnostic[] = [];
  for (const c of configs) {
    const scenarioIfaces = scenarios.flatMap((s) => [...s.hosts.map((h) => h.interface), ...s.sessions.flatMap((x) => [x.client.interface, x.server.interface])]);
    const known = [...new Set([...policyInterfaces(c.policy), ...scenarioIfaces])].filter((n) => n !== '*');
    const ruleset = c.policy.ruleset;
    if (ruleset && opts.interfaceMap.length > 0)
      problems.push({ severity: 'error', message: `${c.file} is a Linux ruleset: its interface names are the ones the scenarios use, so --interface-map does not apply`, suggestion: 'name the ruleset\'s interfaces (eth0, …) in the scenario' });
    // a Linux ruleset is loaded as it is, on interfaces of its own names
    const map = ruleset ? { value: new Map(known.map((n) => [n, n] as const)), diagnostics: [] } : parseInterfaceMap(opts.interfaceMap, known);
    for (const d of map.diagnostics) problems.push(d);
    const engine = ruleset ? 'stateful' : resolveEngine(opts.engine, c.policy, { inspectFtp: false, ftpPorts: [], loose: false });
    const linuxRuleset = ruleset ? { dialect: ruleset.dialect, text: readFileSync(c.file, 'utf8') } : undefined;
    for (const scenario of scenarios)
      jobs.push({ scenario, policy: c.policy, config: c.file, engine, interfaceMap: map.value, ...(opts.outDir ? { outDir: opts.outDir } : {}), ...(linuxRuleset ? { linuxRuleset } : {}) });
  }
  if (hasErrors(problems)) throw new InputProblems(problems);
  const lines: string[] = [];
  const results: VerifyResult[] = [];
  // One at a time: runs share nothing, but the kernel's conntrack expectations and the CPU are easier to read alone.
  for (const job of jobs) {
    const r = await verifyScenario(job);
    results.push(r);
    const text = resultLines(r);
    if (opts.output === undefined) process.stdout.write(`${text.join('\n')}\n\n`);
    for (const line of text) lines.push(line);
    lines.push('');
  }
  const compared = results.filter((r) => r.kind === 'compared');
  const disagreeing = compared.filter((r) => !resultAgrees(r));
  const skipped = results.filter((r) => r.kind === 'not-comparable');
  const refused = results.filter((r) => r.kind === 'refused');
  const flows = compared.reduce((n, r) => n + r.agreement.flows.length, 0);
  const flowsAgreeing = compared.reduce((n, r) => n + r.agreement.flows.filter((f) => f.agree).length, 0);
  const unread = compared.filter((r) => r.readback !== undefined && hasErrors(r.readback.diagnostics)).length;
  const readbackOff = compared.filter((r) => r.readback !== undefined && !hasErrors(r.readback.diagnostics) && !r.readback.agree).length;
  const payloadsOff = compared.filter((r) => r.payloads.some((p) => !p.agree)).length;
  const extra = [
    ...(unread ? [`read-back impossible on ${unread} (the reader refuses the kernel's listing)`] : []),
    ...(readbackOff ? [`read-back disagrees on ${readbackOff}`] : []),
    ...(payloadsOff ? [`ALG payloads differ on ${payloadsOff}`] : []),
  ];
  const summary =
    `verify: ${compared.length - disagreeing.length} of ${compared.length} runs agree (agreement: ${flowsAgreeing}/${flows} flows${extra.length ? `; ${extra.join('; ')}` : ''})` +
    `${skipped.length ? `; ${skipped.length} not comparable (reasons above)` : ''}${refused.length ? `; ${refused.length} refused` : ''}`;
  lines.push(summary);
  if (opts.output !== undefined) writeLines(opts.output, lines);
  else process.stdout.write(`${summary}\n`);
  if (refused.length > 0) return EXIT_BAD_INPUT;
  return disagreeing.length > 0 ? EXIT_EXPECTATION_FAILED : EXIT_OK;
}
