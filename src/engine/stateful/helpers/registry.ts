/**
 * The connection tracking helpers ftpwall simulates, by the name the kernel registers them under
 * (nf_conntrack_helper: `ftp` for port 21, `ftp-PORT` for other `ports=`). Rules assign them by name
 * (`-j CT --helper ftp`, nft `ct helper` objects of type "ftp").
 */
import { PROTO_TCP } from '../../../net/packet.js';
import { createFtpHelperState, type FtpHelperState } from './ftp-session.js';

/** One registered helper. */
export interface HelperEntry {
  /** the kernel's helper name */
  readonly name: string;
  /** the layer-4 protocol it attaches to */
  readonly proto: number;
  /** a fresh per-connection state */
  create(): FtpHelperState;
}

/** The helper registered under `name`, or undefined when ftpwall does not simulate it. */
export function lookupHelper(name: string): HelperEntry | undefined {
  const m = /^ftp(?:-(\d{1,5}))?$/.exec(name);
  if (!m) return undefined;
  return { name, proto: PROTO_TCP, create: () => ({ ...createFtpHelperState(21), name }) };
}

/** Names of helpers the kernel knows but ftpwall does not simulate (for messages). */
export const SIMULATED_HELPERS = ['ftp'] as const;
