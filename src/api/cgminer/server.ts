import { createServer, type Server, type Socket } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import type { Logger } from 'pino';
import type { MinerControl } from '../../core/minerApi';
import { parseAllow, mayWrite, type AllowRule } from './access';
import { answer, isReport, toText } from './commands';
import { isComplete, MAX_REQUEST_BYTES, parseRequest } from './request';
import type { Personality } from './render';

/**
 * The cgminer-compatible API on TCP (default :4028): one request per connection, answered once,
 * then the socket is closed. JSON replies end with a NUL byte as cgminer sends them. A request
 * is complete when its JSON parses (clients send no newline and do not half-close), on the first
 * text chunk, or when the client ends; oversize input or a silent client is cut off.
 * Connections are bounded: at most `maxConnections` open at once, a new client displacing the
 * oldest one still waiting for its request, and every request must complete within `timeoutMs`
 * of connecting (a client trickling bytes is not kept), so held idle sockets cannot lock others out.
 */
export interface CgminerApiOptions {
  host: string;
  port: number;
  personality: Personality;
  allow: readonly string[];
  token?: string;
  control: MinerControl;
  log: Logger;
  /** Time from connect within which the request must be complete (default 5 s). */
  timeoutMs?: number;
  nowS?: () => number;
  /** Open connections at most (default 128); a new one displaces the oldest still idle. */
  maxConnections?: number;
}

const DEFAULT_MAX_CONNECTIONS = 128;

const COMMAND_TIMEOUT_MS = 120_000;

export class CgminerApiServer {
  private server?: Server;
  private readonly rules: AllowRule[];
  /** Open connections in accept order; `true` while still waiting for its request (idle). */
  private readonly sockets = new Map<Socket, boolean>();
  /** Read-only replies of the current second (cgminer's `When` resolution), by form + commands. */
  private cache = new Map<string, string>();
  private cacheSecond = -1;

  constructor(private readonly o: CgminerApiOptions) {
    this.rules = o.allow.map(parseAllow); // throws a typed error on a bad entry
  }

  async listen(): Promise<{ host: string; port: number }> {
    const server = createServer({ allowHalfOpen: true }, (sock) => this.accept(sock));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.o.port, this.o.host, () => { server.off('error', reject); resolve(); });
    });
    const a = server.address();
    return typeof a === 'object' && a ? { host: a.address, port: a.port } : { host: this.o.host, port: this.o.port };
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    for (const s of this.sockets.keys()) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Makes room for one more connection: the oldest idle one goes, or `false` when none is idle. */
  private makeRoom(): boolean {
    if (this.sockets.size < (this.o.maxConnections ?? DEFAULT_MAX_CONNECTIONS)) return true;
    for (const [s, idle] of this.sockets) {
      if (idle) {
        this.sockets.delete(s);
        s.destroy();
        return true;
      }
    }
    return false;
  }

  private accept(sock: Socket): void {
    sock.on('error', () => sock.destroy());
    if (!this.makeRoom()) { sock.destroy(); return; }
    this.sockets.set(sock, true);
    sock.on('close', () => this.sockets.delete(sock));
    const timeoutMs = this.o.timeoutMs ?? 5000;
    sock.setTimeout(timeoutMs, () => sock.destroy());
    const deadline = setTimeout(() => sock.destroy(), timeoutMs);
    deadline.unref();
    sock.once('close', () => clearTimeout(deadline));
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(deadline);
      if (this.sockets.has(sock)) this.sockets.set(sock, false);
      sock.removeAllListeners('data');
      // Commands such as restart/resume bring the boards up again: allow them time to answer.
      sock.setTimeout(COMMAND_TIMEOUT_MS);
      void this.reply(sock, Buffer.concat(chunks));
    };
    sock.on('data', (d: Buffer) => {
      chunks.push(d);
      size += d.length;
      if (size > MAX_REQUEST_BYTES) { done = true; sock.destroy(); return; }
      if (isComplete(Buffer.concat(chunks))) finish();
    });
    sock.on('end', () => { if (size > 0) finish(); else sock.end(); });
  }

  private tokenOk(given: string | null): boolean {
    // Every personality: the token guards privileged commands whatever the replies look like.
    const want = this.o.token;
    if (!want) return true;
    if (given === null) return false;
    const a = Buffer.from(given);
    const b = Buffer.from(want);
    return a.length === b.length && timingSafeEqual(a, b);
  }

  private async reply(sock: Socket, buf: Buffer): Promise<void> {
    try {
      const parsed = parseRequest(buf);
      const addr = sock.remoteAddress ?? '';
      const caller = { mayWrite: mayWrite(this.rules, addr), tokenOk: this.tokenOk(parsed.ok ? parsed.request.token : null) };
      const nowS = this.o.nowS ? this.o.nowS() : Math.floor(Date.now() / 1000);
      if (nowS !== this.cacheSecond) { this.cache.clear(); this.cacheSecond = nowS; }
      const key = parsed.ok && parsed.request.commands.every(isReport) ? `${parsed.request.form} ${parsed.request.commands.join('+')}` : undefined;
      const hit = key !== undefined ? this.cache.get(key) : undefined;
      if (hit !== undefined) { if (!sock.destroyed) sock.end(hit); return; }
      const r = await answer(parsed, caller, { control: this.o.control, personality: this.o.personality, nowS });
      if (parsed.ok && parsed.request.commands.some((c) => c !== 'check' && c !== 'privileged' && ['switchpool', 'enablepool', 'disablepool', 'addpool', 'removepool', 'poolpriority', 'restart', 'quit', 'pause', 'resume'].includes(c))) {
        this.o.log.info({ client: addr, commands: parsed.request.commands, ok: caller.mayWrite && caller.tokenOk }, 'cgminer API privileged command');
      }
      const form = parsed.ok ? parsed.request.form : parsed.form;
      const text = form === 'json' ? `${JSON.stringify(r)}\0` : `${toText(r)}\0`;
      if (key !== undefined && this.cache.size < 64) this.cache.set(key, text);
      if (!sock.destroyed) sock.end(text);
    } catch (err) {
      this.o.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'cgminer API request failed');
      sock.destroy();
    }
  }
}
