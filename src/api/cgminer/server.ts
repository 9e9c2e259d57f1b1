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
 */
export interface CgminerApiOptions {
  host: string;
  port: number;
  personality: Personality;
  allow: readonly string[];
  token?: string;
  control: MinerControl;
  log: Logger;
  /** Idle time before an incomplete request is dropped. */
  timeoutMs?: number;
  nowS?: () => number;
  maxConnections?: number;
}

const COMMAND_TIMEOUT_MS = 120_000;

export class CgminerApiServer {
  private server?: Server;
  private readonly rules: AllowRule[];
  private readonly sockets = new Set<Socket>();
  /** Read-only replies of the current second (cgminer's `When` resolution), by form + commands. */
  private cache = new Map<string, string>();
  private cacheSecond = -1;

  constructor(private readonly o: CgminerApiOptions) {
    this.rules = o.allow.map(parseAllow); // throws a typed error on a bad entry
  }

  async listen(): Promise<{ host: string; port: number }> {
    const server = createServer({ allowHalfOpen: true }, (sock) => this.accept(sock));
    server.maxConnections = this.o.maxConnections ?? 1024;
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
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private accept(sock: Socket): void {
    this.sockets.add(sock);
    sock.on('close', () => this.sockets.delete(sock));
    sock.on('error', () => sock.destroy());
    sock.setTimeout(this.o.timeoutMs ?? 5000, () => sock.destroy());
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
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
    const want = this.o.personality === 'kabosu' ? this.o.token : undefined;
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
