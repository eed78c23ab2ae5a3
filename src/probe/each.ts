/**
 * `passivePortChoice: each`: a scenario whose server offers a passive range is
 * run once per port-space cell of that range (cut at every bound the policies'
 * rules test), so its verdict covers every port of the range, not only the first.
 */
import type { Policy } from '../policy/model.js';
import type { Scenario, Session } from '../scenario/model.js';
import { cellsOf, portCuts, rangeText } from './cells.js';

/** One run of an expanded scenario. */
export interface ScenarioVariant {
  readonly scenario: Scenario;
  /** e.g. "passive ports 50051-50100"; undefined when the scenario was not expanded */
  readonly label?: string;
}

function expands(s: Session): boolean {
  const b = s.serverBehaviour;
  return b.passivePortChoice === 'each' && b.passivePorts[0] !== b.passivePorts[1];
}

/** The runs of a scenario: itself, or one per passive-port cell of each session with passivePortChoice: each. */
export function expandEach(scenario: Scenario, policies: readonly Policy[]): ScenarioVariant[] {
  let variants: ScenarioVariant[] = [{ scenario }];
  scenario.sessions.forEach((session, i) => {
    if (!expands(session)) return;
    const family = session.server.address.family;
    const cuts = [...new Set(policies.flatMap((p) => portCuts(p, family)))].sort((a, b) => a - b);
    const cells = cellsOf(session.serverBehaviour.passivePorts, cuts);
    const next: ScenarioVariant[] = [];
    for (const v of variants)
      for (const c of cells) {
        const sessions = v.scenario.sessions.map((s, j) =>
          j === i ? { ...s, serverBehaviour: { ...s.serverBehaviour, passivePorts: [c.lo, c.hi] as const, passivePortChoice: 'first' as const } } : s,
        );
        const part = `${scenario.sessions.length > 1 ? `${session.name}: ` : ''}passive ports ${rangeText(c.lo, c.hi)}`;
        const label = v.label ? `${v.label}, ${part}` : part;
        next.push({ scenario: { ...v.scenario, name: `${scenario.name} [${label}]`, sessions }, label });
      }
    variants = next;
  });
  return variants;
}
