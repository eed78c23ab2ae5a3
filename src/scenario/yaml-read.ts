/**
 * Reading a YAML document node by node with located diagnostics: every problem
 * points at the offending node (file:line:col, its text, a caret) and, where a
 * known word is close, suggests it. Unknown keys are errors (fail closed).
 */
import { isAlias, isMap, isPair, isScalar, isSeq, parseDocument, type Document, type Node, type Scalar, type YAMLMap } from 'yaml';
import { clampSpan, closest, type Diagnostic, type SourceSpan } from '../diag/diagnostic.js';
import { parseIp, type IpAddress } from '../net/address.js';
import { MAX_YAML_DEPTH, nestingTooDeep } from './yaml-depth.js';

import { MAX_SECONDS } from './model.js';
export { MAX_SECONDS };

/**
 * The longest YAML text read (16 Mi characters). A YAML tree takes about 150 bytes of memory per
 * character of dense text (measured: 8.5 MB of sessions, 1.3 GB); beyond this a file would
 * exhaust the heap before its scenario could be refused by its work estimate (--max-packets).
 */
export const MAX_YAML_CHARS = 16 * 1024 * 1024;

/** Nodes that aliases (`*name`) may add to a document when expanded: far above any real file, far below an alias bomb. */
export const MAX_ALIAS_NODES = 10_000;

/** A YAML node as the reader sees it (a parsed value or nothing). */
export type YNode = Node | null | undefined;

/** The reader's state: the text, its lines, and the diagnostics found so far. */
export class YamlReader {
  readonly diagnostics: Diagnostic[] = [];
  private readonly lines: string[];
  /**
   * Offsets where lines start, counted here from the text: the yaml package's LineCounter
   * misses the newlines its parser skips after an error, which put later errors on earlier lines.
   */
  private readonly lineStarts: number[] = [0];
  /** the document, or undefined when the text is not YAML */
  readonly doc: Document | undefined;

