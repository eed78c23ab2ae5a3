/**
 * What the HTML renderer reads: the run report exactly as the JSON contract
 * (README "JSON report") shapes it, so any builder of that document fits, plus
 * optional table snapshots and the config texts for the rule listing.
 */
import type { TablesView } from '../../engine/stateful/firewall.js';

/** A packet row of the JSON report. */
export interface ReportPacket {
  readonly n: number;
  readonly tMs: number;
  readonly src: string;
  readonly dst: string;
  readonly proto: string;
  readonly flags?: string;
  readonly len: number;
  readonly text?: string;
  readonly ingress: string;
  readonly egress: string;
  readonly action: 'permit' | 'deny';
  readonly by: string;
  readonly flow: number;
  readonly session?: string;
  readonly note?: string;
}

/** An event of the JSON report. */
export interface ReportEvent {
  readonly tMs: number;
  readonly kind: string;
  readonly packet?: number;
  readonly text: string;
}

/** A flow of the JSON report. */
export interface ReportFlow {
  readonly id: number;
  readonly role: string;
  readonly proto: string;
  readonly session?: string;
  readonly client: string;
  readonly server: string;
  readonly outcome: 'passed' | 'blocked';
  readonly firstBlocked: { readonly n: number; readonly packet: string; readonly by: string } | null;
  readonly packets: number;
  readonly bytesPassed: number;
}

/** One run of the JSON report (`runs[]`). */
export interface ReportRun {
  readonly scenario: string;
  readonly source: string;
  readonly config: string;
  readonly engine: string;
  readonly ftp: { readonly works: boolean; readonly summary: string };
  readonly flows: readonly ReportFlow[];
  readonly packets: readonly ReportPacket[];
  readonly events: readonly ReportEvent[];
}

/** One run to draw, with what the JSON does not carry. */
export interface HtmlRun {
  readonly report: ReportRun;
  /** conntrack and expectation tables after packet n, at index n - 1 (stateful runs recorded with recordSnapshots) */
  readonly snapshots?: readonly TablesView[];
  /** lesson narration to show at a packet, by packet number (1-based) */
  readonly notes?: ReadonlyMap<number, string>;
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

/** Everything one HTML page shows. */
export interface HtmlDocument {
  readonly title: string;
  /** paragraphs shown above the runs (lesson introductions, exercises) */
  readonly intro?: readonly string[];
  readonly runs: readonly HtmlRun[];
  /** config file → its text, for the numbered listing */
  readonly configs: Readonly<Record<string, string>>;
  readonly matrix?: { readonly scenarios: readonly string[]; readonly columns: readonly HtmlMatrixColumn[] };
  /** closing paragraphs (lesson exercises) */
  readonly outro?: readonly string[];
}
