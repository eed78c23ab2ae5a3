/**
 * Builds small FTP captures in memory for replay tests: one passive download
 * (PASV, 227, RETR, 226) with optional capture loss and a long transfer, the
 * TCP sequence and acknowledgment numbers kept as a real stack would (RFC 9293 3.4).
 */
import { parseIp, type IpAddress } from '../../src/net/address.js';
import { PROTO_TCP, TCP_ACK, TCP_FIN, TCP_PSH, TCP_SYN, type Packet } from '../../src/net/packet.js';
import { encodePcapng, readCaptureBytes, type CaptureReader, type PcapngPacket } from '../../src/wire/index.js';

/** Client and server of the built sessions. */
export const CLIENT = '10.0.0.2';
export const SERVER = '192.168.10.1';

/** Options of a built passive download. */
export interface DownloadOptions {
  /** the server's `200 Type set to I` reply is missing from the capture (the client got it and ACKs it) */
  readonly loseTypeReply?: boolean;
  /** data segments of 100 bytes from the server */
  readonly dataSegments?: number;
  /** ms between data segments */
  readonly dataGapMs?: number;
}

/** A built capture: its packets and the 1-based numbers of the packets tests talk about. */
export interface BuiltCapture {
  readonly packets: readonly PcapngPacket[];
  /** the packet carrying the 227 */
  readonly pasvReply: number;
  /** the data connection's SYN */
  readonly dataSyn: number;
  /** the packet carrying the 226 */
  readonly transferComplete: number;
}

const enc = (s: string): Uint8Array => new Uint8Array([...s].map((c) => c.charCodeAt(0)));

/** A passive-mode download of one file, control ISNs near the 2^32 wrap. */
export function passiveDownload(o: DownloadOptions = {}): BuiltCapture {
  const c = parseIp(CLIENT)!;
  const s = parseIp(SERVER)!;
  const packets: PcapngPacket[] = [];
  let tMs = 0;
  const tcp = (src: IpAddress, sp: number, dst: IpAddress, dp: number, flags: number, seq: number, ack: number, payload: Uint8Array, dtMs: number): number => {
    tMs += dtMs;
    const packet: Packet = { src, dst, proto: PROTO_TCP, srcPort: sp, dstPort: dp, tcpFlags: flags, seq: seq >>> 0, ack: ack >>> 0, window: 64240, payload, fragment: 'none' };
    packets.push({ tMs, packet });
    return packets.length;
  };
  const conn = (ap: number, bp: number, isnA: number, isnB: number) => {
    let sa = isnA;
    let sb = isnB;
    const syn = tcp(c, ap, s, bp, TCP_SYN, sa++, 0, new Uint8Array(0), 1);
    tcp(s, bp, c, ap, TCP_SYN | TCP_ACK, sb++, sa, new Uint8Array(0), 1);
    tcp(c, ap, s, bp, TCP_ACK, sa, sb, new Uint8Array(0), 1);
    return {
      syn,
      toServer(p: Uint8Array, dtMs = 1): number {
        const n = tcp(c, ap, s, bp, TCP_PSH | TCP_ACK, sa, sb, p, dtMs);
        sa += p.length;
        return n;
      },
      /** `lost`: the segment is sent (sequence space moves) but not in the capture */
      toClient(p: Uint8Array, dtMs = 1, lost = false): number {
        const n = lost ? 0 : tcp(s, bp, c, ap, TCP_PSH | TCP_ACK, sb, sa, p, dtMs);
        sb += p.length;
        return n;
      },
      ackFromClient(dtMs = 0): void {
        tcp(c, ap, s, bp, TCP_ACK, sa, sb, new Uint8Array(0), dtMs);
      },
      close(): void {
        tcp(s, bp, c, ap, TCP_FIN | TCP_ACK, sb++, sa, new Uint8Array(0), 1);
        tcp(c, ap, s, bp, TCP_FIN | TCP_ACK, sa++, sb, new Uint8Array(0), 1);
      },
    };
  };
  const ctl = conn(40000, 21, 0xfffffff0, 0xffffff00);
  ctl.toClient(enc('220 hi\r\n'));
  ctl.toServer(enc('USER a\r\n'));
  ctl.toClient(enc('331 pw\r\n'));
  ctl.toServer(enc('PASS b\r\n'));
  ctl.toClient(enc('230 ok\r\n'));
  if (o.loseTypeReply) {
    ctl.toServer(enc('TYPE I\r\n'));
    ctl.toClient(enc('200 Type set to I\r\n'), 1, true);
  }
  ctl.toServer(enc('PASV\r\n'));
  const pasvReply = ctl.toClient(enc('227 Entering Passive Mode (192,168,10,1,195,80).\r\n'));
  const data = conn(40001, 50000, 1000, 2000);
  ctl.toServer(enc('RETR f\r\n'));
  ctl.toClient(enc('150 go\r\n'));
  const chunk = new Uint8Array(100);
  for (let i = 0; i < (o.dataSegments ?? 10); i++) {
    data.toClient(chunk, o.dataGapMs ?? 1);
    if (i % 2) data.ackFromClient();
  }
  data.close();
  const transferComplete = ctl.toClient(enc('226 Transfer complete\r\n'));
  ctl.toServer(enc('QUIT\r\n'));
  ctl.toClient(enc('221 bye\r\n'));
  ctl.close();
  return { packets, pasvReply, dataSyn: data.syn, transferComplete };
}

/** Packets as an open capture reader (pcapng in memory). */
export function captureOf(packets: readonly PcapngPacket[], name: string): CaptureReader {
  return readCaptureBytes(encodePcapng(packets, { epochMs: 1_700_000_000_000 }), name);
}
