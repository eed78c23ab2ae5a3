/**
 * Which zone pair decides a packet between two zones (Comware 7). The exact pair first; `any` stands for
 * every zone (H3C `zone-pair security`: "any：表示任意安全域"), and the any-to-any pair comes last ("If a
 * packet does not match any zone pair between specific security zones, the device searches for the
 * any-to-any zone pair", H3C SecPath F1000 security zones, https://www.h3c.com/en/d_202205/1608028_294551_0.htm).
 * Between `any → B` and `A → any` the order is not sourced: ftpwall tries `any → B` first, and the H3C
 * reader warns when a config has both kinds.
 */
import type { ZonePair, ZonePolicy } from './model.js';

const same = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();
const isAny = (z: string): boolean => same(z, 'any');

/** The zone pair for a packet from zone `src` to zone `dst`, or undefined when none applies. */
export function findZonePair(zones: ZonePolicy, src: string, dst: string): ZonePair | undefined {
  const p = zones.pairs;
  return (
    p.find((x) => same(x.source, src) && same(x.destination, dst)) ??
    p.find((x) => isAny(x.source) && same(x.destination, dst)) ??
    p.find((x) => same(x.source, src) && isAny(x.destination)) ??
    p.find((x) => isAny(x.source) && isAny(x.destination))
  );
}