  constructor(
    readonly text: string,
    readonly file: string,
  ) {
    this.lines = text.split(/\r?\n/);
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) this.lineStarts.push(i + 1);
    if (text.length > MAX_YAML_CHARS) {
      this.diagnostics.push({
        severity: 'error',
        message: `the file is ${(text.length / 1024 / 1024).toFixed(1)} Mi characters long; YAML files over ${MAX_YAML_CHARS / 1024 / 1024} Mi are refused before reading (the YAML tree of a larger file would not fit in memory)`,
        span: this.spanAt(MAX_YAML_CHARS, MAX_YAML_CHARS + 1),
        suggestion: 'split the scenario into several files',
      });
      this.doc = undefined;
      return;
    }
    const deep = nestingTooDeep(text, MAX_YAML_DEPTH);
    if (deep !== undefined) {
      // counted before parsing: the parser composes nodes recursively and would run out of stack
      this.diagnostics.push({
        severity: 'error',
        message: `the YAML nests more than ${MAX_YAML_DEPTH} levels deep here; a scenario or topology needs fewer than 10`,
        span: this.spanAt(deep, deep + 1),
      });
      this.doc = undefined;
      return;
    }
    // the yaml package makes an Error per problem; their stack traces (never shown) cost most of the time on broken files
    const stackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    let doc: Document;
    try {
      doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true });
    } finally {
      Error.stackTraceLimit = stackTraceLimit;
    }
    for (const e of doc.errors) this.diagnostics.push({ severity: 'error', message: yamlMessage(e.message), span: this.spanAt(e.pos[0], e.pos[1]) });
    for (const w of doc.warnings) this.diagnostics.push({ severity: 'warning', message: yamlMessage(w.message), span: this.spanAt(w.pos[0], w.pos[1]) });
    this.doc = doc.errors.length === 0 && this.expandAliases(doc) ? doc : undefined;
  }

  /**
   * Replaces every alias (`*name`) by the node its anchor (`&name`) marks, so readers see
   * plain nodes (located at the anchor). Refuses aliases without an anchor, aliases inside
   * their own anchor, and expansions adding more than MAX_ALIAS_NODES nodes. Returns success.
   */
  private expandAliases(doc: Document): boolean {
    const sizes = new Map<unknown, number>();
    const open = new Set<unknown>();
    let added = 0;
    let ok = true;
    // anchors by name, in document order (Alias.resolve would walk the whole document per alias)
    const anchors = new Map<string, { offset: number; node: unknown }[]>();
    const collect = (n: unknown): void => {
      if (n === null || typeof n !== 'object') return;
      const anchor = (n as { anchor?: string }).anchor;
      const range = (n as { range?: [number, number, number] }).range;
      if (anchor !== undefined && range) {
        const list = anchors.get(anchor) ?? [];
        list.push({ offset: range[0], node: n });
        anchors.set(anchor, list);
      }
      if (isMap(n))
        for (const pair of n.items) {
          collect(pair.key);
          collect(pair.value);
        }
      else if (isSeq(n))
        for (const item of n.items) {
          if (isPair(item)) {
            collect(item.key);
            collect(item.value);
          } else collect(item);
        }
    };
    collect(doc.contents);
    for (const list of anchors.values()) list.sort((a, b) => a.offset - b.offset);
    /** The node of the last anchor `name` before `offset` (YAML 1.2 7.1). */
    const anchored = (name: string, offset: number): unknown => {
      let found: unknown;
      for (const a of anchors.get(name) ?? []) {
        if (a.offset >= offset) break;
        found = a.node;
      }
      return found;
    };
    const resolve = (n: unknown): unknown => {
      if (!isAlias(n)) return n;
      const name = n.source;
      const target = anchored(name, n.range?.[0] ?? Number.POSITIVE_INFINITY);
      if (target === undefined) {
        ok = this.error(n, `alias '*${name}' refers to no anchor '&${name}' defined before it`) ?? false;
        return null;
      }
      if (open.has(target)) {
        ok = this.error(n, `alias '*${name}' is inside the node its anchor '&${name}' marks: it would repeat forever`) ?? false;
        return null;
      }
      added += size(target);
      if (added > MAX_ALIAS_NODES && ok) {
        ok = this.error(n, `aliases expand to more than ${MAX_ALIAS_NODES.toLocaleString('en-US')} nodes by here: refused (an alias bomb?)`, 'write the values out, or use fewer aliases') ?? false;
      }
      return target;
    };
    const size = (n: unknown): number => {
      if (!ok || n === null || typeof n !== 'object') return 1;
      const known = sizes.get(n);
      if (known !== undefined) return known;
      open.add(n);
      let total = 1;
      if (isMap(n)) {
        for (const pair of n.items) {
          pair.key = resolve(pair.key);
          pair.value = resolve(pair.value);
          total += size(pair.key) + size(pair.value);
        }
      } else if (isSeq(n)) {
        for (let i = 0; i < n.items.length; i++) {
          const item = resolve(n.items[i]);
          if (isPair(item)) {
            // a single-pair mapping in a flow sequence ([a: 1])
            item.key = resolve(item.key);
            item.value = resolve(item.value);
            total += size(item.key) + size(item.value);
            continue;
          }
          n.items[i] = item;
          total += size(item);
        }
      }
      open.delete(n);
      sizes.set(n, total);
      return total;
    };
    doc.contents = resolve(doc.contents) as typeof doc.contents;
    size(doc.contents);
    return ok;
  }

  /** True when an error has been reported. */
  get failed(): boolean {
    return this.diagnostics.some((d) => d.severity === 'error');
  }

  /** A span from offset `start` to `end`, clipped to the first line. */
  spanAt(start: number, end: number): SourceSpan {
    const offset = Math.min(Math.max(0, start), this.text.length);
    // the last line starting at or before offset
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    const line = lo + 1;
    const lineText = this.lines[lo] ?? '';
    return clampSpan({ file: this.file, line, column: offset - this.lineStarts[lo]! + 1, length: end - offset, lineText });
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
    if (isScalar(node)) return node.value === null ? 'an empty value' : `'${String(node.value)}'`;
    if (isMap(node)) return 'a mapping';
    if (isSeq(node)) return 'a list';
    if (isAlias(node)) return `the alias '*${node.source}'`;
    return 'an empty value';
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

/** The yaml package's message as a sentence of ours (its stack overflow, should one still happen, said plainly). */
function yamlMessage(message: string): string {
  if (/call stack/i.test(message)) return 'the YAML nests too deeply to read';
  return lowerFirst(message);
}
