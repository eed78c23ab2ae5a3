/**
 * JSON written as a stream of chunks: the same bytes as `JSON.stringify(value,
 * replacer, indent)` (ECMA-262 SerializeJSONProperty: toJSON, the replacer,
 * undefined members left out, undefined array items and non-finite numbers as
 * null), without ever holding the whole text in one string.
 */

/** Receives the text piece by piece (an OutputSink, or anything with write). */
export interface TextOut {
  write(chunk: string): void;
}

/** A JSON.stringify replacer function. */
export type JsonReplacer = (this: unknown, key: string, value: unknown) => unknown;

/** Pieces are gathered up to this many UTF-16 units before each write. */
const PIECE_UNITS = 1 << 16;
/** Subtrees of at most this many values are serialised in one JSON.stringify call. */
const SUBTREE_NODES = 256;
/** Strings longer than this make a subtree count as large. */
const LONG_STRING_UNITS = 4096;

/** True when `v` holds fewer than `budget` values (and no long strings); stops counting at the budget. */
function smallerThan(v: unknown, budget: number): boolean {
  let left = budget;
  const walk = (x: unknown): boolean => {
    if (--left < 0) return false;
    if (typeof x === 'string') return x.length <= LONG_STRING_UNITS;
    if (x === null || typeof x !== 'object') return true;
    if (Array.isArray(x)) {
      for (const item of x) if (!walk(item)) return false;
      return true;
    }
    for (const key of Object.keys(x)) if (!walk((x as Record<string, unknown>)[key])) return false;
    return true;
  };
  return walk(v);
}

/** Writes `value` as JSON to `out`; byte-identical to JSON.stringify(value, replacer, indent). Returns false when nothing serialises (undefined). */
export function writeJson(out: TextOut, value: unknown, replacer?: JsonReplacer, indent: number | string = 2): boolean {
  const gap = typeof indent === 'number' ? ' '.repeat(Math.max(0, Math.min(10, Math.floor(indent)))) : indent.slice(0, 10);
  let pending = '';
  const put = (s: string): void => {
    pending += s;
    if (pending.length >= PIECE_UNITS) {
      out.write(pending);
      pending = '';
    }
  };
  const stack = new Set<object>();

  /** toJSON and the replacer, then primitive wrappers unwrapped: the value as it will be written, or undefined. */
  const prepare = (holder: unknown, key: string, raw: unknown): unknown => {
    let v = raw;
    if ((typeof v === 'object' && v !== null) || typeof v === 'bigint') {
      const toJson = (v as { toJSON?: unknown }).toJSON;
      if (typeof toJson === 'function') v = (toJson as (k: string) => unknown).call(v, key);
    }
    if (replacer) v = replacer.call(holder, key, v);
    if (v instanceof Number) v = Number(v);
    else if (v instanceof String) v = String(v);
    else if (v instanceof Boolean) v = v.valueOf();
    if (v === undefined || typeof v === 'function' || typeof v === 'symbol') return undefined;
    return v;
  };

  /** JSON.stringify's replacer for a subtree whose root was prepared already: the root's call is skipped. */
  const subtreeReplacer =
    replacer &&
    function (this: unknown, key: string, value: unknown): unknown {
      if (key === '' && this !== null && typeof this === 'object' && Object.keys(this).length === 1 && (this as Record<string, unknown>)[''] === value) return value;
      return replacer.call(this, key, value);
    };

  const emit = (v: unknown, indentNow: string): void => {
    if (v === null) return put('null');
    if (typeof v === 'object' && typeof (v as { toJSON?: unknown }).toJSON !== 'function' && !stack.has(v) && smallerThan(v, SUBTREE_NODES)) {
      // a small subtree: the engine's own serialiser is faster than walking it here; indented from where it stands
      const text = JSON.stringify(v, subtreeReplacer, gap);
      return put(gap === '' || indentNow === '' ? text : text.replace(/\n/g, `\n${indentNow}`));
    }
    switch (typeof v) {
      case 'boolean':
        return put(v ? 'true' : 'false');
      case 'string':
        return put(JSON.stringify(v));
      case 'number':
        return put(Number.isFinite(v) ? String(v) : 'null');
      case 'bigint':
        throw new TypeError('Do not know how to serialize a BigInt');
      default:
        break;
    }
    const obj = v as object;
    if (stack.has(obj)) throw new TypeError('Converting circular structure to JSON');
    stack.add(obj);
    const inner = indentNow + gap;
    const open = gap === '' ? '' : `\n${inner}`;
    const sep = gap === '' ? ',' : `,\n${inner}`;
    const close = gap === '' ? '' : `\n${indentNow}`;
    if (Array.isArray(obj)) {
      if (obj.length === 0) put('[]');
      else {
        put(`[${open}`);
        for (let i = 0; i < obj.length; i++) {
          if (i > 0) put(sep);
          const item = prepare(obj, String(i), obj[i]);
          if (item === undefined) put('null');
          else emit(item, inner);
        }
        put(`${close}]`);
      }
    } else {
      let first = true;
      for (const key of Object.keys(obj)) {
        const member = prepare(obj, key, (obj as Record<string, unknown>)[key]);
        if (member === undefined) continue;
        put(first ? `{${open}` : sep);
        first = false;
        put(`${JSON.stringify(key)}:${gap === '' ? '' : ' '}`);
        emit(member, inner);
      }
      put(first ? '{}' : `${close}}`);
    }
    stack.delete(obj);
  };

  const top = prepare({ '': value }, '', value);
  if (top !== undefined) emit(top, '');
  if (pending !== '') out.write(pending);
  return top !== undefined;
}
