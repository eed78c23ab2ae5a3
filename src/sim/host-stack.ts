/**
 * The TCP/IP stack of one simulated address: listening sockets, connections by
 * 4-tuple, and RST for a segment that finds neither (RFC 9293 3.10.7.1).
 */
import { ipKey, type IpAddress } from '../net/address.js';
import { TCP_ACK, TCP_FIN, TCP_RST, TCP_SYN, type Packet } from '../net/packet.js';
import type { Network } from './network.js';
import { add, EMPTY, tcpPacket, TcpSocket, type ConnectOptions, type SocketHandlers } from './tcp.js';

/** A listening socket; accepted connections arrive through `onAccept` once the handshake completes. */
export interface Listener {
  readonly port: number;
  readonly who: string;
  onAccept: (socket: TcpSocket) => void;
  close(): void;
}

/** The TCP/IP stack of one address: listeners, sockets, and RST for everything else. */
export class HostStack {
  private readonly listeners = new Map<number, Listener>();
  private readonly sockets = new Map<string, TcpSocket>();
  /**
   * The same sockets by local port, so port checks do not scan every socket (that was quadratic in
   * sessions): how many hold each port, and those not yet seen in TIME-WAIT or CLOSED (they never return).
   */
  private readonly socketsOnPort = new Map<number, number>();
  private readonly liveOnPort = new Map<number, Set<TcpSocket>>();

  constructor(
    readonly net: Network,
    readonly addr: IpAddress,
    readonly iface: string,
  ) {}

  /**
   * Listens on `port`; undefined when a listener or a live connection holds it. A finished connection
   * (TIME-WAIT or closed) does not: servers set SO_REUSEADDR (vsftpd on its passive socket, privops.c),
   * which lets Linux bind over TIME-WAIT. Seen in the kernel (ftpwall verify): vsftpd offers the same
   * passive port for each transfer of a session. (Linux would allow it over a live connection too; the
   * simulated server keeps concurrent sessions on distinct ports, as a random choice in a range mostly does.)
   */
  listen(port: number, who: string, onAccept: (socket: TcpSocket) => void): Listener | undefined {
    if (this.listeners.has(port)) return undefined;
    const live = this.liveOnPort.get(port);
    if (live)
      for (const s of live) {
        if (s.state !== 'time-wait' && s.state !== 'closed') return undefined;
        live.delete(s);
      }
    const listeners = this.listeners;
    const l: Listener = {
      port,
      who,
      onAccept,
      close() {
        if (listeners.get(port) === l) listeners.delete(port);
      },
    };
    listeners.set(port, l);
    return l;
  }

  /** True when a listener or a socket (including one in TIME-WAIT) holds local `port`. */
  portInUse(port: number): boolean {
    if (this.listeners.has(port)) return true;
    return (this.socketsOnPort.get(port) ?? 0) > 0;
  }

  /** Opens a connection from local `localPort` to `remote:remotePort`: the SYN leaves now. */
  connect(localPort: number, remote: IpAddress, remotePort: number, options: ConnectOptions, handlers: SocketHandlers): TcpSocket {
    const s = new TcpSocket(this, localPort, remote, remotePort, options.who, options.via, handlers);
    this.track(socketKey(localPort, remote, remotePort), s);
    s.openActive(options.synRetries, options.initialRtoMs);
    return s;
  }

  /** Forgets a socket that reached CLOSED. */
  remove(s: TcpSocket): void {
    const key = socketKey(s.localPort, s.remote, s.remotePort);
    if (this.sockets.get(key) === s) this.untrack(key, s);
  }

  private track(key: string, s: TcpSocket): void {
    const old = this.sockets.get(key);
    if (old) this.untrack(key, old);
    this.sockets.set(key, s);
    this.socketsOnPort.set(s.localPort, (this.socketsOnPort.get(s.localPort) ?? 0) + 1);
    let live = this.liveOnPort.get(s.localPort);
    if (!live) this.liveOnPort.set(s.localPort, (live = new Set()));
    live.add(s);
  }

  private untrack(key: string, s: TcpSocket): void {
    this.sockets.delete(key);
    const n = (this.socketsOnPort.get(s.localPort) ?? 1) - 1;
    if (n > 0) this.socketsOnPort.set(s.localPort, n);
    else this.socketsOnPort.delete(s.localPort);
    this.liveOnPort.get(s.localPort)?.delete(s);
  }

  /** A packet addressed to this host arrives. */
  deliver(p: Packet): void {
    const key = socketKey(p.dstPort, p.src, p.srcPort);
    let s = this.sockets.get(key);
    const bareSyn = (p.tcpFlags & (TCP_SYN | TCP_ACK)) === TCP_SYN;
    if (s && bareSyn && (s.state === 'time-wait' || s.state === 'closed')) {
      // RFC 9293 3.10.7.4 / Linux: a new SYN may reuse a connection in TIME-WAIT.
      this.untrack(key, s);
      s = undefined;
    }
    if (s) {
      s.receive(p);
      return;
    }
    const l = bareSyn ? this.listeners.get(p.dstPort) : undefined;
    if (l) {
      const child = new TcpSocket(this, p.dstPort, p.src, p.srcPort, l.who, undefined, {});
      this.track(key, child);
      child.openPassive(p, l);
      return;
    }
    if (p.tcpFlags & TCP_RST) return;
    // RFC 9293 3.10.7.1: a segment for a closed port gets a RST.
    const segLen = p.payload.length + (p.tcpFlags & TCP_SYN ? 1 : 0) + (p.tcpFlags & TCP_FIN ? 1 : 0);
    const rst =
      p.tcpFlags & TCP_ACK
        ? tcpPacket(this.addr, p.dstPort, p.src, p.srcPort, TCP_RST, p.ack, 0, EMPTY, 0)
        : tcpPacket(this.addr, p.dstPort, p.src, p.srcPort, TCP_RST | TCP_ACK, 0, add(p.seq, segLen), EMPTY, 0);
    this.net.transmit(rst);
  }
}

function socketKey(localPort: number, remote: IpAddress, remotePort: number): string {
  return `${localPort}|${ipKey(remote)}|${remotePort}`;
}

