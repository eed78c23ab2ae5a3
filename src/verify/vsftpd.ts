/**
 * vsftpd (Debian's, 3.0.x) as the real FTP server of a kernel run: a private
 * config file generated from the scenario's server behaviour, anonymous login,
 * short timeouts so a blocked data connection ends a run in seconds.
 */
import { formatIp, type IpAddress } from '../net/address.js';
import type { ServerBehaviour } from '../scenario/model.js';

/** Where the server's files live and which scaled timeouts to use. */
export interface VsftpdSetup {
  readonly address: IpAddress;
  readonly behaviour: ServerBehaviour;
  /** the anonymous root (files for RETR/LIST; STOR writes here) */
  readonly rootDir: string;
  readonly logFile: string;
  /** vsftpd's wait for a passive data connection, seconds (scaled down from dataAcceptTimeoutMs) */
  readonly acceptTimeoutSec: number;
  /** vsftpd's wait for its own active-mode connect, seconds */
  readonly connectTimeoutSec: number;
  /** the one passive port offered; default the first of the behaviour's range */
  readonly passivePort?: number;
  /** connect to any address and port a PORT/EPRT names (bounce, privileged port), as the simulated server does */
  readonly portPromiscuous?: boolean;
  /** accept a passive data connection from another address than the control connection's, as the simulated server does */
  readonly pasvPromiscuous?: boolean;
}

/** The text of a vsftpd.conf for one server. */
export function vsftpdConfig(s: VsftpdSetup): string {
  const b = s.behaviour;
  const v6 = s.address.family === 6;
  const lines = [
    '# written by ftpwall verify for one kernel run',
    // Standalone in the foreground, on the scenario's address and control port only.
    v6 ? 'listen=NO' : 'listen=YES',
    v6 ? 'listen_ipv6=YES' : 'listen_ipv6=NO',
    v6 ? `listen_address6=${formatIp(s.address)}` : `listen_address=${formatIp(s.address)}`,
    `listen_port=${b.controlPort}`,
    'background=NO',
    'anonymous_enable=YES',
    'local_enable=NO',
    'no_anon_password=YES',
    `anon_root=${s.rootDir}`,
    'write_enable=YES',
    'anon_upload_enable=YES',
    'anon_other_write_enable=YES',
    'anon_umask=022',
    'allow_writeable_chroot=YES',
    'pasv_enable=YES',
    // One port: vsftpd picks a random port in the range; the run needs the port the simulated server chose.
    `pasv_min_port=${s.passivePort ?? b.passivePorts[0]}`,
    `pasv_max_port=${s.passivePort ?? b.passivePorts[0]}`,
    'pasv_addr_resolve=NO',
    ...(b.announceAddress && b.announceAddress.family === 4 ? [`pasv_address=${formatIp(b.announceAddress)}`] : []),
    'port_enable=YES',
    `port_promiscuous=${s.portPromiscuous ? 'YES' : 'NO'}`,
    `pasv_promiscuous=${s.pasvPromiscuous ? 'YES' : 'NO'}`,
    // connect_from_port_20 binds active data connections to ftp_data_port (RFC 959: L-1). vsftpd 3.0 does that
    // bind in its privileged parent, which connects only to the control client's address and refuses ports
    // below 1024 whatever port_promiscuous says (privops.c, vsf_privop_get_ftp_port_sock); so a promiscuous
    // server connects from an ephemeral port and the run rewrites it to ftp_data_port (serverSourceNat).
    `connect_from_port_20=${s.portPromiscuous ? 'NO' : 'YES'}`,
    `ftp_data_port=${b.activeSourcePort}`,
    `accept_timeout=${s.acceptTimeoutSec}`,
    `connect_timeout=${s.connectTimeoutSec}`,
    'data_connection_timeout=10',
    'idle_session_timeout=30',
    'seccomp_sandbox=NO',
    // The protocol log (commands and replies) helps explain a run; xferlog's own format is off.
    'xferlog_enable=YES',
    'xferlog_std_format=NO',
    'syslog_enable=NO',
    'dual_log_enable=NO',
    'log_ftp_protocol=YES',
    `vsftpd_log_file=${s.logFile}`,
    'secure_chroot_dir=/var/run/vsftpd/empty',
    'ftp_username=ftp',
    '',
  ];
  return lines.join('\n');
}

/**
 * nft rules for the server's own namespace that make a promiscuous vsftpd's active connects leave from
 * `sourcePort` (see connect_from_port_20 above): source NAT of new connections to the announced port.
 */
export function serverSourceNat(address: IpAddress, announcedPort: number, sourcePort: number): string {
  const family = address.family === 4 ? 'ip' : 'ip6';
  const addr = formatIp(address);
  return [
    `table ${family} ftpwall_server {`,
    '\tchain postrouting {',
    '\t\ttype nat hook postrouting priority srcnat; policy accept;',
    `\t\t${family} saddr ${addr} tcp dport ${announcedPort} snat to ${address.family === 4 ? addr : `[${addr}]`}:${sourcePort}`,
    '\t}',
    '}',
    '',
  ].join('\n');
}
