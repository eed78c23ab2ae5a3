/**
 * The sentences the stateful engine writes into trace events. Kept in one place
 * so tests and reports agree on the wording.
 */
import { formatIp, type IpAddress } from '../../net/address.js';
import { describePacket, type Packet } from '../../net/packet.js';
import { describeConn, type Conn } from './conntrack-table.js';
import { formatExpectation, triggerText, type Expectation, type ExpectationTrigger } from './expectations.js';
import type { FtpParse } from './helpers/ftp.js';

/** The kernel's log line for a full table (__nf_conntrack_alloc). */
export const TABLE_FULL_LOG = 'nf_conntrack: table full, dropping packet';

/** `timeout 120 s` */
function secs(ms: number): string {
  return `${ms / 1000} s`;
}

/** conntrack-new for a connection the ACLs let in. */
export function newConnText(c: Conn, stateName: string | undefined, timeoutMs: number, pickedUp: boolean, helperNote: string | undefined): string {
  const state = stateName ? `${stateName}, ` : '';
  const how = pickedUp ? ' picked up mid-stream by a segment without SYN (nf_conntrack_tcp_loose = 1)' : '';
  const helper = helperNote ? `; ${helperNote}` : '';
  return `connection ${c.id}: ${describeConn(c)}${how} (${state}timeout ${secs(timeoutMs)})${helper}`;
}

/** The note on a connection whose first packet crossed no session point (H3C ASPF). */
export const NOT_A_SESSION = 'not a session: its first packet crossed no interface and direction where ASPF is applied, so every packet of it meets the packet filters';

/** conntrack-new for a connection an expectation let in. */
export function relatedConnText(c: Conn, e: Expectation, stateName: string | undefined, timeoutMs: number): string {
  const state = stateName ? `${stateName}, ` : '';
  return `connection ${c.id}: ${describeConn(c)} related to connection ${e.master.id} by expectation ${e.id} (${triggerText(e.trigger)} in packet ${e.openedByPacket}) (${state}timeout ${secs(timeoutMs)})`;
}

/** conntrack-state: `connection 1: SYN_SENT → SYN_RECV (timeout 60 s)`. */
export function stateText(c: Conn, from: string, to: string, timeoutMs: number): string {
  return `connection ${c.id}: ${from} → ${to} (timeout ${secs(timeoutMs)})`;
}

/** conntrack-destroy after the timer ran out. */
export function timedOutText(c: Conn, stateName: string | undefined, timeoutMs: number): string {
  const inState = stateName ? ` in ${stateName}` : '';
  return `connection ${c.id} (${describeConn(c)}) timed out${inState} after ${secs(timeoutMs)}`;
}

/** conntrack-destroy by an RST before any reply (nf_ct_kill_acct in nf_conntrack_tcp_packet). */
export function killedText(c: Conn, n: number): string {
  return `connection ${c.id} (${describeConn(c)}) destroyed by the RST in packet ${n}: no reply was ever seen`;
}

/** conntrack-destroy when a SYN reopens a closed connection. */
export function reopenedText(c: Conn, n: number, stateName: string): string {
  return `connection ${c.id} (${describeConn(c)}) destroyed: the SYN in packet ${n} reopens it from ${stateName}`;
}

/** A packet the conntrack cannot track: the ACLs decide. */
export function untrackedText(p: Packet, n: number, why: string): string {
  return `packet ${n} (${describePacket(p)}) ${why}: conntrack state invalid, the ACLs decide`;
}

/** The table-full event. */
export function tableFullText(p: Packet, n: number, max: number): string {
  return `${TABLE_FULL_LOG}: packet ${n} (${describePacket(p)}) would need a new entry but all ${max} are in use`;
}

/** conntrack-destroy by early_drop. */
export function earlyDropText(victim: Conn, p: Packet, n: number): string {
  return `table full: connection ${victim.id} ${describeConn(victim)} (not assured) evicted to make room for packet ${n} (${describePacket(p)}) (early_drop)`;
}

