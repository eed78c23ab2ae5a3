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
    // One port: vsftpd picks a random port in the range, the scenario's server the first free one.
    `pasv_min_port=${b.passivePorts[0]}`,
    `pasv_max_port=${b.passivePorts[0]}`,
    'pasv_addr_resolve=NO',
    ...(b.announceAddress && b.announceAddress.family === 4 ? [`pasv_address=${formatIp(b.announceAddress)}`] : []),
    'port_enable=YES',
    // connect_from_port_20 binds active data connections to ftp_data_port (RFC 959: L-1).
    'connect_from_port_20=YES',
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
