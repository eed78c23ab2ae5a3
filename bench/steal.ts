/**
 * CPU time a virtual machine's host gave to others while a phase ran (/proc/stat `steal`). On a
 * shared host it slows every figure of the bench at once, the bare walk and tshark too, so the
 * tables print it beside each phase: figures from runs with different steal are not comparable.
 */
import { readFileSync } from 'node:fs';

/** Cumulative CPU ticks of all CPUs: busy (user, nice, system, irq, softirq) and stolen. */
export interface CpuTicks {
  readonly busy: number;
  readonly steal: number;
}

/** The machine's CPU ticks so far; undefined where /proc/stat cannot be read (not Linux). */
export function cpuTicks(): CpuTicks | undefined {
  try {
    const first = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
    // cpu user nice system idle iowait irq softirq steal guest guest_nice (guest time is inside user)
    const f = first.trim().split(/\s+/).slice(1).map(Number);
    if (f.length < 8 || f.some((x) => !Number.isFinite(x))) return undefined;
    return { busy: f[0]! + f[1]! + f[2]! + f[5]! + f[6]!, steal: f[7]! };
  } catch {
    return undefined;
  }
}

/** Stolen ticks as a share of the ticks the machine's work needed (busy + stolen) between two samples, in %. */
export function stealPercent(before: CpuTicks | undefined, after: CpuTicks | undefined): number | undefined {
  if (before === undefined || after === undefined) return undefined;
  const steal = after.steal - before.steal;
  const used = after.busy - before.busy + steal;
  return used > 0 ? (steal / used) * 100 : 0;
}
