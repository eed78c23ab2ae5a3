/**
 * The narration sentence of one step of a run: who sends what, what the firewall
 * decides and why, and what its tables do about it ("The server answers 227 …;
 * the firewall's FTP helper reads it and opens a one-shot pinhole for …").
 * Reads only the JSON-shaped report (packet rows, events, flows).
 */
import type { ReportEvent, ReportFlow, ReportPacket } from './input.js';

/** Who is who in a run: the FTP clients' and servers' addresses (from the control flows). */
export interface Cast {
  readonly clients: ReadonlySet<string>;
  readonly servers: ReadonlySet<string>;
}

/** The address part of `ip:port` / `[ip]:port`. */
export function hostOf(endpoint: string): string {
  const m = /^\[([^\]]+)\]:\d+$/.exec(endpoint) ?? /^(.*):\d+$/.exec(endpoint);
  return m ? m[1]! : endpoint;
}

/** The FTP clients and servers of a run, from its control flows (or, without any, from every flow). */
export function castOf(flows: readonly ReportFlow[]): Cast {
  const control = flows.filter((f) => f.role === 'control');
  const from = control.length > 0 ? control : flows;
  return { clients: new Set(from.map((f) => hostOf(f.client))), servers: new Set(from.map((f) => hostOf(f.server))) };
}

function actor(host: string, cast: Cast): string {
  if (cast.clients.has(host) && !cast.servers.has(host)) return `The client ${host}`;
  if (cast.servers.has(host) && !cast.clients.has(host)) return `The server ${host}`;
  return `Host ${host}`;
}

function bytes(n: number): string {
  return n === 1 ? '1 byte' : `${n.toLocaleString('en-US')} bytes`;
}

/** What the sender does, from the flags, text and flow. */
function action(p: ReportPacket, flow: ReportFlow | undefined, cast: Cast): string {
  const flags = p.flags ?? '';
  const sender = hostOf(p.src);
  const what = flow?.role === 'control' ? 'control connection' : flow?.role === 'data' ? 'data connection' : 'connection';
  const retry = p.note ? ` (${p.note})` : '';
  if (p.proto !== 'tcp') return `sends a ${p.proto.toUpperCase()} packet to ${p.dst}${retry}`;
  if (flags.includes('R')) return `resets the ${what} (RST)${retry}`;
  if (flags.includes('S') && flags.includes('A')) return `accepts the ${what} from ${p.dst} (SYN-ACK)${retry}`;
  if (flags.includes('S')) return `opens a ${what} to ${p.dst} (SYN)${retry}`;
  if (p.text !== undefined) {
    const verb = cast.servers.has(sender) && !cast.clients.has(sender) ? 'answers' : 'sends';
    const fin = flags.includes('F') ? ' and closes its side (FIN)' : '';
    return `${verb} “${p.text}”${fin}${retry}`;
  }
  if (p.len > 0) return `sends ${bytes(p.len)} on the ${what}${flags.includes('F') ? ' and closes its side (FIN)' : ''}${retry}`;
  if (flags.includes('F')) return `closes its side of the ${what} (FIN)${retry}`;
  return `acknowledges on the ${what}${retry}`;
}

/** What the firewall decided, from the `by` text of the JSON contract. */
function decision(p: ReportPacket): string {
  const by = p.by;
  if (p.action === 'permit') {
    if (by.startsWith('conntrack established')) return 'conntrack knows the connection, so the firewall passes it';
    if (by.startsWith('expectation from')) return `it matches a pinhole (${by}), so the firewall passes it`;
    if (by.startsWith('acl ')) return `${by} permits it`;
    return `the firewall passes it: ${by}`;
  }
  if (by.startsWith('ftp helper:')) return `the firewall's FTP helper drops it: ${by.slice('ftp helper: '.length)}`;
  if (by.startsWith('acl ')) return `the firewall drops it: ${by} denies it`;
  return `the firewall drops it: ${by}`;
}

/** What an engine event adds to the sentence. */
function eventClause(e: ReportEvent): string | undefined {
  switch (e.kind) {
    case 'expectation-open': {
      const m = /^expectation (.+?) opened by/.exec(e.text);
      return m
        ? `the firewall's FTP helper reads it and opens a one-shot pinhole for ${m[1]}${/ — | \(loose/.test(e.text) ? ` (${e.text})` : ''}`
        : e.text;
    }
    case 'expectation-consumed':
      return /gone$/.test(e.text) ? e.text : 'the pinhole is used up: it lets no second connection in';
    case 'expectation-refused':
      return `the FTP helper opens no pinhole: ${e.text}`;
    case 'expectation-replaced':
      return e.text;
    case 'expectation-expired':
      return `${e.text}: the pinhole is closed`;
    case 'conntrack-new': {
      const m = /^connection (\d+): /.exec(e.text);
      return m ? `conntrack starts tracking it as connection ${m[1]}${/related to/.test(e.text) ? ' (RELATED)' : ''}` : e.text;
    }
    case 'conntrack-state':
    case 'endpoint':
      return undefined;
    default:
      return e.text;
  }
}

/** The sentence for one packet and the events it caused. */
export function narrate(p: ReportPacket, events: readonly ReportEvent[], flow: ReportFlow | undefined, cast: Cast): string {
  const parts = [`${actor(hostOf(p.src), cast)} ${action(p, flow, cast)}`, decision(p)];
  for (const e of events) {
    const c = eventClause(e);
    if (c !== undefined) parts.push(c);
  }
  return `${parts.join('; ')}.`;
}

/** The sentence for an event that no packet caused (a timer ran out). */
export function narrateTimer(e: ReportEvent): string {
  return `${eventClause(e) ?? e.text}.`.replace(/^./, (c) => c.toUpperCase());
}
