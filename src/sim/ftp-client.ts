/**
 * The simulated FTP client, one per session: runs the scenario's steps on the
 * control connection the way curl does. Passive modes: PASV/EPSV, connect to
 * the announced endpoint, then send the transfer command; EPSV refused or its
 * connection failed → PASV when epsvFallback is on (curl's ftp_epsv_disable).
 * Active modes: listen, PORT/EPRT, send the command, accept the server's connection.
 */
import { formatEndpoint, formatIp, type IpAddress } from '../net/address.js';
import { formatEprt, formatPort, parseEpsvReply, parsePasvReply, parseReplyLine, type ReplyLine } from '../ftp/text.js';
import type { SessionOutcome, TransferOutcome } from '../engine/trace.js';
import type { FtpMode, Session, Step } from '../scenario/model.js';
import { formatDurationMs } from './clock.js';
import { fileContent } from './content.js';
import { ControlChannel, tlsPipeFor, type SimContext } from './control-channel.js';
import type { HostStack, Listener } from './host-stack.js';
import type { ConnectFailure, TcpSocket } from './tcp.js';

type TransferStep = Extract<Step, { kind: 'list' | 'retr' | 'stor' }>;

/** One transfer step while it runs. */
interface Transfer {
  readonly step: TransferStep;
  readonly command: string;
  readonly notes: string[];
  lastReply: string;
  finalReply: string | undefined;
  finalOk: boolean;
  /** download: the server's FIN arrived; upload: not used */
  dataEnded: boolean;
  preliminary: boolean;
  data: TcpSocket | undefined;
  listener: Listener | undefined;
  uploadStarted: boolean;
  done: boolean;
}

/** "client 10.0.0.2 gives up connecting to 192.168.10.1:50021 after 7 SYNs (127 s)" or "… cannot connect to …: connection refused (RST)". */
function giveUpText(who: string, target: string, f: ConnectFailure): string {
  return f.kind === 'refused'
    ? `${who} cannot connect to ${target}: connection refused (RST)`
    : `${who} gives up connecting to ${target} after ${f.syns} SYNs (${formatDurationMs(f.elapsedMs)})`;
}

function failureText(f: ConnectFailure): string {
  return f.kind === 'refused' ? 'connection refused (RST)' : `no SYN-ACK after ${f.syns} SYNs (${formatDurationMs(f.elapsedMs)})`;
}

/** The client side of one session. */
export class FtpClient {
  private readonly transcript: string[] = [];
  private readonly transfers: TransferOutcome[] = [];
  private readonly stack: HostStack;
  private readonly who: string;
  private channel: ControlChannel | undefined;
  private pending: ((r: ReplyLine, line: string) => void) | undefined;
  private pendingCommand = '';
  private stepIndex = 0;
  private nextDataPort: number;
  private epsvDisabled = false;
  private eprtDisabled = false;
  private greeted = false;
  private loginOk = false;
  private quitting = false;
  private controlLost: string | undefined;
  private current: Transfer | undefined;

  constructor(
    private readonly ctx: SimContext,
    private readonly session: Session,
  ) {
    const stack = ctx.net.stackOf(session.client.address);
    if (!stack) throw new Error(`no stack for client ${session.client.name}`);
    this.stack = stack;
    this.who = `client ${formatIp(session.client.address)}`;
    this.nextDataPort = session.clientBehaviour.dataPort;
  }

  private get cb(): Session['clientBehaviour'] {
    return this.session.clientBehaviour;
  }

  private get server(): IpAddress {
    return this.cb.serverAddress ?? this.session.server.address;
  }

