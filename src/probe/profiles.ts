/**
 * Client and server profiles: the data-connection behaviour each FTP program is
 * known for (profiles/clients.json, profiles/servers.json, each fact with its
 * source). Read here from parsed JSON into checked, typed profiles.
 */
import type { Diagnostic } from '../diag/diagnostic.js';
import type { FtpMode } from '../scenario/model.js';

/** The four ways to ask for a data connection, by their command names. */
export const PROBE_MODES = ['PORT', 'PASV', 'EPRT', 'EPSV'] as const;
/** One of PROBE_MODES. */
export type ProbeMode = (typeof PROBE_MODES)[number];

/** The scenario mode of a command name. */
export const MODE_OF: Readonly<Record<ProbeMode, FtpMode>> = {
  PORT: 'active',
  PASV: 'passive',
  EPRT: 'extended-active',
  EPSV: 'extended-passive',
};

/** True for the modes where the server opens the data connection. */
export function isActiveMode(mode: ProbeMode): boolean {
  return mode === 'PORT' || mode === 'EPRT';
}

/** An inclusive port range. */
export type PortRange = readonly [number, number];

/** What an FTP client does. */
export interface ClientProfile {
  readonly name: string;
  readonly description: string;
  readonly modes: readonly ProbeMode[];
  readonly defaultMode: ProbeMode;
  /** EPSV refused or unreachable → PASV (EPRT → PORT) */
  readonly fallback: boolean;
  /** local ports of its connections */
  readonly ephemeralPorts: PortRange;
  readonly facts: readonly string[];
  readonly sources: readonly string[];
}

/** What an FTP server does. */
export interface ServerProfile {
  readonly name: string;
  readonly description: string;
  readonly passivePorts: PortRange;
  readonly passivePortsSetting: string;
  /** source port(s) of active-mode data connections */
  readonly activeSourcePorts: PortRange;
  readonly rfc2428: boolean;
  readonly facts: readonly string[];
  readonly sources: readonly string[];
}

type Json = unknown;

function isRecord(v: Json): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function portRange(v: Json): PortRange | undefined {
  if (typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 65535) return [v, v];
  if (Array.isArray(v) && v.length === 2 && v.every((n) => typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= 65535) && v[0] <= v[1])
    return [v[0] as number, v[1] as number];
  return undefined;
}

function strings(v: Json): string[] | undefined {
  return Array.isArray(v) && v.every((s) => typeof s === 'string') ? (v as string[]) : undefined;
}

function isMode(v: Json): v is ProbeMode {
  return typeof v === 'string' && (PROBE_MODES as readonly string[]).includes(v);
}

/** Reads the client profiles document; problems are located by file and profile name. */
export function readClientProfiles(doc: Json, file: string): { profiles: ClientProfile[]; problems: Diagnostic[] } {
  const problems: Diagnostic[] = [];
  const profiles: ClientProfile[] = [];
  const list = isRecord(doc) ? doc['clients'] : undefined;
  if (!Array.isArray(list)) return { profiles, problems: [{ severity: 'error', message: `${file}: expected an object with a "clients" list` }] };
  list.forEach((p, i) => {
    const where = `${file}: clients[${i}]`;
    if (!isRecord(p) || typeof p['name'] !== 'string') return void problems.push({ severity: 'error', message: `${where}: a profile needs a "name"` });
    const modes = Array.isArray(p['modes']) && p['modes'].every(isMode) ? (p['modes'] as ProbeMode[]) : undefined;
    const def = isMode(p['default']) ? p['default'] : undefined;
    const eph = portRange(p['ephemeralPorts']);
    const sources = strings(p['sources']);
    if (!modes || modes.length === 0) problems.push({ severity: 'error', message: `${where} (${p['name']}): "modes" must list some of ${PROBE_MODES.join(', ')}` });
    if (!def || (modes && !modes.includes(def))) problems.push({ severity: 'error', message: `${where} (${p['name']}): "default" must be one of its modes` });
    if (!eph) problems.push({ severity: 'error', message: `${where} (${p['name']}): "ephemeralPorts" must be [lo, hi] within 1-65535` });
    if (!sources || sources.length === 0) problems.push({ severity: 'error', message: `${where} (${p['name']}): every profile needs "sources"` });
    if (!modes || !def || !eph || !sources || sources.length === 0) return;
    profiles.push({
      name: p['name'],
      description: typeof p['description'] === 'string' ? p['description'] : '',
      modes,
      defaultMode: def,
      fallback: p['fallback'] === true,
      ephemeralPorts: eph,
      facts: strings(p['facts']) ?? [],
      sources,
    });
  });
  return { profiles, problems };
}

/** Reads the server profiles document. */
export function readServerProfiles(doc: Json, file: string): { profiles: ServerProfile[]; problems: Diagnostic[] } {
  const problems: Diagnostic[] = [];
  const profiles: ServerProfile[] = [];
  const list = isRecord(doc) ? doc['servers'] : undefined;
  if (!Array.isArray(list)) return { profiles, problems: [{ severity: 'error', message: `${file}: expected an object with a "servers" list` }] };
  list.forEach((p, i) => {
    const where = `${file}: servers[${i}]`;
    if (!isRecord(p) || typeof p['name'] !== 'string') return void problems.push({ severity: 'error', message: `${where}: a profile needs a "name"` });
    const passive = portRange(p['passivePorts']);
    const active = portRange(p['activeSourcePort']);
    const sources = strings(p['sources']);
    if (!passive) problems.push({ severity: 'error', message: `${where} (${p['name']}): "passivePorts" must be [lo, hi] within 1-65535` });
    if (!active) problems.push({ severity: 'error', message: `${where} (${p['name']}): "activeSourcePort" must be a port or [lo, hi]` });
    if (!sources || sources.length === 0) problems.push({ severity: 'error', message: `${where} (${p['name']}): every profile needs "sources"` });
    if (!passive || !active || !sources || sources.length === 0) return;
    profiles.push({
      name: p['name'],
      description: typeof p['description'] === 'string' ? p['description'] : '',
      passivePorts: passive,
      passivePortsSetting: typeof p['passivePortsSetting'] === 'string' ? p['passivePortsSetting'] : '',
      activeSourcePorts: active,
      rfc2428: p['rfc2428'] !== false,
      facts: strings(p['facts']) ?? [],
      sources,
    });
  });
  return { profiles, problems };
}
