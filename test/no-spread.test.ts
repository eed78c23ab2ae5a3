import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * No call stack that grows with the input: a spread into a call's arguments
 * (`push(...rows)`, `Math.max(...xs)`, `String.fromCharCode(...bytes)`), `.apply(`
 * and `.concat(` put every element on the stack or copy the array, and fail or go
 * quadratic past about 125,000 items (issue 14, finding 4). Loops do not.
 */
const SRC = resolve(__dirname, '../src');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : /\.(ts|mjs)$/.test(name) ? [p] : [];
  });
}

const REGEX_BEFORE = new Set(['(', ',', '=', ':', '[', '!', '&', '|', '?', '{', '}', ';', '\n', '']);

/** The source with comments, string, template and regex text blanked (same length, code kept). */
export function codeOnly(src: string): string {
  const out = src.split('');
  const blank = (from: number, to: number): void => {
    for (let k = from; k < to; k++) if (out[k] !== '\n') out[k] = ' ';
  };
  // a stack of template-literal brace depths: inside `${ … }` code resumes
  const templates: number[] = [];
  let braces = 0;
  let lastSig = '';
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    const next = src[i + 1];
    if (c === '/' && next === '/') {
      const end = src.indexOf('\n', i);
      const stop = end < 0 ? src.length : end;
      blank(i, stop);
      i = stop;
      continue;
    }
    if (c === '/' && next === '*') {
      const end = src.indexOf('*/', i + 2);
      const stop = end < 0 ? src.length : end + 2;
      blank(i, stop);
      i = stop;
      continue;
    }
    if (c === '/' && REGEX_BEFORE.has(lastSig)) {
      let j = i + 1;
      let inClass = false;
      for (; j < src.length && src[j] !== '\n'; j++) {
        if (src[j] === '\\') j++;
        else if (src[j] === '[') inClass = true;
        else if (src[j] === ']') inClass = false;
        else if (src[j] === '/' && !inClass) break;
      }
      blank(i + 1, j);
      i = j + 1;
      lastSig = 'r';
      continue;
    }
    if (c === "'" || c === '"') {
      let j = i + 1;
      for (; j < src.length && src[j] !== c && src[j] !== '\n'; j++) if (src[j] === '\\') j++;
      blank(i + 1, j);
      i = j + 1;
      lastSig = 's';
      continue;
    }
    if (c === '`' || (c === '}' && templates.length > 0 && templates[templates.length - 1] === braces)) {
      if (c === '}') templates.pop();
      // template text up to the closing backquote or the next `${`
      let j = i + 1;
      for (; j < src.length; j++) {
        if (src[j] === '\\') j++;
        else if (src[j] === '`') break;
        else if (src[j] === '$' && src[j + 1] === '{') break;
      }
      blank(i + 1, j);
      if (src[j] === '$') {
        templates.push(braces);
        i = j + 2;
        lastSig = '{';
      } else {
        i = j + 1;
        lastSig = 's';
      }
      continue;
    }
    if (c === '{') braces++;
    else if (c === '}') braces--;
    if (c !== ' ' && c !== '\t' && c !== '\r' && c !== '\n') lastSig = /[A-Za-z0-9_$]/.test(c) ? 'w' : c;
    i++;
  }
  return out.join('');
}

const NOT_CALLS = new Set(['if', 'for', 'while', 'switch', 'catch', 'return', 'typeof', 'function', 'await', 'yield', 'in', 'of', 'case', 'void', 'delete', 'throw', 'new']);

