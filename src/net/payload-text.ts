/** Payloads as text, for reports: FTP control lines are printable ASCII, everything else is not shown. */

/** The first line of a payload when it is short printable ASCII (FTP control text), else undefined. */
export function printableFirstLine(payload: Uint8Array): string | undefined {
  if (payload.length === 0 || payload.length > 512) return undefined;
  let end = payload.length;
  for (let i = 0; i < payload.length; i++) {
    const c = payload[i]!;
    if (c === 13 || c === 10) {
      end = i;
      break;
    }
    if (c < 32 || c > 126) return undefined;
  }
  let out = '';
  for (let i = 0; i < end; i++) out += String.fromCharCode(payload[i]!);
  return out;
}

/** The whole payload as text when it is short printable ASCII, line ends shown as `\r` `\n`, else undefined. */
export function printableText(payload: Uint8Array): string | undefined {
  if (payload.length === 0 || payload.length > 256) return undefined;
  let out = '';
  for (const c of payload) {
    if (c === 13) out += '\\r';
    else if (c === 10) out += '\\n';
    else if (c < 32 || c > 126) return undefined;
    else out += String.fromCharCode(c);
  }
  return out;
}