  /** Opens the control connection; the steps run after the 220 greeting. */
  start(): void {
    const s = this.session;
    const serverPort = s.serverBehaviour.controlPort;
    const target = formatEndpoint(this.server, serverPort);
    this.ctx.net.labelConnection(s.client.address, this.cb.controlPort, this.server, serverPort, s.name, 'control');
    const pipe = tlsPipeFor(this.ctx, s.client.address, this.cb.controlPort, this.server, serverPort);
    const sock = this.stack.connect(
      this.cb.controlPort,
      this.server,
      serverPort,
      { who: this.who, synRetries: this.cb.synRetries, initialRtoMs: this.cb.initialRtoMs },
      {
        onConnectFailed: (f) => {
          this.controlLost = `control connection to ${target} failed: ${failureText(f)}`;
          this.ctx.net.endpointEvent(`${giveUpText(this.who, target, f)}: no control connection, the session ends`);
        },
        onData: (d) => this.channel?.feed(d),
        onEnd: () => {
          sock.close();
          if (!this.quitting) this.lose(`the server closed the control connection`);
        },
        onAborted: (reason) => this.lose(`control connection lost: ${reason}`),
      },
    );
    this.channel = new ControlChannel(this.ctx, sock, 'client', pipe, (line) => this.onLine(line));
    this.expect((r) => {
      if (r.code === 220) {
        this.greeted = true;
        this.nextStep();
      }
    }, '(connect)');
  }

  private lose(why: string): void {
    if (this.controlLost) return;
    this.controlLost = why;
    this.pending = undefined;
    if (this.current && !this.current.done) this.finish(this.current, false, why);
  }

  private onLine(line: string): void {
    this.transcript.push(`< ${line}`);
    const r = parseReplyLine(line);
    if (!r || r.continued) return;
    const h = this.pending;
    this.pending = undefined;
    h?.(r, line);
  }

  private expect(handler: (r: ReplyLine, line: string) => void, command: string): void {
    this.pending = handler;
    this.pendingCommand = command;
  }

  private send(line: string, handler: (r: ReplyLine, line: string) => void, splitAt?: readonly number[]): void {
    this.transcript.push(`> ${line}`);
    this.expect(handler, line);
    this.channel?.sendLine(line, splitAt);
  }

  private nextStep(): void {
    if (this.controlLost) return;
    const step = this.session.steps[this.stepIndex++];
    if (!step) return;
    switch (step.kind) {
      case 'login':
        return this.send(`USER ${step.user}`, (r) => {
          if (r.code === 230) return this.afterLogin();
          if (r.code !== 331) return this.nextStep();
          this.send(`PASS ${step.password}`, (r2) => (r2.code === 230 ? this.afterLogin() : this.nextStep()));
        });
      case 'auth-tls':
        return this.send('AUTH TLS', (r) => {
          if (r.code === 234) this.channel?.startTlsClient(() => this.nextStep());
          else this.nextStep();
        });
      case 'wait':
        this.ctx.queue.after(step.sec * 1000, () => this.nextStep());
        return;
      case 'raw': {
        const onReply = (r: ReplyLine): void => (r.code < 200 ? this.expect(onReply, step.line) : this.nextStep());
        return this.send(step.line, onReply);
      }
      case 'quit':
        this.quitting = true;
        return this.send('QUIT', () => this.nextStep());
      case 'list':
      case 'retr':
      case 'stor':
        return this.transfer(step);
    }
  }

  private afterLogin(): void {
    this.loginOk = true;
    this.send('TYPE I', () => this.nextStep());
  }

  private transfer(step: TransferStep): void {
    const command = step.kind === 'list' ? (step.path ? `LIST ${step.path}` : 'LIST') : `${step.kind.toUpperCase()} ${step.file}`;
    const t: Transfer = {
      step,
      command,
      notes: [],
      lastReply: '',
      finalReply: undefined,
      finalOk: false,
      dataEnded: false,
      preliminary: false,
      data: undefined,
      listener: undefined,
      uploadStarted: false,
      done: false,
    };
    this.current = t;
    let mode: FtpMode = this.cb.mode;
    if (mode === 'extended-passive' && this.epsvDisabled) mode = 'passive';
    if (mode === 'extended-active' && this.eprtDisabled) mode = 'active';
    if (mode === 'passive' || mode === 'extended-passive') this.passiveAttempt(t, mode);
    else this.activeAttempt(t, mode);
  }

