// @ts-check
/**
 * A small FTP client for `ftpwall verify`, run inside the client's network namespace
 * (`ip netns exec NS node ftp-client.mjs SPEC_JSON`). Plain JavaScript so it needs no build.
 * It uses the scenario's exact local ports and mode, bounds every wait, and prints one
 * JSON line: the control replies and, per transfer, ok/failed with the replies seen.
 * Spec and result shapes: ClientSpec / ClientResult in ./client-spec.ts.
 */
import net from 'node:net';

/** @type {import('./client-spec.js').ClientSpec} */
const spec = JSON.parse(process.argv[2] ?? '{}');

/** Everything seen, printed at the end (also on a global timeout). */
const result = {
  control: { client: '', server: '', connected: false, error: /** @type {string|undefined} */ (undefined) },
  /** every reply on the control connection, in order: "227 Entering Passive Mode (…)" */
  replies: /** @type {string[]} */ ([]),
  transfers: /** @type {any[]} */ ([]),
  /** the raw command lines sent, in order */
  commands: /** @type {string[]} */ ([]),
};

let printed = false;
function finish(code) {
  if (!printed) {
    printed = true;
    process.stdout.write(`${JSON.stringify(result)}\n`);
  }
  process.exit(code);
}
// A hard bound on the whole session, whatever happens inside.
setTimeout(() => {
  result.control.error ??= `session timeout after ${spec.sessionTimeoutMs} ms`;
  finish(3);
}, spec.sessionTimeoutMs).unref();

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** As the simulated client (sim/ftp-client.ts): every passive connect attempt and every active listener takes the next local port. */
let nextDataPort = spec.dataPort;
/** After one EPSV fallback, later transfers use PASV at once (curl's ftp_epsv_disable). */
let epsvDisabled = false;

/** Formats an endpoint as the report does: `10.0.0.2:50000`, `[2001:db8::2]:50000`. */
function ep(addr, port) {
  return addr.includes(':') ? `[${addr}]:${port}` : `${addr}:${port}`;
}

