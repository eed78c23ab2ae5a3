/**
 * Comware config text → vendor model. A config is a tree: top-level commands, each view's
 * commands under it (indented in a `display current-configuration` dump), `#` between sections,
 * `return` at the end. Lines are read in order and interpreted in the current view as the device
 * does (system, ACL, interface, ASPF policy, object group, security zone, zone pair, security
 * policy); `#`, `quit` and `return` go back to system view.
 *
 * What ftpwall does not model is skipped and counted in one info per file: a top-level command
 * with its indented block, and a command of an interface view. A word is reported as a typo only
 * where a typo is likely: inside an ACL view, and where a top-level (or interface-view) word is
 * close to a modelled command and the rest of the line parses as that command (`ospf 1` is a real
 * command, never a typo of `aspf`). Banners (`header motd %…%`) are skipped as text.
 */
import type { Diagnostic } from '../../diag/diagnostic.js';
import { nameList } from '../../diag/name-list.js';
import { suggest } from './suggest.js';
import { createAcl } from './acl-edit.js';
import { finishAclView, finishParkedAcls, handleAclCommand, handleAclHeader, DEFAULT_STEP } from './acl-view.js';
import { addAcl, commandSpan, errorAt, newZoneIndex, skipLine, type ParseContext } from './context.js';
import { handleNatInterfaceCommand, handleNatSystemCommand, noteInterfaceAddress } from './nat-view.js';
import { handleAspfPolicyHeader, handleGlobalFilterCommand, handleInterfaceCommand, handleInterfaceHeader } from './interface-view.js';
import { ACL_COMMANDS, INTERFACE_COMMANDS, SKIPPED_SYSTEM_COMMANDS, SYSTEM_COMMANDS, VIEW_LOCAL_WORDS } from './keywords.js';
import { lexLines, type Line } from './lexer.js';
import { handleTimeRange } from './time-range.js';
import { handleObjectGroupCommand, handleObjectGroupHeader } from './object-group-view.js';
import { handleSecurityPolicyCommand, handleSecurityPolicyHeader, handleZoneCommand, handleZoneHeader, handleZonePairCommand, handleZonePairHeader } from './zone-view.js';
import type { H3cConfig, H3cInterface } from './vendor.js';

/** Names of skipped sections the info lists (a real config has a few dozen; a wrong file may have thousands). */
const SKIPPED_NAMES_SHOWN = 40;

/** A fresh, empty vendor model for `file`. */
export function emptyH3cConfig(file: string): H3cConfig {
  return {
    file,
    acls: [],
    interfaces: [],
    aspfPolicies: [],
    portMappings: [],
    c7: { objectGroups: new Map(), zones: [], zonePairs: [], securityRules: [], systemFilters: [] },
  };
}

function newContext(file: string): ParseContext {
  return {
    config: emptyH3cConfig(file),
    diags: [],
    view: { kind: 'system' },
    sawCommand: false,
    skipped: { lines: 0, names: new Set() },
    aclPos: new Map(),
    aclByKey: new Map(),
    parkedAcls: new Map(),
    zones: newZoneIndex(),
  };
}

/** Parses Comware config text into the vendor model, with diagnostics. */
export function parseVendorConfig(text: string, file: string): { config: H3cConfig; diagnostics: Diagnostic[] } {
  const ctx = newContext(file);
  for (const line of lexLines(text, file)) {
    if (ctx.banner !== undefined) {
      bannerLine(ctx, line);
      continue;
    }
    // `#` alone separates the sections of a dump: the view ends, and global commands that follow
    // are indented like the section body was.
    if (line.kind === 'comment' && line.text.trim() === '#') {
      leaveView(ctx);
      continue;
    }
    if (line.kind !== 'command') continue;
    parseLine(ctx, line);
  }
  finishParkedAcls(ctx);
  if (ctx.skipped.lines > 0) {
    const s = ctx.skipped;
    ctx.diags.push({
      severity: 'info',
      message: `skipped ${s.lines} line${s.lines === 1 ? '' : 's'} of unsupported sections: ${nameList([...s.names], SKIPPED_NAMES_SHOWN)}`,
      ...(s.first ? { span: s.first } : {}),
    });
  }
  return { config: ctx.config, diagnostics: ctx.diags };
}

