/**
 * The reply texts of the simulated FTP server, in one place. Codes and meanings
 * follow RFC 959 4.2 and RFC 2428; wording follows vsftpd where RFC 959 has none.
 */

/** Greeting on connect (RFC 959 4.2: 220 Service ready for new user). */
export const REPLY_GREETING = '220 ftpwall simulated FTP server ready.';
/** After USER (vsftpd wording). */
export const REPLY_NEED_PASSWORD = '331 Please specify the password.';
/** After PASS. */
export const REPLY_LOGGED_IN = '230 Login successful.';
/** PASS without USER (RFC 959: 503 Bad sequence of commands). */
export const REPLY_USER_FIRST = '503 Login with USER first.';
/** A command that needs a login (RFC 959: 530 Not logged in). */
export const REPLY_NOT_LOGGED_IN = '530 Please login with USER and PASS.';
/** After TYPE I. */
export const REPLY_TYPE_BINARY = '200 Switching to Binary mode.';
/** After TYPE A. */
export const REPLY_TYPE_ASCII = '200 Switching to ASCII mode.';
/** After a valid PORT. */
export const REPLY_PORT_OK = '200 PORT command successful.';
/** After a valid EPRT. */
export const REPLY_EPRT_OK = '200 EPRT command successful.';
/** A PORT whose argument does not parse (RFC 959: 501 Syntax error in parameters). */
export const REPLY_BAD_PORT = '501 Illegal PORT command.';
/** An EPRT whose argument does not parse. */
export const REPLY_BAD_EPRT = '501 Illegal EPRT command.';
/** RFC 2428 2: EPRT naming a family the server does not use on this connection. */
export const REPLY_EPRT_FAMILY = '522 Network protocol not supported, use (1)';
/** RFC 2428 2 for an IPv6 server. */
export const REPLY_EPRT_FAMILY_V6 = '522 Network protocol not supported, use (2)';
/** PASV on an IPv6 control connection: 227 cannot carry the address (RFC 2428 1). */
export const REPLY_PASV_V6 = '502 PASV cannot carry an IPv6 address; use EPSV.';
/** PORT on an IPv6 control connection. */
export const REPLY_PORT_V6 = '502 PORT cannot carry an IPv6 address; use EPRT.';
/** No free port in the passive range. */
export const REPLY_NO_PASSIVE_PORT = "425 Can't open passive connection: no free port.";
/** A transfer command before PORT/PASV. */
export const REPLY_PORT_FIRST = '425 Use PORT or PASV first.';
/** RFC 959 4.2: the data connection could not be opened. */
export const REPLY_CANT_OPEN_DATA = "425 Can't open data connection.";
/** RFC 959 4.2: the data connection broke during the transfer. */
export const REPLY_TRANSFER_ABORTED = '426 Connection closed; transfer aborted.';
/** RFC 959 4.2: 226 Closing data connection, requested file action successful. */
export const REPLY_TRANSFER_COMPLETE = '226 Transfer complete.';
/** RETR of a file the server does not have. */
export const REPLY_NO_SUCH_FILE = '550 Failed to open file.';
/** 150 before a LIST (vsftpd wording). */
export const REPLY_LIST_START = '150 Here comes the directory listing.';
/** 150 before a STOR (vsftpd wording). */
export const REPLY_STOR_START = '150 Ok to send data.';
/** RFC 4217 4.1: AUTH TLS accepted. */
export const REPLY_AUTH_TLS_OK = '234 Proceed with negotiation.';
/** After QUIT. */
export const REPLY_GOODBYE = '221 Goodbye.';
/** NOOP. */
export const REPLY_NOOP = '200 NOOP ok.';
/** An unknown verb (RFC 959: 500 Syntax error, command unrecognized). */
export const REPLY_UNKNOWN = '500 Unknown command.';

/** 150 before a RETR: `150 Opening BINARY mode data connection for f (N bytes).` */
export function replyRetrStart(file: string, bytes: number): string {
  return `150 Opening BINARY mode data connection for ${file} (${bytes} bytes).`;
}

/** 500 for a verb a server without RFC 2428 does not know: `500 'EPSV': command not understood.` */
export function replyNotUnderstood(verb: string): string {
  return `500 '${verb}': command not understood.`;
}