  /** curl falls back from EPSV/EPRT to PASV/PORT; only IPv4 can (RFC 959 forms carry IPv4 only). */
  private canFallBack(): boolean {
    return this.cb.epsvFallback && this.server.family === 4;
  }

  private passiveAttempt(t: Transfer, mode: 'passive' | 'extended-passive'): void {
    const verb = mode === 'passive' ? 'PASV' : 'EPSV';
    this.send(
      verb,
      (r, line) => {
        t.lastReply = line;
        let target: { addr: IpAddress; port: number } | undefined;
        if (mode === 'passive' && r.code === 227) {
          const p = parsePasvReply(line);
          // `pasvAddress: ignore`: the 227's address is replaced by the control connection's (curl --ftp-skip-pasv-ip)
          if (p.ok) target = this.cb.pasvAddress === 'ignore' ? { addr: this.server, port: p.value.port } : p.value;
          else return this.finish(t, false, `cannot read the 227 reply: ${p.reason}`);
        } else if (mode === 'extended-passive' && r.code === 229) {
          // RFC 2428 3: the data connection goes to the address of the control connection.
          const p = parseEpsvReply(line);
          if (p.ok) target = { addr: this.server, port: p.port };
          else return this.finish(t, false, `cannot read the 229 reply: ${p.reason}`);
        } else if (mode === 'extended-passive' && r.code >= 500 && this.canFallBack()) {
          this.epsvDisabled = true;
          t.notes.push(`EPSV refused (${line}), retried with PASV`);
          this.ctx.net.endpointEvent(`${this.who} gets "${line}" for EPSV: retrying with PASV`);
          return this.passiveAttempt(t, 'passive');
        } else {
          return this.finish(t, false);
        }
        const go = (): void => this.openPassiveData(t, mode, target);
        const delaySec = t.step.transfer.connectDelaySec ?? 0;
        if (delaySec > 0) this.ctx.queue.after(delaySec * 1000, go);
        else go();
      },
      t.step.transfer.splitCommandAt,
    );
  }

  private openPassiveData(t: Transfer, mode: 'passive' | 'extended-passive', target: { addr: IpAddress; port: number }): void {
    if (this.controlLost) return;
    const source = this.cb.dataSourceAddress ?? this.session.client.address;
    const stack = this.ctx.net.stackOf(source) ?? this.stack;
    const who = `client ${formatIp(source)}`;
    const localPort = this.nextDataPort++;
    const targetText = formatEndpoint(target.addr, target.port);
    this.ctx.net.labelConnection(source, localPort, target.addr, target.port, this.session.name, 'data');
    const s = stack.connect(
      localPort,
      target.addr,
      target.port,
      { who, synRetries: this.cb.synRetries, initialRtoMs: this.cb.initialRtoMs, via: this.session.server.interface },
      {
        onConnected: () => {
          t.data = s;
          this.attachData(t, s);
          this.sendTransferCommand(t);
        },
        onConnectFailed: (f) => {
          const why = `data connection to ${targetText} failed: ${failureText(f)}`;
          if (mode === 'extended-passive' && this.canFallBack()) {
            this.epsvDisabled = true;
            t.notes.push(`${why}; retried with PASV`);
            this.ctx.net.endpointEvent(`${giveUpText(who, targetText, f)}: retrying with PASV`);
            return this.passiveAttempt(t, 'passive');
          }
          this.ctx.net.endpointEvent(`${giveUpText(who, targetText, f)}: ${t.command} not sent`);
          this.finish(t, false, why);
        },
      },
    );
  }

