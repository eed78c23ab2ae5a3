/**
 * What the HTML renderer reads: the run model (src/model/), as the JSON contract
 * (README "JSON report") shapes it, plus optional table snapshots and the config
 * texts for the rule listing.
 */
import type { SnapshotSeries } from '../../engine/recorder.js';
import type { Flow, PacketRow, RunReport, TraceEvent } from '../../model/index.js';

/** A packet row of the JSON report: the run model's row. */
export type ReportPacket = PacketRow;

/** An event of the JSON report. */
export type ReportEvent = TraceEvent;

/** A flow of the JSON report: the run model's flow. */
export type ReportFlow = Flow;

/** One run of the JSON report (`runs[]`): the parts of the run model the page draws. */
export type ReportRun = Pick<RunReport, 'scenario' | 'source' | 'config' | 'engine' | 'ftp' | 'flows' | 'packets' | 'events'>;

/** One run to draw, with what the JSON does not carry. */
export interface HtmlRun {
  readonly report: ReportRun;
  /** conntrack and expectation tables after packet n, at index n - 1 (stateful runs recorded with recordSnapshots) */
  readonly snapshots?: SnapshotSeries;
  /** lesson narration to show at a packet, by packet number (1-based) */
  readonly notes?: ReadonlyMap<number, string>;
  /** which packets the step-through holds, when not all of them (a long capture's window), as a sentence */
  readonly window?: string;
}

/** A column of a compare matrix: one config and engine over every scenario. */
export interface HtmlMatrixColumn {
  readonly config: string;
  readonly engine: string;
  /** index into `runs` of each scenario's run, in `scenarios` order */
  readonly runs: readonly number[];
  /** one line on what the policy opens beyond FTP's needs */
  readonly exposure?: readonly string[];
}

/** A cell of a summary table: its text, how it reads (colour and weight), and the run whose ladder it opens. */
export interface HtmlCell {
  readonly text: string;
  /** good: works or agrees; bad: blocked or disagrees; warn: partly; dim: not applicable */
  readonly tone?: 'good' | 'bad' | 'warn' | 'dim';
  /** index into `runs`: the cell links to that run's ladder */
  readonly run?: number;
  /** a longer explanation, shown on hover and read by screen readers */
  readonly title?: string;
}

/**
 * A summary table above the runs (probe matrices, verify's kernel-vs-ftpwall flows). The first cell
 * of each row is its header.
 */
export interface HtmlTable {
  readonly title: string;
  readonly head: readonly string[];
  readonly rows: readonly (readonly HtmlCell[])[];
  /** lines under the table (failing cells explained, disagreements) */
  readonly notes?: readonly HtmlCell[];
}

/** Everything one HTML page shows. */
export interface HtmlDocument {
  readonly title: string;
  /** paragraphs shown above the runs (lesson introductions, exercises) */
  readonly intro?: readonly string[];
  readonly runs: readonly HtmlRun[];
  /** config file → its text, for the numbered listing */
  readonly configs: Readonly<Record<string, string>>;
  readonly matrix?: { readonly scenarios: readonly string[]; readonly columns: readonly HtmlMatrixColumn[] };
  /** summary tables, after the matrix and before the runs */
  readonly tables?: readonly HtmlTable[];
  /** closing paragraphs (lesson exercises) */
  readonly outro?: readonly string[];
}
