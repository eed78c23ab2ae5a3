/**
 * The simulated FTP server, one instance per control connection: RFC 959 replies
 * with vsftpd's habits. Active mode: on RETR/LIST/STOR it connects from its data
 * port to what PORT/EPRT named, and answers 425 when that fails. Passive mode:
 * PASV/EPSV opens a listener on the first free port of the range (or, with
 * passivePortChoice random, the first free one from a seeded random start); a transfer
 * command waits up to dataAcceptTimeoutMs for the client's connection, then 425.
 */
import { formatEndpoint, formatIp, type IpAddress } from '../net/address.js';
import {
  REPLY_AUTH_TLS_OK,
  REPLY_BAD_EPRT,
  REPLY_BAD_PORT,
  REPLY_CANT_OPEN_DATA,
  REPLY_EPRT_FAMILY,
  REPLY_EPRT_FAMILY_V6,
  REPLY_EPRT_OK,
  REPLY_GOODBYE,
  REPLY_GREETING,
  REPLY_LIST_START,
  REPLY_LOGGED_IN,
  REPLY_NEED_PASSWORD,
  REPLY_NO_PASSIVE_PORT,
  REPLY_NO_SUCH_FILE,
  REPLY_NOOP,
  REPLY_NOT_LOGGED_IN,
  REPLY_PASV_V6,
  REPLY_PORT_FIRST,
  REPLY_PORT_OK,
  REPLY_PORT_V6,
  REPLY_STOR_START,
  REPLY_TRANSFER_ABORTED,
  REPLY_TRANSFER_COMPLETE,
  REPLY_TYPE_ASCII,
  REPLY_TYPE_BINARY,
  REPLY_UNKNOWN,
  REPLY_USER_FIRST,
  replyNotUnderstood,
  replyRetrStart,
} from '../ftp/replies.js';
import { formatEpsvReply, formatPasvReply, parseEprtArgument, parsePortArgument, splitCommand, type DataEndpoint } from '../ftp/text.js';
import type { Session } from '../scenario/model.js';
import { formatDurationMs, type Timer } from './clock.js';
import { fileContent, listingContent } from './content.js';
import { ControlChannel, tlsPipeFor, type SimContext } from './control-channel.js';
import type { HostStack, Listener } from './host-stack.js';
import type { TcpSocket } from './tcp.js';

/** A transfer command waiting for, or using, a data connection. */
interface ServerTransfer {
  readonly verb: 'RETR' | 'LIST' | 'STOR';
  readonly arg: string;
  /** bytes to send (RETR, LIST) */
  readonly bytes: number;
}

/** The file sizes a session's server offers: RETR names from the steps, LIST sizes in order. */
export interface ServerFiles {
  readonly retr: ReadonlyMap<string, number>;
  readonly lists: readonly number[];
}

/** Default LIST size when the steps name none. */
const DEFAULT_LIST_BYTES = 512;

/** One server-side FTP session. */
export class FtpServerSession {
  private readonly channel: ControlChannel;
  private readonly who: string;
  private user: string | undefined;
  private loggedIn = false;
  private active: DataEndpoint | undefined;
  private passive: Listener | undefined;
  /** a passive data connection accepted before its transfer command */
  private accepted: TcpSocket | undefined;
  private waiting: { transfer: ServerTransfer; timer: Timer } | undefined;
  private listIndex = 0;

  constructor(
    private readonly ctx: SimContext,
    private readonly session: Session,
    private readonly files: ServerFiles,
    private readonly stack: HostStack,
    private readonly control: TcpSocket,
  ) {
    this.who = `server ${formatIp(stack.addr)}`;
    const pipe = tlsPipeFor(ctx, control.remote, control.remotePort, stack.addr, control.localPort);
    this.channel = new ControlChannel(ctx, control, 'server', pipe, (line) => this.onCommand(line));
    control.handlers = {
      onData: (d) => this.channel.feed(d),
      onEnd: () => {
        this.closeDataSide();
        control.close();
      },
      onAborted: () => this.closeDataSide(),
    };
    this.reply(REPLY_GREETING);
  }

