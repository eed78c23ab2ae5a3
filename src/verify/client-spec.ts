/**
 * The contract between the kernel runner and ftp-client.mjs (which runs inside the
 * client's namespace): what to do, and what it saw.
 */
import type { FtpMode } from '../scenario/model.js';

/** One client step, with times already scaled to real milliseconds. */
export type ClientStep =
  | { readonly index: number; readonly kind: 'login'; readonly user: string; readonly password: string }
  | {
      readonly index: number;
      readonly kind: 'list' | 'retr' | 'stor';
      readonly path?: string;
      readonly file?: string;
      readonly bytes: number;
      readonly splitCommandAt?: readonly number[];
      readonly connectDelayMs?: number;
    }
  | { readonly index: number; readonly kind: 'auth-tls' }
  | { readonly index: number; readonly kind: 'wait'; readonly ms: number }
  | { readonly index: number; readonly kind: 'raw'; readonly line: string }
  | { readonly index: number; readonly kind: 'quit' };

/** Everything the client needs, passed as one JSON argument. */
export interface ClientSpec {
  readonly serverAddress: string;
  readonly serverPort: number;
  readonly clientAddress: string;
  readonly controlPort: number;
  /** local port of the first data connection; each passive connect attempt and each active listener takes the next */
  readonly dataPort: number;
  readonly mode: FtpMode;
  readonly epsvFallback: boolean;
  readonly announceAddress?: string;
  readonly announcePort?: number;
  readonly dataSourceAddress?: string;
  /** 'ignore': connect passive data connections to the control connection's address, not the 227's */
  readonly pasvAddress?: 'use' | 'ignore';
  /** bound on each connect (control and passive data) and on waiting for the server's active connect */
  readonly connectTimeoutMs: number;
  /** bound on each reply */
  readonly replyTimeoutMs: number;
  /** bound on the whole session */
  readonly sessionTimeoutMs: number;
  readonly steps: readonly ClientStep[];
}

/** One data transfer as the client saw it. */
export interface ClientTransfer {
  /** 0-based index of the scenario step */
  readonly step: number;
  readonly kind: 'list' | 'retr' | 'stor';
  /** the mode finally used (an EPSV fallback makes it 'passive') */
  readonly mode: FtpMode;
  readonly ok: boolean;
  readonly bytes: number;
  /** replies to this transfer's commands, in order */
  readonly replies: readonly string[];
  /** the FTP client's end of the data connection, `ip:port` */
  readonly dataClient?: string;
  /** the FTP server's end, `ip:port` */
  readonly dataServer?: string;
  readonly fallback?: string;
  readonly error?: string;
}

/** What the client prints. */
export interface ClientResult {
  readonly control: { readonly client: string; readonly server: string; readonly connected: boolean; readonly error?: string };
  readonly replies: readonly string[];
  readonly transfers: readonly ClientTransfer[];
  readonly commands: readonly string[];
}
