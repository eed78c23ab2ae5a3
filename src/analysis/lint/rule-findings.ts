/** Turns the exact anomaly analysis of one ACL into findings, one per rule and kind. */
import type { Acl, Action, Rule } from '../../policy/model.js';
import type { AclAnalysis, Related } from './anomalies.js';
import { toWitness, type Finding, type RelatedPlace } from './finding.js';
import { contains, isFull } from './space.js';
import { witness } from './witness.js';

/** `acl 3000 rule 5` / `acl ipv6 3000 rule 5`. */
export function ruleName(acl: Acl, rule: Rule): string {
  return `acl ${acl.family === 6 ? 'ipv6 ' : ''}${acl.name} rule ${rule.id}`;
}

/** `rule 5 (line 6, deny)`: another rule of the same ACL, for messages. */
function shortRef(rule: Rule): string {
  return `rule ${rule.id} (line ${rule.at.line}, ${rule.action})`;
}

function place(acl: Acl, r: Related, defaultAction: Action): RelatedPlace {
  if (r.index < 0) return { label: `default action (${defaultAction})` };
  const rule = acl.rules[r.index]!;
  return { label: `${ruleName(acl, rule)} (${rule.action})`, at: rule.at };
}

function refList(acl: Acl, list: readonly Related[], total: number, defaultAction: Action): string {
  const names = list.map((r) => (r.index < 0 ? `the default action (${defaultAction})` : shortRef(acl.rules[r.index]!)));
  const more = total - list.length;
  return more > 0 ? `${names.join(', ')} and ${more} more` : names.join(', ');
}

/** Findings for every rule of an analysed ACL. */
export function anomalyFindings(acl: Acl, a: AclAnalysis, defaultAction: Action): Finding[] {
  const out: Finding[] = [];
  for (const ra of a.rules) {
    const rule = acl.rules[ra.index]!;
    const base = { acl: acl.name, ruleId: rule.id, at: rule.at };
    const name = ruleName(acl, rule);
    if (ra.matchesNothing) {
      out.push({ ...base, kind: 'unreachable', severity: 'error', message: `${name} matches no packet: its conditions contradict each other (a non-first fragment carries no ports or flags)`, related: [] });
      continue;
    }
    if (a.catchAll !== undefined && ra.index > a.catchAll) {
      const ca = acl.rules[a.catchAll]!;
      out.push({
        ...base,
        kind: 'unreachable',
        severity: 'error',
        message: `${name} can never match: ${shortRef(ca)} before it matches every packet`,
        related: [{ label: `${ruleName(acl, ca)} (${ca.action})`, at: ca.at }],
        witness: toWitness(witness(a.boxes[ra.index]!)),
        suggestion: `move it before rule ${ca.id}, or remove it`,
      });
      continue;
    }
    if (!ra.decides) {
      const other = ra.coveredBy.filter((r) => acl.rules[r.index]!.action !== rule.action);
      const first = ra.coveredBy[0]!;
      if (other.length > 0)
        out.push({
          ...base,
          kind: 'shadowed',
          severity: 'error',
          message: `${name} (${rule.action}) never matches: earlier ${refList(acl, ra.coveredBy, ra.coveredBy.length, defaultAction)} ${ra.coveredBy.length === 1 ? 'decides' : 'decide'} every packet it would match`,
          related: ra.coveredBy.map((r) => place(acl, r, defaultAction)),
          witness: toWitness(other[0]!.witness),
          suggestion: `move it before rule ${acl.rules[other[0]!.index]!.id}, or remove it`,
        });
      else
        out.push({
          ...base,
          kind: 'redundant',
          severity: 'warning',
          message: `${name} (${rule.action}) never matches: earlier ${refList(acl, ra.coveredBy, ra.coveredBy.length, defaultAction)} with the same action ${ra.coveredBy.length === 1 ? 'covers' : 'cover'} it`,
          related: ra.coveredBy.map((r) => place(acl, r, defaultAction)),
          witness: toWitness(first.witness),
          suggestion: 'remove it',
        });
      continue;
    }
    if (ra.redundantAfter)
      out.push({
        ...base,
        kind: 'redundant',
        severity: 'warning',
        message: `${name} (${rule.action}) is redundant: without it, every packet it decides gets the same verdict from ${refList(acl, ra.laterDeciders, ra.laterDeciders.length, defaultAction)}`,
        related: ra.laterDeciders.map((r) => place(acl, r, defaultAction)),
        witness: toWitness(ra.decides),
        suggestion: 'remove it',
      });
    const box = a.boxes[ra.index]!;
    const general = ra.conflicts.filter((r) => contains(box, a.boxes[r.index]!));
    const correlated = ra.conflicts.filter((r) => !contains(box, a.boxes[r.index]!));
    // every rule before a catch-all is an exception to it: that is how ACLs are written, not an anomaly
    if (general.length > 0 && !isFull(box))
      out.push({
        ...base,
        kind: 'generalisation',
        severity: 'info',
        message: `${name} (${rule.action}) generalises earlier ${refList(acl, general, general.length, defaultAction)}: they are exceptions to it`,
        related: general.map((r) => place(acl, r, defaultAction)),
        witness: toWitness(general[0]!.witness),
      });
    if (correlated.length > 0) {
      const total = ra.conflictCount - general.length;
      out.push({
        ...base,
        kind: 'correlated',
        severity: 'warning',
        message: `${name} (${rule.action}) overlaps earlier ${refList(acl, correlated, Math.max(total, correlated.length), defaultAction)} with the other action: their order decides the packets they share`,
        related: correlated.map((r) => place(acl, r, defaultAction)),
        witness: toWitness(correlated[0]!.witness),
      });
    }
  }
  return out;
}
