import { type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { timingSafeEqual, createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { KabosuError } from '../../core/errors';
import { closeHttp, listenHttp } from './listen';

/**
 * The HTTP API's transport: a route table over node:http, bearer-token auth on every write,
 * a request-body limit, and JSON errors `{code, error, hint}` with stable codes. Handlers get a
 * parsed request and return a reply; they never touch the socket.
 */
export interface ApiRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  /** Parsed JSON body (writes only); undefined when there is none. */
  body: unknown;
  remote: string;
  /** Raw routes only: the request body as bytes, unread (streamed uploads). */
  stream?: AsyncIterable<Buffer>;
  contentType?: string;
  contentLength?: number;
  /** Request headers (the web UI's session cookie and CSRF token). */
  headers: IncomingHttpHeaders;
  /** True under TLS (cookies get Secure). */
  secure: boolean;
}

export interface ApiReply {
  status?: number;
  /** JSON-encoded unless `text` is set. */
  json?: unknown;
  text?: string;
  contentType?: string;
  /** Extra response headers (Set-Cookie of the web login). */
  headers?: Record<string, string>;
}

export type ApiHandler = (req: ApiRequest) => ApiReply | Promise<ApiReply>;

export interface Route {
  method: 'GET' | 'PUT' | 'POST' | 'DELETE';
  path: string;
  handler: ApiHandler;
  /** The body is not read as JSON: the handler streams it (`ApiRequest.stream`). */
  raw?: boolean;
}

export class HttpApiError extends KabosuError {
  constructor(
    readonly status: number,
    code: string,
    message: string,
    hint?: string,
  ) {
    super(code, message, { hint });
  }
}

export const MAX_BODY_BYTES = 256 * 1024;
/** Deepest nesting a request body may have (a config is under 10 deep); deeper is refused unparsed. */
export const MAX_BODY_DEPTH = 64;

/** True when the JSON text nests objects/arrays deeper than `limit` (strings are skipped). Pure. */
export function nestsDeeperThan(text: string, limit: number): boolean {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 0x22) {
      for (i++; i < text.length && text.charCodeAt(i) !== 0x22; i++) if (text.charCodeAt(i) === 0x5c) i++;
    } else if (ch === 0x7b || ch === 0x5b) {
      if (++depth > limit) return true;
    } else if (ch === 0x7d || ch === 0x5d) depth--;
  }
  return false;
}

export interface HttpApiOptions {
  routes: Route[];
  /** Bearer token for writes; with none set, every write is refused (default-deny). */
  token: () => string | undefined;
  log: Logger;
  /**
   * Requests handled before the route table (web UI assets, the live stream, login): returns
   * true when it answered. Optional; the API alone has none.
   */
  pre?: (req: IncomingMessage, res: ServerResponse, url: URL) => boolean | Promise<boolean>;
  /**
   * A write without a bearer token: true when a web session authorizes it (throws HttpApiError
   * on a bad CSRF token), false to fall through to the bearer-token refusal.
   */
  authorizeWrite?: (req: IncomingMessage) => boolean;
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

/** Constant-time comparison (hash first so lengths never leak). */
export function tokenMatches(given: string | undefined, expected: string | undefined): boolean {
  if (!given || !expected) return false;
  return timingSafeEqual(digest(given), digest(expected));
}

export class HttpApiServer {
  private server?: Server;
  private readonly table = new Map<string, Route>();
  private readonly paths = new Set<string>();

  constructor(private readonly o: HttpApiOptions) {
    for (const r of o.routes) {
      this.table.set(`${r.method} ${r.path}`, r);
      this.paths.add(r.path);
    }
  }

  async listen(host: string, port: number): Promise<AddressInfo> {
    const { server, address } = await listenHttp((req, res) => void this.handle(req, res), host, port, { keepAliveTimeoutMs: 5000 });
    this.server = server;
    return address;
  }

