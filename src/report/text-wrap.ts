/** Word wrapping and short interface names for the fixed-width text renderers. */

/** Columns a text takes on a terminal: ANSI colour codes take none, each code point one. */
export function visibleWidth(s: string): number {
  // eslint-disable-next-line no-control-regex
  if (!/[\u001b\ud800-\udfff]/.test(s)) return s.length;
  let n = 0;
  // eslint-disable-next-line no-control-regex
  for (const _c of s.replace(/\u001b\[[0-9;]*m/g, '')) n++;
  return n;
}

/** Splits text into lines of at most `width` columns (visibleWidth), breaking at spaces (a longer word is cut). */
export function wrapText(text: string, width: number): string[] {
  // most cells fit: plain text no wider than the column, not led by a space (wrapWords drops leading spaces), is its own line
  // eslint-disable-next-line no-control-regex
  if (text.length <= Math.max(8, width) && text.charCodeAt(0) !== 32 && !/[\u001b\ud800-\udfff]/.test(text)) return [text];
  return wrapWords(text, width);
}

/** wrapText word by word: every text, whatever its width and characters. */
export function wrapWords(text: string, width: number): string[] {
  const w = Math.max(8, width);
  const out: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    let rest = word;
    while (visibleWidth(rest) > w) {
      if (line !== '') {
        out.push(line);
        line = '';
      }
      out.push(rest.slice(0, w));
      rest = rest.slice(w);
    }
    if (line === '') line = rest;
    else if (visibleWidth(line) + 1 + visibleWidth(rest) <= w) line += ` ${rest}`;
    else {
      out.push(line);
      line = rest;
    }
  }
  if (line !== '' || out.length === 0) out.push(line);
  return out;
}

/** Wraps text to `width` columns: the first line after `first`, the rest after `hang`. */
export function hangingWrap(first: string, hang: string, text: string, width: number): string[] {
  const lines = wrapText(text, width - Math.max(first.length, hang.length));
  return lines.map((l, i) => `${i === 0 ? first : hang}${l}`);
}

/** H3C interface-type abbreviations (Comware's own short forms, e.g. `display interface brief`). */
const SHORT_TYPES: readonly [string, string][] = [
  ['Ten-GigabitEthernet', 'XGE'],
  ['FortyGigE', 'FGE'],
  ['HundredGigE', 'HGE'],
  ['GigabitEthernet', 'GE'],
  ['Bridge-Aggregation', 'BAGG'],
  ['Route-Aggregation', 'RAGG'],
  ['Vlan-interface', 'Vlan-int'],
  ['LoopBack', 'Loop'],
];

/** `GigabitEthernet2/1/10` → `GE2/1/10`; other names unchanged. */
export function shortInterface(name: string): string {
  for (const [long, short] of SHORT_TYPES) if (name.startsWith(long)) return short + name.slice(long.length);
  return name;
}

/** The legend of the abbreviations that occur among `names`, e.g. `GE = GigabitEthernet`. */
export function interfaceLegend(names: Iterable<string>): string {
  const used = new Set<string>();
  for (const n of names) for (const [long, short] of SHORT_TYPES) if (n.startsWith(long)) used.add(`${short} = ${long}`);
  return [...used].sort().join(', ');
}

/** `1.5 KiB`, `1 MiB`, `512 B`. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  const text = v >= 100 || Number.isInteger(Math.round(v * 10) / 10) ? String(Math.round(v * 10) / 10) : (Math.round(v * 10) / 10).toFixed(1);
  return `${text.replace(/\.0$/, '')} ${units[i]}`;
}
