import { type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { KabosuError } from '../../../core/errors';
import type { MinerControl } from '../../../core/minerApi';
import { DigestAuth } from './digest';
import type { HostFacts } from './hostNetwork';
import { minerConf, minerStatus, systemInfo, type Json } from './stockShapes';
import { closeHttp, listenHttp } from '../listen';

/**
 * The stock-shaped Antminer web CGI server (`/cgi-bin/<name>.cgi`) that fleet tools read next
 * to :4028 (pyasic's AntminerOld for the L3+: UpstreamData/pyasic pyasic/web/antminer.py,
 * pyasic/miners/backends/antminer.py). Reads are open like the rest of the LAN API; every write
 * (blink on/off, reboot, set_*_conf) needs HTTP digest auth as `root` in realm `antMiner`
 * (RFC 7616 MD5, qop=auth) with `api.cgi.password`; with no password configured writes are
 * refused. It reads and commands the miner only through `MinerControl`.
 */
export const REALM = 'antMiner';
export const USER = 'root';
export const MAX_BODY_BYTES = 16 * 1024;
/** A blink started here runs this long (health's identify maximum) unless stopped. */
export const BLINK_S = 600;

export interface StockCgiOptions {
  control: MinerControl;
  log: Logger;
  /** Read per request (hot reload); undefined: writes disabled. */
  password: () => string | undefined;
  host: () => HostFacts;
  nowMs?: () => number;
}

type Reply = { status?: number; json: Json; headers?: Record<string, string> };
type Params = Record<string, string>;

const READS = new Set(['get_system_info', 'get_miner_conf', 'get_miner_status', 'get_blink_status']);
const WRITES = new Set(['blink', 'reboot', 'set_miner_conf', 'set_network_conf']);

class CgiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly hint?: string) {
    super(message);
  }
}

export class StockCgiServer {
  private server?: Server;
  private readonly auth: DigestAuth;
  private readonly now: () => number;
  private blinkUntilMs = 0;

  constructor(private readonly o: StockCgiOptions) {
    this.now = o.nowMs ?? (() => Date.now());
    this.auth = new DigestAuth({ realm: REALM, nowMs: this.now });
  }

  async listen(host: string, port: number): Promise<AddressInfo> {
    const { server, address } = await listenHttp((req, res) => void this.handle(req, res), host, port);
    this.server = server;
    return address;
  }

  async close(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    await closeHttp(s);
  }

