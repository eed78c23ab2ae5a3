/** The scenario loader's check that no two overlapping sessions share a client's control port. */
import { isMap } from 'yaml';
import { formatIp } from '../net/address.js';
import type { Session } from './model.js';
import { sessionMinMs } from './work.js';
import type { YamlReader, YNode } from './yaml-read.js';

/**
 * Two sessions from one client address on one control port, the second starting before
 * the first can have ended, would be one TCP connection: both would fail without a word.
 * `items` are the session nodes, one per session (called only when every session loaded).
 */
export function checkControlPorts(r: YamlReader, sessions: readonly Session[], items: readonly YNode[]): void {
  const byPort = new Map<string, number[]>();
  sessions.forEach((s, i) => {
    const key = `${formatIp(s.client.address)} ${s.clientBehaviour.controlPort}`;
    const list = byPort.get(key);
    if (list) list.push(i);
    else byPort.set(key, [i]);
  });
  for (const list of byPort.values()) {
    if (list.length < 2) continue;
    const ordered = [...list].sort((a, b) => sessions[a]!.startMs - sessions[b]!.startMs || a - b);
    let busy = ordered[0]!;
    for (const i of ordered.slice(1)) {
      const first = sessions[busy]!;
      const second = sessions[i]!;
      const firstEndMs = first.startMs + sessionMinMs(first);
      if (second.startMs < firstEndMs) {
        const item = items[i];
        const clientNode = isMap(item) ? (item.get('client', true) as YNode) : item;
        const at = isMap(clientNode) ? ((clientNode.get('controlPort', true) as YNode) ?? clientNode) : clientNode;
        r.error(
          at,
          `session '${second.name}' uses client ${formatIp(second.client.address)} port ${second.clientBehaviour.controlPort} while session '${first.name}' still does (from ${first.startMs / 1000} s to at least ${firstEndMs / 1000} s): both would be one TCP connection`,
          'give one of them another controlPort, or start it later',
        );
      }
      if (second.startMs + sessionMinMs(second) > firstEndMs) busy = i;
    }
  }
}