  private activeAttempt(t: Transfer, mode: 'active' | 'extended-active'): void {
    const localPort = this.nextDataPort++;
    const listener = this.stack.listen(localPort, this.who, (s) => {
      listener?.close();
      t.listener = undefined;
      t.data = s;
      this.attachData(t, s);
      this.maybeUpload(t);
    });
    if (!listener) return this.finish(t, false, `local port ${localPort} is in use`);
    t.listener = listener;
    const addr = this.cb.announceAddress ?? this.session.client.address;
    const port = this.cb.announcePort ?? localPort;
    const line = mode === 'active' ? formatPort(addr, port) : formatEprt(addr, port);
    this.send(
      line,
      (r, reply) => {
        t.lastReply = reply;
        if (r.code === 200) {
          const delaySec = t.step.transfer.connectDelaySec ?? 0;
          if (delaySec > 0) this.ctx.queue.after(delaySec * 1000, () => this.sendTransferCommand(t));
          else this.sendTransferCommand(t);
          return;
        }
        listener.close();
        t.listener = undefined;
        if (mode === 'extended-active' && r.code >= 500 && this.canFallBack()) {
          this.eprtDisabled = true;
          t.notes.push(`EPRT refused (${reply}), retried with PORT`);
          this.ctx.net.endpointEvent(`${this.who} gets "${reply}" for EPRT: retrying with PORT`);
          return this.activeAttempt(t, 'active');
        }
        this.finish(t, false);
      },
      t.step.transfer.splitCommandAt,
    );
  }

  private sendTransferCommand(t: Transfer): void {
    if (this.controlLost || t.done) return;
    const onReply = (r: ReplyLine, line: string): void => {
      t.lastReply = line;
      if (r.code < 200) {
        t.preliminary = true;
        this.maybeUpload(t);
        this.expect(onReply, t.command);
        return;
      }
      t.finalReply = line;
      if (r.code < 300) {
        t.finalOk = true;
        this.maybeComplete(t);
      } else {
        this.finish(t, false);
      }
    };
    this.send(t.command, onReply);
  }

  private attachData(t: Transfer, s: TcpSocket): void {
    if (t.step.kind === 'stor') {
      s.handlers = { onAborted: (reason) => t.notes.push(`data connection lost: ${reason}`) };
      return;
    }
    s.handlers = {
      onEnd: () => {
        // The server closed after sending (RETR/LIST): close our side too.
        s.close();
        t.dataEnded = true;
        this.maybeComplete(t);
      },
      onAborted: (reason) => t.notes.push(`data connection lost: ${reason}`),
    };
  }

  private maybeUpload(t: Transfer): void {
    if (t.step.kind !== 'stor' || t.uploadStarted || !t.preliminary || !t.data) return;
    t.uploadStarted = true;
    // RFC 959 3.3: for STOR the sender closes the data connection to mark the end of the file.
    t.data.write(fileContent(this.ctx.bytes, t.step.bytes));
    t.data.close();
  }

  private maybeComplete(t: Transfer): void {
    if (!t.finalOk) return;
    if (t.step.kind !== 'stor' && !t.dataEnded) return;
    this.finish(t, true);
  }

  private finish(t: Transfer, ok: boolean, note?: string): void {
    if (t.done) return;
    t.done = true;
    if (note) t.notes.push(note);
    t.listener?.close();
    if (!ok && t.data && t.data.state !== 'closed' && t.data.state !== 'time-wait') t.data.close();
    this.transfers.push({
      command: t.command,
      ok,
      reply: t.finalReply ?? t.lastReply,
      ...(t.notes.length > 0 ? { note: t.notes.join('; ') } : {}),
    });
    if (this.current === t) this.current = undefined;
    if (!this.controlLost) this.nextStep();
  }

  /** The session as the client saw it, when the simulation has ended. */
  outcome(): SessionOutcome {
    const transfers = [...this.transfers];
    const t = this.current;
    if (t && !t.done) {
      transfers.push({
        command: t.command,
        ok: false,
        reply: t.finalReply ?? t.lastReply,
        note: [...t.notes, this.controlLost ?? `no reply to '${this.pendingCommand}' when the simulation ended`].join('; '),
      });
    }
    const allSteps = this.stepIndex >= this.session.steps.length && !this.pending;
    const needsLogin = this.session.steps.some((s) => s.kind === 'login');
    const works =
      this.greeted &&
      this.controlLost === undefined &&
      allSteps &&
      (!needsLogin || this.loginOk) &&
      transfers.every((x) => x.ok);
    return { name: this.session.name, works, loginOk: this.loginOk, transfers, transcript: [...this.transcript] };
  }
}
