/**
 * A scenario: hosts on the firewall's interfaces and FTP sessions between them,
 * with the behaviour of each client and server. Loaded from YAML by scenario/load.ts.
 */
import type { SourceSpan } from '../diag/diagnostic.js';
import type { IpAddress } from '../net/address.js';

/** How the client asks for data connections. */
export type FtpMode =
  /** PORT h1,h2,h3,h4,p1,p2 (RFC 959) */
  | 'active'
  /** PASV, 227 reply (RFC 959) */
  | 'passive'
  /** EPRT |af|addr|port| (RFC 2428) */
  | 'extended-active'
  /** EPSV, 229 reply (RFC 2428) */
  | 'extended-passive';

/** A host: an address behind one firewall interface. */
export interface Host {
  readonly name: string;
  readonly address: IpAddress;
  /** the firewall interface this host sits behind */
  readonly interface: string;
  /** the VPN instance its traffic belongs to; undefined: public (non-VPN) traffic */
  readonly vpn?: string;
  readonly at: SourceSpan;
  /** where the interface name is written */
  readonly interfaceAt?: SourceSpan;
}

/** How the FTP client behaves. */
export interface ClientBehaviour {
  readonly mode: FtpMode;
  /** local port of the control connection */
  readonly controlPort: number;
  /** local port of the first data connection; default controlPort + 1; each further transfer takes the next port */
  readonly dataPort: number;
  /** on a failed EPSV (error reply or unreachable port) retry the transfer with PASV, as curl does */
  readonly epsvFallback: boolean;
  /** the address written into PORT/EPRT when it is not the client's own (FTP bounce) */
  readonly announceAddress?: IpAddress;
  /** the port written into PORT/EPRT when it is not the listening data port (e.g. a privileged port) */
  readonly announcePort?: number;
  /** connect the passive data connection from this address instead of the client's own (an unexpected source) */
  readonly dataSourceAddress?: IpAddress;
  /** how often a SYN is retransmitted before the connect fails (Linux tcp_syn_retries = 6) */
  readonly synRetries: number;
  /** first retransmission timeout in ms; doubles on each retry (Linux: 1000) */
  readonly initialRtoMs: number;
  /** the address the client connects to when it is not the server host's own (the server's public NAT address) */
  readonly serverAddress?: IpAddress;
  /** what the client does with the 227's address: use it (default), or ignore it and reuse the control connection's (curl's default since 7.74, --ftp-skip-pasv-ip) */
  readonly pasvAddress?: 'use' | 'ignore';
}

/** How a server picks its passive port from its range. */
export type PassivePortChoice = 'first' | 'random' | 'each';

/** What a scenario is expected to show: FTP working, or (a bounce, a probe of a hole) being blocked. */
export type ExpectedVerdict = 'works' | 'blocked';

/** How the FTP server behaves. */
export interface ServerBehaviour {
  /** the control port it listens on */
  readonly controlPort: number;
  /** passive ports, inclusive; which one is used: passivePortChoice */
  readonly passivePorts: readonly [number, number];
  /** first (default): the first free port; random: a seeded random free port; each: the scenario is run once per port-space cell of the range */
  readonly passivePortChoice?: PassivePortChoice;
  /** source port of active-mode data connections (RFC 959: L-1 = 20) */
  readonly activeSourcePort: number;
  /** the address written into 227 replies when it is not the server's own (e.g. a public NAT address) */
  readonly announceAddress?: IpAddress;
  /** how long the server waits for a passive data connection before 425 (ms) */
  readonly dataAcceptTimeoutMs: number;
  /** answer EPSV/EPRT with 500/502 (servers that do not support RFC 2428) */
  readonly rfc2428: boolean;
  /** how often the server retransmits its active-mode SYN */
  readonly synRetries: number;
  readonly initialRtoMs: number;
}

/** One thing the client does on the control connection. */
export type Step =
  | { readonly kind: 'login'; readonly user: string; readonly password: string; readonly at: SourceSpan }
  | { readonly kind: 'list'; readonly path?: string; readonly bytes: number; readonly transfer: TransferOptions; readonly at: SourceSpan }
  | { readonly kind: 'retr'; readonly file: string; readonly bytes: number; readonly transfer: TransferOptions; readonly at: SourceSpan }
  | { readonly kind: 'stor'; readonly file: string; readonly bytes: number; readonly transfer: TransferOptions; readonly at: SourceSpan }
  /** AUTH TLS: from here on the control channel is encrypted (opaque to a helper) */
  | { readonly kind: 'auth-tls'; readonly at: SourceSpan }
  /** the client waits (virtual time) before the next step */
  | { readonly kind: 'wait'; readonly sec: number; readonly at: SourceSpan }
  /** a raw command line sent as is (without CRLF), e.g. a malformed PORT */
  | { readonly kind: 'raw'; readonly line: string; readonly at: SourceSpan }
  | { readonly kind: 'quit'; readonly at: SourceSpan };

/** Per-transfer tweaks (on list/retr/stor steps) that tests need. */
export interface TransferOptions {
  /** send the PORT/EPRT command in TCP segments split at these byte offsets of the line */
  readonly splitCommandAt?: readonly number[];
  /** wait this long after the 227/229/200 reply before opening the data connection (s) */
  readonly connectDelaySec?: number;
}

/** One FTP session between a client host and a server host. */
export interface Session {
  readonly name: string;
  readonly client: Host;
  readonly server: Host;
  readonly clientBehaviour: ClientBehaviour;
  readonly serverBehaviour: ServerBehaviour;
  /** when the session starts on the virtual clock (ms) */
  readonly startMs: number;
  readonly steps: readonly Step[];
}

/** The firewall's own address on one of its interfaces (`interfaces:`), for MASQUERADE. */
export interface InterfaceAddress {
  readonly name: string;
  readonly address: IpAddress;
  readonly at: SourceSpan;
}

/** A whole scenario file. */
export interface Scenario {
  readonly name: string;
  readonly description?: string;
  /** the file it was loaded from */
  readonly source: string;
  readonly hosts: readonly Host[];
  readonly sessions: readonly Session[];
  /** seed for the simulator's randomness (initial sequence numbers) */
  readonly seed: number;
  /** the device's wall clock when the scenario starts (`startTime:`, ISO 8601), as written and as wall-clock ms */
  readonly startTime?: { readonly text: string; readonly wallMs: number };
  /** the verdict that counts as good for this scenario (default works); a blocked bounce is good */
  readonly expect?: ExpectedVerdict;
  /** the firewall's own address on its interfaces (`interfaces:`), which MASQUERADE translates to */
  readonly interfaces?: readonly InterfaceAddress[];
}

/**
 * The longest time a scenario may name (about 31.7 years). The virtual clock counts
 * milliseconds in a double: far beyond this (1e300 s) adding a millisecond no longer
 * changes it, and the simulation would stand still.
 */
export const MAX_SECONDS = 1_000_000_000;
