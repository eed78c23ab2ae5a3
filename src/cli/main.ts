#!/usr/bin/env node
/** The ftpwall command line: wiring only; every decision lives in the modules below. */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { EXIT_BAD_INPUT, EXIT_INTERNAL_ERROR, InputProblems, ioReason, printDiagnostics } from './io.js';
import { addProbeCommands } from './probe-commands.js';
import { parseMaxPackets } from './limits.js';
import { DEFAULT_MAX_PACKETS } from '../scenario/work.js';
// each command's module is loaded when the command runs, so `--help` and `check` start fast (cold start)

function parsePort(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > 65535) throw new InvalidArgumentError(`'${value}' is not a port (1-65535)`);
  return n;
}

function parseMaxPacketsOption(value: string): number {
  const n = parseMaxPackets(value);
  if (typeof n !== 'number') throw new InvalidArgumentError(`'${value}' is not a whole number of packets of at least 1 (e.g. 20000000)`);
  return n;
}

const maxPacketsOption = () =>
  new Option('--max-packets <n>', "refuse scenarios whose simulation is estimated to make more packets than this (sessions × bytes / segment size, retries)")
    .argParser(parseMaxPacketsOption)
    .default(DEFAULT_MAX_PACKETS, '10000000');

function parseJobsOption(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || !Number.isSafeInteger(n)) throw new InvalidArgumentError(`'${value}' is not a number of worker threads (a whole number of at least 1)`);
  return n;
}

/** `--jobs N`: worker threads for the command's independent work items (default: the core count). */
export const jobsCommandOption = (what: string) =>
  new Option('-j, --jobs <n>', `worker threads for ${what}; the output is the same for any number (default: the core count, os.availableParallelism())`).argParser(parseJobsOption);

function collect<T>(parse: (v: string) => T) {
  return (value: string, previous: T[]): T[] => [...previous, parse(value)];
}

const engineOption = (def: string) =>
  new Option('--engine <engine>', 'static (ACLs only), stateful (conntrack + FTP helper), or auto (stateful when the config has ASPF)')
    .choices(['static', 'stateful', 'auto'])
    .default(def);

