/**
 * `probe`: does FTP work through a policy, for every server × client side ×
 * server profile × client profile × mode, over every port of the ranges the
 * endpoints use? Ranges are cut into port-space cells (cells.ts); one run per
 * combination of cells decides all the ports in them.
 */
import { formatIp, type IpFamily } from '../net/address.js';
import type { Firewall } from '../engine/verdict.js';
import type { Policy, Rule } from '../policy/model.js';
import { cellsOf, portCount, portCuts, rangeText, splitsCell, type PortCell } from './cells.js';
import { addrMatches, defaultClients, openFamilies, type OpenFamily, type ProbeClient, type ProbeServer } from './discover.js';
import { isActiveMode, PROBE_MODES, type ClientProfile, type PortRange, type ProbeMode, type ServerProfile } from './profiles.js';
import { runOnce, type BlockedAt, type RunPorts, type RunResult, type RunSetup } from './simulate.js';

/** A cell's verdict. */
export type CellVerdict = 'works' | 'blocked' | 'partly' | 'n/a';

/** A stretch of the primary port range with one outcome. */
export interface PortSlice {
  readonly lo: number;
  readonly hi: number;
  readonly outcome: 'works' | 'blocked' | 'partly';
  /** a failed run in this stretch */
  readonly firstBlocked?: BlockedAt;
}

/** One cell of the matrix: a mode for one client profile against one server profile. */
export interface ProbeCell {
  readonly server: string;
  readonly serverInterface: string;
  readonly client: string;
  readonly clientInterface: string;
  readonly family: IpFamily;
  readonly serverProfile: string;
  readonly clientProfile: string;
  readonly mode: ProbeMode;
  readonly verdict: CellVerdict;
  /** what the verdict covers: the server's passive ports (PASV, EPSV) or the client's data ports (PORT, EPRT) */
  readonly dimension: 'passive ports' | 'client data ports';
  readonly range?: PortRange;
  readonly workingPorts: number;
  readonly totalPorts: number;
  readonly slices: readonly PortSlice[];
  /** simulations run for this cell */
  readonly runs: number;
  readonly summary: string;
  readonly firstBlocked?: BlockedAt;
  /** the ports of the run that shows the verdict (the run of `firstBlocked`, else a working run); not in the JSON */
  readonly example?: RunPorts;
}

/** The whole probe. */
export interface ProbeResult {
  readonly engine: 'static' | 'stateful';
  readonly servers: readonly ProbeServer[];
  readonly clients: readonly (ProbeClient & { readonly server: string })[];
  readonly cells: readonly ProbeCell[];
  readonly openFamilies: readonly OpenFamily[];
  readonly notes: readonly string[];
}

/** What to probe. */
export interface ProbeRequest {
  readonly policy: Policy;
  readonly engine: 'static' | 'stateful';
  /** a fresh firewall for each run (engines keep state) */
  readonly firewall: () => Firewall;
  readonly servers: readonly ProbeServer[];
  /** explicit clients */
  readonly clients: readonly ProbeClient[];
  /** also one representative client per other interface ("any"); default: when no explicit client is given */
  readonly anyClients?: boolean;
  readonly clientProfiles: readonly ClientProfile[];
  readonly serverProfiles: readonly ServerProfile[];
  /** overrides every server profile's passive range */
  readonly passivePorts?: PortRange;
  readonly modes?: readonly ProbeMode[];
}

/** A bound on simulations per matrix cell, so a config with thousands of port bounds stays an answer, not a hang. */
const MAX_RUNS_PER_CELL = 20_000;

const MODE_WORD: Readonly<Record<ProbeMode, string>> = { PORT: 'PORT', PASV: 'PASV', EPRT: 'EPRT', EPSV: 'EPSV' };

function fmt(n: number): string {
  return n.toLocaleString('en-US');
}

function blockedBy(b: BlockedAt | undefined): string {
  return b ? `by ${b.by}, first at ${b.role} ${b.packet}` : 'the transfer failed';
}

/** Joins neighbouring slices with the same outcome (and the same blocking rule). */
function mergeSlices(slices: PortSlice[]): PortSlice[] {
  const out: PortSlice[] = [];
  for (const s of slices) {
    const last = out.at(-1);
    if (last && last.outcome === s.outcome && last.hi + 1 === s.lo && last.firstBlocked?.by === s.firstBlocked?.by) out[out.length - 1] = { ...last, hi: s.hi };
    else out.push(s);
  }
  return out;
}