/** expectation-open. */
export function openedText(e: Expectation, note: string): string {
  return `expectation ${formatExpectation(e)} opened by ${triggerText(e.trigger)} in packet ${e.openedByPacket}${note}`;
}

/** expectation-replaced (max_expected = 1, or an identical one refreshed). */
export function replacedText(old: Expectation, by: Expectation): string {
  return `expectation ${formatExpectation(old)} replaced by ${formatExpectation(by)} (${triggerText(by.trigger)} in packet ${by.openedByPacket})`;
}

/** expectation-consumed by a connection. */
export function consumedText(e: Expectation, n: number, connId: number): string {
  return `expectation ${formatExpectation(e)} consumed by packet ${n} (connection ${connId})`;
}

/** expectation-consumed by a first packet that then created nothing (facts 10.3). */
export function consumedInvalidText(e: Expectation, n: number): string {
  return `expectation ${formatExpectation(e)} consumed by packet ${n}, which starts no connection: the pinhole is gone`;
}

/** expectation-expired on its timer. */
export function expiredText(e: Expectation, timeoutMs: number): string {
  return `expectation ${formatExpectation(e)} expired after ${secs(timeoutMs)}`;
}

/** expectation removed because its master left the table (nf_ct_remove_expectations). */
export function orphanedText(e: Expectation, masterId: number): string {
  return `expectation ${formatExpectation(e)} removed with its master connection ${masterId}`;
}

/** expectation-refused: the announced address is not the sender's (bounce protection, loose off). */
export function refusedText(trigger: ExpectationTrigger, n: number, announced: IpAddress, role: string, sender: IpAddress, note: string): string {
  return `${triggerText(trigger)} in packet ${n} names ${formatIp(announced)}, not the ${role} ${formatIp(sender)}: no pinhole (bounce protection)${note}`;
}

/** The note a match gets when the kernel's arithmetic accepted what a strict parser refuses. */
export function quirkNote(pattern: string, parse: Extract<FtpParse, { kind: 'match' }>): string {
  if (!parse.quirk) return '';
  const what = parse.quirk.startsWith('numbers')
    ? 'the kernel ORs them into neighbouring bits and keeps the low 16 bits of the port'
    : 'the kernel keeps the low 16 bits';
  return ` — \`${pattern.trim()}' has ${parse.quirk}: ${what}; a kernel with the 2026 get_port/u16 fix would refuse it as malformed and drop the packet`;
}

/** The loose note on an expectation that goes to an announced third address. */
export function looseNote(role: string, announced: IpAddress, sender: IpAddress): string {
  return ` (loose: ${formatIp(announced)} is not the ${role} ${formatIp(sender)})`;
}

/** helper-drop for a partial match. */
export function partialText(n: number, connId: number, pattern: string, why: string): string {
  return `ftp helper dropped packet ${n} on connection ${connId}: partial match of \`${pattern}' (${why})`;
}

/** helper-drop when the expectation cannot be added. */
export function cannotAddText(n: number, connId: number, e: Expectation, why: string): string {
  return `ftp helper dropped packet ${n} on connection ${connId}: cannot add expectation ${formatExpectation(e)}: ${why}`;
}

/** helper-opaque after AUTH TLS succeeded. */
export function opaqueText(connId: number, auth: string, n: number): string {
  return `control connection ${connId} is encrypted after ${auth} (234 in packet ${n}): the helper reads nothing more`;
}

/** helper-nat: nf_nat_ftp rewrote an argument span. */
export function natRewriteText(n: number, connId: number, trigger: string, before: Uint8Array, after: string, addr: string, deltaBytes: number): string {
  let old = '';
  for (const b of before) old += String.fromCharCode(b);
  const shift = deltaBytes === 0 ? 'same length' : `${deltaBytes > 0 ? '+' : ''}${deltaBytes} bytes: later sequence numbers of this direction shift (seqadj)`;
  return `nf_nat_ftp rewrote ${trigger} in packet ${n} on connection ${connId}: \`${old}' → \`${after}' (${addr}; ${shift})`;
}
