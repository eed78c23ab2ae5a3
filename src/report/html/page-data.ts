/**
 * The data a page embeds: for each run, lanes (hosts by side), steps (one per
 * packet, runs of data segments folded into one, timer events on their own),
 * each with its headers, narration, deciding config line and table snapshot
 * (interned: steps share snapshots, snapshots share entries).
 */
import { SnapshotPool, type PageSnapshot } from './snapshot-pool.js';
export { SNAPSHOT_KEYFRAME, type PageSnapshot } from './snapshot-pool.js';
import type { HtmlDocument, HtmlRun, ReportEvent, ReportFlow, ReportPacket } from './input.js';
import { castOf, hostOf, narrate, narrateTimer, type Cast } from './narrate.js';

/** A folded run needs at least this many data segments; fewer are shown one by one. */
export const MIN_FOLD = 4;

/** One step of the step-through, as the page's script reads it. */
export interface PageStep {
  /** first packet number (1-based); 0 for a timer event */
  readonly n: number;
  /** last packet number of a fold */
  readonly last?: number;
  readonly tMs: number;
  /** lane indexes: sender and receiver (equal for a timer event) */
  readonly from: number;
  readonly to: number;
  /** p permit, r permit by a pinhole (RELATED), d deny, e event */
  readonly v: 'p' | 'r' | 'd' | 'e';
  /** the arrow label: flags and FTP text, or the fold summary */
  readonly label: string;
  /** decoded headers, one per line */
  readonly headers: readonly string[];
  readonly text?: string;
  readonly by?: string;
  /** 1-based line of the run's config that decided */
  readonly line?: number;
  readonly narration: string;
  readonly notes: readonly string[];
  readonly events: readonly string[];
  /** index into the run's snapshots; -1 without tables */
  readonly snap: number;
  /** the packet's two endpoints, to find its connection in the table */
  readonly ends?: readonly [string, string];
  readonly flow: number;
}


/** One run as the page draws it. */
export interface PageRun {
  readonly id: string;
  readonly title: string;
  readonly works: boolean;
  readonly summary: string;
  readonly config: string;
  readonly engine: string;
  readonly lanes: readonly { readonly host: string; readonly side: 0 | 1; readonly role: string }[];
  /** interface names on the left and right of the firewall */
  readonly ifaces: readonly [string, string];
  readonly steps: readonly PageStep[];
  /** conntrack entries: [id, tuple, state, assured, expiresMs, helper, related] */
  readonly conns: readonly (readonly [number, string, string, boolean, number, string, boolean])[];
  /** expectations: [id, tuple, trigger, openedByPacket, master, expiresMs] */
  readonly exps: readonly (readonly [number, string, string, number, number, number])[];
  /** snapshots: whole, or as changes to the previous one (see SnapshotPool) */
  readonly snaps: readonly PageSnapshot[];
  readonly tables: boolean;
  readonly flows: readonly PageFlow[];
  /** which packets the steps are, when not all of the run's (HtmlRun.window) */
  readonly window?: string;
}

/** A flow as the page lists it. */
export interface PageFlow {
  readonly id: number;
  readonly role: string;
  readonly client: string;
  readonly server: string;
  readonly outcome: 'passed' | 'blocked';
  /** the first denied packet and what denied it */
  readonly blocked: { readonly n: number; readonly by: string } | null;
}

/** Everything the page's script reads. */
export interface PageData {
  readonly title: string;
  readonly runs: readonly PageRun[];
  /** config file → lines */
  readonly configs: Readonly<Record<string, readonly string[]>>;
}

function isFoldable(p: ReportPacket, flow: ReportFlow | undefined, hasEvents: boolean): boolean {
  const f = p.flags ?? '';
  return (
    p.action === 'permit' &&
    !hasEvents &&
    p.text === undefined &&
    p.note === undefined &&
    p.proto === 'tcp' &&
    !/[SFR]/.test(f) &&
    flow !== undefined &&
    flow.role !== 'control'
  );
}

/** The config line a `by` text names: `acl 3000 rule 10 (rules/x.cfg:10)` → 10. */
export function configLine(by: string, file: string): number | undefined {
  for (const m of by.matchAll(/\(([^()]*):(\d+)\)/g)) if (m[1] === file || file.endsWith(m[1]!) || m[1]!.endsWith(file)) return Number(m[2]);
  return undefined;
}