function describe(mode: ProbeMode, dimension: string, range: PortRange, slices: readonly PortSlice[], working: number, total: number): string {
  const all = `${fmt(total)} ${dimension} (${rangeText(range[0], range[1])})`;
  if (working === total) return `${MODE_WORD[mode]} works for all ${all}`;
  const failing = slices.filter((s) => s.outcome !== 'works');
  if (working === 0 && failing.every((s) => s.outcome === 'blocked') && failing.length === 1)
    return `${MODE_WORD[mode]} blocked for all ${all} ${blockedBy(failing[0]!.firstBlocked)}`;
  const good = slices.filter((s) => s.outcome === 'works').map((s) => rangeText(s.lo, s.hi));
  const head = `${MODE_WORD[mode]} works for ${fmt(working)} of ${all.replace(/ \(.*\)$/, '')}${good.length > 0 ? ` (${good.join(', ')})` : ''}`;
  // failing stretches with the same outcome and the same blocking rule are named together
  const groups = new Map<string, PortSlice[]>();
  for (const s of failing) {
    const key = `${s.outcome}|${s.firstBlocked?.by ?? ''}`;
    const group = groups.get(key);
    if (group) group.push(s);
    else groups.set(key, [s]);
  }
  const bad = [...groups.values()].map(
    (g) => `${g.map((s) => rangeText(s.lo, s.hi)).join(', ')} ${g[0]!.outcome === 'partly' ? 'works only for some client ports, blocked' : 'blocked'} ${blockedBy(g[0]!.firstBlocked)}`,
  );
  return `${head}; ${bad.join('; ')}`;
}

/** Probes one mode for one server, client side and pair of profiles. */
export function probeCell(req: ProbeRequest, server: ProbeServer, client: ProbeClient, sp: ServerProfile, cp: ClientProfile, mode: ProbeMode): ProbeCell {
  const family = server.address.family;
  const base = {
    server: formatIp(server.address),
    serverInterface: server.interface,
    client: formatIp(client.address),
    clientInterface: client.interface,
    family,
    serverProfile: sp.name,
    clientProfile: cp.name,
    mode,
  };
  const active = isActiveMode(mode);
  const dimension = active ? ('client data ports' as const) : ('passive ports' as const);
  const na = (why: string): ProbeCell => ({ ...base, verdict: 'n/a', dimension, workingPorts: 0, totalPorts: 0, slices: [], runs: 0, summary: why });
  if (!cp.modes.includes(mode)) return na(`${cp.name} does not use ${mode}`);
  if (family === 6 && (mode === 'PORT' || mode === 'PASV')) return na(`${mode} carries only IPv4 addresses (RFC 2428): IPv6 uses ${mode === 'PORT' ? 'EPRT' : 'EPSV'}`);
  // only rules whose addresses can match a packet between these two hosts can tell their ports apart
  const hosts = [server.address, client.address];
  const relevant = (r: Rule): boolean => hosts.some((a) => addrMatches(r.src, a)) && hosts.some((a) => addrMatches(r.dst, a));
  const cuts = portCuts(req.policy, family, relevant);
  const passive = req.passivePorts ?? sp.passivePorts;
  const clientCells = cellsOf(cp.ephemeralPorts, cuts);
  const primaryRange: PortRange = active ? cp.ephemeralPorts : passive;
  const primary = active ? clientCells : cellsOf(passive, cuts);
  const secondary: PortCell[] = active ? cellsOf(sp.activeSourcePorts, cuts) : clientCells;
  const control = clientCells;
  for (const c of [...primary, ...secondary, ...control]) {
    const split = splitsCell(req.policy, family, c, relevant);
    if (split) throw new Error(`port cell ${rangeText(c.lo, c.hi)} is split by ${split}`);
  }
  // The control connection's packets carry only its own ports, and a data connection's verdict does not depend on
  // the control connection's client port (its ACL checks carry the data ports; a pinhole accepts any source port):
  // so control cells are probed once each, and data cells with a control port that works.
  const total = control.length + primary.length * secondary.length;
  if (total > MAX_RUNS_PER_CELL) return na(`too many port cells to simulate (${fmt(total)} runs): narrow the ranges`);
  const setup: RunSetup = { server, client, serverProfile: sp, clientProfile: cp, mode, firewall: req.firewall };
  const ports = (c: PortCell, p: PortCell, s: PortCell) => {
    const clientData = active ? p.lo : s.lo;
    // the control connection takes the cell's last port, the data connection its first
    return { control: c.hi !== clientData ? c.hi : c.lo, clientData, server: (active ? [s.lo, s.lo] : [p.lo, p.hi]) as PortRange };
  };
  let runs = 0;
  let controlFailure: RunResult | undefined;
  let goodControl: PortCell | undefined;
  let controlOk = 0;
  for (const c of control) {
    const r = runOnce(setup, ports(c, primary[0]!, secondary[0]!));
    runs++;
    if (r.firstBlocked?.role === 'control') controlFailure ??= r;
    else {
      controlOk++;
      goodControl ??= c;
    }
  }
  const slices: PortSlice[] = [];
  let firstBlocked: BlockedAt | undefined = controlFailure?.firstBlocked;
  let blockedRun: RunResult | undefined = controlFailure?.firstBlocked ? controlFailure : undefined;
  let workingRun: RunResult | undefined;
  let anyFailed: RunResult | undefined = controlFailure;
  for (const p of primary) {
    let ok = 0;
    let failed: RunResult | undefined = controlFailure;
    if (goodControl)
      for (const s of secondary) {
        const r = runOnce(setup, ports(goodControl, p, s));
        runs++;
        if (r.works) {
          ok++;
          workingRun ??= r;
        } else failed ??= r;
      }
    const outcome = ok === secondary.length && controlOk === control.length ? 'works' : ok === 0 || controlOk === 0 ? 'blocked' : 'partly';
    anyFailed ??= failed;
    if (failed?.firstBlocked && firstBlocked === undefined) {
      firstBlocked = failed.firstBlocked;
      blockedRun = failed;
    }
    slices.push({ lo: p.lo, hi: p.hi, outcome, ...(outcome !== 'works' && failed?.firstBlocked ? { firstBlocked: failed.firstBlocked } : {}) });
  }
  const merged = mergeSlices(slices);
  const workingPorts = merged.filter((s) => s.outcome === 'works').reduce((n, s) => n + portCount(s), 0);
  const totalPorts = portCount(primaryRange);
  const verdict: CellVerdict = workingPorts === totalPorts ? 'works' : workingPorts === 0 && merged.every((s) => s.outcome === 'blocked') ? 'blocked' : 'partly';
  const shown = verdict === 'works' ? workingRun : (blockedRun ?? anyFailed ?? workingRun);
  return {
    ...base,
    verdict,
    dimension,
    range: primaryRange,
    workingPorts,
    totalPorts,
    slices: merged,
    runs,
    summary: describe(mode, dimension, primaryRange, merged, workingPorts, totalPorts),
    ...(firstBlocked ? { firstBlocked } : {}),
    ...(shown ? { example: shown.ports } : {}),
  };
}

