/**
 * A snapshot recorder: wraps a firewall and, after each packet, keeps the
 * conntrack and expectation tables as they were (for the HTML step-through).
 * Opt-in only. Each snapshot shares with the previous one every entry that did
 * not change, and the whole list when nothing changed (structural sharing), so
 * it costs only what the packet changed. The sharing is done by hand: immer's
 * produce() did the same but took 48 times the simulation's own time on a
 * 8,000-packet run with ~180 live entries (README, "HTML step-through").
 */
import type { Packet } from '../net/packet.js';
import type { ConnectionView, ExpectationView, TablesView } from './stateful/firewall.js';
import type { Firewall, StepContext, StepResult, TraceEvent } from './verdict.js';

/** A firewall that can show its tables (the stateful engine). */
interface WithTables {
  snapshot(): TablesView;
}

function hasTables(fw: Firewall): fw is Firewall & WithTables {
  return typeof (fw as Partial<WithTables>).snapshot === 'function';
}

/** A firewall wrapped with its recorded snapshots. */
export interface RecordingFirewall {
  readonly firewall: Firewall;
  /** tables after packet n, at index n - 1; empty for engines without tables (static) */
  snapshots(): readonly TablesView[];
}

const EMPTY: TablesView = { connections: [], expectations: [] };

/** Same id means same tuple (an entry's tuple never changes), so the tuple text is not compared. */
function sameConnection(a: ConnectionView, b: ConnectionView): boolean {
  return (
    a.id === b.id &&
    a.state === b.state &&
    a.seenReply === b.seenReply &&
    a.assured === b.assured &&
    a.expiresMs === b.expiresMs &&
    a.helper === b.helper &&
    a.related === b.related
  );
}

function sameExpectation(a: ExpectationView, b: ExpectationView): boolean {
  return a.id === b.id && a.expiresMs === b.expiresMs;
}

/**
 * `next` with every entry equal to one of `prev` replaced by that object; `prev`
 * itself when nothing changed. Both lists are in id order (the tables list them so).
 */
function share<T extends { readonly id: number }>(prev: readonly T[], next: readonly T[], same: (a: T, b: T) => boolean): readonly T[] {
  if (prev.length === next.length) {
    let i = 0;
    while (i < next.length && same(prev[i]!, next[i]!)) i++;
    if (i === next.length) return prev;
  }
  const out: T[] = [];
  let j = 0;
  for (const n of next) {
    while (j < prev.length && prev[j]!.id < n.id) j++;
    const p = prev[j];
    out.push(p !== undefined && p.id === n.id && same(p, n) ? p : n);
  }
  return out;
}

/** Wraps a firewall so that, after each step, its tables are recorded. */
export function recordSnapshots(inner: Firewall): RecordingFirewall {
  const list: TablesView[] = [];
  let last = EMPTY;
  const firewall: Firewall = {
    engine: inner.engine,
    step(packet: Packet, ctx: StepContext): StepResult {
      const result = inner.step(packet, ctx);
      if (hasTables(inner)) {
        const now = inner.snapshot();
        const connections = share(last.connections, now.connections, sameConnection);
        const expectations = share(last.expectations, now.expectations, sameExpectation);
        if (connections !== last.connections || expectations !== last.expectations) last = { connections, expectations };
        list[ctx.n - 1] = last;
      }
      return result;
    },
    advanceTo(nowMs: number): readonly TraceEvent[] {
      return inner.advanceTo(nowMs);
    },
  };
  return { firewall, snapshots: () => list };
}
