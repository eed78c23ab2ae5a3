/** Mermaid's own parser in Node: mermaid sanitises with DOMPurify, which needs a window, so jsdom provides one. */
import { JSDOM } from 'jsdom';

let parser: ((text: string) => Promise<unknown>) | undefined;

/** Parses Mermaid text with the mermaid package; resolves to the diagram type, rejects with mermaid's error. */
export async function parseMermaid(text: string): Promise<string> {
  if (!parser) {
    const dom = new JSDOM('<!doctype html><html><body></body></html>');
    const g = globalThis as unknown as Record<string, unknown>;
    g['window'] ??= dom.window;
    g['document'] ??= dom.window.document;
    const mod = (await import('mermaid')) as unknown as { default: { parse: (t: string) => Promise<unknown> } };
    parser = (t) => mod.default.parse(t);
  }
  const r = (await parser(text)) as { diagramType: string };
  return r.diagramType;
}
