/** Shared helpers for the H3C dialect tests. */
import { readFileSync } from 'node:fs';
import type { Diagnostic, Parsed } from '../../../src/diag/diagnostic.js';
import { parseH3cConfig } from '../../../src/dialects/h3c/index.js';
import type { Acl, Policy } from '../../../src/policy/model.js';

/** Parses a fixture of test/fixtures/h3c by its file name. */
export function fixture(name: string): Parsed<Policy> {
  const file = `test/fixtures/h3c/${name}`;
  return parseH3cConfig(readFileSync(file, 'utf8'), file);
}

/** Parses a bundled config of rules/. */
export function bundled(name: string): Parsed<Policy> {
  const file = `rules/${name}`;
  return parseH3cConfig(readFileSync(file, 'utf8'), file);
}

/** Parses inline text as `t.cfg`. */
export function text(lines: string): Parsed<Policy> {
  return parseH3cConfig(lines, 't.cfg');
}

/** `line:col severity: message (suggestion)` for exact comparisons. */
export function brief(d: Diagnostic): string {
  const at = d.span ? `${d.span.line}:${d.span.column} ` : '';
  return `${at}${d.severity}: ${d.message}${d.suggestion ? ` (${d.suggestion})` : ''}`;
}

/** All diagnostics of a parse, briefly. */
export function briefs(p: Parsed<Policy>): string[] {
  return p.diagnostics.map(brief);
}

/** The ACL of that name, or a failing throw. */
export function aclOf(p: Parsed<Policy>, name: string, family: 4 | 6 = 4): Acl {
  const acl = p.value.acls.find((a) => a.name === name && a.family === family);
  if (!acl) throw new Error(`no acl ${name}`);
  return acl;
}

/** The rule texts of an ACL in evaluation order. */
export function texts(acl: Acl): string[] {
  return acl.rules.map((r) => r.text);
}
