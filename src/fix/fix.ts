/**
 * `fix`: for the modes the probe finds blocked, two candidate patches (static
 * rules, and ASPF with port 21 only), each applied to the config's text by
 * inserting lines, verified by probing the patched config again, measured by
 * its exposure, and ranked: verified first, then by exposure.
 */
import type { Diagnostic } from '../diag/diagnostic.js';
import { formatIp } from '../net/address.js';
import type { Firewall } from '../engine/verdict.js';
import type { Policy } from '../policy/model.js';
import { probe, type ProbeRequest, type ProbeResult } from '../probe/probe.js';
import type { ProbeMode } from '../probe/profiles.js';
import { planAspf, undoStaticPermits } from './aspf-candidate.js';
import { ConfigText } from './config-text.js';
import { policyExposure, type PolicyExposure } from './exposure.js';
import { firstFailure, repairOnce, type AddedRule } from './static-candidate.js';

/** A config loaded for probing: its policy, engine and firewall factory, or the errors that stop it. */
export interface LoadedForProbe {
  readonly policy: Policy;
  readonly engine: 'static' | 'stateful';
  readonly firewall: () => Firewall;
  readonly diagnostics: readonly Diagnostic[];
}

/** What `fix` needs: the config text, how to load a text, and what to probe. */
export interface FixRequest {
  readonly file: string;
  readonly text: string;
  /** parses a config text and picks its engine (the CLI's loading and engine options) */
  readonly load: (text: string) => LoadedForProbe;
  readonly probe: Omit<ProbeRequest, 'policy' | 'engine' | 'firewall'>;
}

/** One added line of a patched config. */
export interface AddedLine {
  /** 1-based line in the patched text */
  readonly line: number;
  readonly text: string;
}

/** One candidate patch. */
export interface FixCandidate {
  readonly kind: 'static' | 'stateful';
  readonly title: string;
  readonly patched: string;
  readonly added: readonly AddedLine[];
  /** static: the rules and the failure each answers; stateful: the ASPF plan's removals */
  readonly rules: readonly AddedRule[];
  readonly removed: readonly string[];
  readonly notes: readonly string[];
  /** every probed cell works under the patched config, and it parses without errors */
  readonly verified: boolean;
  readonly verification: string;
  readonly engine: 'static' | 'stateful';
  readonly after?: ProbeResult;
  readonly exposure?: PolicyExposure;
  rank: number;
}

/** The whole answer. */
export interface FixResult {
  readonly before: ProbeResult;
  readonly exposureBefore: PolicyExposure;
  readonly blockedModes: readonly ProbeMode[];
  readonly candidates: readonly FixCandidate[];
}

/** How many rules the static candidate may add before it gives up. */
const MAX_STATIC_RULES = 16;

/** The lines of `patched` that are not in `original` (insert-only edits). */
export function addedLines(original: string, patched: string): AddedLine[] {
  const a = original.split(/\r?\n/);
  const b = patched.split(/\r?\n/);
  const out: AddedLine[] = [];
  let j = 0;
  b.forEach((line, i) => {
    if (j < a.length && line === a[j]) j++;
    else out.push({ line: i + 1, text: line });
  });
  return out;
}

function failing(r: ProbeResult): number {
  return r.cells.filter((c) => c.verdict === 'blocked' || c.verdict === 'partly').length;
}

function sides(r: ProbeResult) {
  const out: { server: ProbeResult['servers'][number]; client: ProbeResult['clients'][number] }[] = [];
  for (const client of r.clients) {
    const server = r.servers.find((s) => formatIp(s.address) === client.server);
    if (server) out.push({ server, client });
  }
  return out;
}

function probeText(req: FixRequest, text: string): { loaded: LoadedForProbe; result?: ProbeResult } {
  const loaded = req.load(text);
  if (loaded.diagnostics.some((d) => d.severity === 'error')) return { loaded };
  return { loaded, result: probe({ ...req.probe, policy: loaded.policy, engine: loaded.engine, firewall: loaded.firewall }) };
}

function finish(req: FixRequest, candidate: Omit<FixCandidate, 'verified' | 'verification' | 'engine' | 'rank' | 'added'>, sidesOf: ReturnType<typeof sides>, blocked: readonly ProbeMode[]): FixCandidate {
  let c = candidate;
  const added = addedLines(req.text, c.patched);
  if (c.kind === 'static' && c.rules.length > 0) {
    const answered = new Set(c.rules.flatMap((r) => r.modes));
    const others = [...answered].join(', ');
    c = { ...c, notes: [...c.notes, ...blocked.filter((m) => !answered.has(m)).map((m) => `${m}: works with the rules added for ${others}`)] };
  }
  const { loaded, result } = probeText(req, c.patched);
  const errors = loaded.diagnostics.filter((d) => d.severity === 'error');
  if (!result) return { ...c, added, verified: false, verification: `the patched config does not parse: ${errors[0]?.message ?? 'error'}`, engine: loaded.engine, rank: 0 };
  const bad = failing(result);
  const exposure = policyExposure(loaded.policy, loaded.engine, sidesOf);
  return {
    ...c,
    added,
    verified: bad === 0,
    verification: bad === 0 ? `re-probed: all ${result.cells.filter((x) => x.verdict !== 'n/a').length} cells work` : `re-probed: ${bad} cells still fail`,
    engine: loaded.engine,
    after: result,
    exposure,
    rank: 0,
  };
}

