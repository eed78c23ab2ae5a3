/**
 * What a policy lets through beyond what FTP needed: unsolicited TCP
 * connections between two hosts that the firewall would let open. Port space is
 * cut into elementary intervals at every rule's port bounds, so one probe per
 * cell decides the whole cell exactly.
 */
import { formatEndpoint, formatIp, type IpAddress } from '../net/address.js';
import { PROTO_TCP, TCP_ACK, TCP_SYN, type Packet } from '../net/packet.js';
import { checkAcls, compilePolicy, type CompiledPolicy } from '../engine/static.js';
import { describeProvenance } from '../engine/verdict.js';
import type { Policy } from '../policy/model.js';

/** One end of a possible connection: an address behind a firewall interface. */
export interface Endpoint {
  readonly address: IpAddress;
  readonly interface: string;
}

/** A connection that would open although no FTP session asked for it. */
export interface ExposureExample {
  readonly from: string;
  readonly to: string;
  /** why the SYN passes */
  readonly syn: string;
  /** why the SYN-ACK passes (the conntrack state for the stateful engine) */
  readonly synAck: string;
}

/** The port space open from one host to another. */
export interface Exposure {
  readonly initiator: string;
  readonly responder: string;
  /** (source port, destination port) pairs that would open, ports 1-65535 */
  readonly portPairs: number;
  /** how many of those the scenarios' own FTP connections used */
  readonly usedByFtp: number;
  /** the destination ports open, as inclusive ranges (e.g. [[21, 21], [1025, 65535]]) */
  readonly dstPortRanges: readonly (readonly [number, number])[];
  /** when the open pairs form a rectangle: how many source and destination ports */
  readonly rectangle?: { readonly srcPorts: number; readonly dstPorts: number };
  /** up to 3 concrete connections, from the widest open port ranges first */
  readonly examples: readonly ExposureExample[];
  /** when the ACLs had too many distinct port bounds to enumerate exactly */
  readonly approximate?: boolean;
  /** of portPairs, those to a port FTP itself needs open (the server's control port 21), when asked for */
  readonly needPairs?: number;
}

/** Optional knobs of exposureBetween. */
export interface ExposureOptions {
  /** destination ports the responder must have open for FTP itself (its control port): counted apart as needPairs */
  readonly needPorts?: readonly number[];
}

/** Port pairs the scenarios themselves used (control and data connections that FTP needed). */
export type UsedPorts = ReadonlySet<string>;

/** The key for a used (source port, destination port) pair. */
export function usedKey(srcPort: number, dstPort: number): string {
  return `${srcPort}>${dstPort}`;
}

/** At most this many elementary intervals per dimension are probed (cells = square of it). */
const MAX_INTERVALS = 600;

function boundaries(policy: Policy, extra: readonly number[] = []): number[] {
  const cuts = new Set<number>([1, 21, 22, 65536]);
  for (const p of extra) cuts.add(p).add(p + 1);
  for (const acl of policy.acls)
    for (const r of acl.rules)
      for (const m of [r.srcPort, r.dstPort]) for (const [lo, hi] of m?.ranges ?? []) cuts.add(Math.max(1, lo)).add(hi + 1);
  return [...cuts].filter((c) => c >= 1 && c <= 65536).sort((a, b) => a - b);
}

function probe(src: IpAddress, srcPort: number, dst: IpAddress, dstPort: number, flags: number): Packet {
  return { src, dst, proto: PROTO_TCP, srcPort, dstPort, tcpFlags: flags, seq: 0, ack: 0, window: 65535, payload: new Uint8Array(0), fragment: 'none' };
}

/**
 * The unsolicited connections from `a` to `b`. With the static engine both the SYN
 * and the SYN-ACK must pass the ACLs; with the stateful engine only the SYN does
 * (the reply is ESTABLISHED). `used` pairs are left out.
 */
