/**
 * Reading a YAML document node by node with located diagnostics: every problem
 * points at the offending node (file:line:col, its text, a caret) and, where a
 * known word is close, suggests it. Unknown keys are errors (fail closed).
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node, type Scalar, type YAMLMap } from 'yaml';
import { closest, type Diagnostic, type SourceSpan } from '../diag/diagnostic.js';
import { parseIp, type IpAddress } from '../net/address.js';

/**
 * The longest time a scenario may name (about 31.7 years). The virtual clock counts
 * milliseconds in a double: far beyond this (1e300 s) adding a millisecond no longer
 * changes it, and the simulation would stand still.
 */
export const MAX_SECONDS = 1_000_000_000;

/** A YAML node as the reader sees it (a parsed value or nothing). */
export type YNode = Node | null | undefined;

/** The reader's state: the text, its lines, and the diagnostics found so far. */
export class YamlReader {
  readonly diagnostics: Diagnostic[] = [];
  private readonly lines: string[];
  private readonly lineCounter = new LineCounter();
  /** the document, or undefined when the text is not YAML */
  readonly doc: Document | undefined;

  constructor(
    readonly text: string,
    readonly file: string,
  ) {
    this.lines = text.split(/\r?\n/);
    const doc = parseDocument(text, { lineCounter: this.lineCounter, prettyErrors: false, uniqueKeys: true });
    for (const e of doc.errors) this.diagnostics.push({ severity: 'error', message: lowerFirst(e.message), span: this.spanAt(e.pos[0], e.pos[1]) });
    for (const w of doc.warnings) this.diagnostics.push({ severity: 'warning', message: lowerFirst(w.message), span: this.spanAt(w.pos[0], w.pos[1]) });
    this.doc = doc.errors.length === 0 ? doc : undefined;
  }

  /** True when an error has been reported. */
  get failed(): boolean {
    return this.diagnostics.some((d) => d.severity === 'error');
  }

  /** A span from offset `start` to `end`, clipped to the first line. */
  spanAt(start: number, end: number): SourceSpan {
    const offset = Math.min(Math.max(0, start), this.text.length);
    const { line, col } = this.lineCounter.linePos(offset);
    const lineText = this.lines[line - 1] ?? '';
    const length = Math.max(1, Math.min(end - offset, lineText.length - col + 1));
    return { file: this.file, line, column: col, length, lineText };
  }

  /** The span of a node; the start of the document when there is no node. */
  span(node: YNode, fallback?: YNode): SourceSpan {
    const range = node?.range ?? fallback?.range;
    return range ? this.spanAt(range[0], range[1]) : this.spanAt(0, 1);
  }

  /** Reports an error at `node`. Returns undefined, so readers can `return r.error(…)`. */
  error(node: YNode, message: string, suggestion?: string, fallback?: YNode): undefined {
    this.diagnostics.push({ severity: 'error', message, span: this.span(node, fallback), ...(suggestion ? { suggestion } : {}) });
    return undefined;
  }

  /** The text of a node for messages: `'pasive'`. */
  shown(node: YNode): string {
    if (isScalar(node)) return `'${String(node.value)}'`;
    if (isMap(node)) return 'a mapping';
    if (isSeq(node)) return 'a list';
    return 'nothing';
  }

  /**
   * Reads a mapping whose keys must come from `allowed`. Returns key → value node (and the key
   * node, for locating), or undefined when `node` is not a mapping. Unknown keys are errors.
   */
  map(node: YNode, what: string, allowed: readonly string[], at?: YNode): Entries | undefined {
    if (!isMap(node)) return this.error(node, `${what} must be a mapping, not ${this.shown(node)}`, undefined, at);
    const out = new Entries(node);
    for (const pair of node.items) {
      const key = pair.key as YNode;
      if (!isScalar(key) || typeof key.value !== 'string') {
        this.error(key, `keys of ${what} must be words, not ${this.shown(key)}`, undefined, node);
        continue;
      }
      const name = key.value;
      if (!allowed.includes(name)) {
        const near = closest(name, allowed);
        this.error(key, `unknown key '${name}' in ${what}`, near ? `did you mean '${near}'?` : `allowed: ${allowed.join(', ')}`);
        continue;
      }
      out.set(name, key, pair.value as YNode);
    }
    return out;
  }

