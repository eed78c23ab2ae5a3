/** An exposure as one line of text, as compare prints it. */
import type { Exposure } from './exposure.js';

/** One exposure in one line: `10.0.0.2 → 192.168.10.1: 64,512 × 64,511 port pairs (to ports …)`. */
export function exposureLine(e: Exposure): string {
  const size =
    e.portPairs === 0
      ? 'nothing'
      : e.rectangle
        ? `${e.rectangle.srcPorts.toLocaleString('en-US')} × ${e.rectangle.dstPorts.toLocaleString('en-US')} port pairs`
        : `${e.portPairs.toLocaleString('en-US')} port pairs`;
  const ports = e.dstPortRanges.map(([lo, hi]) => (lo === hi ? String(lo) : `${lo}-${hi}`)).join(',');
  const used = e.usedByFtp > 0 ? `, ${e.usedByFtp.toLocaleString('en-US')} used by the scenarios' FTP` : '';
  return `${e.initiator} → ${e.responder}: ${size}${e.portPairs > 0 ? ` (to ports ${ports}${used})` : ''}${e.approximate ? ' (approximate: too many port bounds)' : ''}`;
}

