/**
 * The packet trace's memory of the last `by` text written per flow and ingress interface (a trace writes a
 * packet's `by` only when it changes within its flow and direction). A long capture has hundreds of thousands of
 * flows and the trace never learns when one ends, so each is kept small: the texts and interface names are
 * interned to numbers, and a flow's first two ingresses (its two sides) sit in a typed array indexed by the flow
 * number, 16 bytes a flow, where a map keyed by `flow|ingress` strings took about 170.
 */
import { grown } from '../collections/typed-grow.js';

/** Slots per flow: (ingress id, text id) for each of two ingresses. */
const SLOTS = 4;

export class LastByTexts {
  private readonly textIds = new Map<string, number>();
  private readonly ingressIds = new Map<string, number>();
  /** flow f's slots at SLOTS * f: ingress id and text id, twice; 0 = none yet */
  private slots = new Int32Array(SLOTS * 1024);
  /** a flow's third ingress and beyond, or a flow number outside the array's range (never in practice) */
  private readonly others = new Map<string, number>();

  /** True when `text` differs from the last one recorded for `flow` and `ingress` (or none was); records it. */
  changed(flow: number, ingress: string, text: string): boolean {
    const t = this.id(this.textIds, text);
    const g = this.id(this.ingressIds, ingress);
    if (!Number.isInteger(flow) || flow < 0 || flow > 0x3fffffff) return this.other(`${flow}|${ingress}`, t);
    const at = SLOTS * flow;
    if (at + SLOTS > this.slots.length) {
      let n = this.slots.length;
      while (n < at + SLOTS) n *= 2;
      this.slots = grown(this.slots, n);
    }
    const s = this.slots;
    for (let k = at; k < at + SLOTS; k += 2) {
      if (s[k] === 0) {
        s[k] = g;
        s[k + 1] = t;
        return true;
      }
      if (s[k] === g) {
        const was = s[k + 1];
        s[k + 1] = t;
        return was !== t;
      }
    }
    return this.other(`${flow}|${ingress}`, t);
  }

  private other(key: string, t: number): boolean {
    const was = this.others.get(key);
    this.others.set(key, t);
    return was !== t;
  }

  private id(ids: Map<string, number>, s: string): number {
    let id = ids.get(s);
    if (id === undefined) ids.set(s, (id = ids.size + 1));
    return id;
  }
}
