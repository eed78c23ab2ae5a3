/** "Did you mean" for Comware words: edit distance, plus swapped neighbours (`tpc` → `tcp`). */
import { closest } from '../../diag/diagnostic.js';

/** True when `a` becomes `b` by swapping two adjacent characters. */
function isTransposition(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  return i < a.length - 1 && a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2);
}

/** The candidate the user probably meant, or undefined. */
export function suggest(word: string, candidates: readonly string[]): string | undefined {
  const near = closest(word, candidates);
  if (near) return near;
  const w = word.toLowerCase();
  return candidates.find((c) => isTransposition(w, c.toLowerCase()));
}