/** Connects with a local address/port and a bounded connect time. */
function connect(host, port, localAddress, localPort, timeoutMs) {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host, port, localAddress, localPort });
    const t = setTimeout(() => {
      s.destroy();
      reject(new Error(`connect to ${ep(host, port)} from ${ep(localAddress, localPort)} timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    s.once('connect', () => {
      clearTimeout(t);
      resolve(s);
    });
    s.once('error', (e) => {
      clearTimeout(t);
      reject(e);
    });
  });
}

/** Reads FTP replies (RFC 959 4.2: multi-line replies end at "ddd "). */
class Replies {
  constructor(socket) {
    this.buf = '';
    this.lines = [];
    this.waiters = [];
    this.closed = false;
    socket.setEncoding('latin1');
    socket.on('data', (d) => {
      this.buf += d;
      let i;
      while ((i = this.buf.indexOf('\n')) >= 0) {
        this.lines.push(this.buf.slice(0, i).replace(/\r$/, ''));
        this.buf = this.buf.slice(i + 1);
      }
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => {});
  }
  wake() {
    for (const w of this.waiters.splice(0)) w();
  }
  /** The next complete reply, or undefined after timeoutMs or when the connection closed. */
  async next(timeoutMs) {
    let timedOut = false;
    const t = setTimeout(() => {
      timedOut = true;
      this.wake();
    }, timeoutMs);
    try {
      for (;;) {
        const first = this.lines[0];
        if (first !== undefined) {
          const m = /^(\d{3})([ -])/.exec(first);
          if (!m || m[2] === ' ') {
            this.lines.shift();
            result.replies.push(first);
            return { code: m ? Number(m[1]) : 0, text: first };
          }
          const end = this.lines.findIndex((l, k) => k > 0 && l.startsWith(`${m[1]} `));
          if (end >= 0) {
            const all = this.lines.splice(0, end + 1);
            result.replies.push(all.join('\n'));
            return { code: Number(m[1]), text: all.join('\n') };
          }
        }
        if (this.closed || timedOut) return undefined;
        await new Promise((r) => this.waiters.push(r));
      }
    } finally {
      clearTimeout(t);
    }
  }
}

/** Sends a command line, split into separate TCP segments at the given offsets. */
async function send(socket, line, splitAt = []) {
  result.commands.push(line);
  const full = `${line}\r\n`;
  const cuts = [...splitAt.filter((n) => n > 0 && n < full.length), full.length].sort((a, b) => a - b);
  let from = 0;
  for (const cut of cuts) {
    socket.write(full.slice(from, cut));
    from = cut;
    // A pause so Nagle is not involved and each piece leaves as its own segment.
    if (cut < full.length) await sleep(50);
  }
}

/** RFC 1123 4.1.2.6: find the six numbers of a 227 reply by scanning for the first digit. */
function parse227(text) {
  const m = /(\d+),(\d+),(\d+),(\d+),(\d+),(\d+)/.exec(text);
  if (!m) return undefined;
  const n = m.slice(1).map(Number);
  return { host: `${n[0]}.${n[1]}.${n[2]}.${n[3]}`, port: n[4] * 256 + n[5] };
}

/** RFC 2428 3: 229 Entering Extended Passive Mode (|||port|). */
function parse229(text) {
  const m = /\((.)\1\1(\d+)\1\)/.exec(text);
  return m ? Number(m[2]) : undefined;
}

/** Collects a data connection's bytes until it closes. */
function drain(socket, timeoutMs) {
  return new Promise((resolve) => {
    let bytes = 0;
    const t = setTimeout(() => {
      socket.destroy();
      resolve({ bytes, complete: false });
    }, timeoutMs);
    socket.on('data', (d) => (bytes += d.length));
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(t);
      resolve({ bytes, complete: true });
    });
  });
}

/** Writes `bytes` bytes and closes. */
function upload(socket, bytes) {
  return new Promise((resolve) => {
    socket.on('error', () => resolve({ bytes: 0, complete: false }));
    socket.end(Buffer.alloc(bytes, 0x61), () => resolve({ bytes, complete: true }));
  });
}

async function passiveData(ctl, replies, tr, extended) {
  await send(ctl, extended ? 'EPSV' : 'PASV');
  const r = await replies.next(spec.replyTimeoutMs);
  tr.replies.push(r?.text ?? '(no reply)');
  let host;
  let port;
  if (extended) {
    port = r?.code === 229 ? parse229(r.text) : undefined;
    host = spec.serverAddress;
  } else if (r?.code === 227) {
    const a = parse227(r.text);
    // curl --ftp-skip-pasv-ip: the 227's port, the control connection's address
    host = a && spec.pasvAddress === 'ignore' ? spec.serverAddress : a?.host;
    port = a?.port;
  }
  if (host === undefined || port === undefined) return { error: `no usable ${extended ? '229' : '227'} reply` };
  if (tr.connectDelayMs) await sleep(tr.connectDelayMs);
  const localPort = nextDataPort++;
  const from = spec.dataSourceAddress ?? spec.clientAddress;
  tr.dataClient = ep(from, localPort);
  tr.dataServer = ep(host, port);
  try {
    return { socket: await connect(host, port, from, localPort, spec.connectTimeoutMs) };
  } catch (e) {
    return { error: e instanceof Error ? e.message : String(e) };
  }
}

async function transfer(ctl, replies, step) {
  const tr = { step: step.index, kind: step.kind, mode: spec.mode, ok: false, bytes: 0, replies: [], connectDelayMs: step.connectDelayMs ?? 0 };
  result.transfers.push(tr);
  const command = step.kind === 'list' ? `LIST${step.path ? ` ${step.path}` : ''}` : `${step.kind.toUpperCase()} ${step.file}`;
  let data;
  let listener;
  if (spec.mode === 'passive' || spec.mode === 'extended-passive') {
    const extended = spec.mode === 'extended-passive' && !epsvDisabled;
    if (!extended) tr.mode = 'passive';
    let got = await passiveData(ctl, replies, tr, extended);
    // EPSV refused or its connection failed → PASV, as curl does and as the simulated client does (IPv4 only).
    if (got.error && extended && spec.epsvFallback && !spec.serverAddress.includes(':')) {
      epsvDisabled = true;
      tr.fallback = got.error;
      tr.mode = 'passive';
      got = await passiveData(ctl, replies, tr, false);
    }
    if (got.error) {
      tr.error = got.error;
      return;
    }
    data = Promise.resolve(got.socket);
    await send(ctl, command);
  } else {
    const localPort = nextDataPort++;
    const announce = spec.announceAddress ?? spec.clientAddress;
    const announcePort = spec.announcePort ?? localPort;
    listener = net.createServer();
    listener.on('error', () => {});
    await new Promise((res, rej) => listener.listen({ host: spec.clientAddress, port: localPort, exclusive: true }, res).once('error', rej));
    tr.dataClient = ep(spec.clientAddress, localPort);
    data = new Promise((resolve) => listener.once('connection', (s) => {
      tr.dataServer = ep(s.remoteAddress ?? '?', s.remotePort ?? 0);
      resolve(s);
    }));
    const line =
      spec.mode === 'active'
        ? `PORT ${announce.split('.').join(',')},${announcePort >> 8},${announcePort & 255}`
        : `EPRT |${announce.includes(':') ? 2 : 1}|${announce}|${announcePort}|`;
    await send(ctl, line, step.splitCommandAt);
    const r = await replies.next(spec.replyTimeoutMs);
    tr.replies.push(r?.text ?? '(no reply)');
    if (r?.code !== 200) {
      tr.error = `${spec.mode === 'active' ? 'PORT' : 'EPRT'} refused`;
      listener.close();
      return;
    }
    if (tr.connectDelayMs) await sleep(tr.connectDelayMs);
    await send(ctl, command);
  }
  const pre = await replies.next(spec.replyTimeoutMs);
  tr.replies.push(pre?.text ?? '(no reply)');
  if (!pre || (pre.code !== 150 && pre.code !== 125)) {
    tr.error = pre ? `server replied ${pre.code}` : 'no reply';
    listener?.close();
    void data.then((s) => s.destroy());
    return;
  }
  const socket = await Promise.race([data, sleep(spec.connectTimeoutMs).then(() => undefined)]);
  listener?.close();
  if (!socket) {
    tr.error = 'the server did not connect';
  } else {
    const moved = step.kind === 'stor' ? await upload(socket, step.bytes) : await drain(socket, spec.replyTimeoutMs);
    tr.bytes = moved.bytes;
  }
  const fin = await replies.next(spec.replyTimeoutMs);
  tr.replies.push(fin?.text ?? '(no reply)');
  tr.ok = socket !== undefined && fin?.code === 226;
  if (!tr.ok && !tr.error) tr.error = fin ? `server replied ${fin.code}` : 'no final reply';
}

async function main() {
  result.control.client = ep(spec.clientAddress, spec.controlPort);
  result.control.server = ep(spec.serverAddress, spec.serverPort);
  let ctl;
  try {
    ctl = await connect(spec.serverAddress, spec.serverPort, spec.clientAddress, spec.controlPort, spec.connectTimeoutMs);
  } catch (e) {
    result.control.error = e instanceof Error ? e.message : String(e);
    return finish(0);
  }
  ctl.setNoDelay(true);
  result.control.connected = true;
  const replies = new Replies(ctl);
  const greeting = await replies.next(spec.replyTimeoutMs);
  if (!greeting) result.control.error = 'no greeting';
  for (const step of spec.steps) {
    if (replies.closed) break;
    if (step.kind === 'login') {
      await send(ctl, `USER ${step.user}`);
      const u = await replies.next(spec.replyTimeoutMs);
      if (u?.code === 331) {
        await send(ctl, `PASS ${step.password}`);
        await replies.next(spec.replyTimeoutMs);
      }
      await send(ctl, 'TYPE I');
      await replies.next(spec.replyTimeoutMs);
    } else if (step.kind === 'list' || step.kind === 'retr' || step.kind === 'stor') {
      await transfer(ctl, replies, step);
    } else if (step.kind === 'auth-tls') {
      await send(ctl, 'AUTH TLS');
      await replies.next(spec.replyTimeoutMs);
    } else if (step.kind === 'wait') {
      await sleep(step.ms);
    } else if (step.kind === 'raw') {
      await send(ctl, step.line);
      await replies.next(spec.replyTimeoutMs);
    } else if (step.kind === 'quit') {
      await send(ctl, 'QUIT');
      await replies.next(spec.replyTimeoutMs);
    }
  }
  ctl.end();
  await Promise.race([new Promise((r) => ctl.once('close', r)), sleep(1000)]);
  finish(0);
}

main().catch((e) => {
  result.control.error = `client crashed: ${e instanceof Error ? e.message : String(e)}`;
  finish(2);
});
