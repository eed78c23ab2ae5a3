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
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    // trimStart removes exactly what `\s` matches (ECMAScript WhiteSpace and LineTerminator)
    if (!CLUE_INITIALS.has(line.trimStart().charAt(0).toLowerCase())) continue;
    for (const [re, platform, why] of CLUES) {
      const m = re.exec(line);
      if (!m) continue;
      const column = line.length - line.trimStart().length + 1;
      return { platform, why, at: { file, line: i + 1, column, length: line.trim().length, lineText: line } };
    }
  }
  return undefined;
}