  async close(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    await closeHttp(s);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const url = new URL(req.url ?? '/', 'http://x');
      const method = req.method ?? 'GET';
      if (this.o.pre && (await this.o.pre(req, res, url))) return;
      const route = this.table.get(`${method} ${url.pathname}`);
      if (!route) {
        if (this.paths.has(url.pathname)) throw new HttpApiError(405, 'KBS_E_API_METHOD', `${method} is not allowed on ${url.pathname}`);
        throw new HttpApiError(404, 'KBS_E_API_NOT_FOUND', `no route ${url.pathname}`, 'see docs/http-api.md for the routes');
      }
      if (method !== 'GET' && (req.headers.authorization || !this.o.authorizeWrite?.(req))) {
        const auth = req.headers.authorization;
        const given = auth?.startsWith('Bearer ') ? auth.slice(7) : undefined;
        const expected = this.o.token();
        if (!expected) throw new HttpApiError(403, 'KBS_E_API_WRITES_DISABLED', 'writes are disabled: no API token is configured', 'set api.http.token with `kabosu config set-secret api.http.token`');
        if (!tokenMatches(given, expected)) throw new HttpApiError(401, 'KBS_E_API_UNAUTHORIZED', 'a valid bearer token is required for writes', 'send `Authorization: Bearer <api.http.token>`');
      }
      if (route.raw) {
        const len = req.headers['content-length'];
        const reply = await route.handler({ method, path: url.pathname, query: url.searchParams, body: undefined, remote: req.socket.remoteAddress ?? '', headers: req.headers, secure: 'encrypted' in req.socket && !!req.socket.encrypted, stream: req, contentType: req.headers['content-type'], contentLength: len === undefined ? undefined : Number(len) });
        send(res, reply.status ?? 200, reply);
        return;
      }
      const body = method === 'GET' ? undefined : await readJsonBody(req);
      const reply = await route.handler({ method, path: url.pathname, query: url.searchParams, body, remote: req.socket.remoteAddress ?? '', headers: req.headers, secure: 'encrypted' in req.socket && !!req.socket.encrypted });
      send(res, reply.status ?? 200, reply);
    } catch (err) {
      if (err instanceof HttpApiError) {
        send(res, err.status, { json: { code: err.code, error: err.message, ...(err.hint ? { hint: err.hint } : {}) } });
      } else if (err instanceof KabosuError) {
        const status = err.code === 'KBS_E_NOT_AVAILABLE' ? 501 : err.code.startsWith('KBS_E_CONFIG') ? 422 : err.code === 'KBS_E_APP_STARTING' ? 503 : 400;
        const details = (err as { issues?: unknown }).issues;
        send(res, status, { json: { code: err.code, error: err.message, ...(err.hint ? { hint: err.hint } : {}), ...(details ? { issues: details } : {}) } });
      } else {
        this.o.log.error({ err: err instanceof Error ? err.message : String(err) }, 'http handler failed');
        send(res, 500, { json: { code: 'KBS_E_API_INTERNAL', error: 'internal error (see the daemon log)' } });
      }
    }
  }
}

async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const len = Number(req.headers['content-length'] ?? '0');
  if (len > MAX_BODY_BYTES) throw new HttpApiError(413, 'KBS_E_API_BODY_TOO_LARGE', `request body over ${MAX_BODY_BYTES} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new HttpApiError(413, 'KBS_E_API_BODY_TOO_LARGE', `request body over ${MAX_BODY_BYTES} bytes`);
    chunks.push(c as Buffer);
  }
  if (size === 0) return undefined;
  const type = req.headers['content-type'] ?? '';
  if (!type.startsWith('application/json')) throw new HttpApiError(415, 'KBS_E_API_CONTENT_TYPE', 'the body must be application/json');
  const text = Buffer.concat(chunks).toString('utf8');
  // Deep nesting parses, but every recursive walk after it (validation, diff, redaction) would
  // overflow the stack: refuse it here, before anything looks at it.
  if (nestsDeeperThan(text, MAX_BODY_DEPTH)) {
    throw new HttpApiError(400, 'KBS_E_API_BAD_JSON', `the body nests deeper than ${MAX_BODY_DEPTH} levels`, 'send the config as kabosu config show prints it; no value nests that deep');
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new HttpApiError(400, 'KBS_E_API_BAD_JSON', `the body is not valid JSON: ${(e as Error).message}`);
  }
}

function send(res: ServerResponse, status: number, reply: ApiReply): void {
  if (res.headersSent) return;
  const text = reply.text ?? JSON.stringify(reply.json ?? null);
  res.writeHead(status, {
    ...(status === 413 ? { connection: 'close' } : {}),
    'content-type': reply.contentType ?? (reply.text !== undefined ? 'text/plain; charset=utf-8' : 'application/json'),
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    ...reply.headers,
  });
  res.end(text);
}