  private get behaviour(): Session['serverBehaviour'] {
    return this.session.serverBehaviour;
  }

  private reply(line: string): void {
    this.channel.sendLine(line);
  }

  private onCommand(line: string): void {
    const { verb, arg } = splitCommand(line);
    switch (verb) {
      case 'USER':
        this.user = arg;
        this.loggedIn = false;
        return this.reply(REPLY_NEED_PASSWORD);
      case 'PASS':
        if (this.user === undefined) return this.reply(REPLY_USER_FIRST);
        this.loggedIn = true;
        return this.reply(REPLY_LOGGED_IN);
      case 'AUTH':
        this.reply(REPLY_AUTH_TLS_OK);
        this.channel.startTlsServer();
        return;
      case 'QUIT':
        this.reply(REPLY_GOODBYE);
        this.closeDataSide();
        this.control.close();
        return;
      case 'NOOP':
        return this.reply(REPLY_NOOP);
    }
    if (!this.loggedIn) return this.reply(REPLY_NOT_LOGGED_IN);
    switch (verb) {
      case 'TYPE':
        return this.reply(arg.toUpperCase().startsWith('A') ? REPLY_TYPE_ASCII : REPLY_TYPE_BINARY);
      case 'PORT':
        return this.onPort(arg);
      case 'EPRT':
        return this.onEprt(arg);
      case 'PASV':
        return this.onPasv(false);
      case 'EPSV':
        return this.onPasv(true);
      case 'RETR': {
        const bytes = this.files.retr.get(arg);
        if (bytes === undefined) return this.reply(REPLY_NO_SUCH_FILE);
        return this.onTransfer({ verb, arg, bytes });
      }
      case 'LIST':
      case 'NLST':
        return this.onTransfer({ verb: 'LIST', arg, bytes: this.files.lists[this.listIndex++] ?? DEFAULT_LIST_BYTES });
      case 'STOR':
        return this.onTransfer({ verb, arg, bytes: 0 });
      default:
        return this.reply(REPLY_UNKNOWN);
    }
  }

  private onPort(arg: string): void {
    if (this.stack.addr.family !== 4) return this.reply(REPLY_PORT_V6);
    const r = parsePortArgument(arg);
    if (!r.ok) return this.reply(REPLY_BAD_PORT);
    this.setActive(r.value);
    this.reply(REPLY_PORT_OK);
  }

  private onEprt(arg: string): void {
    if (!this.behaviour.rfc2428) return this.reply(replyNotUnderstood('EPRT'));
    const r = parseEprtArgument(arg);
    if (!r.ok) return this.reply(REPLY_BAD_EPRT);
    if (r.value.addr.family !== this.stack.addr.family) return this.reply(this.stack.addr.family === 4 ? REPLY_EPRT_FAMILY : REPLY_EPRT_FAMILY_V6);
    this.setActive(r.value);
    this.reply(REPLY_EPRT_OK);
  }

  private setActive(target: DataEndpoint): void {
    this.closeDataSide();
    this.active = target;
  }

  private onPasv(extended: boolean): void {
    if (extended && !this.behaviour.rfc2428) return this.reply(replyNotUnderstood('EPSV'));
    if (!extended && this.stack.addr.family !== 4) return this.reply(REPLY_PASV_V6);
    this.closeDataSide();
    const [lo, hi] = this.behaviour.passivePorts;
    const size = hi - lo + 1;
    // 'random': start at a seeded random port of the range and take the first free one from there (wrapping)
    const start = this.behaviour.passivePortChoice === 'random' ? this.ctx.ports.nextUint32() % size : 0;
    for (let i = 0; i < size; i++) {
      const port = lo + ((start + i) % size);
      const l = this.stack.listen(port, this.who, (s) => this.onAccept(s));
      if (!l) continue;
      this.passive = l;
      const announced: IpAddress = this.behaviour.announceAddress ?? this.stack.addr;
      return this.reply(extended ? formatEpsvReply(port) : formatPasvReply(announced, port));
    }
    this.reply(REPLY_NO_PASSIVE_PORT);
  }