/** Data-sized call-stack patterns in one file: `line: text` for each. */
export function spreadProblems(src: string): string[] {
  const code = codeOnly(src);
  const found = new Set<number>();
  for (const m of code.matchAll(/\.(apply|concat)\s*\(/g)) found.add(m.index);
  // match parentheses, then classify each `...` by its innermost bracket
  const stack: { ch: string; at: number }[] = [];
  const close = new Map<number, number>();
  const spreads: { at: number; paren: number }[] = [];
  for (let i = 0; i < code.length; i++) {
    const c = code[i]!;
    if (c === '(' || c === '[' || c === '{') stack.push({ ch: c, at: i });
    else if (c === ')' || c === ']' || c === '}') {
      const open = stack.pop();
      if (open && open.ch === '(') close.set(open.at, i);
    } else if (c === '.' && code.startsWith('...', i)) {
      const top = stack[stack.length - 1];
      if (top?.ch === '(') spreads.push({ at: i, paren: top.at });
      i += 2;
    }
  }
  for (const s of spreads) {
    const before = code.slice(0, s.paren).trimEnd();
    const word = /([A-Za-z0-9_$]+)$/.exec(before)?.[1];
    const callee = word !== undefined ? !NOT_CALLS.has(word) : /[)\]]$/.test(before);
    if (!callee) continue; // a parameter list or a parenthesised expression
    if (word !== undefined && /\bfunction\s*\*?\s*[A-Za-z0-9_$]*$/.test(before)) continue; // function f(...rest)
    const end = close.get(s.paren);
    const after = end === undefined ? '' : code.slice(end + 1).trimStart();
    if (/^(=>|\{|:)/.test(after)) continue; // an arrow's or a method's parameters: (...args) => …, m(...args): T {
    found.add(s.at);
  }
  return [...found]
    .sort((a, b) => a - b)
    .map((at) => {
      const line = src.slice(0, at).split('\n').length;
      return `${line}: ${src.split('\n')[line - 1]!.trim()}`;
    });
}

/**
 * Lists grown by copying themselves: `m.set(k, [...(m.get(k) ?? []), v])` in a loop copies the whole list for
 * every element added (quadratic: grouping 10,000 prefixes of one interface copied 50 million entries).
 */
export function copyGrowthProblems(src: string): string[] {
  const code = codeOnly(src);
  const out: string[] = [];
  for (const m of code.matchAll(/([A-Za-z0-9_$]+)\.set\(\s*[^;]*?,\s*\[\s*\.\.\.\s*\(?\s*([A-Za-z0-9_$]+)\.get\(/g)) {
    if (m[1] !== m[2]) continue;
    const line = src.slice(0, m.index).split('\n').length;
    out.push(`${line}: ${src.split('\n')[line - 1]!.trim()}`);
  }
  return out;
}

describe('no list grown by copying itself in src/', () => {
  it('finds a map entry set to a copy of itself plus more, and not other copies', () => {
    for (const line of ['for (const e of xs) byIface.set(e.iface, [...(byIface.get(e.iface) ?? []), e]);', 'groups.set(key, [...groups.get(key)!, s]);'])
      expect(copyGrowthProblems(line), line).toEqual([`1: ${line}`]);
    for (const line of ['m.set(k, [...other.get(k)!, v]);', 'const copy = [...(m.get(k) ?? [])];', "const s = 'm.set(k, [...(m.get(k) ?? []), v])';"]) expect(copyGrowthProblems(line), line).toEqual([]);
  });

  it('src/ has none', () => {
    const problems: string[] = [];
    for (const file of files(SRC)) for (const p of copyGrowthProblems(readFileSync(file, 'utf8'))) problems.push(`src/${relative(SRC, file)}:${p}`);
    expect(problems).toEqual([]);
  });
});

describe('no data-sized call stacks in src/', () => {
  it('finds spreads into calls, .apply( and .concat(, and nothing in strings, comments, literals or parameter lists', () => {
    const bad = [
      'rows.push(...more);',
      'const m = Math.max(...xs);',
      'String.fromCharCode(...bytes.subarray(0, 9));',
      'f(1, ...xs)',
      'fn.apply(null, xs);',
      'const all = a.concat(b);',
      'out.push(`${a}`, ...lines(x));',
    ];
    for (const line of bad) expect(spreadProblems(line), line).toEqual([`1: ${line}`]);
    const fine = [
      'const copy = [...a, ...b];',
      'const o = { ...base, x: 1 };',
      'const f = (...args: number[]) => args.length;',
      'function g(...rest: string[]) { return rest; }',
      'class C { m(...rest: string[]): void {} }',
      "const s = 'push(...x)';",
      '// rows.push(...more)',
      'const t = `${n} rows.push(...more) ${m}`;',
      'const r = /push\\(\\.\\.\\./;',
      'if ((...x) => 1) {}',
    ];
    for (const line of fine) expect(spreadProblems(line), line).toEqual([]);
  });

  it('src/ has none', () => {
    const problems: string[] = [];
    for (const file of files(SRC)) for (const p of spreadProblems(readFileSync(file, 'utf8'))) problems.push(`src/${relative(SRC, file)}:${p}`);
    expect(problems).toEqual([]);
  });
});
