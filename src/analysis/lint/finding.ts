/**
 * What `ftpwall lint` reports: findings as plain data, each with a kind, a
 * severity, a place, the other rules involved and a packet that shows it; and
 * the in-source suppression comments (`# ftpwall: ignore shadowed`).
 */
import type { Severity, SourceSpan } from '../../diag/diagnostic.js';
import { formatIpv4, formatIpv6 } from '../../net/address.js';
import { formatTcpFlags, protoName } from '../../net/packet.js';
import type { HeaderPoint } from './witness.js';

/** The kinds of finding, with their severity and a one-line description (SARIF rule metadata). */
export const LINT_KINDS = {
  shadowed: { severity: 'error', title: 'Shadowed rule', help: 'The rule never matches: earlier rules with the other action decide every packet it would match.' },
  redundant: { severity: 'warning', title: 'Redundant rule', help: 'Removing the rule changes no verdict: earlier rules with the same action cover it, or later rules (or the default action) decide its packets the same way.' },
  correlated: { severity: 'warning', title: 'Correlated rules', help: 'The rule overlaps an earlier rule with the other action without containing it: their order decides the packets they share.' },
  generalisation: { severity: 'info', title: 'Generalising rule', help: 'The rule contains an earlier rule with the other action: the earlier rule is an exception to it (often intended).' },
  unreachable: { severity: 'error', title: 'Unreachable rule', help: 'The rule can never match: an earlier rule matches every packet, or the rule itself matches no packet.' },
  'host-bits': { severity: 'warning', title: 'Host bits under the wildcard', help: 'The address has bits set where the wildcard says "any value": the device ignores them and matches the whole block.' },
  'family-open': { severity: 'warning', title: 'One address family left open', help: 'The interface filters one IP family in this direction but not the other: every packet of the other family passes.' },
  'missing-acl': { severity: 'warning', title: 'Bound ACL does not exist', help: 'A packet filter names an ACL that is not defined: the default action applies to every packet.' },
  'empty-acl': { severity: 'warning', title: 'Bound ACL is empty', help: 'A packet filter names an ACL without rules: the default action applies to every packet.' },
  'aspf-no-ftp': { severity: 'warning', title: 'ASPF sees no FTP control connection', help: 'ASPF inspects FTP on an interface whose packet filter denies every TCP SYN to the FTP control port.' },
  'ftp-no-aspf': { severity: 'info', title: 'FTP permitted without ASPF', help: 'A rule permits the FTP control port but no ASPF inspects FTP: the data connections need static rules.' },
  'no-final-deny': { severity: 'warning', title: 'No final deny', help: 'Some packets match no rule of a bound ACL and the default action permits them.' },
  'ftp-exposure': { severity: 'warning', title: 'Unsolicited high-port connections', help: 'A rule opens TCP connections between unprivileged ports in both directions of the port space, beyond what FTP needs.' },
} as const satisfies Record<string, { severity: Severity; title: string; help: string }>;

/** One kind of lint finding. */
export type LintKind = keyof typeof LINT_KINDS;

/** Every kind, in a stable order. */
export const LINT_KIND_NAMES = Object.keys(LINT_KINDS) as LintKind[];

/** Another place a finding involves: an earlier or later rule, a binding, the default action. */
export interface RelatedPlace {
  /** e.g. `acl 3000 rule 5 (deny)` or `default action (permit)` */
  readonly label: string;
  readonly at?: SourceSpan;
}

/** A concrete packet that shows the finding, as text and as fields. */
export interface WitnessPacket {
  /** e.g. `tcp 10.0.0.1:1025 > 192.168.10.1:21 flags S` */
  readonly text: string;
  readonly family: 4 | 6;
  readonly protocol: string;
  readonly src: string;
  readonly dst: string;
  readonly srcPort?: number;
  readonly dstPort?: number;
  readonly tcpFlags?: string;
  readonly fragment: 'none' | 'first' | 'later';
  readonly icmpType?: number;
  readonly icmpCode?: number;
}

