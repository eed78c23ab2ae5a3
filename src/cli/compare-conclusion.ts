/**
 * compare's conclusion: per policy, which FTP modes work, how many scenarios
 * ended as expected (`expect: blocked` makes a blocked bounce good), and the
 * exposure beyond FTP's own port-21 need; then the recommended policy.
 */
import type { Exposure } from '../analysis/exposure.js';
import type { RunReport } from '../report/run.js';
import type { FtpMode, Scenario } from '../scenario/model.js';

/** One (config, engine) column of the comparison. */
export interface PolicyColumn {
  readonly config: string;
  readonly engine: 'static' | 'stateful';
  readonly runs: RunReport[];
  readonly exposure: readonly Exposure[];
}

/** The conclusion about one policy. */
export interface PolicyConclusion {
  readonly config: string;
  readonly engine: 'static' | 'stateful';
  readonly modesWork: readonly string[];
  readonly modesFail: readonly string[];
  readonly asExpected: number;
  readonly scenarios: number;
  /** unsolicited connections in port pairs, without those to the servers' port 21 */
  readonly exposurePortPairs: number;
  readonly approximate: boolean;
  readonly recommended: boolean;
}

const COMMAND: Readonly<Record<FtpMode, string>> = { active: 'PORT', passive: 'PASV', 'extended-active': 'EPRT', 'extended-passive': 'EPSV' };
const ORDER = ['PORT', 'PASV', 'EPRT', 'EPSV'];

/** Concludes every column; the recommended one has the most scenarios as expected, then the least exposure. */
export function concludePolicies(columns: readonly PolicyColumn[], scenarios: readonly Scenario[]): PolicyConclusion[] {
  const out = columns.map((c) => {
    const work = new Set<string>();
    const fail = new Set<string>();
    let asExpected = 0;
    c.runs.forEach((r, i) => {
      const s = scenarios[i]!;
      const expect = s.expect ?? 'works';
      if ((expect === 'works') === r.ftp.works) asExpected++;
      if (expect !== 'works') return;
      s.sessions.forEach((sess, j) => {
        const mode = COMMAND[sess.clientBehaviour.mode];
        if (r.sessions[j]?.works) work.add(mode);
        else fail.add(mode);
      });
    });
    for (const m of fail) work.delete(m);
    const exposurePortPairs = c.exposure.reduce((n, e) => n + e.portPairs - (e.needPairs ?? 0), 0);
    return {
      config: c.config,
      engine: c.engine,
      modesWork: ORDER.filter((m) => work.has(m)),
      modesFail: ORDER.filter((m) => fail.has(m)),
      asExpected,
      scenarios: c.runs.length,
      exposurePortPairs,
      approximate: c.exposure.some((e) => e.approximate === true),
      recommended: false,
    };
  });
  const best = [...out].sort((a, b) => b.asExpected - a.asExpected || a.exposurePortPairs - b.exposurePortPairs)[0];
  return out.map((c) => (c === best ? { ...c, recommended: true } : c));
}

/** The conclusion as text lines. */
export function conclusionLines(cs: readonly PolicyConclusion[]): string[] {
  const out = ['Conclusion (exposure: unsolicited connections in port pairs, not counting FTP\'s own port 21):'];
  for (const c of cs) {
    const modes =
      c.modesFail.length === 0
        ? `${c.modesWork.length > 0 ? `every mode tried works (${c.modesWork.join(', ')})` : 'no mode tried'}`
        : `${c.modesWork.length > 0 ? `${c.modesWork.join(', ')} work${c.modesWork.length === 1 ? 's' : ''}` : 'no mode works'}, ${c.modesFail.join(', ')} fail${c.modesFail.length === 1 ? 's' : ''}`;
    out.push(
      `  ${c.config} [${c.engine}]: ${modes}; ${c.asExpected} of ${c.scenarios} scenarios as expected; exposure ${c.exposurePortPairs.toLocaleString('en-US')} port pairs${c.approximate ? ' (approximate)' : ''}${c.recommended ? '  <- recommended' : ''}`,
    );
  }
  return out;
}
