/**
 * Transforms of a whole policy, made with immer: the input policy (shared by
 * every run of a comparison) is never changed, and the result is frozen.
 */
import { produce } from 'immer';
import type { Inspection, Policy } from './model.js';

/** The policy with `ports` added to the control ports of every FTP inspection (like H3C `port-mapping`). */
export function withFtpPorts(policy: Policy, ports: readonly number[]): Policy {
  if (ports.length === 0) return policy;
  return produce(policy, (draft) => {
    for (const inspection of draft.inspections)
      for (const port of ports) if (!inspection.ports.includes(port)) inspection.ports.push(port);
  });
}

/** The policy with one more inspection (e.g. `--inspect ftp` on every interface). */
export function withInspection(policy: Policy, inspection: Inspection): Policy {
  return produce(policy, (draft) => {
    draft.inspections.push({ ...inspection, ports: [...inspection.ports] });
  });
}
