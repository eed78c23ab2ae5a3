/**
 * Comware config text → vendor model. Lines are read in order and interpreted
 * in the current view as the device does (system, ACL, interface, ASPF policy);
 * a command that belongs to system view leaves the current view, `quit` and
 * `return` go back. Sections of other features (`vlan`, `ospf`, `user-interface`,
 * …) are skipped with their indented bodies and reported once, as a count.
 * Unknown commands are errors ("fail closed"), except inside a skipped section,
 * where only an unknown word that looks like a typo of a supported command is.
 */
import type { Diagnostic } from '../../diag/diagnostic.js';
import { suggest } from './suggest.js';
import { createAcl } from './acl-edit.js';
import { finishAclView, handleAclCommand, handleAclHeader, DEFAULT_STEP } from './acl-view.js';
import { commandSpan, errorAt, skipLine, type ParseContext } from './context.js';
import { handleAspfPolicyHeader, handleGlobalFilterCommand, handleInterfaceCommand, handleInterfaceHeader } from './interface-view.js';
import { ACL_COMMANDS, INTERFACE_COMMANDS, SKIPPED_SYSTEM_COMMANDS, SYSTEM_COMMANDS, VIEW_LOCAL_WORDS } from './keywords.js';
import { lexConfig, type Line } from './lexer.js';
import { handleTimeRange } from './time-range.js';
import type { H3cConfig } from './vendor.js';

/** Parses Comware config text into the vendor model, with diagnostics. */
export function parseVendorConfig(text: string, file: string): { config: H3cConfig; diagnostics: Diagnostic[] } {
  const config: H3cConfig = { file, acls: [], interfaces: [], aspfPolicies: [], portMappings: [] };
  const ctx: ParseContext = { config, diags: [], view: { kind: 'system' }, sawCommand: false, skipped: { lines: 0, names: [] } };
  for (const line of lexConfig(text, file)) {
    // In a `display current-configuration` dump, `#` closes a section; global commands that
    // follow are indented like the section body was, so indentation no longer marks a body.
    if (line.kind === 'comment' && ctx.view.kind === 'skip') ctx.view = { ...ctx.view, indent: Infinity };
    if (line.kind !== 'command') continue;
    parseLine(ctx, line);
  }
  finishAclView(ctx);
  if (ctx.skipped.lines > 0) {
    const s = ctx.skipped;
    ctx.diags.push({
      severity: 'info',
      message: `skipped ${s.lines} line${s.lines === 1 ? '' : 's'} of unsupported sections: ${s.names.join(', ')}`,
      ...(s.first ? { span: s.first } : {}),
    });
  }
  return { config, diagnostics: ctx.diags };
}

/** True when the line is a command of system view that ftpwall interprets (it leaves any sub-view). */
function isSystemCommand(line: Line): boolean {
  const [a, b] = line.tokens;
  switch (a!.lower) {
    case 'acl':
    case 'interface':
    case 'aspf-policy':
    case 'port-mapping':
    case 'time-range':
      return true;
    case 'aspf':
      return b?.lower === 'policy';
    case 'packet-filter':
      return b?.lower === 'default';
    case 'firewall':
      return b?.lower === 'enable' || b?.lower === 'default' || b?.lower === 'ipv6' || (b?.lower === 'packet-filter' && line.tokens[2]?.lower === 'default');
    default:
      return false;
  }
}

function parseLine(ctx: ParseContext, line: Line): void {
  const first = line.tokens[0]!;
  const w0 = first.lower;
  if (w0 === 'quit' || w0 === 'return') {
    finishAclView(ctx);
    ctx.view = { kind: 'system' };
    return;
  }
  const view = ctx.view;
  switch (view.kind) {
    case 'skip':
      if (line.indent > view.indent) return skipLine(ctx, line, view.name);
      if (isSystemCommand(line)) break;
      if (SKIPPED_SYSTEM_COMMANDS.has(w0)) return enterSkipped(ctx, line);
      // After an unsupported section: a supported word (or a typo of one) is interpreted, other words skipped.
      if (SUPPORTED_WORDS.includes(w0) || typoOf(w0, SUPPORTED_WORDS)) break;
      return skipLine(ctx, line, view.name);
    case 'acl':
      if (handleAclCommand(ctx, line, view.acl)) return;
      // The line leaves the ACL view (or is an error in it): store the view's edits first.
      finishAclView(ctx);
      if (isSystemCommand(line) || SKIPPED_SYSTEM_COMMANDS.has(w0)) break;
      return unknownCommand(ctx, line, [...ACL_COMMANDS, ...SYSTEM_COMMANDS]);
    case 'interface':
      if (handleInterfaceCommand(ctx, line, view.iface)) return;
      if (w0 === 'description') return; // documentation only, not an unsupported setting
      if (isSystemCommand(line) || leavesView(w0)) break;
      if (w0 === 'rule') return ruleOutsideAcl(ctx, line);
      if (typoOf(w0, INTERFACE_COMMANDS)) return unknownCommand(ctx, line, [...INTERFACE_COMMANDS]);
      return skipLine(ctx, line, 'interface settings');
    case 'aspf':
      if (w0 === 'detect') {
        const p = line.tokens[1];
        if (!p) return errorAt(ctx, line, undefined, "expected a protocol after 'detect'");
        view.policy.detect.set(p.lower, commandSpan(line));
        return;
      }
      if (isSystemCommand(line) || leavesView(w0)) break;
      if (w0 === 'rule') return ruleOutsideAcl(ctx, line);
      if (typoOf(w0, ['detect'])) return unknownCommand(ctx, line, ['detect']);
      return skipLine(ctx, line, 'aspf settings');
    case 'system':
      break;
  }
  ctx.view = { kind: 'system' };
  systemCommand(ctx, line);
}