/** One lint finding. */
export interface Finding {
  readonly kind: LintKind;
  readonly severity: Severity;
  readonly message: string;
  readonly at: SourceSpan;
  /** the ACL and rule the finding is about, when it is about one */
  readonly acl?: string;
  readonly ruleId?: number;
  readonly related: readonly RelatedPlace[];
  readonly witness?: WitnessPacket;
  readonly suggestion?: string;
  /** the suppression comment that silences it, when one does */
  readonly suppressedBy?: SourceSpan;
}

/** A header point as a witness packet. */
export function toWitness(p: HeaderPoint): WitnessPacket {
  const fmt = (w: readonly number[]): string => (p.family === 4 ? formatIpv4(w[0]!) : formatIpv6([w[0]!, w[1]!, w[2]!, w[3]!]));
  const src = fmt(p.src);
  const dst = fmt(p.dst);
  const hasPorts = p.srcPort !== undefined && p.dstPort !== undefined;
  const ep = (a: string, port: number | undefined): string => (port === undefined ? a : p.family === 6 ? `[${a}]:${port}` : `${a}:${port}`);
  const parts = [`${protoName(p.proto)} ${ep(src, p.srcPort)} > ${ep(dst, p.dstPort)}`];
  if (p.tcpFlags !== undefined) parts.push(`flags ${formatTcpFlags(p.tcpFlags)}`);
  if (p.icmpType !== undefined) parts.push(`type ${p.icmpType} code ${p.icmpCode ?? 0}`);
  if (p.fragment !== 'none') parts.push(p.fragment === 'first' ? 'first fragment' : 'non-first fragment');
  return {
    text: parts.join(', '),
    family: p.family,
    protocol: protoName(p.proto),
    src,
    dst,
    ...(hasPorts ? { srcPort: p.srcPort!, dstPort: p.dstPort! } : {}),
    ...(p.tcpFlags !== undefined ? { tcpFlags: formatTcpFlags(p.tcpFlags) } : {}),
    fragment: p.fragment,
    ...(p.icmpType !== undefined ? { icmpType: p.icmpType, icmpCode: p.icmpCode ?? 0 } : {}),
  };
}

/** `# ftpwall: ignore shadowed, redundant` (no kind: every kind). */
const DIRECTIVE = /#\s*ftpwall:\s*ignore\b([^#]*)/i;

interface Directive {
  readonly kinds: ReadonlySet<string> | 'all';
  readonly at: SourceSpan;
}

function directiveOn(file: string, lines: readonly string[], lineNo: number, whole: boolean): Directive | undefined {
  const text = lines[lineNo - 1];
  if (text === undefined) return undefined;
  const m = DIRECTIVE.exec(text);
  if (!m) return undefined;
  // the line before counts only when it is a comment line of its own
  if (whole && !/^\s*[#!]/.test(text)) return undefined;
  const words = m[1]!.split(/[\s,]+/).filter((w) => w !== '');
  const at: SourceSpan = { file, line: lineNo, column: m.index + 1, length: m[0].trimEnd().length, lineText: text };
  return { kinds: words.length === 0 ? 'all' : new Set(words.map((w) => w.toLowerCase())), at };
}

/**
 * Marks findings silenced by a directive comment on their own line (trailing) or
 * on the comment lines directly above it. `lines` are the config's lines.
 */
export function applySuppressions(findings: readonly Finding[], lines: readonly string[]): Finding[] {
  return findings.map((f) => {
    const candidates: Directive[] = [];
    const own = directiveOn(f.at.file, lines, f.at.line, false);
    if (own) candidates.push(own);
    for (let l = f.at.line - 1; l >= 1 && /^\s*[#!]/.test(lines[l - 1] ?? ''); l--) {
      const d = directiveOn(f.at.file, lines, l, true);
      if (d) candidates.push(d);
    }
    const hit = candidates.find((d) => d.kinds === 'all' || d.kinds.has(f.kind));
    return hit ? { ...f, suppressedBy: hit.at } : f;
  });
}
