/**
 * Lint reports as text: a compiler-style table, JSON, and SARIF 2.1.0 (OASIS
 * "Static Analysis Results Interchange Format" 2.1.0, for code-scanning
 * pipelines; suppressed findings are kept with an `inSource` suppression, as
 * section 3.35 of the standard describes).
 */
import type { SourceSpan } from '../../diag/diagnostic.js';
import { LINT_KIND_NAMES, LINT_KINDS, type Finding } from './finding.js';
import type { LintReport } from './lint.js';

/** Version of the JSON report layout. */
export const LINT_JSON_VERSION = 1;

/** Counts of unsuppressed findings by severity, and of suppressed ones. */
export interface LintCounts {
  readonly error: number;
  readonly warning: number;
  readonly info: number;
  readonly suppressed: number;
}

/** Counts over several reports. */
export function countFindings(reports: readonly LintReport[]): LintCounts {
  const c = { error: 0, warning: 0, info: 0, suppressed: 0 };
  for (const r of reports)
    for (const f of r.findings) {
      if (f.suppressedBy) c.suppressed++;
      else c[f.severity]++;
    }
  return c;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** The table: one block per finding, `file:line:col: severity[kind]: message`, then the witness and related rules. */
export function formatLintTable(reports: readonly LintReport[]): string {
  const out: string[] = [];
  for (const r of reports) {
    const shown = r.findings.filter((f) => !f.suppressedBy);
    const suppressed = r.findings.length - shown.length;
    out.push(`${r.file}: ${shown.length === 0 ? 'no findings' : plural(shown.length, 'finding')}${suppressed > 0 ? ` (${suppressed} suppressed)` : ''}`);
    for (const f of shown) {
      out.push(`${f.at.file}:${f.at.line}:${f.at.column}: ${f.severity} [${f.kind}]: ${f.message}`);
      out.push(`    ${f.at.line} | ${f.at.lineText.trim()}`);
      if (f.witness) out.push(`    witness: ${f.witness.text}`);
      for (const rel of f.related) out.push(`    related: ${rel.label}${rel.at ? ` at ${rel.at.file}:${rel.at.line}:${rel.at.column}` : ''}`);
      if (f.suggestion) out.push(`    fix: ${f.suggestion}`);
    }
    for (const u of r.unknownSuppressions) out.push(`${u.at.file}:${u.at.line}:${u.at.column}: warning: '${u.word}' is not a lint kind, so it suppresses nothing (kinds: ${LINT_KIND_NAMES.join(', ')})`);
  }
  const c = countFindings(reports);
  out.push(`${plural(c.error, 'error')}, ${plural(c.warning, 'warning')}, ${c.info} info${c.suppressed > 0 ? `, ${c.suppressed} suppressed` : ''}`);
  return `${out.join('\n')}\n`;
}

/** The JSON report. */
export function formatLintJson(reports: readonly LintReport[]): string {
  const strip = (s: SourceSpan) => ({ file: s.file, line: s.line, column: s.column, length: s.length });
  const body = {
    version: LINT_JSON_VERSION,
    files: reports.map((r) => ({
      file: r.file,
      findings: r.findings.map((f) => ({
        kind: f.kind,
        severity: f.severity,
        message: f.message,
        at: strip(f.at),
        text: f.at.lineText,
        ...(f.acl !== undefined ? { acl: f.acl } : {}),
        ...(f.ruleId !== undefined ? { ruleId: f.ruleId } : {}),
        related: f.related.map((x) => ({ label: x.label, ...(x.at ? { at: strip(x.at) } : {}) })),
        ...(f.witness ? { witness: f.witness } : {}),
        ...(f.suggestion ? { suggestion: f.suggestion } : {}),
        suppressed: f.suppressedBy !== undefined,
        ...(f.suppressedBy ? { suppressedBy: strip(f.suppressedBy) } : {}),
      })),
      unknownSuppressions: r.unknownSuppressions.map((u) => ({ word: u.word, at: strip(u.at) })),
    })),
    summary: countFindings(reports),
  };
  return `${JSON.stringify(body, null, 2)}\n`;
}

const SARIF_LEVEL = { error: 'error', warning: 'warning', info: 'note' } as const;

/** A relative path as a URI reference (forward slashes, percent-encoded), an absolute one as a file: URI. */
function toUri(file: string): string {
  const slashed = file.replace(/\\/g, '/');
  const encoded = slashed.split('/').map(encodeURIComponent).join('/');
  return slashed.startsWith('/') ? `file://${encoded}` : encoded;
}

function region(s: SourceSpan) {
  return {
    startLine: s.line,
    startColumn: s.column,
    endColumn: s.column + Math.max(1, s.length),
    snippet: { text: s.lineText },
  };
}

function location(s: SourceSpan, id?: number, text?: string) {
  return {
    ...(id !== undefined ? { id } : {}),
    physicalLocation: { artifactLocation: { uri: toUri(s.file), ...(s.file.startsWith('/') ? {} : { uriBaseId: '%SRCROOT%' }) }, region: region(s) },
    ...(text !== undefined ? { message: { text } } : {}),
  };
}

/** The SARIF 2.1.0 log: one run, one reporting descriptor per kind, one result per finding. */
export function formatLintSarif(reports: readonly LintReport[], toolVersion: string): string {
  const rules = LINT_KIND_NAMES.map((k) => ({
    id: k,
    name: LINT_KINDS[k].title.replace(/[^A-Za-z]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : '')),
    shortDescription: { text: `${LINT_KINDS[k].title}.` },
    fullDescription: { text: LINT_KINDS[k].help },
    defaultConfiguration: { level: SARIF_LEVEL[LINT_KINDS[k].severity] },
    help: { text: `${LINT_KINDS[k].help} Suppress one with a comment on the rule: # ftpwall: ignore ${k}` },
  }));
  const results = reports.flatMap((r) =>
    r.findings.map((f: Finding) => ({
      ruleId: f.kind,
      ruleIndex: LINT_KIND_NAMES.indexOf(f.kind),
      level: SARIF_LEVEL[f.severity],
      message: { text: `${f.message}${f.witness ? `. Witness: ${f.witness.text}` : ''}${f.suggestion ? `. Fix: ${f.suggestion}` : ''}.` },
      locations: [location(f.at)],
      ...(f.related.some((x) => x.at) ? { relatedLocations: f.related.flatMap((x, i) => (x.at ? [location(x.at, i, x.label)] : [])) } : {}),
      ...(f.suppressedBy ? { suppressions: [{ kind: 'inSource', justification: f.suppressedBy.lineText.trim(), location: location(f.suppressedBy) }] } : {}),
      partialFingerprints: { 'ftpwallFinding/v1': `${f.kind}:${f.acl ?? ''}:${f.ruleId ?? ''}:${f.at.line}` },
      properties: { ...(f.witness ? { witness: f.witness } : {}), ...(f.acl !== undefined ? { acl: f.acl } : {}), ...(f.ruleId !== undefined ? { ruleId: f.ruleId } : {}) },
    })),
  );
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'ftpwall', version: toolVersion, semanticVersion: toolVersion, rules } },
        originalUriBaseIds: { '%SRCROOT%': { description: { text: 'The directory ftpwall lint ran in.' } } },
        artifacts: [...new Set(reports.map((r) => r.file))].map((f) => ({ location: { uri: toUri(f), ...(f.startsWith('/') ? {} : { uriBaseId: '%SRCROOT%' }) } })),
        columnKind: 'utf16CodeUnits',
        results,
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}
