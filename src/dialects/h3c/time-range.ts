/**
 * `time-range NAME { start-time to end-time days [ from time1 date1 ] [ to time2 date2 ] | from time1 date1
 * [ to time2 date2 ] | to time2 date2 }` in system view (H3C/HPE ACL command references, `time-range`:
 * start 00:00-23:59, end 00:00-24:00 and greater than the start; dates MM/DD/YYYY or YYYY/MM/DD, years
 * 1970-2100; "If an existing time range name is provided, this command adds a statement to the time
 * range"). Days: 0-6 (0 is Sunday), Sun-Sat, working-day (Monday to Friday), off-day (Saturday and
 * Sunday), daily (the Comware/VRP `time-range` help).
 */
import type { TimeRangeStatement } from '../../policy/model.js';
import { commandSpan, errorAt, type ParseContext } from './context.js';
import type { Line, Token } from './lexer.js';

const DAY_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const DAY_GROUPS: Readonly<Record<string, readonly number[]>> = {
  'working-day': [1, 2, 3, 4, 5],
  'off-day': [0, 6],
  daily: [0, 1, 2, 3, 4, 5, 6],
};
const MIN_PER_DAY = 1440;

/** `HH:MM` → minutes of the day, or undefined; `max` is 1440 for an end time (24:00 allowed). */
function minutesOf(text: string, max: number): number | undefined {
  const m = /^(\d{1,2}):(\d{2})$/.exec(text);
  if (!m) return undefined;
  const h = Number(m[1]);
  const min = Number(m[2]);
  if (min > 59) return undefined;
  const total = h * 60 + min;
  return total <= max ? total : undefined;
}

/** `YYYY/MM/DD` or `MM/DD/YYYY` → days since 1970-01-01, or undefined. */
function dayNumber(text: string): number | undefined {
  let m = /^(\d{4})\/(\d{1,2})\/(\d{1,2})$/.exec(text);
  let y: number, mo: number, d: number;
  if (m) [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  else {
    m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(text);
    if (!m) return undefined;
    [mo, d, y] = [Number(m[1]), Number(m[2]), Number(m[3])];
  }
  if (y < 1970 || y > 2100 || mo < 1 || mo > 12 || d < 1) return undefined;
  const ms = Date.UTC(y, mo - 1, d);
  if (new Date(ms).getUTCDate() !== d) return undefined; // 02/30 and the like
  return ms / 86_400_000;
}

/** Handles a `time-range` line; adds its statement to the named range. */
export function handleTimeRange(ctx: ParseContext, line: Line): void {
  const t = line.tokens;
  const nameTok = t[1];
  if (!nameTok) return errorAt(ctx, line, undefined, "expected a time range name after 'time-range'");
  if (!/^[A-Za-z]/.test(nameTok.text) || nameTok.text.length > 32 || nameTok.lower === 'all')
    return errorAt(ctx, line, nameTok, `bad time range name '${nameTok.text}': 1 to 32 characters, starting with a letter, not 'all'`);
  const at = commandSpan(line);
  let i = 2;
  let periodic: { startMin: number; endMin: number; days: number[] } | undefined;
  if (t[i] && t[i]!.lower !== 'from' && t[i]!.lower !== 'to') {
    const start = minutesOf(t[i]!.text, MIN_PER_DAY - 1);
    if (start === undefined) return errorAt(ctx, line, t[i], `bad start time '${t[i]!.text}': expected HH:MM from 00:00 to 23:59`);
    if (t[i + 1]?.lower !== 'to') return errorAt(ctx, line, t[i + 1], `expected 'to' after the start time`);
    const endTok = t[i + 2];
    const end = endTok ? minutesOf(endTok.text, MIN_PER_DAY) : undefined;
    if (end === undefined) return errorAt(ctx, line, endTok, `bad end time '${endTok?.text ?? ''}': expected HH:MM from 00:00 to 24:00`);
    if (end <= start) return errorAt(ctx, line, endTok, `the end time ${endTok!.text} must be later than the start time ${t[i]!.text}`);
    i += 3;
    const days = new Set<number>();
    while (t[i] && t[i]!.lower !== 'from' && t[i]!.lower !== 'to') {
      const w = t[i]!.lower;
      const group = DAY_GROUPS[w];
      const idx = DAY_NAMES.indexOf(w.slice(0, 3));
      if (group) for (const d of group) days.add(d);
      else if (/^[0-6]$/.test(w)) days.add(Number(w));
      else if (idx >= 0 && (w.length === 3 || `${DAY_NAMES[idx]}day` === w || w.startsWith(DAY_NAMES[idx]!))) days.add(idx);
      else return errorAt(ctx, line, t[i], `unknown day '${t[i]!.text}'`, 'use 0-6 (0 is Sunday), Sun … Sat, working-day, off-day or daily');
      i++;
    }
    if (days.size === 0) return errorAt(ctx, line, undefined, 'expected the days of a periodic time range after the end time', 'e.g. working-day, off-day, daily, Mon');
    periodic = { startMin: start, endMin: end, days: [...days].sort((a, b) => a - b) };
  }
  const absolute: { fromMin?: number; toMin?: number } = {};
  for (const key of ['from', 'to'] as const) {
    if (t[i]?.lower !== key) continue;
    const timeTok: Token | undefined = t[i + 1];
    const dateTok: Token | undefined = t[i + 2];
    const min = timeTok ? minutesOf(timeTok.text, key === 'from' ? MIN_PER_DAY - 1 : MIN_PER_DAY) : undefined;
    if (min === undefined) return errorAt(ctx, line, timeTok, `bad time '${timeTok?.text ?? ''}' after '${key}': expected HH:MM`);
    const day = dateTok ? dayNumber(dateTok.text) : undefined;
    if (day === undefined) return errorAt(ctx, line, dateTok, `bad date '${dateTok?.text ?? ''}' after '${key} ${timeTok!.text}': expected YYYY/MM/DD or MM/DD/YYYY (1970-2100)`);
    absolute[key === 'from' ? 'fromMin' : 'toMin'] = day * MIN_PER_DAY + min;
    i += 3;
  }
  if (t[i]) return errorAt(ctx, line, t[i], `unexpected '${t[i]!.text}' in time-range`);
  if (!periodic && absolute.fromMin === undefined && absolute.toMin === undefined)
    return errorAt(ctx, line, undefined, 'expected a periodic statement (08:00 to 18:00 working-day) or an absolute one (from 08:00 2026/01/01 to 18:00 2026/12/31)');
  if (absolute.fromMin !== undefined && absolute.toMin !== undefined && absolute.toMin <= absolute.fromMin)
    return errorAt(ctx, line, undefined, 'the end of the absolute range must be later than its start');
  const statement: TimeRangeStatement = periodic ? { kind: 'periodic', ...periodic, ...absolute, at } : { kind: 'absolute', ...absolute, at };
  const ranges = (ctx.config.timeRanges ??= new Map());
  const list = ranges.get(nameTok.lower);
  if (list) list.push(statement);
  else ranges.set(nameTok.lower, [statement]);
}
