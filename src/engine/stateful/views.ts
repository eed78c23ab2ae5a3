/** Read-only views of the stateful engine's tables, for tests, recorders and teaching views. */
import { connRow, describeConn, tcpStateOf, type Conn } from './conntrack-table.js';
import { formatExpectation, type Expectation } from './expectations.js';
import type { ConnRows } from './conn-rows.js';
import { TCP_STATE_NAMES } from './tcp-state.js';

/** A connection as tests and teaching views see it. */
export interface ConnectionView {
  readonly id: number;
  readonly tuple: string;
  /** TCP state name, or 'UNREPLIED' / 'REPLIED' for other protocols */
  readonly state: string;
  readonly seenReply: boolean;
  readonly assured: boolean;
  readonly expiresMs: number;
  readonly helper: string | undefined;
  readonly related: boolean;
  /** an ASPF session: its state passes (false: every packet meets the packet filters) */
  readonly session: boolean;
}

/** A pending expectation as teaching views see it. */
export interface ExpectationView {
  readonly id: number;
  /** `10.0.0.2:* → 192.168.10.1:50021` */
  readonly tuple: string;
  readonly trigger: string;
  /** 1-based trace number of the packet that opened it */
  readonly openedByPacket: number;
  /** id of the control connection it belongs to */
  readonly master: number;
  readonly expiresMs: number;
}

/** The conntrack and expectation tables at one moment. */
export interface TablesView {
  readonly connections: readonly ConnectionView[];
  readonly expectations: readonly ExpectationView[];
}

function stateOf(c: Conn, rows: ConnRows): string {
  const tcp = tcpStateOf(rows, c);
  return tcp >= 0 ? TCP_STATE_NAMES[tcp]! : c.seenReply ? 'REPLIED' : 'UNREPLIED';
}

/** One connection's view; `tuple` is its formatted tuple (callers may cache it: a tuple never changes). */
export function connectionView(c: Conn, rows: ConnRows, tuple: string = describeConn(c)): ConnectionView {
  return { id: c.id, tuple, state: stateOf(c, rows), seenReply: c.seenReply, assured: c.assured, expiresMs: rows.expiresMs[connRow(c)]!, helper: c.helper?.name, related: c.related !== undefined, session: c.session };
}

/** Both tables; `tupleOf` formats (or recalls) a connection's tuple. */
export function tablesView(conns: readonly Conn[], rows: ConnRows, pending: readonly Expectation[], tupleOf: (c: Conn) => string): TablesView {
  const views: ConnectionView[] = [];
  for (const c of conns) views.push(connectionView(c, rows, tupleOf(c)));
  return { connections: views, expectations: expectationViews(pending) };
}

/** The pending expectations still alive, as views. */
export function expectationViews(pending: readonly Expectation[]): ExpectationView[] {
  const exps: ExpectationView[] = [];
  for (const e of pending) if (e.alive) exps.push({ id: e.id, tuple: formatExpectation(e), trigger: e.trigger, openedByPacket: e.openedByPacket, master: e.master.id, expiresMs: e.expiresMs });
  return exps;
}