  private blinking(): boolean {
    return this.now() < this.blinkUntilMs;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const uri = req.url ?? '/';
      const url = new URL(uri, 'http://x');
      const m = /^\/cgi-bin\/([a-z_]{1,40})\.cgi$/.exec(url.pathname);
      const name = m?.[1] ?? '';
      if (!READS.has(name) && !WRITES.has(name)) throw new CgiError(404, 'KBS_E_CGI_NOT_FOUND', `no CGI ${url.pathname}`, 'see docs/http-api.md#stock-antminer-cgi');
      const method = req.method ?? 'GET';
      if (method !== 'GET' && method !== 'POST') throw new CgiError(405, 'KBS_E_CGI_METHOD', `${method} is not allowed`);
      const params = { ...Object.fromEntries(url.searchParams), ...(await readParams(req)) };
      // blink.cgi `action=onPageLoaded` is the old interface's status read (pyasic AntminerOld.get_blink_status).
      const isWrite = WRITES.has(name) && !(name === 'blink' && params.action === 'onPageLoaded');
      if (isWrite) this.authorise(req, method, uri);
      send(res, await this.answer(name, params));
    } catch (err) {
      if (err instanceof CgiError) {
        const headers = err.status === 401 ? { 'www-authenticate': this.auth.challenge(err.code === 'KBS_E_CGI_STALE_NONCE') } : undefined;
        send(res, { status: err.status, headers, json: { stats: 'error', code: err.code, msg: err.message, ...(err.hint ? { hint: err.hint } : {}) } });
      } else if (err instanceof KabosuError) {
        send(res, { status: err.code === 'KBS_E_NOT_AVAILABLE' ? 501 : 400, json: { stats: 'error', code: err.code, msg: err.message, ...(err.hint ? { hint: err.hint } : {}) } });
      } else {
        this.o.log.error({ err: err instanceof Error ? err.message : String(err) }, 'CGI handler failed');
        send(res, { status: 500, json: { stats: 'error', code: 'KBS_E_CGI_INTERNAL', msg: 'internal error (see the daemon log)' } });
      }
    }
  }

  private authorise(req: IncomingMessage, method: string, uri: string): void {
    const password = this.o.password();
    if (!password) throw new CgiError(403, 'KBS_E_CGI_WRITES_DISABLED', 'CGI writes are disabled: no api.cgi.password is configured', 'set it with `kabosu config set-secret api.cgi.password`');
    const v = this.auth.verify(req.headers.authorization, method, uri, USER, password);
    if (v.ok) return;
    if (req.headers.authorization) this.o.log.warn({ remote: req.socket.remoteAddress, why: v.why }, 'CGI write refused');
    throw new CgiError(401, v.stale ? 'KBS_E_CGI_STALE_NONCE' : 'KBS_E_CGI_UNAUTHORIZED', `digest authentication as ${USER} required: ${v.why}`, `realm "${REALM}", password api.cgi.password`);
  }

  private async answer(name: string, p: Params): Promise<Reply> {
    const c = this.o.control;
    switch (name) {
      case 'get_system_info':
        return { json: systemInfo(c.status(), this.o.host(), this.now()) };
      case 'get_miner_conf':
        return { json: minerConf(c.status(), c.redactedConfig()) };
      case 'get_miner_status':
        return { json: minerStatus(c.status(), c.redactedConfig()) };
      case 'get_blink_status':
        return { json: { blink: this.blinking() } };
      case 'blink':
        return this.blink(p);
      default:
        throw new CgiError(501, 'KBS_E_CGI_UNSUPPORTED', `${name}.cgi is not supported by kabosu`, name === 'reboot' ? 'restart with `kabosu` or POST /api/v1/commands/restart' : 'change the config with PUT /api/v1/config (docs/http-api.md)');
    }
  }

  /** Modern body `{"blink":"true"|"false"}` -> code B000/B100; old form `action=startBlink|stopBlink` -> isBlinking. */
  private async blink(p: Params): Promise<Reply> {
    const old = p.action !== undefined;
    if (old && p.action === 'onPageLoaded') return { json: { isBlinking: this.blinking() } };
    const on = old ? p.action === 'startBlink' : p.blink === 'true';
    const off = old ? p.action === 'stopBlink' : p.blink === 'false';
    if (!on && !off) throw new CgiError(400, 'KBS_E_CGI_BAD_PARAM', 'blink needs blink=true|false or action=startBlink|stopBlink|onPageLoaded');
    if (on) {
      await this.o.control.identify(BLINK_S);
      this.blinkUntilMs = this.now() + BLINK_S * 1000;
    } else {
      // identify has no stop: a 1 s identify replaces the running one and ends with the LEDs restored.
      if (this.blinking()) await this.o.control.identify(1);
      this.blinkUntilMs = 0;
    }
    return { json: old ? { isBlinking: on } : { code: on ? 'B000' : 'B100', msg: on ? 'blinking' : 'blink stopped' } };
  }
}

async function readParams(req: IncomingMessage): Promise<Params> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new CgiError(413, 'KBS_E_CGI_BODY_TOO_LARGE', `request body over ${MAX_BODY_BYTES} bytes`);
    chunks.push(c as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (!text) return {};
  // pyasic's modern client posts JSON, its old client a form (pyasic/web/antminer.py).
  if (text.startsWith('{')) {
    let v: unknown;
    try {
      v = JSON.parse(text);
    } catch (e) {
      throw new CgiError(400, 'KBS_E_CGI_BAD_JSON', `the body is not valid JSON: ${(e as Error).message}`);
    }
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new CgiError(400, 'KBS_E_CGI_BAD_JSON', 'the body must be a JSON object');
    return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, typeof x === 'string' ? x : JSON.stringify(x)]));
  }
  return Object.fromEntries(new URLSearchParams(text));
}

function send(res: ServerResponse, r: Reply): void {
  if (res.headersSent) return;
  const text = JSON.stringify(r.json);
  res.writeHead(r.status ?? 200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store', ...(r.headers ?? {}) });
  res.end(text);
}
