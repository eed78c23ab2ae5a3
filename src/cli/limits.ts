/** Limits that depend on the machine: the memory a simulation's trace would need against Node's heap limit. */
import { getHeapStatistics } from 'node:v8';
import type { Diagnostic } from '../diag/diagnostic.js';
import type { Scenario } from '../scenario/model.js';
import { estimateWork } from '../scenario/work.js';

/**
 * Heap bytes one simulated packet keeps in the trace and the run report (the packet, its
 * verdict and events, the report's row): 819 measured on a 20 MB transfer, rounded up.
 * File contents live outside the heap (typed arrays) and are not counted here.
 */
const HEAP_BYTES_PER_PACKET = 1024;

/** Parses `--max-packets`: a whole number of at least 1 (underscores allowed: 10_000_000). */
export function parseMaxPackets(text: string | undefined): number | Diagnostic {
  if (text === undefined) return Number.NaN;
  const clean = text.replace(/_/g, '');
  if (!/^\d+$/.test(clean) || Number(clean) < 1 || !Number.isSafeInteger(Number(clean)))
    return { severity: 'error', message: `--max-packets '${text}': expected a whole number of packets of at least 1`, suggestion: 'e.g. --max-packets 20000000' };
  return Number(clean);
}

/** Refuses a scenario whose trace would not fit in the heap Node was given. */
export function checkSimulationMemory(scenario: Scenario): Diagnostic[] {
  const { packets } = estimateWork(scenario);
  const needBytes = packets * HEAP_BYTES_PER_PACKET;
  const heap = getHeapStatistics();
  const availableBytes = heap.heap_size_limit - heap.used_heap_size;
  if (needBytes <= availableBytes * 0.8) return [];
  const gb = (n: number) => `${(n / 1e9).toFixed(1)} GB`;
  const first = scenario.sessions[0]?.steps[0]?.at;
  return [
    {
      severity: 'error',
      message: `the scenario's ${packets.toLocaleString('en-US')} simulated packets would need about ${gb(needBytes)} of memory, more than the ${gb(availableBytes)} Node may use`,
      ...(first ? { span: first } : {}),
      suggestion: `give Node more with NODE_OPTIONS=--max-old-space-size=${Math.ceil((needBytes * 1.5) / 1e6)}, or use smaller transfers or fewer sessions`,
    },
  ];
}
