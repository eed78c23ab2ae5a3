/** The config line behind a verdict, as the model carries it (the provenance's source span). */
import type { Provenance } from '../engine/verdict.js';

/** A quoted config line: the file, the line number and the line as written. */
export interface RuleLine {
  readonly file: string;
  readonly line: number;
  readonly text: string;
}

/** The config line that decided, when the decision came from one (a rule, or a configured default). */
export function ruleLineOf(by: Provenance): RuleLine | undefined {
  const at = by.kind === 'rule' ? by.at : by.kind === 'default' ? by.at : undefined;
  return at ? { file: at.file, line: at.line, text: at.lineText } : undefined;
}
