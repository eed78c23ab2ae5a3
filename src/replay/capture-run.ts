/**
 * A capture replay as a run of the model (src/model/): the same fields as a
 * scenario run, `origin: 'capture'`, `sessions` empty, `packets` empty unless asked
 * for, plus the `capture` section: counters, topology and "in reality" notes.
 */
import type { RunReport } from '../model/index.js';
import type { CaptureReplay } from './flow-types.js';
import { describeTopology, type Topology } from './topology.js';

export type { CaptureSection } from '../model/index.js';

/** A capture run: a model run whose capture section is present. */
export type CaptureRun = RunReport & { readonly capture: NonNullable<RunReport['capture']> };

/** What the run is about. */
export interface CaptureLabel {
  readonly name: string;
  readonly source: string;
  readonly config: string;
  readonly engine: 'static' | 'stateful';
}

/** Builds the run of one capture replay. */
export function buildCaptureRun(label: CaptureLabel, r: CaptureReplay, topology: Topology): CaptureRun {
  return {
    origin: 'capture',
    scenario: label.name,
    source: label.source,
    config: label.config,
    engine: label.engine,
    ftp: { works: r.works, summary: r.summary },
    sessions: [],
    flows: r.flows,
    packets: r.packets,
    events: r.events,
    capture: { stats: r.stats, topology: describeTopology(topology), flowsTruncated: r.flowsTruncated, notes: r.notes },
  };
}
