/**
 * `ftpwall lint` over one parsed config: exact rule anomalies per ACL, the
 * config-level checks, then the suppression comments of the config's text.
 */
import type { Policy } from '../../policy/model.js';
import { analyzeAcl } from './anomalies.js';
import { aclKey, aspfFindings, bindingFindings, exposureFindings, finalDenyFindings, type Analyses } from './config-checks.js';
import { applySuppressions, LINT_KIND_NAMES, type Finding } from './finding.js';
import { hostBitFindings } from './host-bits.js';
import { anomalyFindings } from './rule-findings.js';

/** The lint of one config. */
export interface LintReport {
  readonly file: string;
  /** every finding, suppressed ones included (they carry suppressedBy), sorted by place */
  readonly findings: readonly Finding[];
  /** `# ftpwall: ignore WORD` naming no known kind: a typo would silently suppress nothing */
  readonly unknownSuppressions: readonly { readonly at: Finding['at']; readonly word: string }[];
}

/** Lints a policy; `text` is the config's source, read for suppression comments. */
export function lintPolicy(policy: Policy, text: string): LintReport {
  const findings: Finding[] = [];
  const analyses = new Map<string, { acl: Policy['acls'][number]; analysis: ReturnType<typeof analyzeAcl> }>();
  for (const acl of policy.acls) {
    const analysis = analyzeAcl(acl, policy.defaultAction.action);
    analyses.set(aclKey(acl.name, acl.family), { acl, analysis });
    for (const f of anomalyFindings(acl, analysis, policy.defaultAction.action)) findings.push(f);
    for (const rule of acl.rules) for (const f of hostBitFindings(acl, rule)) findings.push(f);
  }
  const a: Analyses = analyses;
  for (const f of bindingFindings(policy)) findings.push(f);
  for (const f of finalDenyFindings(policy, a)) findings.push(f);
  for (const f of aspfFindings(policy, a)) findings.push(f);
  for (const f of exposureFindings(policy, a)) findings.push(f);
  const lines = text.split(/\r\n|\r|\n/);
  const sorted = applySuppressions(findings, lines).sort(
    (x, y) => x.at.line - y.at.line || x.at.column - y.at.column || LINT_KIND_NAMES.indexOf(x.kind) - LINT_KIND_NAMES.indexOf(y.kind),
  );
  return { file: policy.source, findings: sorted, unknownSuppressions: unknownDirectives(policy.source, lines) };
}

function unknownDirectives(file: string, lines: readonly string[]): LintReport['unknownSuppressions'] {
  const out: { at: Finding['at']; word: string }[] = [];
  const re = /#\s*ftpwall:\s*ignore\b([^#]*)/i;
  lines.forEach((text, i) => {
    const m = re.exec(text);
    if (!m) return;
    const start = m.index + m[0].length - m[1]!.length;
    for (const w of m[1]!.matchAll(/[^\s,]+/g)) {
      if ((LINT_KIND_NAMES as string[]).includes(w[0].toLowerCase())) continue;
      out.push({ at: { file, line: i + 1, column: start + w.index + 1, length: w[0].length, lineText: text }, word: w[0] });
    }
  });
  return out;
}
