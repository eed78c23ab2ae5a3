/**
 * A snapshot recorder: wraps a firewall and, after each packet, keeps the
 * conntrack and expectation tables as they were (for the HTML step-through).
 * Opt-in only. immer's produce() applies each packet's changes to the previous
 * snapshot, so unchanged entries (and unchanged tables) are shared, not copied.
 */
import { produce } from 'immer';
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

function sameConnection(a: ConnectionView, b: ConnectionView): boolean {
  return (
    a.id === b.id &&
    a.state === b.state &&
    a.seenReply === b.seenReply &&
    a.assured === b.assured &&
    a.expiresMs === b.expiresMs &&
    a.helper === b.helper &&
    a.related === b.related &&
    a.tuple === b.tuple
  );
}

function sameExpectation(a: ExpectationView, b: ExpectationView): boolean {
  return a.id === b.id && a.expiresMs === b.expiresMs && a.tuple === b.tuple;
}

/** Applies `next` to `draft` in place, touching only the entries that differ, so immer shares the rest. */
function merge<T extends { readonly id: number }>(draft: T[], next: readonly T[], same: (a: T, b: T) => boolean): void {
  if (draft.length === next.length) {
    let i = 0;
    while (i < next.length && same(draft[i]!, next[i]!)) i++;
    if (i === next.length) return;
  }
  const old = new Map<number, number>();
  for (let i = 0; i < draft.length; i++) old.set(draft[i]!.id, i);
  const out: T[] = [];
  for (const n of next) {
    const at = old.get(n.id);
    out.push(at !== undefined && same(draft[at]!, n) ? draft[at]! : n);
  }
  draft.length = 0;
  for (const x of out) draft.push(x);
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
        last = produce(last, (d) => {
          merge(d.connections as ConnectionView[], now.connections, sameConnection);
          merge(d.expectations as ExpectationView[], now.expectations, sameExpectation);
        });
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
