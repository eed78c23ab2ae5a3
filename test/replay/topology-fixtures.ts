/** Small builders for topologies in tests. */
import { parsePrefix, type IpPrefix } from '../../src/net/address.js';
export { makeTopology } from '../../src/replay/index.js';

/** Parses a prefix or fails the test. */
export function parsePrefixForTest(text: string): IpPrefix {
  const p = parsePrefix(text);
  if (!p) throw new Error(`bad test prefix ${text}`);
  return p;
}
