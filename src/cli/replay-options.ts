/** The options of `ftpwall replay` as commander parses them, and the checks of the ones that need more than a type: `--steps`, `--at`. */
import type { EngineChoice } from './inputs.js';
import { InputProblems } from './io.js';
import { parseWallClock } from '../policy/time-range.js';
import type { PacketWindow } from '../replay/index.js';
import { DEFAULT_HTML_STEPS, DEFAULT_STEP_WINDOW, parseStepWindow } from './step-window.js';

/** Options of `replay`, as commander parses them. */
export interface ReplayOptions {
  /** `--platform`: the kind of H3C device */
  readonly platform?: string;
  /** `--dialect`: the config dialect (default: detected from the content) */
  readonly dialect?: string;
  /** one or more configs (`-c A -c B`): each input runs through each config */
  readonly config: readonly string[];
  readonly engine: EngineChoice;
  readonly format: 'table' | 'json' | 'ladder' | 'md' | 'mermaid' | 'html';
  readonly packets: boolean;
  readonly expect?: 'works' | 'blocked';
  readonly inspect?: string;
  readonly ftpPort: number[];
  readonly loose: boolean;
  /** `--no-nat-ftp` (commander: true unless given) */
  readonly natFtp?: boolean;
  readonly output?: string;
  /** `PREFIX@IFACE`, repeatable (captures) */
  readonly inside?: string[];
  readonly outsideInterface?: string;
  readonly topology?: string;
  /** write the run's packets with verdict comments as pcapng */
  readonly pcapOut?: string;
  /** `--at`: the device's wall clock at the start, ISO 8601 */
  readonly at?: string;
  /** totals and blocked flows only */
  readonly summary?: boolean;
  /** a progress bar on a terminal's stderr (commander's --no-progress sets false) */
  readonly progress?: boolean;
  /** `--max-packets`: the simulation work limit */
  readonly maxPackets?: number;
  /** `--jobs`: worker threads (default: the core count); a capture is sharded by host pair */
  readonly jobs?: number;
  readonly conntrackTimeout?: string[];
  readonly expectationTimeout?: string;
  readonly conntrackMax?: string;
  /** `--steps FIRST-LAST`: the packets of a capture the HTML step-through holds */
  readonly steps?: string;
}

/** The formats that draw a capture's packets one by one: a window of them (--steps). */
const DRAWN_FORMATS: ReadonlySet<ReplayOptions['format']> = new Set(['html', 'ladder', 'md', 'mermaid']);

/**
 * `--steps` as the window of packets a capture's page or diagram draws (html; ladder, md and mermaid with
 * --packets or --steps), or an input problem; undefined when the format draws no packets.
 */
export function stepWindowOption(opts: ReplayOptions): { window: PacketWindow; chosen: boolean } | undefined {
  if (!DRAWN_FORMATS.has(opts.format)) {
    if (opts.steps !== undefined)
      throw new InputProblems([{ severity: 'error', message: `--steps '${opts.steps}' chooses the packets a capture's HTML step-through or diagram draws, and the format is ${opts.format}`, suggestion: 'add --format html (or ladder, md, mermaid), or drop --steps' }]);
    return undefined;
  }
  if (opts.steps === undefined) return opts.format === 'html' || opts.packets ? { window: DEFAULT_STEP_WINDOW, chosen: false } : undefined;
  const w = parseStepWindow(opts.steps);
  if (typeof w === 'string') throw new InputProblems([{ severity: 'error', message: `--steps ${w}`, suggestion: `e.g. --steps 1-${DEFAULT_HTML_STEPS} (the default), or --steps 600000 for the ${DEFAULT_HTML_STEPS.toLocaleString('en-US')} packets from packet 600,000` }]);
  return { window: w, chosen: true };
}

/** `--at` as device wall-clock ms, or an input problem. */
export function atOption(opts: ReplayOptions): number | undefined {
  if (opts.at === undefined) return undefined;
  const wallMs = parseWallClock(opts.at);
  if (wallMs === undefined)
    throw new InputProblems([{ severity: 'error', message: `--at '${opts.at}': not an ISO 8601 date and time`, suggestion: "write it as 2026-03-02T09:30 (the device's local clock)" }]);
  return wallMs;
}
