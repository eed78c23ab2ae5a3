/** The probe's report: a matrix of mode × client profile per server profile, then every failing cell; or JSON. */
import { formatIp } from '../net/address.js';
import { formatTable, type Style } from '../report/style.js';
import { rangeText } from './cells.js';
import type { ProbeCell, ProbeResult } from './probe.js';
import { PROBE_MODES } from './profiles.js';

/** Version of the probe's JSON layout. */
export const PROBE_SCHEMA_VERSION = 1;

function mark(c: ProbeCell, st: Style): string {
  switch (c.verdict) {
    case 'works':
      return st.good('works');
    case 'blocked':
      return st.bad('blocked');
    case 'partly':
      return st.warn(`partly ${c.workingPorts.toLocaleString('en-US')}/${c.totalPorts.toLocaleString('en-US')}`);
    case 'n/a':
      return st.dim('-');
  }
}

/** The probe as text lines. */
export function formatProbe(r: ProbeResult, config: string, st: Style): string[] {
  const out: string[] = [];
  out.push(`probe of ${config} [${r.engine}]`);
  for (const s of r.servers) out.push(`  FTP server ${formatIp(s.address)} behind ${s.interface} (from ${s.origin})`);
  for (const c of r.clients)
    out.push(`  clients of ${c.server}: ${c.any ? `any address on ${c.interface}, shown as ${formatIp(c.address)}` : `${formatIp(c.address)} on ${c.interface}`}`);
  for (const o of r.openFamilies)
    out.push(`  IPv${o.open} open: ${o.interface} filters IPv${o.filtered} ${o.direction} (acl ${o.acl}, ${o.at}) but has no IPv${o.open} packet filter ${o.direction}: every IPv${o.open} packet passes there`);
  for (const n of r.notes) out.push(`  note: ${n}`);
  const groups = new Map<string, ProbeCell[]>();
  for (const c of r.cells) {
    const key = `${c.server} ← ${c.client} (${c.clientInterface}), server profile ${c.serverProfile}`;
    const g = groups.get(key);
    if (g) g.push(c);
    else groups.set(key, [c]);
  }
  for (const [key, cells] of groups) {
    out.push('', `${key}:`);
    const profiles = [...new Set(cells.map((c) => c.clientProfile))];
    const rows = PROBE_MODES.filter((m) => cells.some((c) => c.mode === m)).map((m) => [
      m,
      ...profiles.map((p) => {
        const c = cells.find((x) => x.mode === m && x.clientProfile === p);
        return c ? mark(c, st) : '';
      }),
    ]);
    for (const line of formatTable([['mode', ...profiles], ...rows])) out.push(line);
    const failing = cells.filter((c) => c.verdict === 'blocked' || c.verdict === 'partly');
    // one line per mode and failure (same ports, same blocking rule), naming the client profiles it applies to
    const seen = new Map<string, { summary: string; who: string[] }>();
    for (const c of failing) {
      const key = `${c.mode}|${c.verdict}|${c.workingPorts}/${c.totalPorts}|${c.range?.join('-')}|${c.firstBlocked?.by}`;
      const g = seen.get(key);
      if (g) g.who.push(c.clientProfile);
      else seen.set(key, { summary: c.summary, who: [c.clientProfile] });
    }
    for (const { summary, who } of seen.values()) out.push(`  ${who.join(', ')}: ${summary}`);
  }
  const counts = { works: 0, blocked: 0, partly: 0 };
  for (const c of r.cells) if (c.verdict !== 'n/a') counts[c.verdict]++;
  out.push('', `${counts.works} ${counts.works === 1 ? 'cell works' : 'cells work'}, ${counts.partly} partly, ${counts.blocked} blocked (${r.cells.reduce((n, c) => n + c.runs, 0)} simulations, every port of every range covered by port-space cells)`);
  return out;
}

/** The probe as a JSON document. */
export function probeJson(r: ProbeResult, config: string): string {
  const doc = {
    schemaVersion: PROBE_SCHEMA_VERSION,
    kind: 'probe',
    config,
    engine: r.engine,
    servers: r.servers.map((s) => ({ address: formatIp(s.address), interface: s.interface, origin: s.origin })),
    clients: r.clients.map((c) => ({ server: c.server, address: formatIp(c.address), interface: c.interface, any: c.any })),
    openFamilies: r.openFamilies,
    notes: r.notes,
    cells: r.cells.map(({ example: _example, ...c }) => ({
      ...c,
      range: c.range ? rangeText(c.range[0], c.range[1]) : null,
      firstBlocked: c.firstBlocked ?? null,
    })),
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}
