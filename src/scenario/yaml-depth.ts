/**
 * How deeply a YAML text nests, measured on the text before it is parsed: the
 * yaml package composes nodes recursively, so a few kilobytes of `[[[[…` or
 * `- - - -…` would exhaust the stack. Counts flow collections (`[`, `{` where a
 * value may start), block indentation levels and compact `- `/`? ` entries;
 * skips comments, quoted scalars and block scalars. It may count a level too
 * many in odd texts, never one too few for the constructs that nest.
 */

/** Deeper than any scenario or topology needs (they use under 10 levels). */
export const MAX_YAML_DEPTH = 64;

/** The offset where the nesting first passes `max` levels, or undefined when it never does. */
export function nestingTooDeep(text: string, max: number = MAX_YAML_DEPTH): number | undefined {
  const n = text.length;
  const indents: number[] = [];
  let flow = 0;
  /** a block scalar's parent indentation: deeper (and blank) lines are its content */
  let blockScalarParent = -1;
  let i = 0;
  while (i < n) {
    let lineEnd = text.indexOf('\n', i);
    if (lineEnd < 0) lineEnd = n;
    let col = 0;
    while (i + col < lineEnd && text.charCodeAt(i + col) === 0x20) col++;
    const first = i + col < lineEnd ? text[i + col] : '';
    const blank = first === '' || first === '#' || first === '\r';
    if (blockScalarParent >= 0) {
      if (blank || col > blockScalarParent) {
        i = lineEnd + 1;
        continue;
      }
      blockScalarParent = -1;
    }
    let j = i + col;
    let compact = 0;
    if (!blank && flow === 0) {
      while (indents.length > 0 && indents[indents.length - 1]! > col) indents.pop();
      if (indents.length === 0 || indents[indents.length - 1]! < col) indents.push(col);
      // compact nested entries on one line: "- - - x", "- ? x"
      while (j < lineEnd && (text[j] === '-' || text[j] === '?') && (j + 1 === lineEnd || text[j + 1] === ' ' || text[j + 1] === '\t')) {
        compact++;
        j += 2;
        while (j < lineEnd && text[j] === ' ') j++;
        if (indents.length + compact > max) return j;
      }
    }
    let valueStart = true;
    for (; j < lineEnd; j++) {
      const ch = text[j]!;
      if (ch === ' ' || ch === '\t' || ch === '\r') continue;
      if (ch === '#' && (j === i || text[j - 1] === ' ' || text[j - 1] === '\t')) break;
      if (valueStart && (ch === '"' || ch === "'")) {
        // a quoted scalar, possibly over several lines
        let k = j + 1;
        while (k < n) {
          const c = text[k]!;
          if (ch === '"' && c === '\\') k += 2;
          else if (c === ch && ch === "'" && text[k + 1] === "'") k += 2;
          else if (c === ch) break;
          else k++;
        }
        if (k >= n) return undefined; // unterminated: the parser reports it
        const nl = text.lastIndexOf('\n', k);
        if (nl >= j) {
          // the scalar ended on a later line: go on from there
          i = nl + 1;
          lineEnd = text.indexOf('\n', k);
          if (lineEnd < 0) lineEnd = n;
        }
        j = k;
        valueStart = false;
        continue;
      }
      if ((ch === '[' || ch === '{') && (valueStart || flow > 0)) {
        flow++;
        if (indents.length + compact + flow > max) return j;
        valueStart = true;
        continue;
      }
      if ((ch === ']' || ch === '}') && flow > 0) {
        flow--;
        valueStart = false;
        continue;
      }
      if (ch === ',' && flow > 0) {
        valueStart = true;
        continue;
      }
      if ((ch === ':' || ch === '-' || ch === '?') && (j + 1 === lineEnd || text[j + 1] === ' ' || text[j + 1] === '\t' || (flow > 0 && ch === ':'))) {
        valueStart = true;
        continue;
      }
      if ((ch === '|' || ch === '>') && valueStart && flow === 0) {
        blockScalarParent = col;
        break;
      }
      if (ch === '&' || ch === '!') {
        // an anchor or a tag before the value: the value may still start after it
        while (j + 1 < lineEnd && text[j + 1] !== ' ' && text[j + 1] !== '\t') j++;
        continue;
      }
      valueStart = false;
    }
    i = lineEnd + 1;
  }
  return undefined;
}
