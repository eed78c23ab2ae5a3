/** A report document written through createReportStream into one string (tests of streamed reports). */
import { createReportStream, type ReportStreamOptions } from '../../src/report/stream.js';

/** The whole document `body` writes through a report stream with options `o`. */
export function written(o: ReportStreamOptions, body: (s: ReturnType<typeof createReportStream>) => void): string {
  let out = '';
  const s = createReportStream((chunk) => (out += chunk), o);
  body(s);
  s.end();
  return out;
}
