/** The device wall clock a scenario runs at, and the warning when a policy's time ranges have nothing to go by. */
import type { Diagnostic } from '../diag/diagnostic.js';
import { formatWallClock, usedTimeRanges } from '../policy/time-range.js';
import type { Policy } from '../policy/model.js';
import type { Scenario } from '../scenario/model.js';

/** The wall clock a scenario runs at (`--at`, else its startTime, else 0), with a warning when the policy has time ranges and nothing says when. */
export function scenarioWallClockAndWarning(policy: Policy, scenario: Scenario, atMs: number | undefined): { readonly wallMs: number; readonly warnings: readonly Diagnostic[] } {
  const wallMs = atMs ?? scenario.startTime?.wallMs;
  if (wallMs !== undefined) return { wallMs, warnings: [] };
  if (usedTimeRanges(policy).length === 0) return { wallMs: 0, warnings: [] };
  return {
    wallMs: 0,
    warnings: [
      {
        severity: 'warning',
        message: `${scenario.source} has no startTime and no --at was given: the time-range rules of ${policy.source} are evaluated from ${formatWallClock(0)} of the device clock`,
        suggestion: "add 'startTime: 2026-03-02T09:30' to the scenario, or give --at",
      },
    ],
  };
}
