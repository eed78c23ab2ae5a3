/**
 * Config parsing benchmark (issue 9, issue 14 finding 9): generated Comware dumps parsed by
 * parseConfig, each case timed in its own process.
 * - `dump`: a 100,000-line `display current-configuration` with 10,000 ACL rules over 20 ACLs,
 *   interfaces with packet filters and ASPF, object groups, a security zone pair, and
 *   unmodelled sections (VLANs, OSPF, users, a banner) that are skipped and counted;
 * - `named-32000` / `named-50000`: that many named ACLs of one rule each, bound on interfaces;
 * - `iptables-30000` / `nft-30000`: Linux rulesets of that many user chains, each jumped to from the
 *   forward chain (chain lookups by name were a scan each: 30,000 chains took minutes).
 * Then `ftpwall check` of a generated 100,000-rule config as a whole process (checkBench, issue 13).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../src/dialects/load.js';
import { createPrng } from '../src/sim/prng.js';
import type { PhaseResult } from './phases.js';

/** A dump of about `lines` lines with `rules` ACL rules. */
export function generatedDump(lines: number, rules: number): string {
  const out: string[] = ['#', ' version 7.1.070, Release 6728P22', '#', ' sysname BENCH', '#', 'header motd %', 'Authorised use only.', 'Sessions are logged.', '%', '#'];
  out.push('object-group ip address servers', ' 0 network host address 192.168.10.1', ' 10 network range 192.168.10.10 192.168.10.20', '#');
  out.push('object-group port ftp-ports', ' 0 port eq 21', ' 10 port range 2121 2122', '#');
  const perAcl = Math.ceil(rules / 20);
  let written = 0;
  for (let a = 0; a < 20; a++) {
    out.push(`acl advanced ${3000 + a}`, ` description generated ACL ${a}`);
    for (let k = 0; k < perAcl && written < rules; k++, written++) {
      const i = written;
      if (k === 0) out.push(` rule ${k * 5} permit tcp source 10.0.0.0 0.255.255.255 destination object-group servers destination-port object-group ftp-ports`);
      else out.push(` rule ${k * 5} deny tcp source 172.${16 + (i % 16)}.${(i >> 4) & 255}.${(i >> 12) + 1} 0 destination 192.168.10.1 0 destination-port eq ${1000 + (i % 500)}`);
    }
    out.push('#');
  }
  out.push('aspf policy 1', ' detect ftp', '#');
  let iface = 0;
  // interfaces and unmodelled sections until the line budget is spent
  while (out.length < lines - 40) {
    const n = iface++;
    out.push(
      `interface GigabitEthernet1/${Math.floor(n / 48)}/${(n % 48) + 1}`,
      ' port link-mode route',
      ` description port ${n}`,
      ` ip address 10.${(n >> 8) & 255}.${n & 255}.1 255.255.255.0`,
      ' ospf 1 area 0.0.0.0',
      ' lldp enable',
      ` packet-filter ${3000 + (n % 20)} inbound`,
      ...(n % 10 === 0 ? [' aspf apply policy 1 outbound'] : []),
      '#',
      `vlan ${(n % 4000) + 2}`,
      ` name vlan-${n}`,
      '#',
    );
  }
  out.push('security-zone name Trust', ' import interface GigabitEthernet1/0/1', 'security-zone name Untrust', ' import interface GigabitEthernet1/0/2', '#');
  out.push('zone-pair security source Trust destination Untrust', ' packet-filter 3000', '#');
  out.push('ospf 1 router-id 1.1.1.1', ' area 0.0.0.0', '  network 10.0.0.0 0.255.255.255', '#');
  out.push('local-user admin class manage', ' service-type ssh', ' authorization-attribute user-role network-admin', '#');
  while (out.length < lines - 1) out.push(' ip route-static 0.0.0.0 0 10.0.0.254');
  out.push('return');
  return `${out.join('\n')}\n`;
}

/** `count` named ACLs of one rule each, every 100th bound on an interface. */
export function namedAcls(count: number): string {
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    out.push(`acl advanced name acl-${i}`, ` rule 0 permit tcp source 10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255} 0 destination-port eq 21`, '#');
  }
  for (let i = 0; i < count; i += 100) out.push(`interface GigabitEthernet1/${Math.floor(i / 4800)}/${((i / 100) % 48) + 1}`, ` packet-filter name acl-${i} inbound`, '#');
  return `${out.join('\n')}\n`;
}

/** A Linux ruleset (iptables-save or nft) whose forward chain jumps to `count` user chains of one rule each. */
export function manyChains(dialect: 'iptables' | 'nft', count: number): string {
  const src = (i: number): string => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
  const out: string[] = [];
  if (dialect === 'iptables') {
    out.push('*filter', ':FORWARD DROP [0:0]');
    for (let i = 0; i < count; i++) out.push(`:c${i} - [0:0]`);
    for (let i = 0; i < count; i++) out.push(`-A FORWARD -s ${src(i)}/32 -j c${i}`);
    for (let i = 0; i < count; i++) out.push(`-A c${i} -p tcp -m tcp --dport 21 -j ACCEPT`);
    out.push('COMMIT');
  } else {
    out.push('table ip t {', '\tchain forward {', '\t\ttype filter hook forward priority filter; policy drop;');
    for (let i = 0; i < count; i++) out.push(`\t\tip saddr ${src(i)} jump c${i}`);
    out.push('\t}');
    for (let i = 0; i < count; i++) out.push(`\tchain c${i} {`, '\t\ttcp dport 21 accept', '\t}');
    out.push('}');
  }
  return `${out.join('\n')}\n`;
}

