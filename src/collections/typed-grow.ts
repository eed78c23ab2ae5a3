/** Growing the typed-array columns of struct-of-arrays tables (conntrack slots and rows, the timer heap). */

/** The column types the tables use. */
export type Column = Uint8Array<ArrayBuffer> | Int32Array<ArrayBuffer> | Float64Array<ArrayBuffer>;

/** A column of the same type and `length` elements, starting with `a`'s (the rest zero). */
export function grown<T extends Column>(a: T, length: number): T {
  const b = new (a.constructor as new (n: number) => T)(length);
  b.set(a);
  return b;
}