  private onAccept(s: TcpSocket): void {
    // vsftpd accepts one data connection and closes the listening socket.
    this.passive?.close();
    this.passive = undefined;
    const w = this.waiting;
    if (w) {
      w.timer.cancelled = true;
      this.waiting = undefined;
      this.begin(w.transfer, s);
    } else {
      this.accepted = s;
    }
  }

  private onTransfer(t: ServerTransfer): void {
    if (this.active) {
      const target = this.active;
      this.active = undefined;
      const label = `${formatEndpoint(target.addr, target.port)}`;
      this.ctx.net.labelConnection(this.stack.addr, this.behaviour.activeSourcePort, target.addr, target.port, this.session.name, 'data');
      const via = this.session.client.interface;
      const s = this.stack.connect(
        this.behaviour.activeSourcePort,
        target.addr,
        target.port,
        { who: this.who, synRetries: this.behaviour.synRetries, initialRtoMs: this.behaviour.initialRtoMs, via },
        {
          onConnected: () => this.begin(t, s),
          onConnectFailed: (f) => {
            const why =
              f.kind === 'refused'
                ? `cannot connect to ${label}: connection refused (RST)`
                : `gives up connecting to ${label} after ${f.syns} SYNs (${formatDurationMs(f.elapsedMs)})`;
            this.ctx.net.endpointEvent(`${this.who} ${why}: 425 sent`);
            this.reply(REPLY_CANT_OPEN_DATA);
          },
        },
      );
      return;
    }
    if (this.accepted) {
      const s = this.accepted;
      this.accepted = undefined;
      return this.begin(t, s);
    }
    if (this.passive) {
      const port = this.passive.port;
      const timer = this.ctx.queue.after(this.behaviour.dataAcceptTimeoutMs, () => {
        this.waiting = undefined;
        this.passive?.close();
        this.passive = undefined;
        this.ctx.net.endpointEvent(
          `${this.who} waited ${formatDurationMs(this.behaviour.dataAcceptTimeoutMs)} for a data connection on port ${port} after ${t.verb}: 425 sent`,
        );
        this.reply(REPLY_CANT_OPEN_DATA);
      });
      this.waiting = { transfer: t, timer };
      return;
    }
    this.reply(REPLY_PORT_FIRST);
  }

  /** The data connection is open: 150, move the bytes, 226 (or 426 when the connection dies). */
  private begin(t: ServerTransfer, s: TcpSocket): void {
    let finished = false;
    const finish = (line: string): void => {
      if (finished) return;
      finished = true;
      this.reply(line);
    };
    const aborted = (reason: string): void => {
      if (finished) return;
      this.ctx.net.endpointEvent(`${this.who} aborts ${t.verb} on the data connection to ${s.remoteText} (${reason}): 426 sent`);
      finish(REPLY_TRANSFER_ABORTED);
    };
    if (t.verb === 'STOR') {
      s.handlers = {
        onEnd: () => {
          s.close();
          finish(REPLY_TRANSFER_COMPLETE);
        },
        onAborted: aborted,
      };
      this.reply(REPLY_STOR_START);
      return;
    }
    this.reply(t.verb === 'RETR' ? replyRetrStart(t.arg, t.bytes) : REPLY_LIST_START);
    // RFC 959 3.3: for a download the server closes the data connection; 226 once all of it is acknowledged.
    s.handlers = { onDrained: () => finish(REPLY_TRANSFER_COMPLETE), onAborted: aborted };
    s.write(t.verb === 'RETR' ? fileContent(this.ctx.bytes, t.bytes) : listingContent(t.bytes));
    s.close();
  }

  private closeDataSide(): void {
    this.passive?.close();
    this.passive = undefined;
    this.active = undefined;
    if (this.waiting) this.waiting.timer.cancelled = true;
    this.waiting = undefined;
    this.accepted?.close();
    this.accepted = undefined;
  }
}
