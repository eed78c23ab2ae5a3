/**
 * A generated capture of many FTP sessions replayed through the stateful engine with the HTML recorder, the
 * engine's own tables kept after every packet as the reference (connections() makes every view afresh).
 * Closing connections leave within seconds, so entries go as well as come.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateCapture } from '../../bench/generate.js';
import { BENCH_TOPOLOGY } from '../../bench/phases.js';
import { parseConfig } from '../../src/dialects/load.js';
import { recordSnapshots, type SnapshotSeries } from '../../src/engine/recorder.js';
import { createStatefulFirewall, type TablesView } from '../../src/engine/stateful/firewall.js';
import type { Firewall } from '../../src/engine/verdict.js';
import type { CaptureReplay } from '../../src/replay/flow-types.js';
import { replayCapture } from '../../src/replay/index.js';
import { openCapture } from '../../src/wire/index.js';

export interface RecordedCapture {
  readonly file: string;
  readonly replay: CaptureReplay;
  readonly log: SnapshotSeries;
  /** `reference(tables)` of the engine's tables after packet n, at index n - 1 (undefined: not stepped) */
  readonly expected: readonly (string | undefined)[];
}

/** Runs `use` on a capture of `sessions` sessions recorded as above; the capture is removed afterwards. */
export function withRecordedCapture<T>(sessions: number, reference: (t: TablesView) => string, use: (r: RecordedCapture) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'ftpwall-recorded-'));
  try {
    const file = join(dir, 'many.pcap');
    generateCapture(file, { sessions, transferBytes: 3000 });
    const policy = parseConfig(readFileSync('bench/dual-stack.cfg', 'utf8'), 'bench/dual-stack.cfg').value;
    const engine = createStatefulFirewall(policy, { timeouts: { finWait: 1, closeWait: 1, lastAck: 1, timeWait: 1, close: 1 } });
    const rec = recordSnapshots(engine);
    const expected: string[] = [];
    const firewall: Firewall = {
      engine: 'stateful',
      step(p, ctx) {
        const r = rec.firewall.step(p, ctx);
        expected[ctx.n - 1] = reference({ connections: engine.connections(), expectations: engine.snapshot().expectations });
        return r;
      },
      advanceTo: (nowMs) => rec.firewall.advanceTo(nowMs),
    };
    const outcome = replayCapture(openCapture(file), { topology: BENCH_TOPOLOGY, firewall, keepPackets: true });
    return use({ file, replay: outcome.replay, log: rec.snapshots(), expected });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
