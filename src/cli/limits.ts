/** Limits that depend on the machine: the memory a simulation's trace would need against Node's heap limit. */
import { getHeapStatistics } from 'node:v8';
import type { Diagnostic } from '../diag/diagnostic.js';
import type { Scenario } from '../scenario/model.js';
import { estimateWork } from '../scenario/work.js';

/**
 * Heap bytes one simulated packet keeps in the trace and the run report (the packet, its
 * verdict and events, the report's row): 819 measured on a 20 MB transfer, rounded up.
 */
const HEAP_BYTES_PER_PACKET = 1024;

/** A count option's value: a whole number of at least 1, underscores allowed (10_000_000); undefined when it is not one. */
export function parseCount(text: string): number | undefined {
  const clean = text.replace(/_/g, '');
  const n = Number(clean);
  return /^\d+$/.test(clean) && n >= 1 && Number.isSafeInteger(n) ? n : undefined;
}

/** Parses `--max-packets`: a whole number of at least 1 (underscores allowed: 10_000_000). */
export function parseMaxPackets(text: string | undefined): number | Diagnostic {
  if (text === undefined) return Number.NaN;
  const n = parseCount(text);
  if (n === undefined)
    return { severity: 'error', message: `--max-packets '${text}': expected a whole number of packets of at least 1`, suggestion: 'e.g. --max-packets 20000000' };
  return n;
}

/**
 * Refuses a scenario whose trace would not fit in the memory Node was given. Only a run whose
 * report shows packet rows (`keepsPackets`: --packets, --pcap-out, ladder, md, mermaid, html,
 * verify) keeps its packets; the others keep none. File contents are made a segment at a time;
 * directory listings are whole typed arrays outside the heap, counted against the same limit as
 * the nearest bound the process has.
 */
export function checkSimulationMemory(scenario: Scenario, keepsPackets = true): Diagnostic[] {
  const { packets } = estimateWork(scenario);
  let contentBytes = 0;
  for (const s of scenario.sessions) for (const step of s.steps) if (step.kind === 'list') contentBytes += step.bytes;
  const needBytes = (keepsPackets ? packets * HEAP_BYTES_PER_PACKET : 0) + contentBytes;
  const heap = getHeapStatistics();
  const availableBytes = heap.heap_size_limit - heap.used_heap_size;
  if (needBytes <= availableBytes * 0.8) return [];
  const gb = (n: number) => `${(n / 1e9).toFixed(1)} GB`;
  let at: Scenario['sessions'][number]['steps'][number]['at'] | undefined;
  let most = -1;
  for (const s of scenario.sessions)
    for (const step of s.steps)
      if ((step.kind === 'list' || (keepsPackets && (step.kind === 'retr' || step.kind === 'stor'))) && step.bytes > most) {
        most = step.bytes;
        at = step.at;
      }
  at ??= scenario.sessions[0]?.steps[0]?.at;
  const what = keepsPackets
    ? `the scenario's ${packets.toLocaleString('en-US')} simulated packets, kept for the packet rows,${contentBytes > 0 ? ` and ${gb(contentBytes)} of listings` : ''}`
    : `the scenario's ${gb(contentBytes)} of listings`;
  return [
    {
      severity: 'error',
      message: `${what} would need about ${gb(needBytes)} of memory, more than the ${gb(availableBytes)} Node may use`,
      ...(at ? { span: at } : {}),
      suggestion: `give Node more with NODE_OPTIONS=--max-old-space-size=${Math.ceil((needBytes * 1.5) / 1e6)}, ${keepsPackets ? 'report without packet rows (table or JSON without --packets, no --pcap-out), ' : ''}or use smaller transfers or fewer sessions`,
    },
  ];
}
