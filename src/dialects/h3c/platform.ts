/**
 * Which kind of H3C device wrote a config, where the text tells: security zones or policies
 * (firewalls, SecPath), switch-only interface settings (`port link-type`, `port access vlan`, `stp`),
 * router-only ones (Comware 5 `firewall enable`, serial and dialer interfaces), and the sysname's model
 * prefix (MSR/SR/VSR routers, S5xxx switches, F1000/SecPath firewalls). The first clue wins.
 */
import type { SourceSpan } from '../../diag/diagnostic.js';
import type { Platform } from '../../policy/model.js';

/** A platform and the line that told it. */
export interface PlatformClue {
  readonly platform: Platform;
  readonly why: string;
  readonly at: SourceSpan;
}

const CLUES: readonly (readonly [RegExp, Platform, string])[] = [
  [/^\s*(security-zone|zone-pair|security-policy)\b/i, 'firewall', 'security zones and policies exist on firewalls'],
  [/^\s*(port link-type|port access vlan|port trunk permit|stp (global )?enable|stp mode)\b/i, 'switch', 'layer-2 port settings'],
  [/^\s*firewall enable\b/i, 'router', "Comware 5 'firewall enable' (routers)"],
  [/^\s*interface (Serial|Dialer|Cellular|Pos)\S*/i, 'router', 'a WAN interface'],
  [/^\s*sysname\s+(MSR|SR\d|VSR|RT|AR\d|ROUTER)/i, 'router', 'the sysname names a router model'],
  [/^\s*sysname\s+(S\d{4}|SW|SWITCH)/i, 'switch', 'the sysname names a switch model'],
  [/^\s*sysname\s+(F\d{3,4}|FW|SECPATH|FIREWALL)/i, 'firewall', 'the sysname names a firewall model'],
];

/**
 * The first letters (lower case) a clue's line can start with after its blanks: every clue begins with
 * `^\s*` and then a word starting so (security, stp, sysname, zone-pair, port, firewall, interface, all
 * case-insensitive). Other lines, such as the many `rule` lines of a large config, are not tried.
 */
const CLUE_INITIALS = new Set(['s', 'z', 'p', 'f', 'i']);

/** The first clue in the text, or undefined when nothing tells the kind of device. */
export function detectPlatform(text: string, file: string): PlatformClue | undefined {
  // the lines of text.split(/\r?\n/), found by indexOf: a line is sliced only when its first word may start a clue
  let lineNo = 0;
  for (let start = 0; start <= text.length; ) {
    const lf = text.indexOf('\n', start);
    const end = lf < 0 ? text.length : lf;
    lineNo++;
    if (mayStartClue(text, start, end)) {
      const line = text.slice(start, end > start && text.charCodeAt(end - 1) === CR && lf >= 0 ? end - 1 : end);
      const clue = clueOf(line, lineNo, file);
      if (clue) return clue;
    }
    if (lf < 0) break;
    start = lf + 1;
  }
  return undefined;
}

/**
 * False when the line text[start, end) certainly starts with no clue initial after its blanks: its first
 * character other than a space or tab is a printable ASCII character (never white space to trimStart) that is not
 * one. Other lines are read as before: trimStart and the clue test.
 */
function mayStartClue(text: string, start: number, end: number): boolean {
  let i = start;
  let c = i < end ? text.charCodeAt(i) : -1;
  while (c === SPACE || c === TAB) c = ++i < end ? text.charCodeAt(i) : -1;
  if (c > SPACE && c < DEL) return CLUE_INITIALS.has(String.fromCharCode(c).toLowerCase());
  return true;
}

const SPACE = 32;
const TAB = 9;
const CR = 13;
const DEL = 127;

/** The clue of one line, if any. */
function clueOf(line: string, lineNo: number, file: string): PlatformClue | undefined {
  // trimStart removes exactly what `\s` matches (ECMAScript WhiteSpace and LineTerminator)
  if (!CLUE_INITIALS.has(line.trimStart().charAt(0).toLowerCase())) return undefined;
  for (const [re, platform, why] of CLUES) {
    const m = re.exec(line);
    if (!m) continue;
    const column = line.length - line.trimStart().length + 1;
    return { platform, why, at: { file, line: lineNo, column, length: line.trim().length, lineText: line } };
  }
  return undefined;
}
