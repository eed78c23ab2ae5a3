/**
 * An FTP control channel over a TCP socket: CRLF-terminated lines (RFC 959 4.1),
 * or, after AUTH TLS (RFC 4217), TLS records whose bytes are opaque on the wire.
 * The records' bodies are seeded pseudo-random bytes; the plaintext travels beside
 * them in a per-connection pipe, which stands in for the real decryption.
 */
import type { IpAddress } from '../net/address.js';
import { latin1 } from '../wire/latin1.js';
import type { EventQueue } from './clock.js';
import { connectionKey, type Network } from './network.js';
import type { Prng } from './prng.js';
import type { TcpSocket } from './tcp.js';

/** What the FTP endpoints of one simulation share. */
export interface SimContext {
  readonly net: Network;
  readonly queue: EventQueue;
  /** content of files, listings and TLS record bodies */
  readonly bytes: Prng;
  /** plaintexts inside TLS records in flight, per control connection */
  readonly tlsPipes: Map<string, TlsPipe>;
  /** passive port choices of servers with passivePortChoice: random */
  readonly ports: Prng;
}

/** The plaintexts of TLS application-data records in flight, per direction, in order. */
export interface TlsPipe {
  readonly toServer: string[];
  readonly toClient: string[];
}

/** The pipe of the control connection between client and server endpoints (created on first use). */
export function tlsPipeFor(ctx: SimContext, client: IpAddress, clientPort: number, server: IpAddress, serverPort: number): TlsPipe {
  const key = connectionKey(client, clientPort, server, serverPort);
  let pipe = ctx.tlsPipes.get(key);
  if (!pipe) {
    pipe = { toServer: [], toClient: [] };
    ctx.tlsPipes.set(key, pipe);
  }
  return pipe;
}

/** TLS record content types (RFC 8446 5.1). */
const TLS_CHANGE_CIPHER_SPEC = 0x14;
const TLS_HANDSHAKE = 0x16;
const TLS_APPLICATION_DATA = 0x17;
/** RFC 8446 5.2: an encrypted record adds the inner content type (1 byte) and a 16-byte AEAD tag. */
const TLS13_RECORD_OVERHEAD = 17;

/** Latin-1 bytes of a command or reply line. */
export function asciiBytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 255;
  return out;
}

/** Where the channel stands in the AUTH TLS exchange. */
type TlsPhase =
  | { readonly kind: 'off' }
  /** waiting for `records` more handshake records from the peer, then `then` */
  | { readonly kind: 'handshake'; records: number; readonly then: () => void }
  | { readonly kind: 'on' };

/** Lines in, lines out, in clear or inside simulated TLS records. */
export class ControlChannel {
  private text = '';
  private recordBuf: Uint8Array = new Uint8Array(0);
  private tls: TlsPhase = { kind: 'off' };
  private inbox: string[];
  private outbox: string[];

  constructor(
    private readonly ctx: SimContext,
    readonly socket: TcpSocket,
    readonly side: 'client' | 'server',
    pipe: TlsPipe,
    private readonly onLine: (line: string) => void,
  ) {
    this.inbox = side === 'client' ? pipe.toClient : pipe.toServer;
    this.outbox = side === 'client' ? pipe.toServer : pipe.toClient;
  }

  /** True once TLS protects the channel. */
  get encrypted(): boolean {
    return this.tls.kind !== 'off';
  }

  /** Sends one line with CRLF; `splitAt` cuts the bytes into separate TCP segments at those offsets. */
  sendLine(line: string, splitAt?: readonly number[]): void {
    if (!this.socket.writable) return;
    const wire = line + '\r\n';
    if (this.tls.kind === 'off') {
      this.socket.write(asciiBytes(wire), splitAt);
      return;
    }
    this.outbox.push(wire);
    this.socket.write(this.record(TLS_APPLICATION_DATA, wire.length + TLS13_RECORD_OVERHEAD), splitAt);
  }

  /** Client side after 234: ClientHello out, then the server's flight, then our Finished; `ready` once done. */
  startTlsClient(ready: () => void): void {
    this.tls = {
      kind: 'handshake',
      records: 3,
      then: () => {
        this.tls = { kind: 'on' };
        this.socket.write(concat([this.changeCipherSpec(), this.record(TLS_APPLICATION_DATA, 53)]));
        ready();
      },
    };
    // TLS 1.3 ClientHello: legacy record version 0x0301 (RFC 8446 5.1), handshake type 1.
    const hello = this.record(TLS_HANDSHAKE, 512, 0x0301);
    hello[5] = 0x01;
    this.socket.write(hello);
  }

  /** Server side after sending 234: wait for ClientHello, answer with the server flight, wait for Finished. */
  startTlsServer(): void {
    this.tls = {
      kind: 'handshake',
      records: 1,
      then: () => {
        const serverHello = this.record(TLS_HANDSHAKE, 122);
        serverHello[5] = 0x02;
        // EncryptedExtensions, Certificate, CertificateVerify, Finished in one encrypted record.
        this.socket.write(concat([serverHello, this.changeCipherSpec(), this.record(TLS_APPLICATION_DATA, 2100)]));
        this.tls = { kind: 'handshake', records: 2, then: () => (this.tls = { kind: 'on' }) };
      },
    };
  }

  /** Bytes arrived from the socket. */
  feed(data: Uint8Array): void {
    if (this.tls.kind === 'off') {
      this.feedText(latin1(data));
      return;
    }
    this.recordBuf = concat([this.recordBuf, data]);
    while (this.recordBuf.length >= 5) {
      const len = (this.recordBuf[3]! << 8) | this.recordBuf[4]!;
      if (this.recordBuf.length < 5 + len) return;
      this.recordBuf = this.recordBuf.subarray(5 + len);
      const phase = this.tls;
      if (phase.kind === 'handshake') {
        if (--phase.records === 0) phase.then();
      } else if (phase.kind === 'on') {
        const plain = this.inbox.shift();
        if (plain !== undefined) this.feedText(plain);
      }
    }
  }

  private feedText(text: string): void {
    this.text += text;
    for (;;) {
      const lf = this.text.indexOf('\n');
      if (lf < 0) return;
      const line = this.text.slice(0, lf > 0 && this.text[lf - 1] === '\r' ? lf - 1 : lf);
      this.text = this.text.slice(lf + 1);
      this.onLine(line);
      // The line handler may have switched to TLS (234): the rest is records.
      if (this.tls.kind !== 'off' && this.text.length > 0) {
        const rest = asciiBytes(this.text);
        this.text = '';
        this.feed(rest);
        return;
      }
    }
  }

  private record(type: number, bodyLength: number, version = 0x0303): Uint8Array {
    const out = new Uint8Array(5 + bodyLength);
    out[0] = type;
    out[1] = version >>> 8;
    out[2] = version & 255;
    out[3] = bodyLength >>> 8;
    out[4] = bodyLength & 255;
    this.ctx.bytes.fill(out.subarray(5));
    return out;
  }

  private changeCipherSpec(): Uint8Array {
    return Uint8Array.of(TLS_CHANGE_CIPHER_SPEC, 0x03, 0x03, 0x00, 0x01, 0x01);
  }
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}