  /** A required entry: reports "missing" at the mapping when absent. */
  required(e: Entries, key: string, what: string): YNode | undefined {
    if (!e.has(key)) return this.error(e.node, `${what} is missing '${key}'`);
    return e.get(key);
  }

  /** A scalar as text (numbers and booleans too, as written). */
  string(node: YNode, what: string): string | undefined {
    if (!isScalar(node) || node.value === null || typeof node.value === 'object') return this.error(node, `${what} must be text, not ${this.shown(node)}`);
    return String(node.value);
  }

  /** An integer in [min, max]. */
  integer(node: YNode, what: string, min: number, max: number): number | undefined {
    if (!isScalar(node) || typeof node.value !== 'number' || !Number.isInteger(node.value))
      return this.error(node, `${what} must be a whole number, not ${this.shown(node)}`);
    if (node.value < min || node.value > max) return this.error(node, `${what} ${node.value} is out of range ${min}-${max}`);
    return node.value;
  }

  /** A port number 1-65535. */
  port(node: YNode, what: string): number | undefined {
    return this.integer(node, what, 1, 65535);
  }

  /** A number >= min (seconds and such). */
  number(node: YNode, what: string, min = 0): number | undefined {
    if (!isScalar(node) || typeof node.value !== 'number' || !Number.isFinite(node.value))
      return this.error(node, `${what} must be a number, not ${this.shown(node)}`);
    if (node.value < min) return this.error(node, `${what} must be at least ${min}, not ${node.value}`);
    return node.value;
  }

  /** A duration in seconds, 0 to MAX_SECONDS. */
  seconds(node: YNode, what: string): number | undefined {
    const v = this.number(node, what);
    if (v !== undefined && v > MAX_SECONDS) return this.error(node, `${what} must be at most ${MAX_SECONDS} seconds, not ${v}`);
    return v;
  }

  /** true or false. */
  boolean(node: YNode, what: string): boolean | undefined {
    if (!isScalar(node) || typeof node.value !== 'boolean') return this.error(node, `${what} must be true or false, not ${this.shown(node)}`);
    return node.value;
  }

  /** One of `values`, with a suggestion when the text is close to one. */
  oneOf<T extends string>(node: YNode, what: string, values: readonly T[]): T | undefined {
    const text = isScalar(node) && node.value !== null ? String(node.value) : undefined;
    if (text !== undefined && (values as readonly string[]).includes(text)) return text as T;
    const near = text !== undefined ? closest(text, values) : undefined;
    return this.error(node, `${what} ${this.shown(node)} is not one of ${values.join(', ')}`, near ? `did you mean '${near}'?` : undefined);
  }

  /** An IPv4 or IPv6 address. */
  address(node: YNode, what: string): IpAddress | undefined {
    const text = this.string(node, what);
    if (text === undefined) return undefined;
    const a = parseIp(text.trim());
    if (!a) return this.error(node, `${what} '${text}' is not an IPv4 or IPv6 address`);
    return a;
  }

  /** A list of nodes. */
  list(node: YNode, what: string): readonly YNode[] | undefined {
    if (!isSeq(node)) return this.error(node, `${what} must be a list, not ${this.shown(node)}`);
    return node.items as YNode[];
  }
}

/** The entries of one mapping that passed the key check. */
export class Entries {
  private readonly values = new Map<string, { key: Scalar; value: YNode }>();
  constructor(readonly node: YAMLMap) {}
  set(name: string, key: Scalar, value: YNode): void {
    this.values.set(name, { key, value });
  }
  has(name: string): boolean {
    return this.values.has(name);
  }
  get(name: string): YNode {
    return this.values.get(name)?.value;
  }
  key(name: string): Scalar | undefined {
    return this.values.get(name)?.key;
  }
}

function lowerFirst(s: string): string {
  return s.length > 0 ? s[0]!.toLowerCase() + s.slice(1) : s;
}