function leaveView(ctx: ParseContext): void {
  finishAclView(ctx);
  ctx.view = { kind: 'system' };
}

/** A line inside a banner: skipped as text; the one holding the delimiter ends the banner. */
function bannerLine(ctx: ParseContext, line: Line): void {
  ctx.skipped.lines++;
  let text = line.text;
  if (ctx.banner === '') {
    // `header motd` alone: the delimiter is the first character of the next non-blank line.
    text = text.replace(/^[ \t]+/, '');
    if (text === '') return;
    ctx.banner = text[0]!;
    text = text.slice(1);
  }
  if (text.includes(ctx.banner!)) ctx.banner = undefined;
}

const BANNERS = new Set(['motd', 'login', 'shell', 'incoming', 'legal']);

/** `header motd %text%`: true when the line starts a banner (then skipped, possibly over many lines). */
function startBanner(ctx: ParseContext, line: Line): boolean {
  const [h, kind] = line.tokens;
  if (h!.lower !== 'header' || !kind || !BANNERS.has(kind.lower)) return false;
  skipLine(ctx, line, 'header');
  ctx.sawCommand = true;
  // The banner text starts at the first non-blank character after the kind: that character is the delimiter.
  const after = line.text.slice(kind.column - 1 + kind.text.length).replace(/^[ \t]+/, '');
  if (after === '') {
    // `header motd` then the delimiter on the next line: take the next line's first character.
    ctx.banner = '';
    return true;
  }
  const delimiter = after[0]!;
  if (!after.slice(1).includes(delimiter)) ctx.banner = delimiter;
  return true;
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
    case 'object-group':
    case 'security-zone':
    case 'zone-pair':
    case 'security-policy':
      return true;
    case 'aspf':
      return b?.lower === 'policy';
    case 'packet-filter':
      return b?.lower === 'default' || line.tokens.some((t) => t.lower === 'global' || t.lower === 'vlan');
    case 'firewall':
      return b?.lower === 'enable' || b?.lower === 'default' || b?.lower === 'ipv6' || (b?.lower === 'packet-filter' && line.tokens[2]?.lower === 'default');
    default:
      return false;
  }
}

function parseLine(ctx: ParseContext, line: Line): void {
  const first = line.tokens[0]!;
  const w0 = first.lower;
  if (w0 === 'quit' || w0 === 'return') return leaveView(ctx);
  const view = ctx.view;
  switch (view.kind) {
    case 'skip':
      if (line.indent > view.indent) return skipLine(ctx, line, view.name);
      break;
    case 'dead':
      // The body of a refused ACL header: skipped silently (its header has the one error).
      if (line.indent > view.indent || ACL_BODY_WORDS.has(w0)) return;
      break;
    case 'acl':
      if (handleAclCommand(ctx, line, view.acl)) return;
      // The line leaves the ACL view (or is an error in it): store the view's edits first.
      finishAclView(ctx);
      if (isSystemCommand(line) || SKIPPED_SYSTEM_COMMANDS.has(w0) || line.indent === 0) break;
      return unknownCommand(ctx, line, [...ACL_COMMANDS, ...SYSTEM_COMMANDS]);
    case 'interface':
      if (w0 === 'ip' && noteInterfaceAddress(ctx, line, view.iface)) return; // read: Easy IP translates to it
      if (w0 === 'nat' && line.indent > 0 && handleNatInterfaceCommand(ctx, line, view.iface)) return;
      if (interfaceCommand(ctx, line, view.iface, view.members)) return;
      if (w0 === 'description') return; // documentation only, not an unsupported setting
      if (isSystemCommand(line) || leavesView(w0)) break;
      if (w0 === 'rule') return ruleOutsideAcl(ctx, line);
      if (looksLikeTypo(ctx, line, INTERFACE_COMMANDS, (c, l) => interfaceCommand(c, l, { name: 'scratch', at: commandSpan(l), packetFilters: [], aspf: [] }, undefined))) return;
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
      return skipLine(ctx, line, 'aspf settings');
    case 'object-group':
      if (isSystemCommand(line) && line.indent === 0) break;
      return handleObjectGroupCommand(ctx, line, view.group);
    case 'zone':
      if (isSystemCommand(line) && line.indent === 0) break;
      return handleZoneCommand(ctx, line, view.zone);
    case 'zone-pair':
      if (isSystemCommand(line) && line.indent === 0) break;
      return handleZonePairCommand(ctx, line, view.pair);
    case 'security-policy':
    case 'security-rule':
      if (isSystemCommand(line) && line.indent === 0) break;
      return handleSecurityPolicyCommand(ctx, line);
    case 'system':
      break;
  }
  ctx.view = { kind: 'system' };
  systemCommand(ctx, line);
}