/** Adds rules to `text` until the probe says every cell works, or no rule can be added. */
function staticRepair(req: FixRequest, text: ConfigText, start: ProbeResult, startPolicy: Policy): { text: ConfigText; rules: AddedRule[]; notes: string[] } {
  const rules: AddedRule[] = [];
  const notes: string[] = [];
  let current = start;
  let policy = startPolicy;
  for (let i = 0; i < MAX_STATIC_RULES; i++) {
    const f = firstFailure(current);
    if (!f) break;
    const server = current.servers.find((s) => formatIp(s.address) === f.cell.server)!;
    const client = current.clients.find((c) => c.server === f.cell.server && c.interface === f.cell.clientInterface)!;
    const step = repairOnce(text, policy, f.cell, f.blocked, server.address, client, {
      clientProfiles: req.probe.clientProfiles,
      serverProfiles: req.probe.serverProfiles,
      ...(req.probe.passivePorts ? { passivePorts: req.probe.passivePorts } : {}),
    });
    if (!step.ok) {
      notes.push(step.why);
      break;
    }
    if (rules.some((r) => r.line.replace(/^rule \d+ /, '') === step.added.line.replace(/^rule \d+ /, ''))) {
      notes.push(`the same rule was needed twice (${step.added.line}): something else blocks ${f.cell.mode}`);
      break;
    }
    rules.push(step.added);
    const next = probeText(req, text.text());
    if (!next.result) break;
    current = next.result;
    policy = next.loaded.policy;
  }
  return { text, rules, notes };
}

/** Computes the candidates. */
export function fix(req: FixRequest): FixResult {
  const base = probeText(req, req.text);
  if (!base.result) throw new Error('the config given to fix must parse');
  const before = base.result;
  const sidesOf = sides(before);
  const exposureBefore = policyExposure(base.loaded.policy, base.loaded.engine, sidesOf);
  const blockedModes = [...new Set(before.cells.filter((c) => c.verdict === 'blocked' || c.verdict === 'partly').map((c) => c.mode))];
  if (blockedModes.length === 0) return { before, exposureBefore, blockedModes, candidates: [] };

  // static: repair the first failure, re-probe, repeat; "tight" first removes the wide data-port permits
  const plain = staticRepair(req, new ConfigText(req.text), before, base.loaded.policy);
  const staticCandidate = finish(
    req,
    { kind: 'static', title: `static: ${plain.rules.length} permit rule${plain.rules.length === 1 ? '' : 's'} added before the blocking rule`, patched: plain.text.text(), rules: plain.rules, removed: [], notes: plain.notes },
    sidesOf,
    blockedModes,
  );
  const tightText = new ConfigText(req.text);
  const undone = undoStaticPermits(tightText, base.loaded.policy, before.servers, false);
  const candidates = [staticCandidate];
  if (undone.removed.length > 0) {
    const start = probeText(req, tightText.text());
    if (start.result) {
      const tight = staticRepair(req, tightText, start.result, start.loaded.policy);
      candidates.push(
        finish(
          req,
          { kind: 'static', title: `static, tight: the wide data-port rule${undone.removed.length === 1 ? '' : 's'} replaced by ${tight.rules.length} exact one${tight.rules.length === 1 ? '' : 's'}`, patched: tight.text.text(), rules: tight.rules, removed: undone.removed, notes: tight.notes },
          sidesOf,
          blockedModes,
        ),
      );
    }
  }

  // stateful: ASPF with port 21 only
  const aspfText = new ConfigText(req.text);
  const plan = planAspf(aspfText, base.loaded.policy, before.servers);
  const statefulCandidate = finish(req, { kind: 'stateful', title: 'stateful: ASPF detect ftp, port 21 only', patched: aspfText.text(), rules: [], removed: plan.removed, notes: plan.notes }, sidesOf, blockedModes);

  const ranked = [statefulCandidate, ...candidates].sort(
    (a, b) => Number(b.verified) - Number(a.verified) || (a.exposure?.portPairs ?? Infinity) - (b.exposure?.portPairs ?? Infinity),
  );
  ranked.forEach((c, i) => (c.rank = i + 1));
  return { before, exposureBefore, blockedModes, candidates: ranked };
}