export function exposureBetween(
  policy: Policy,
  engine: 'static' | 'stateful',
  a: Endpoint,
  b: Endpoint,
  used: UsedPorts,
  compiled: CompiledPolicy = compilePolicy(policy),
  options: ExposureOptions = {},
): Exposure {
  const need = options.needPorts ?? [];
  let cuts = boundaries(policy, need);
  const approximate = cuts.length - 1 > MAX_INTERVALS;
  if (approximate) cuts = cuts.filter((_, i) => i % Math.ceil(cuts.length / MAX_INTERVALS) === 0 || i === cuts.length - 1);
  const cells: { lo: number; size: number }[] = [];
  for (let i = 0; i + 1 < cuts.length; i++) cells.push({ lo: cuts[i]!, size: cuts[i + 1]! - cuts[i]! });
  const usedPairs = [...used].map((k) => k.split('>').map(Number) as [number, number]);
  let portPairs = 0;
  let usedByFtp = 0;
  let needPairs = 0;
  const openRows = new Set<number>();
  const openCols = new Set<number>();
  let openCells = 0;
  const candidates: (ExposureExample & { area: number })[] = [];
  for (let i = 0; i < cells.length; i++) {
    for (let j = 0; j < cells.length; j++) {
      const sp = cells[i]!;
      const dp = cells[j]!;
      const syn = checkAcls(compiled, probe(a.address, sp.lo, b.address, dp.lo, TCP_SYN), a.interface, b.interface);
      if (syn.action === 'deny') continue;
      let synAckBy = 'conntrack established';
      if (engine === 'static') {
        const back = checkAcls(compiled, probe(b.address, dp.lo, a.address, sp.lo, TCP_SYN | TCP_ACK), b.interface, a.interface);
        if (back.action === 'deny') continue;
        synAckBy = describeProvenance(back.by, 'permit');
      }
      portPairs += sp.size * dp.size;
      if (dp.size === 1 && need.includes(dp.lo)) needPairs += sp.size;
      for (const [s, d] of usedPairs) if (s >= sp.lo && s < sp.lo + sp.size && d >= dp.lo && d < dp.lo + dp.size) usedByFtp++;
      openRows.add(i);
      openCols.add(j);
      openCells++;
      candidates.push({
        area: sp.size * dp.size,
        from: formatEndpoint(a.address, sp.lo),
        to: formatEndpoint(b.address, dp.lo),
        syn: describeProvenance(syn.by, 'permit'),
        synAck: synAckBy,
      });
    }
  }
  // the widest open cells make the most typical examples
  const examples = candidates
    .sort((x, y) => y.area - x.area)
    .slice(0, 3)
    .map(({ area: _area, ...e }) => e);
  const isRectangle = openCells > 0 && openCells === openRows.size * openCols.size;
  const sum = (set: Set<number>): number => [...set].reduce((n, i) => n + cells[i]!.size, 0);
  const rectangle = isRectangle && sum(openRows) * sum(openCols) === portPairs ? { srcPorts: sum(openRows), dstPorts: sum(openCols) } : undefined;
  return {
    initiator: formatIp(a.address),
    responder: formatIp(b.address),
    portPairs,
    usedByFtp,
    dstPortRanges: mergeRanges([...openCols].sort((x, y) => x - y).map((j) => [cells[j]!.lo, cells[j]!.lo + cells[j]!.size - 1])),
    ...(rectangle ? { rectangle } : {}),
    examples,
    ...(approximate ? { approximate } : {}),
    ...(options.needPorts ? { needPairs } : {}),
  };
}

/** Joins adjacent inclusive ranges. */
function mergeRanges(ranges: [number, number][]): [number, number][] {
  const out: [number, number][] = [];
  for (const r of ranges) {
    const last = out.at(-1);
    if (last && r[0] === last[1] + 1) last[1] = r[1];
    else out.push([r[0], r[1]]);
  }
  return out;
}