const ACL_BODY_WORDS = new Set(['rule', 'step', 'description', 'undo']);

/** A command of an interface view, applied to every member of an `interface range`. */
function interfaceCommand(ctx: ParseContext, line: Line, iface: H3cInterface, members: readonly H3cInterface[] | undefined): boolean {
  if (!handleInterfaceCommand(ctx, line, iface)) return false;
  // The other members get the same command; its diagnostics were reported once, for the first.
  const quiet = { ...ctx, diags: [] as Diagnostic[] };
  for (const m of members ?? []) if (m !== iface) handleInterfaceCommand(quiet, line, m);
  return true;
}

function systemCommand(ctx: ParseContext, line: Line): void {
  const t = line.tokens;
  const w0 = t[0]!.lower;
  if (w0 === 'rule') return bareRule(ctx, line);
  if (startBanner(ctx, line)) return;
  if (modelledCommand(ctx, line)) {
    ctx.sawCommand = true;
    return;
  }
  if (w0 === 'undo' && t[1]?.lower === 'acl') return errorAt(ctx, line, t[0], "'undo acl' is not supported by ftpwall", 'remove the ACL from the file instead');
  if (looksLikeTypo(ctx, line, MODELLED_WORDS, modelledCommand)) return;
  enterSkipped(ctx, line);
}

/** Handles a top-level command ftpwall models; false when the line is not one. */
function modelledCommand(ctx: ParseContext, line: Line): boolean {
  const t = line.tokens;
  const w0 = t[0]!.lower;
  if (w0 === 'acl') {
    handleAclHeader(ctx, line);
    // A refused header: its rules go with it, silently (one error, no cascade).
    if (ctx.view.kind !== 'acl') ctx.view = { kind: 'dead', indent: line.indent };
    return true;
  }
  if (w0 === 'interface') {
    handleInterfaceHeader(ctx, line);
    return true;
  }
  if (w0 === 'aspf' && t[1]?.lower === 'policy') {
    handleAspfPolicyHeader(ctx, line, 2);
    return true;
  }
  if (w0 === 'aspf-policy') {
    handleAspfPolicyHeader(ctx, line, 1);
    return true;
  }
  if (w0 === 'time-range') {
    handleTimeRange(ctx, line);
    return true;
  }
  if (w0 === 'object-group') {
    handleObjectGroupHeader(ctx, line);
    return true;
  }
  if (w0 === 'security-zone') {
    handleZoneHeader(ctx, line);
    return true;
  }
  if (w0 === 'zone-pair') {
    handleZonePairHeader(ctx, line);
    return true;
  }
  if (w0 === 'security-policy') {
    handleSecurityPolicyHeader(ctx, line);
    return true;
  }
  if (handleGlobalFilterCommand(ctx, line)) return true;
  if (handleNatSystemCommand(ctx, line)) return true;
  if (w0 === 'packet-filter' || (w0 === 'aspf' && t[1]?.lower === 'apply') || (w0 === 'firewall' && (t[1]?.lower === 'packet-filter' || t[1]?.lower === 'aspf'))) {
    errorAt(ctx, line, t[0], `'${t[0]!.text}${t[1] ? ` ${t[1].text}` : ''}' must be given in an interface view`, "put it under an 'interface …' line");
    return true;
  }
  return false;
}

