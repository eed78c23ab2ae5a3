/** Reading the `steps:` list of a scenario session, with located diagnostics. */
import { isMap, isScalar } from 'yaml';
import { closest } from '../diag/diagnostic.js';
import type { FtpMode, Step, TransferOptions } from './model.js';
import type { YamlReader, YNode } from './yaml-read.js';

/** Every step name. */
export const STEP_NAMES = ['login', 'list', 'retr', 'stor', 'auth-tls', 'wait', 'raw', 'quit'] as const;
const TRANSFER_KEYS = ['split', 'connectDelaySec'];

/** Defaults, named after what they copy. */
export const DEFAULTS = {
  seed: 1,
  clientControlPort: 50000,
  mode: 'passive' as FtpMode,
  /** Linux net.ipv4.tcp_syn_retries */
  synRetries: 6,
  /** Linux TCP_TIMEOUT_INIT */
  initialRtoMs: 1000,
  serverControlPort: 21,
  passivePorts: [50000, 50100] as const,
  /** RFC 959 3.2: the server's data port L-1 */
  activeSourcePort: 20,
  /** vsftpd accept_timeout */
  dataAcceptTimeoutSec: 60,
  user: 'anonymous',
  /** curl's default anonymous password */
  password: 'ftp@example.com',
  retrBytes: 4096,
  listBytes: 512,
};

/** Reads a session's steps; undefined when any step has an error. */
export function readSteps(r: YamlReader, node: YNode): Step[] | undefined {
  const items = r.list(node, 'steps');
  if (!items) return undefined;
  const steps: Step[] = [];
  let ok = true;
  let quitAt: YNode;
  for (const item of items) {
    if (quitAt !== undefined) {
      r.error(item, 'a step after quit would never run');
      ok = false;
      continue;
    }
    const s = readStep(r, item);
    if (!s) {
      ok = false;
      continue;
    }
    if (s.kind === 'quit') quitAt = item;
    steps.push(s);
  }
  return ok ? steps : undefined;
}

function stepName(r: YamlReader, node: YNode, text: string): (typeof STEP_NAMES)[number] | undefined {
  if ((STEP_NAMES as readonly string[]).includes(text)) return text as (typeof STEP_NAMES)[number];
  const near = closest(text, STEP_NAMES);
  return r.error(node, `unknown step '${text}'`, near ? `did you mean '${near}'?` : `steps: ${STEP_NAMES.join(', ')}`);
}

function readStep(r: YamlReader, node: YNode): Step | undefined {
  const at = r.span(node);
  let kind: (typeof STEP_NAMES)[number] | undefined;
  let arg: YNode = null;
  let hasArg = false;
  if (isScalar(node) && typeof node.value === 'string') {
    kind = stepName(r, node, node.value);
  } else if (isMap(node) && node.items.length === 1) {
    const pair = node.items[0]!;
    const key = pair.key as YNode;
    if (!isScalar(key) || typeof key.value !== 'string') return r.error(key, 'a step name must be a word');
    kind = stepName(r, key, key.value);
    arg = pair.value as YNode;
    hasArg = !(isScalar(arg) && arg.value === null) && arg !== null && arg !== undefined;
  } else {
    return r.error(node, `a step is a name (login, list, auth-tls, quit) or a mapping with one step name, not ${r.shown(node)}`);
  }
  if (!kind) return undefined;
  switch (kind) {
    case 'login': {
      if (!hasArg) return { kind, user: DEFAULTS.user, password: DEFAULTS.password, at };
      const e = r.map(arg, 'login', ['user', 'password']);
      if (!e) return undefined;
      const user = e.has('user') ? r.string(e.get('user'), 'user') : DEFAULTS.user;
      const password = e.has('password') ? r.string(e.get('password'), 'password') : DEFAULTS.password;
      return user === undefined || password === undefined ? undefined : { kind, user, password, at };
    }
    case 'auth-tls':
    case 'quit':
      if (hasArg) return r.error(arg, `step '${kind}' takes no value`);
      return { kind, at };
    case 'wait': {
      if (!hasArg) return r.error(node, "step 'wait' needs a number of seconds", 'write { wait: 10 }');
      const sec = r.seconds(arg, 'wait');
      return sec === undefined ? undefined : { kind, sec, at };
    }
    case 'raw': {
      if (!hasArg) return r.error(node, "step 'raw' needs a command line", 'write { raw: "NOOP" }');
      const line = r.string(arg, 'raw');
      if (line !== undefined && /[\r\n]/.test(line)) return r.error(arg, 'raw must be one line: the CRLF is added when it is sent');
      return line === undefined ? undefined : { kind, line, at };
    }
    case 'list':
    case 'retr':
    case 'stor':
      return readTransfer(r, kind, node, hasArg ? arg : undefined, at);
  }
}

function readTransfer(r: YamlReader, kind: 'list' | 'retr' | 'stor', node: YNode, arg: YNode, at: Step['at']): Step | undefined {
  const fileKeys = kind === 'list' ? ['path', 'bytes'] : ['file', 'bytes'];
  if (arg === undefined) {
    if (kind === 'list') return { kind, bytes: DEFAULTS.listBytes, transfer: {}, at };
    return r.error(node, `step '${kind}' needs a file`, `write { ${kind}: { file: NAME, bytes: ${DEFAULTS.retrBytes} } }`);
  }
  const e = r.map(arg, kind, [...fileKeys, ...TRANSFER_KEYS]);
  if (!e) return undefined;
  const bytes = e.has('bytes') ? r.integer(e.get('bytes'), 'bytes', 0, 1 << 30) : kind === 'list' ? DEFAULTS.listBytes : DEFAULTS.retrBytes;
  let split: number[] | undefined;
  if (e.has('split')) {
    const items = r.list(e.get('split'), 'split');
    if (!items) return undefined;
    split = [];
    for (const n of items) {
      const v = r.integer(n, 'split offset', 1, 65535);
      if (v === undefined) return undefined;
      if (split.length > 0 && v <= split[split.length - 1]!) return r.error(n, `split offsets must increase: ${v} after ${split[split.length - 1]}`);
      split.push(v);
    }
  }
  const delay = e.has('connectDelaySec') ? r.seconds(e.get('connectDelaySec'), 'connectDelaySec') : undefined;
  if (bytes === undefined || (e.has('connectDelaySec') && delay === undefined)) return undefined;
  const transfer: TransferOptions = { ...(split ? { splitCommandAt: split } : {}), ...(delay !== undefined ? { connectDelaySec: delay } : {}) };
  if (kind === 'list') {
    const path = e.has('path') ? r.string(e.get('path'), 'path') : undefined;
    if (e.has('path') && path === undefined) return undefined;
    return { kind, ...(path !== undefined ? { path } : {}), bytes, transfer, at };
  }
  const file = r.required(e, 'file', kind) === undefined ? undefined : r.string(e.get('file'), 'file');
  return file === undefined ? undefined : { kind, file, bytes, transfer, at };
}

