/** Lists of names in messages: a device of thousands of interfaces must not make a message of thousands of names. */

/** Names a message lists before it counts the rest. */
export const NAMES_SHOWN = 12;

/** `a, b, c`, or the first `shown` and `and N more`. */
export function nameList(names: readonly string[], shown: number = NAMES_SHOWN): string {
  if (names.length <= shown) return names.join(', ');
  return `${names.slice(0, shown).join(', ')} and ${names.length - shown} more`;
}