function systemCommand(ctx: ParseContext, line: Line): void {
  const t = line.tokens;
  const w0 = t[0]!.lower;
  if (w0 === 'rule') return bareRule(ctx, line);
  if (w0 === 'acl') {
    ctx.sawCommand = true;
    return handleAclHeader(ctx, line);
  }
  if (w0 === 'interface') {
    ctx.sawCommand = true;
    return handleInterfaceHeader(ctx, line);
  }
  if (w0 === 'aspf' && t[1]?.lower === 'policy') {
    ctx.sawCommand = true;
    return handleAspfPolicyHeader(ctx, line, 2);
  }
  if (w0 === 'aspf-policy') {
    ctx.sawCommand = true;
    return handleAspfPolicyHeader(ctx, line, 1);
  }
  if (w0 === 'time-range') {
    ctx.sawCommand = true;
    return handleTimeRange(ctx, line);
  }
  if (handleGlobalFilterCommand(ctx, line)) {
    ctx.sawCommand = true;
    return;
  }
  if (w0 === 'packet-filter' || (w0 === 'aspf' && t[1]?.lower === 'apply') || (w0 === 'firewall' && (t[1]?.lower === 'packet-filter' || t[1]?.lower === 'aspf')))
    return errorAt(ctx, line, t[0], `'${t[0]!.text}${t[1] ? ` ${t[1].text}` : ''}' must be given in an interface view`, "put it under an 'interface …' line");
  if (w0 === 'undo' && t[1]?.lower === 'acl') return errorAt(ctx, line, t[0], "'undo acl' is not supported by ftpwall", 'remove the ACL from the file instead');
  if (SKIPPED_SYSTEM_COMMANDS.has(w0)) return enterSkipped(ctx, line);
  unknownCommand(ctx, line, [...SYSTEM_COMMANDS, 'rule']);
}

const SUPPORTED_WORDS: readonly string[] = [...SYSTEM_COMMANDS, 'rule'];

/** In an interface or ASPF view: true when the word starts a system-view section rather than a setting of the view. */
function leavesView(word: string): boolean {
  return SKIPPED_SYSTEM_COMMANDS.has(word) && !VIEW_LOCAL_WORDS.has(word);
}

function enterSkipped(ctx: ParseContext, line: Line): void {
  const [a, b] = line.tokens;
  // `undo irf link-delay` belongs to the irf feature: name it so in the skip summary.
  const name = a!.lower === 'undo' && b ? b.lower : a!.lower;
  skipLine(ctx, line, name);
  ctx.sawCommand = true;
  ctx.view = { kind: 'skip', indent: line.indent, name };
}

function typoOf(word: string, candidates: readonly string[]): string | undefined {
  return candidates.includes(word) ? undefined : suggest(word, candidates);
}

function unknownCommand(ctx: ParseContext, line: Line, candidates: readonly string[]): void {
  const first = line.tokens[0]!;
  const near = suggest(first.lower, candidates);
  errorAt(ctx, line, first, `unknown command '${first.text}'`, near ? `did you mean '${near}'?` : undefined);
}

function ruleOutsideAcl(ctx: ParseContext, line: Line): void {
  errorAt(ctx, line, line.tokens[0], 'rule outside an ACL view', "add an 'acl advanced <number>' line before it");
}

const BASIC_WORDS = new Set(['source', 'fragment', 'logging', 'counting', 'time-range', 'vpn-instance']);

/**
 * A `rule` in system view. At the very start of a file it begins a bare ACL body:
 * the rules go into an implicit ACL named after the file (an info says so), so
 * `ftpwall check` can validate a pasted rule list. Anywhere else it is an error.
 */
function bareRule(ctx: ParseContext, line: Line): void {
  if (ctx.sawCommand) return ruleOutsideAcl(ctx, line);
  const t = line.tokens;
  const afterAction = /^\d+$/.test(t[1]?.text ?? '') ? t[3] : t[2];
  const category = !afterAction || BASIC_WORDS.has(afterAction.lower) ? 'basic' : 'advanced';
  const family = t.some((x) => x.text.includes(':')) || afterAction?.lower === 'ipv6' ? 6 : 4;
  const name = implicitAclName(ctx.config.file);
  const acl = createAcl({ family, category, name, matchOrder: 'config', step: DEFAULT_STEP, rules: [], at: commandSpan(line), implicit: true });
  ctx.config.acls.push(acl);
  ctx.view = { kind: 'acl', acl };
  ctx.sawCommand = true;
  ctx.diags.push({
    severity: 'info',
    message: `rules without an 'acl' header: they are collected into an implicit ${family === 6 ? 'IPv6 ' : ''}${category} ACL named '${name}' (after the file)`,
    span: commandSpan(line),
    suggestion: `add 'acl ${family === 6 ? 'ipv6 ' : ''}${category} ${category === 'basic' ? 2000 : 3000}' before the rules and bind it with 'packet-filter'`,
  });
  handleAclCommand(ctx, line, acl);
}

/** `rules/bare-body.cfg` → `bare-body`. */
export function implicitAclName(file: string): string {
  const base = file.split(/[\\/]/).pop() ?? file;
  const dot = base.lastIndexOf('.');
  const stem = dot > 0 ? base.slice(0, dot) : base;
  return stem === '' ? 'implicit' : stem;
}
