/** Commander wiring of `probe` and `fix` (kept apart from main.ts so its hunk stays one line). */
import { Option, type Command } from 'commander';

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function probeOptions(cmd: Command): Command {
  return cmd
    .requiredOption('-c, --config <file>', 'device config (H3C Comware)')
    .option('--server <addr[@iface]>', 'an FTP server (repeatable); default: the servers the config names (rules for port 21, nat server … 21)', collect, [] as string[])
    .option('--client <addr[@iface]|any>', "a client (repeatable); default 'any': one representative address on every other interface", collect, [] as string[])
    .option('--passive-ports <lo-hi>', "the servers' passive port range (default: each server profile's)")
    .option('--client-profile <name>', 'client profiles to probe (repeatable; default all: curl, lftp, filezilla, windows-ftp, browser)', collect, [] as string[])
    .option('--server-profile <name>', 'server profiles to probe (repeatable; default all: vsftpd, proftpd, pure-ftpd, iis)', collect, [] as string[])
    .option('--mode <mode>', 'modes to probe (repeatable; default PORT, PASV, EPRT, EPSV)', collect, [] as string[])
    .addOption(new Option('--engine <engine>', 'static, stateful, or auto (stateful when the config has ASPF)').choices(['static', 'stateful', 'auto']).default('auto'))
    .option('--inspect <protocol>', "attach the FTP helper everywhere (only 'ftp')")
    .option('--loose', 'nf_conntrack_ftp loose=1', false)
    .option('--max-cells <n>', 'refuse a probe of more cells than this (servers × client sides × profiles × modes; default 200000)');
}

/** Adds `probe` and `fix` to the program. */
export function addProbeCommands(program: Command): void {
  probeOptions(
    program
      .command('probe')
      .description('does FTP work through a config for its servers and every client side, in every mode, over every port of the ranges used? (no scenario needed)'),
  )
    .addOption(new Option('-f, --format <format>', 'output format: table, json, ladder (a text sequence diagram per verdict: one run for each server, mode, verdict and blocking rule), or html (a self-contained page: the matrices, each cell linking to its ladder)').choices(['table', 'json', 'ladder', 'html']).default('table'))
    .addOption(new Option('--expect <verdict>', 'exit 1 unless every cell works').choices(['works']))
    .option('-o, --output <file>', 'write the report to a file (atomically) instead of stdout')
    .option('-j, --jobs <n>', 'worker threads for the cells; the output is the same for any number (default: the core count, os.availableParallelism())')
    .option('--no-progress', 'no progress bar on a terminal (there is never one on a pipe)')
    .action(async (opts) => {
      const { runProbe } = await import('./probe.js');
      process.exitCode = await runProbe(opts);
    });

  probeOptions(
    program
      .command('fix')
      .description('the smallest safe change that makes every blocked FTP mode work: static rule lines and an ASPF alternative, each verified and ranked by exposure'),
  )
    .addOption(new Option('-f, --format <format>', 'output format').choices(['table', 'json']).default('table'))
    .option('--candidate <n>', 'write this candidate (by rank) instead of the best one')
    .option('-o, --output <file>', 'write the patched config (the original text with lines inserted) to a file, atomically')
    .option('--report <file>', 'write the report to a file instead of stdout')
    .action(async (opts) => {
      const { runFix } = await import('./fix.js');
      process.exitCode = runFix(opts);
    });
}
