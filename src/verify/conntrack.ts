/**
 * Parses `conntrack -E expect` / `conntrack -L expect` lines (conntrack-tools 1.4):
 * `[NEW] 300 proto=6 src=10.0.0.2 dst=192.168.10.1 sport=0 dport=50000 mask-src=… master-src=10.0.0.2
 *  master-dst=192.168.10.1 sport=50030 dport=21 class=0 helper=ftp`.
 */
import { endpointText } from './capture.js';

/** One expectation the kernel's FTP helper created. */
export interface KernelExpectation {
  /** NEW / UPDATE / DESTROY for events, LIST for a table listing */
  readonly event: 'NEW' | 'UPDATE' | 'DESTROY' | 'LIST';
  /** seconds left (300 when new, facts sheet 4.3) */
  readonly timeoutSec: number;
  readonly proto: number;
  /** the expected initiator's address (any source port) */
  readonly src: string;
  /** the expected destination, `ip:port` */
  readonly dst: string;
  /** the control connection that announced it: initiator and responder */
  readonly masterClient: string;
  readonly masterServer: string;
  readonly helper: string;
  /** the line as conntrack printed it */
  readonly raw: string;
}

/** The expectations in conntrack's output; lines that are not expectations are skipped. */
export function parseExpectations(text: string): KernelExpectation[] {
  const out: KernelExpectation[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*(?:\[(NEW|DESTROY|UPDATE)\]\s+)?(\d+)\s+proto=(\d+)\s+(.*)$/.exec(line);
    if (!m) continue;
    // Fields repeat (sport/dport appear for the tuple, the mask and the master): read them in order.
    const fields = [...m[4]!.matchAll(/([a-z-]+)=(\S+)/g)].map((f) => [f[1]!, f[2]!] as const);
    const src = fields.find(([k]) => k === 'src')?.[1];
    const dst = fields.find(([k]) => k === 'dst')?.[1];
    const dports = fields.filter(([k]) => k === 'dport').map(([, v]) => Number(v));
    const sports = fields.filter(([k]) => k === 'sport').map(([, v]) => Number(v));
    const masterSrc = fields.find(([k]) => k === 'master-src')?.[1];
    const masterDst = fields.find(([k]) => k === 'master-dst')?.[1];
    if (!src || !dst || !masterSrc || !masterDst || dports.length < 3 || sports.length < 3) continue;
    out.push({
      event: m[1] === 'DESTROY' || m[1] === 'UPDATE' || m[1] === 'NEW' ? m[1] : 'LIST',
      timeoutSec: Number(m[2]),
      proto: Number(m[3]),
      src,
      dst: endpointText(dst, dports[0]!),
      masterClient: endpointText(masterSrc, sports[2]!),
      masterServer: endpointText(masterDst, dports[2]!),
      helper: fields.find(([k]) => k === 'helper')?.[1] ?? '',
      raw: line.trim(),
    });
  }
  return out;
}