/** Builds the commander program. */
export function buildProgram(): Command {
  const program = new Command('ftpwall')
    .description('Simulate FTP traffic through firewalls, packet by packet: which flows pass, and which rule, state or pinhole decided.')
    .version('0.1.0')
    .showHelpAfterError('(run with --help for usage)')
    // set before the subcommands are added so they inherit it: usage errors become exceptions, handled in main()
    .exitOverride();

  program
    .command('check')
    .description('validate device configs: located errors and warnings, and a summary of the ACLs and bindings found')
    .argument('<config...>', 'device config files (H3C Comware)')
    .option('-q, --quiet', 'print only problems, no summary', false)
    .addOption(new Option('--platform <kind>', 'the kind of H3C device (default: told by the config, else router)').choices(['switch', 'router', 'firewall']))
    .addOption(new Option('--dialect <name>', 'the config dialect (default: detected from the content)').choices(['h3c', 'iptables', 'nft']))
    .action(async (configs: string[], opts: { quiet: boolean; platform?: string; dialect?: string }) => {
      const { runCheck } = await import('./check.js');
      process.exitCode = await runCheck(configs, opts);
    });

  program
    .command('lint')
    .description('find rule anomalies (shadowed, redundant, correlated, generalisation) exactly over the whole header space, and config problems; exit 1 with --fail-on')
    .argument('<config...>', 'device config files (H3C Comware)')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['table', 'json', 'sarif']).default('table'))
    .addOption(new Option('--fail-on <severity>', 'exit 1 when an unsuppressed finding is at least this severe').choices(['warning', 'error']))
    .option('-o, --output <file>', 'write the report to a file (atomically) instead of stdout')
    .addOption(jobsCommandOption('the configs, one config per item'))
    .option('--no-progress', 'no progress bar on a terminal (there is never one on a pipe)')
    .action(async (configs: string[], opts: { format: 'table' | 'json' | 'sarif'; failOn?: 'warning' | 'error'; output?: string; jobs?: number; progress?: boolean }) => {
      const { runLint } = await import('./lint.js');
      process.exitCode = await runLint(configs, opts, program.version() ?? '0.0.0');
    });

  program
    .command('replay')
    .description('replay FTP scenarios or captures through a device config and report every flow and packet verdict')
    .argument('<scenario...>', 'scenario files (YAML) or captures (pcap, pcapng)')
    .requiredOption('-c, --config <file>', 'device config (H3C Comware; repeatable: each input runs through each config)', collect(String), [] as string[])
    .addOption(engineOption('auto'))
    .addOption(new Option('-f, --format <format>', 'output format: table, json, ladder (text sequence diagram), md (Markdown), mermaid, html (a self-contained step-through page)').choices(['table', 'json', 'ladder', 'md', 'mermaid', 'html']).default('table'))
    .option('-p, --packets', 'include the per-packet trace with events in the table', false)
    .addOption(new Option('--expect <verdict>', 'exit 1 unless every run has this FTP verdict').choices(['works', 'blocked']))
    .option('--inspect <protocol>', "attach the FTP helper everywhere (only 'ftp'), for configs without ASPF")
    .option('--ftp-port <port>', 'another control port for the FTP helper (repeatable)', collect(parsePort), [] as number[])
    .option('--loose', 'accept PORT/227 addresses that differ from the control connection (nf_conntrack_ftp loose=1)', false)
    .option('--no-nat-ftp', 'the kernel has no nf_nat_ftp (a module nothing loaded): NATed FTP is tracked but PORT/227 are not rewritten (H3C: as undo nat alg ftp)')
    .option('--conntrack-timeout <state=sec>', 'a conntrack TCP timeout, named as the Linux sysctl nf_conntrack_tcp_timeout_<state> (repeatable), e.g. established=3600', collect(String), [] as string[])
    .option('--expectation-timeout <sec>', 'how long a pinhole waits for its data connection (Linux FTP helper: 300)')
    .option('--conntrack-max <n>', 'conntrack table size (nf_conntrack_max; default 65536)')
    .option('-o, --output <file>', 'write the report to a file (atomically) instead of stdout')
    .option('--inside <prefix@interface>', 'captures: addresses in PREFIX sit behind INTERFACE (repeatable; IPv4 or IPv6)', collect(String), [] as string[])
    .option('--outside-interface <interface>', 'captures: the interface of every address not given by --inside')
    .option('--topology <file>', 'captures: a YAML file of interface → list of prefixes (`default` for the rest)')
    .option('--pcap-out <file>', "write the run's packets as pcapng, each with its verdict and deciding rule as a comment")
    .option('--at <time>', "the device's wall clock at the start (ISO 8601, e.g. 2026-03-02T09:30) for time-range rules; overrides a scenario's startTime and a capture's timestamps")
    .addOption(new Option('--platform <kind>', 'the kind of H3C device (default: told by the config, else router)').choices(['switch', 'router', 'firewall']))
    .addOption(new Option('--dialect <name>', 'the config dialect (default: detected from the content)').choices(['h3c', 'iptables', 'nft']))
    .addOption(maxPacketsOption())
    .option('--summary', 'totals and blocked flows only', false)
    .option('--steps <first-last>', 'captures with --format html, ladder, md or mermaid: the packets the page or diagram draws (capture packet numbers; default 1-50000)')
    .option('--no-progress', 'no progress bar on a terminal (there is never one on a pipe)')
    .addOption(jobsCommandOption('the runs of scenarios; a capture is sharded by host pair only when --jobs is given'))
    .action(async (scenarios: string[], opts) => {
      const { runReplay } = await import('./replay.js');
      process.exitCode = await runReplay(scenarios, opts);
    });

  program
    .command('compare')
    .description('a matrix of scenarios × policies, and what each policy lets through beyond what FTP needs')
    .argument('<scenario...>', 'scenario files (YAML)')
    .requiredOption('-c, --config <file>', 'device config (repeatable)', collect(String), [] as string[])
    .option('--engine <list>', 'engines, comma-separated: static, stateful, auto', 'auto')
    .addOption(new Option('-f, --format <format>', 'output format: table, json, each cell as ladder, md, mermaid, or html (a self-contained page)').choices(['table', 'json', 'ladder', 'md', 'mermaid', 'html']).default('table'))
    .option('--inspect <protocol>', "attach the FTP helper everywhere (only 'ftp')")
    .option('--loose', 'nf_conntrack_ftp loose=1', false)
    .option('--no-nat-ftp', 'the kernel has no nf_nat_ftp: NATed FTP is tracked but not rewritten')
    .option('--conntrack-timeout <state=sec>', 'a conntrack TCP timeout (repeatable), e.g. established=3600', collect(String), [] as string[])
    .option('--expectation-timeout <sec>', 'how long a pinhole waits for its data connection (default 300)')
    .option('--conntrack-max <n>', 'conntrack table size (default 65536)')
    .option('-o, --output <file>', 'write the report to a file (atomically) instead of stdout')
    .addOption(new Option('--platform <kind>', 'the kind of H3C device (default: told by the config, else router)').choices(['switch', 'router', 'firewall']))
    .addOption(new Option('--dialect <name>', 'the config dialect (default: detected from the content)').choices(['h3c', 'iptables', 'nft']))
    .addOption(maxPacketsOption())
    .option('--no-progress', 'no progress bar on a terminal (there is never one on a pipe)')
    .addOption(jobsCommandOption('the cells of the matrix (not with --format html)'))
    .action(async (scenarios: string[], opts) => {
      const { runCompare } = await import('./compare.js');
      process.exitCode = await runCompare(scenarios, opts);
    });

  program
    .command('export')
    .description('translate a device config into a Linux ruleset (nft, iptables-restore or ip6tables-restore input); constructs without an exact translation are refused with a located error')
    .addOption(new Option('--to <target>', 'ruleset format').choices(['nft', 'iptables', 'ip6tables']).makeOptionMandatory())
    .requiredOption('-c, --config <file>', 'device config (H3C Comware)')
    .option('--interface-map <H3C=linux,...>', 'Linux names for the config\'s interfaces (repeatable); the rest become fw0, fw1, …', collect(String), [] as string[])
    .addOption(engineOption('auto').default('auto'))
    .option('--inspect <protocol>', "attach the FTP helper everywhere (only 'ftp'), for configs without ASPF")
    .option('--ftp-port <port>', 'another control port for the FTP helper (repeatable)', collect(parsePort), [] as number[])
    .option('--loose', 'reported only: loose is a global nf_conntrack_ftp module parameter', false)
    .option('-o, --output <file>', 'write the ruleset to a file (atomically) instead of stdout')
    .addOption(new Option('--platform <kind>', 'the kind of H3C device (default: told by the config, else router)').choices(['switch', 'router', 'firewall']))
    .action(async (opts) => {
      const { runExport } = await import('./export.js');
      process.exitCode = runExport(opts);
    });

  program
    .command('verify')
    .description(
      "Linux, root: run scenarios through the real kernel (namespaces, the config's nft export or a Linux ruleset as it is, NAT addresses on the firewall, vsftpd, a real client) and compare every flow with the simulation and with a replay of the kernel capture; read the kernel's own ruleset listing back and replay the capture through it; compare the FTP ALG's rewritten PORT/EPRT/227/229 byte for byte",
    )
    .argument('<scenario...>', 'scenario files (YAML)')
    .requiredOption('-c, --config <file>', 'device config or Linux ruleset (iptables-save, nft) (repeatable)', collect(String), [] as string[])
    .addOption(engineOption('auto'))
    .option('--interface-map <H3C=linux,...>', 'Linux names for the firewall\'s veth ends (repeatable); the rest become fw0, fw1, …', collect(String), [] as string[])
    .option('--out-dir <dir>', 'keep the kernel captures here (default: a new directory under the temp dir)')
    .option('-o, --output <file>', 'write the report to a file (atomically) instead of stdout')
    .addOption(new Option('-f, --format <format>', 'text, or html: a self-contained page with kernel and ftpwall side by side per flow and the simulated ladder').choices(['text', 'html']).default('text'))
    .addOption(new Option('--platform <kind>', 'the kind of H3C device (default: told by the config, else router)').choices(['switch', 'router', 'firewall']))
    .addOption(maxPacketsOption())
    .action(async (scenarios: string[], opts) => {
      const { runVerify } = await import('./verify.js');
      process.exitCode = await runVerify(scenarios, opts);
    });

  program
    .command('lesson')
    .description('built-in lessons: with no name, the list; with a NAME, a step-through (Enter for the next step); `lesson check NAME FILE` grades an exercise answer')
    .argument('[args...]', 'NAME, or: check NAME FILE')
    .option('--all', 'print the whole lesson at once (also when not on a terminal)', false)
    .addOption(new Option('-f, --format <format>', 'text, or html: a self-contained step-through page').choices(['text', 'html']).default('text'))
    .option('-o, --output <file>', 'write the lesson to a file (atomically) instead of stdout')
    .action(async (args: string[], opts) => {
      const { runLessonCommand } = await import('./lesson.js');
      process.exitCode = await runLessonCommand(args, opts);
    });
  addProbeCommands(program);

  return program;
}