function generated(kind: string): string {
  if (kind === 'dump') return generatedDump(100_000, 10_000);
  const m = /^(iptables|nft)-(\d+)$/.exec(kind);
  if (m) return manyChains(m[1] as 'iptables' | 'nft', Number(m[2]));
  return namedAcls(Number(kind.replace('named-', '')));
}

/** One parse case, timed (best of `rounds`). */
export function parsePhase(kind: string, rounds = 3): PhaseResult {
  const text = generated(kind);
  const lines = text.split('\n').length - 1;
  let best = Number.POSITIVE_INFINITY;
  let bestCpu = Number.POSITIVE_INFINITY;
  let acls = 0;
  let rules = 0;
  let errors = 0;
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const parsed = parseConfig(text, `generated-${kind}.cfg`);
    const cpu = process.cpuUsage(c0);
    best = Math.min(best, performance.now() - t0);
    // CPU time as well as wall time: on a shared machine the wall time mostly measures the other processes
    bestCpu = Math.min(bestCpu, (cpu.user + cpu.system) / 1000);
    const chains = parsed.value.ruleset?.chains ?? [];
    // a ruleset's chains in the ACLs column
    acls = parsed.value.acls.length + chains.length;
    rules = 0;
    for (const a of parsed.value.acls) rules += a.rules.length;
    for (const c of chains) rules += c.rules.length;
    errors = parsed.diagnostics.filter((d) => d.severity === 'error').length;
  }
  if (errors > 0) throw new Error(`bench: the generated ${kind} config has ${errors} errors`);
  return { phase: `parse ${kind}`, packets: lines, ms: best, maxRssKb: process.resourceUsage().maxRSS, detail: { lines, acls, rules, cpuMs: Math.round(bestCpu) } };
}

/**
 * 10 advanced ACLs of 10,000 host-to-host rules each (`rule N permit tcp source A 0 destination B 0
 * destination-port eq P`, seeded addresses and services) and a final `deny ip`, ACL 3000 bound on one
 * interface: 100,034 lines, 100,010 rules.
 */
export function checkConfig(acls = 10, rulesPerAcl = 10_000): string {
  const prng = createPrng(13);
  const pick = (n: number): number => prng.nextUint32() % n;
  const services = [21, 22, 80, 443, 3306, 8080];
  const out: string[] = [];
  for (let a = 0; a < acls; a++) {
    out.push(`acl advanced ${3000 + a}`);
    for (let k = 0; k < rulesPerAcl; k++)
      out.push(` rule ${k * 5} permit tcp source 10.${pick(256)}.${pick(256)}.${1 + pick(254)} 0 destination 192.168.${pick(256)}.${1 + pick(254)} 0 destination-port eq ${services[pick(services.length)]}`);
    out.push(' rule 60000 deny ip', '#');
  }
  out.push('interface GigabitEthernet1/0/1', ' packet-filter 3000 inbound', '#', 'return');
  return `${out.join('\n')}\n`;
}

/** What checkBench measured: the check as a whole process, best of its rounds. */
export interface CheckBenchResult {
  readonly lines: number;
  readonly rules: number;
  readonly wallMs: number;
  /** user + system CPU of the process (from /usr/bin/time), NaN without it */
  readonly cpuMs: number;
  readonly maxRssKb: number;
  /** the load average before the runs */
  readonly load: number;
}

/**
 * `ftpwall check` (the bundled CLI at `cli`) of checkConfig written to `dir`: wall time, CPU time and peak RSS
 * of the whole process (start-up, parse, convert, summary of 100,000 lines to a pipe), best of `rounds`.
 */
export function checkBench(cli: string, dir: string, rounds = 3): CheckBenchResult {
  const text = checkConfig();
  const file = join(dir, 'check-100000.cfg');
  writeFileSync(file, text);
  const timed = spawnSync('/usr/bin/time', ['-V']).error === undefined;
  const timeFile = join(dir, 'check-time.txt');
  const load = loadavg()[0]!;
  let wallMs = Number.POSITIVE_INFINITY;
  let cpuMs = Number.POSITIVE_INFINITY;
  let maxRssKb = 0;
  let rules = 0;
  try {
    for (let r = 0; r < rounds; r++) {
      const args = [process.execPath, cli, 'check', file];
      const t0 = performance.now();
      const child = timed
        ? spawnSync('/usr/bin/time', ['-f', '%U %S %M', '-o', timeFile, ...args], { encoding: 'utf8', maxBuffer: 256 << 20 })
        : spawnSync(args[0]!, args.slice(1), { encoding: 'utf8', maxBuffer: 256 << 20 });
      wallMs = Math.min(wallMs, performance.now() - t0);
      if (child.status !== 0) throw new Error(`bench: check of the generated 100,000-rule config exited with ${String(child.status)}: ${child.stderr}`);
      // the summary lists every rule once, indented under its ACL
      rules = child.stdout.split('\n').filter((l) => l.startsWith('    rule ')).length;
      if (timed) {
        const [user, sys, rss] = readFileSync(timeFile, 'utf8').trim().split(/\s+/).map(Number) as [number, number, number];
        cpuMs = Math.min(cpuMs, (user + sys) * 1000);
        maxRssKb = Math.max(maxRssKb, rss);
      }
    }
  } finally {
    rmSync(file, { force: true });
    rmSync(timeFile, { force: true });
  }
  return { lines: text.split('\n').length - 1, rules, wallMs, cpuMs: timed ? cpuMs : Number.NaN, maxRssKb: timed ? maxRssKb : Number.NaN, load };
}