/** First words of the top-level commands ftpwall models (typo candidates). */
const MODELLED_WORDS: readonly string[] = ['acl', 'interface', 'aspf', 'aspf-policy', 'packet-filter', 'firewall', 'port-mapping', 'time-range', 'object-group', 'security-zone', 'zone-pair', 'security-policy', 'rule'];

/**
 * True (and reported) when the first word is close to a modelled command and the rest of the line
 * parses as that command: then it is most likely a typo. Anything else is a command ftpwall does not model.
 */
function looksLikeTypo(ctx: ParseContext, line: Line, candidates: readonly string[], handle: (scratch: ParseContext, l: Line) => unknown): boolean {
  const first = line.tokens[0]!;
  if (candidates.includes(first.lower)) return false;
  const near = suggest(first.lower, candidates);
  if (!near || near === 'quit' || near === 'return') return false;
  // Parse the line again with the candidate word, in a scratch context: no error means it fits.
  const fixed: Line = { ...line, tokens: [{ text: near, lower: near, column: first.column }, ...line.tokens.slice(1)] };
  // the scratch context looks up no ACL of the config (its indexes are empty): the parked batches stay parked
  const scratch: ParseContext = {
    ...ctx,
    aclDraft: undefined,
    banner: undefined,
    diags: [],
    view: { kind: 'system' },
    config: scratchConfig(ctx),
    aclPos: new Map(),
    aclByKey: new Map(),
    parkedAcls: new Map(),
    zones: newZoneIndex(),
    skipped: { lines: 0, names: new Set() },
  };
  const handled = near === 'rule' ? true : handle(scratch, fixed);
  if (near === 'rule') {
    // `rele deny ip`: the rest must parse as a rule of the current (or an advanced) ACL
    const acl = createAcl({ family: 4, category: 'advanced', matchOrder: 'config', step: DEFAULT_STEP, rules: [], at: commandSpan(line) });
    handleAclCommand(scratch, fixed, acl);
  }
  if (handled === false || scratch.diags.some((d) => d.severity === 'error')) return false;
  errorAt(ctx, line, first, `unknown command '${first.text}'`, `did you mean '${near}'?`);
  return true;
}

function scratchConfig(ctx: ParseContext): H3cConfig {
  const c = ctx.config;
  // no ACL: the scratch context has no ACL index, so it finds none of the config's (a copy cost O(ACLs) per line that looks like a typo)
  return { ...c, acls: [], interfaces: [], aspfPolicies: [], portMappings: [], c7: { ...c.c7, objectGroups: new Map(c.c7.objectGroups), zones: [], zonePairs: [], securityRules: [], systemFilters: [] } };
}

/** In an interface or ASPF view: true when the word starts a system-view section rather than a setting of the view. */
function leavesView(word: string): boolean {
  return SKIPPED_SYSTEM_COMMANDS.has(word) && !VIEW_LOCAL_WORDS.has(word);
}

/** A top-level command ftpwall does not model: skipped, with its indented block. */
function enterSkipped(ctx: ParseContext, line: Line): void {
  const [a, b] = line.tokens;
  // `undo irf link-delay` belongs to the irf feature: name it so in the skip summary.
  const name = a!.lower === 'undo' && b ? b.lower : a!.lower;
  skipLine(ctx, line, name);
  ctx.sawCommand = true;
  ctx.view = { kind: 'skip', indent: line.indent, name };
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
  addAcl(ctx, acl);
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