/** Runs the program; located input problems become exit status 2. */
export async function main(argv: readonly string[]): Promise<void> {
  // stdout written by process.stdout.write (check, lesson, verify) fails later, as an 'error' event: a reader
  // that went away (`ftpwall check big.cfg | head`) is a located message and exit 2, not a stack trace
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    process.stderr.write(`error: cannot write to standard output: ${ioReason(e)}\n`);
    process.exit(EXIT_BAD_INPUT);
  });
  const program = buildProgram();
  try {
    await program.parseAsync(argv as string[]);
  } catch (e) {
    if (e instanceof InputProblems) {
      printDiagnostics(e.diagnostics);
      const errors = e.diagnostics.filter((d) => d.severity === 'error').length;
      // a stream (stdout, a pipe) may have taken part of the report before it failed: say so, not "nothing written"
      process.stderr.write(`ftpwall: ${errors} error${errors === 1 ? '' : 's'}; ${e.partialOutput ? 'the output stopped part way (its reader has what came before)' : 'nothing written'}\n`);
      process.exitCode = EXIT_BAD_INPUT;
      return;
    }
    if (e instanceof CommanderError) {
      // commander has printed its message; --help and --version end with 0, usage errors are bad input
      process.exitCode = e.exitCode === 0 ? 0 : EXIT_BAD_INPUT;
      return;
    }
    // a broken invariant: say so in one line (the stack only on request) and use a status of its own
    process.stderr.write(`ftpwall: internal error: ${e instanceof Error ? e.message : String(e)} (please report it; FTPWALL_DEBUG=1 shows the stack)\n`);
    if (process.env['FTPWALL_DEBUG']) process.stderr.write(`${e instanceof Error ? e.stack : ''}\n`);
    process.exitCode = EXIT_INTERNAL_ERROR;
  }
}

void main(process.argv);