/** One cell of a probe still to run: a server, a client side, a pair of profiles and a mode. */
export interface PlannedCell {
  readonly server: ProbeServer;
  readonly client: ProbeClient;
  readonly serverProfile: ServerProfile;
  readonly clientProfile: ClientProfile;
  readonly mode: ProbeMode;
}

/** The cells a probe runs, in report order, and what is known before running them. */
export interface ProbePlan {
  readonly cells: readonly PlannedCell[];
  readonly clients: readonly (ProbeClient & { readonly server: string })[];
  readonly notes: readonly string[];
}

/** Lists the probe's cells (each can run on its own: probeCell). */
export function planProbe(req: ProbeRequest): ProbePlan {
  const cells: PlannedCell[] = [];
  const clients: (ProbeClient & { server: string })[] = [];
  const notes: string[] = [];
  const modes = req.modes ?? PROBE_MODES;
  const v6Filtered = req.policy.bindings.some((b) => b.family === 6);
  for (const server of req.servers) {
    const sides = req.clients.filter((c) => c.address.family === server.address.family && c.interface !== server.interface);
    if (req.anyClients ?? req.clients.length === 0) for (const c of defaultClients(req.policy, server, server.address.family)) sides.push(c);
    if (sides.length === 0) notes.push(`${formatIp(server.address)}: no client side to probe from (no other interface of the same family)`);
    if (server.address.family === 4 && v6Filtered) notes.push(`${formatIp(server.address)}: the config has IPv6 filters but no IPv6 address for this server is known; give --server ADDR@IFACE to probe IPv6`);
    for (const client of sides) {
      clients.push({ ...client, server: formatIp(server.address) });
      for (const serverProfile of req.serverProfiles)
        for (const clientProfile of req.clientProfiles) for (const mode of modes) cells.push({ server, client, serverProfile, clientProfile, mode });
    }
  }
  return { cells, clients, notes };
}

/** Runs cell `i` of the plan. */
export function runPlannedCell(req: ProbeRequest, c: PlannedCell): ProbeCell {
  return probeCell(req, c.server, c.client, c.serverProfile, c.clientProfile, c.mode);
}

/** The probe's result from its plan and its cells' results (in plan order). */
export function assembleProbe(req: ProbeRequest, plan: ProbePlan, cells: readonly ProbeCell[]): ProbeResult {
  return { engine: req.engine, servers: req.servers, clients: plan.clients, cells, openFamilies: openFamilies(req.policy), notes: plan.notes };
}

/** Runs the whole probe. */
export function probe(req: ProbeRequest): ProbeResult {
  const plan = planProbe(req);
  return assembleProbe(req, plan, plan.cells.map((c) => runPlannedCell(req, c)));
}