function mib(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${bytes} bytes`;
}

function verdictOf(p: ReportPacket): PageStep['v'] {
  if (p.action === 'deny') return 'd';
  return p.by.startsWith('expectation from') ? 'r' : 'p';
}

function headersOf(p: ReportPacket): string[] {
  const h = [`packet ${p.n} at ${(p.tMs / 1000).toFixed(3)} s`, `${p.proto.toUpperCase()} ${p.src} → ${p.dst}`];
  if (p.flags !== undefined) h.push(`TCP flags ${p.flags} (${flagWords(p.flags)})`);
  h.push(`payload ${p.len} bytes`, `in on ${p.ingress}, out by ${p.egress}`, `flow ${p.flow}${p.session ? ` (session ${p.session})` : ''}`);
  if (p.note) h.push(`endpoint: ${p.note}`);
  return h;
}

const FLAG_WORDS: Readonly<Record<string, string>> = { S: 'SYN', A: 'ACK', F: 'FIN', R: 'RST', P: 'PSH', U: 'URG', E: 'ECE', W: 'CWR', '.': 'ACK' };

function flagWords(flags: string): string {
  return [...flags].map((c) => FLAG_WORDS[c] ?? c).join(' ');
}

interface Lanes {
  readonly lanes: PageRun['lanes'];
  readonly index: ReadonlyMap<string, number>;
  readonly ifaces: readonly [string, string];
}

/** Hosts by side: the side the clients' packets come in on is the left. */
function lanesOf(packets: readonly ReportPacket[], cast: Cast): Lanes {
  const leftIfaces = new Set<string>();
  for (const p of packets) if (cast.clients.has(hostOf(p.src))) leftIfaces.add(p.ingress);
  if (leftIfaces.size === 0 && packets.length > 0) leftIfaces.add(packets[0]!.ingress);
  const side = new Map<string, 0 | 1>();
  let leftName = '';
  let rightName = '';
  for (const p of packets) {
    const s = hostOf(p.src);
    const d = hostOf(p.dst);
    const srcLeft = leftIfaces.has(p.ingress);
    if (!side.has(s)) side.set(s, srcLeft ? 0 : 1);
    if (!side.has(d)) side.set(d, srcLeft ? 1 : 0);
    if (srcLeft) {
      leftName ||= p.ingress;
      rightName ||= p.egress;
    } else {
      leftName ||= p.egress;
      rightName ||= p.ingress;
    }
  }
  const roleOf = (h: string): string => (cast.clients.has(h) ? 'client' : cast.servers.has(h) ? 'server' : 'host');
  const order = (h: string): number => (cast.clients.has(h) ? 0 : cast.servers.has(h) ? 2 : 1);
  const hosts = [...side.keys()].sort((a, b) => side.get(a)! - side.get(b)! || (side.get(a) === 0 ? order(a) - order(b) : order(b) - order(a)));
  const lanes = hosts.map((host) => ({ host, side: side.get(host)!, role: roleOf(host) }));
  return { lanes, index: new Map(hosts.map((h, i) => [h, i])), ifaces: [leftName, rightName] };
}

/** Builds the page data of one run. */
export function pageRun(run: HtmlRun, index: number): PageRun {
  const r = run.report;
  const cast = castOf(r.flows);
  const flowById = new Map(r.flows.map((f) => [f.id, f]));
  const eventsAt = new Map<number, ReportEvent[]>();
  const timers: ReportEvent[] = [];
  for (const e of r.events) {
    if (e.packet === undefined) timers.push(e);
    else {
      const list = eventsAt.get(e.packet);
      if (list) list.push(e);
      else eventsAt.set(e.packet, [e]);
    }
  }
  const { lanes, index: laneOf, ifaces } = lanesOf(r.packets, cast);
  const pool = new SnapshotPool();
  const series = run.snapshots;
  // a stateful run has tables even when none was recorded (a capture's window that no packet falls in)
  const tables = series !== undefined && (series.length > 0 || r.engine === 'stateful');
  /** the packet index whose tables the pool holds last (changes are read from there) */
  let pooledIndex = -1;
  const snapAfter = (n: number): number => {
    if (series === undefined) return -1;
    if (series.changesBetween && series.recorded) {
      if (!series.recorded(n - 1)) return -1;
      const id = pool.addChanges(series.changesBetween(pooledIndex, n - 1));
      pooledIndex = n - 1;
      return id;
    }
    const t = series.at(n - 1);
    return t ? pool.add(t) : -1;
  };
  const steps: PageStep[] = [];
  let lastSnap = -1;
  let ti = 0;
  const flushTimers = (beforeMs: number): void => {
    while (ti < timers.length && timers[ti]!.tMs <= beforeMs) {
      const e = timers[ti++]!;
      steps.push({ n: 0, tMs: e.tMs, from: 0, to: 0, v: 'e', label: e.kind, headers: [`event at ${(e.tMs / 1000).toFixed(3)} s`], narration: narrateTimer(e), notes: [], events: [`${e.kind}: ${e.text}`], snap: lastSnap, flow: 0 });
    }
  };
  const ps = r.packets;
  for (let i = 0; i < ps.length; i++) {
    const p = ps[i]!;
    flushTimers(p.tMs - 1);
    const flow = flowById.get(p.flow);
    const evs = eventsAt.get(p.n) ?? [];
    if (isFoldable(p, flow, evs.length > 0) && !run.notes?.has(p.n)) {
      let j = i;
      let bytes = 0;
      while (j < ps.length && ps[j]!.flow === p.flow && isFoldable(ps[j]!, flow, eventsAt.has(ps[j]!.n)) && !run.notes?.has(ps[j]!.n)) {
        bytes += ps[j]!.len;
        j++;
      }
      const count = j - i;
      if (count >= MIN_FOLD) {
        const lastP = ps[j - 1]!;
        const segs = ps.slice(i, j);
        let data = 0;
        for (const s of segs) if (s.len > 0) data++;
        const label = `… ${data.toLocaleString('en-US')} data segment${data === 1 ? '' : 's'}, ${mib(bytes)}${count > data ? `, ${count - data} ACK${count - data === 1 ? '' : 's'}` : ''}`;
        const big = segs.find((s) => s.len > 0) ?? p;
        lastSnap = snapAfter(lastP.n);
        steps.push({
          n: p.n,
          last: lastP.n,
          tMs: p.tMs,
          from: laneOf.get(hostOf(big.src)) ?? 0,
          to: laneOf.get(hostOf(big.dst)) ?? 0,
          v: 'p',
          label,
          headers: [`packets ${p.n}–${lastP.n} (folded), ${(p.tMs / 1000).toFixed(3)}–${(lastP.tMs / 1000).toFixed(3)} s`, `TCP ${big.src} → ${big.dst} and back`, `${count} packets, ${bytes.toLocaleString('en-US')} payload bytes`, `flow ${p.flow}`],
          by: p.by,
          narration: `${count} packets of the ${flow?.role ?? ''} connection pass (${label.slice(2)}); ${p.by.startsWith('conntrack') ? 'conntrack knows the connection, so each passes' : `each is decided by ${p.by}`}.`,
          notes: [],
          events: [],
          snap: lastSnap,
          flow: p.flow,
        });
        i = j - 1;
        continue;
      }
    }
    lastSnap = snapAfter(p.n);
    const line = configLine(p.by, r.config);
    const note = run.notes?.get(p.n);
    steps.push({
      n: p.n,
      tMs: p.tMs,
      from: laneOf.get(hostOf(p.src)) ?? 0,
      to: laneOf.get(hostOf(p.dst)) ?? 0,
      v: verdictOf(p),
      label: `${p.flags ?? p.proto}${p.text !== undefined ? ` ${p.text}` : p.len > 0 ? ` (${p.len} bytes)` : ''}`,
      headers: headersOf(p),
      ...(p.text !== undefined ? { text: p.text } : {}),
      by: p.by,
      ...(line !== undefined ? { line } : {}),
      narration: narrate(p, evs, flow, cast),
      ...(tables ? { ends: [p.src, p.dst] as const } : {}),
      notes: note !== undefined ? [note] : [],
      events: evs.map((e) => `${e.kind}: ${e.text}`),
      snap: lastSnap,
      flow: p.flow,
    });
  }
  flushTimers(Number.MAX_SAFE_INTEGER);
  return {
    id: `run-${index + 1}`,
    title: `${r.scenario} × ${r.config} [${r.engine}]`,
    works: r.ftp.works,
    summary: r.ftp.summary,
    config: r.config,
    engine: r.engine,
    lanes,
    ifaces,
    steps,
    conns: pool.conns,
    exps: pool.exps,
    snaps: pool.snaps,
    tables,
    ...(run.window !== undefined ? { window: run.window } : {}),
    flows: r.flows.map((f) => ({
      id: f.id,
      role: f.role,
      client: f.client,
      server: f.server,
      outcome: f.outcome,
      blocked: f.firstBlocked ? { n: f.firstBlocked.n, by: f.firstBlocked.by } : null,
    })),
  };
}

/** Builds the data of a whole page. */
export function pageData(doc: HtmlDocument): PageData {
  const configs: Record<string, readonly string[]> = {};
  for (const [file, text] of Object.entries(doc.configs)) configs[file] = text.replace(/\r\n?/g, '\n').replace(/\n$/, '').split('\n');
  return { title: doc.title, runs: doc.runs.map(pageRun), configs };
}
