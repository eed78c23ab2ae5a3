/**
 * What a policy lets open between the hosts of some scenarios beyond what their
 * FTP used: the exposure `compare` prints and the lessons grade, computed once here.
 */
import { exposureBetween, usedKey, type Endpoint, type Exposure, type ExposureOptions } from '../analysis/exposure.js';
import { compilePolicy } from '../engine/static.js';
import { formatIp, ipKey } from '../net/address.js';
import type { Policy } from '../policy/model.js';
import type { RunReport } from '../model/index.js';
import type { Scenario } from '../scenario/model.js';

/** How flows print an address before the port: `10.0.0.2:` or `[2001:db8::2]:`. */
function ipText(e: Endpoint): string {
  return e.address.family === 4 ? `${formatIp(e.address)}:` : `[${formatIp(e.address)}]:`;
}

function portOf(endpoint: string): number {
  const m = /:(\d+)$/.exec(endpoint);
  return m ? Number(m[1]) : 0;
}

/**
 * The exposure between every session's client and server, both ways; the port pairs FTP used are
 * those of the flows that passed in `runs`. `optionsFor` gives per-pair options (e.g. FTP's own need).
 */
export function scenarioExposure(
  policy: Policy,
  engine: 'static' | 'stateful',
  scenarios: readonly Scenario[],
  runs: readonly RunReport[],
  optionsFor: (a: Endpoint, b: Endpoint) => ExposureOptions = () => ({}),
): Exposure[] {
  const pairs = new Map<string, [Endpoint, Endpoint]>();
  for (const s of scenarios)
    for (const sess of s.sessions) {
      const c = { address: sess.client.address, interface: sess.client.interface };
      const v = { address: sess.server.address, interface: sess.server.interface };
      pairs.set(`${ipKey(c.address)}>${ipKey(v.address)}`, [c, v]);
      pairs.set(`${ipKey(v.address)}>${ipKey(c.address)}`, [v, c]);
    }
  const compiled = compilePolicy(policy);
  const out: Exposure[] = [];
  for (const [a, b] of pairs.values()) {
    const used = new Set<string>();
    for (const r of runs)
      for (const f of r.flows)
        if (f.outcome === 'passed' && f.client.startsWith(ipText(a)) && f.server.startsWith(ipText(b))) used.add(usedKey(portOf(f.client), portOf(f.server)));
    out.push(exposureBetween(policy, engine, a, b, used, compiled, optionsFor(a, b)));
  }
  return out;
}
