/**
 * The lint benchmark: realistic generated ACLs (client subnets to server hosts on
 * service ports, UDP to DNS/NTP, block lists, established returns, ICMP, port
 * ranges, a final deny), linted exactly. A 10,000-rule ACL goes through the whole
 * command path (parse the text, lint); a 100,000-rule one cannot be written in
 * Comware syntax (rule ids stop at 65534), so it is parsed in chunks, renumbered,
 * and linted as one ACL of the policy model.
 */
import { lintPolicy } from '../src/analysis/lint/lint.js';
import { parseConfig } from '../src/dialects/load.js';
import type { Policy, Rule } from '../src/policy/model.js';
import { createPrng } from '../src/sim/prng.js';

/** What the lint phase measured. */
export interface LintBenchResult {
  readonly rules: number;
  readonly parseMs: number;
  readonly lintMs: number;
  /** CPU time of the lint (user + system), which a loaded machine does not inflate as it does wall time */
  readonly lintCpuMs: number;
  readonly findings: Record<string, number>;
  readonly maxRssKb: number;
}

const SERVICES = [80, 443, 22, 25, 3389, 8080, 21, 110, 143, 993];

/**
 * The body of one rule, drawn from a seeded generator. Large ACLs are mostly specific entries
 * (a client subnet or host to a server host and service port); wide rules (established
 * returns, anti-spoofing) are few, about one in 2,000.
 */
function ruleBody(next: () => number): string {
  const pick = (n: number): number => next() % n;
  const subnet = (): string => `10.${pick(200)}.${pick(250)}.0 0.0.0.255`;
  const host = (): string => `10.${pick(200)}.${pick(250)}.${1 + pick(250)} 0`;
  const server = (): string => `192.168.${pick(100)}.${1 + pick(250)} 0`;
  const r = pick(2000);
  if (r === 0) return `permit tcp destination 10.${pick(200)}.0.0 0.0.255.255 established`;
  if (r === 1) return `deny ip source 192.168.${pick(100)}.0 0.0.0.255 destination 192.168.0.0 0.0.255.255`;
  if (r < 1100) return `permit tcp source ${pick(4) === 0 ? host() : subnet()} destination ${server()} destination-port eq ${SERVICES[pick(SERVICES.length)]}`;
  if (r < 1300) return `permit udp source ${subnet()} destination 192.168.0.${1 + pick(4)} 0 destination-port eq ${pick(2) === 0 ? 53 : 123}`;
  if (r < 1500) {
    const lo = 1024 + pick(60000);
    return `deny tcp source ${host()} destination ${server()} destination-port range ${lo} ${lo + pick(2000)}`;
  }
  if (r < 1600) return `permit icmp source ${subnet()} destination ${server()} icmp-type echo`;
  if (r < 1900) return `permit tcp source ${subnet()} destination 192.168.${pick(100)}.0 0.0.0.255 destination-port range ${8000 + pick(50)} ${8050 + pick(50)}`;
  return `deny ip source ${host()} destination ${server()}`;
}

/** Config text of ACL 3000 with the bodies `from..from+count`, ids `from*5…` when `ids`. */
function aclText(bodies: readonly string[], ids: boolean): string {
  const lines = ['acl advanced 3000'];
  bodies.forEach((b, i) => lines.push(ids ? ` rule ${i * 5} ${b}` : ` rule ${b}`));
  lines.push('#', 'interface GigabitEthernet2/1/1', ' packet-filter 3000 inbound', '#', 'return');
  return `${lines.join('\n')}\n`;
}

function bodies(rules: number, seed: number): string[] {
  const prng = createPrng(seed);
  const out: string[] = [];
  for (let i = 0; i < rules - 1; i++) out.push(ruleBody(() => prng.nextUint32()));
  out.push('deny ip');
  return out;
}

function count(policy: Policy, text: string): Record<string, number> {
  const byKind: Record<string, number> = {};
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const report = lintPolicy(policy, text);
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(c0);
  byKind['__cpu'] = (cpu.user + cpu.system) / 1000;
  for (const f of report.findings) byKind[f.kind] = (byKind[f.kind] ?? 0) + 1;
  byKind['__ms'] = ms;
  return byKind;
}

/** A config of one `rules`-rule ACL (ids 0, 5, 10 …; at most 13,107 rules), generated from `seed`: the lint bench's ACLs as a file's text. */
export function lintConfigText(rules: number, seed: number): string {
  return aclText(bodies(rules, seed), true);
}

/** Parses and lints a `rules`-rule ACL; above 13,107 rules (ids × 5 > 65534) the model is built from chunks. */
export function lintBench(rules: number, seed = 2026): LintBenchResult {
  const all = bodies(rules, seed);
  const t0 = performance.now();
  let policy: Policy;
  let text: string;
  if (rules * 5 <= 65534) {
    text = aclText(all, true);
    const parsed = parseConfig(text, `generated-${rules}.cfg`);
    if (parsed.diagnostics.some((d) => d.severity === 'error')) throw new Error('bench: generated ACL has errors');
    policy = parsed.value;
  } else {
    const collected: Rule[] = [];
    const CHUNK = 2000;
    for (let from = 0; from < all.length; from += CHUNK) {
      const chunk = parseConfig(aclText(all.slice(from, from + CHUNK), false), `generated-${rules}.cfg`).value.acls[0]!.rules;
      for (const r of chunk) collected.push(r);
    }
    const base = parseConfig(aclText([], false), `generated-${rules}.cfg`).value;
    policy = { ...base, acls: [{ ...base.acls[0]!, rules: collected.map((r, i) => ({ ...r, id: i })) }] };
    text = '';
  }
  const parseMs = performance.now() - t0;
  const findings = count(policy, text);
  const lintMs = findings['__ms']!;
  const lintCpuMs = findings['__cpu']!;
  delete findings['__ms'];
  delete findings['__cpu'];
  return { rules, parseMs, lintMs, lintCpuMs, findings, maxRssKb: process.resourceUsage().maxRSS };
}
