import type { IncomingMessage, ServerResponse } from 'node:http';
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { CONFIG_SCHEMA } from '../../../config';
import type { MinerControl } from '../../../core/minerApi';
import type { AdminPasswordStore } from '../../../auth/adminPassword';
import { HttpApiError, type Route } from '../server';
import { WebAuth } from './webAuth';
import { StatusStream } from './statusStream';
import { probePool } from './poolProbe';

/** The UI's files by URL path (`/` is index.html): text, as the build made them. */
export type UiFiles = Record<string, { type: string; body: string }>;

interface Asset {
  type: string;
  body: Buffer;
  gzip: Buffer;
  etag: string;
}

export interface WebUiOptions {
  control: MinerControl;
  passwords: AdminPasswordStore;
  /** api.http.ui, read per request. */
  ui: () => { enabled: boolean; readWithoutLogin: boolean };
  /** The bundled UI (embedded in the binary, or built from source on first use). */
  files: () => Promise<UiFiles>;
}

const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
};

/**
 * The web dashboard on the HTTP API's port: its assets (`/`, `/assets/*`, the PWA manifest and
 * service worker), the live stream, login and session routes, the config schema for the
 * schema-driven form and a pool connection test. Assets are compressed once, served with ETags.
 */
export class WebUi {
  readonly auth: WebAuth;
  readonly stream: StatusStream;
  private assets?: Promise<Map<string, Asset>>;

  constructor(private readonly o: WebUiOptions) {
    this.auth = new WebAuth({ passwords: o.passwords, readWithoutLogin: () => o.ui().readWithoutLogin });
    this.stream = new StatusStream(o.control);
  }

  private load(): Promise<Map<string, Asset>> {
    this.assets ??= this.o.files().then((files) => {
      const m = new Map<string, Asset>();
      for (const [path, f] of Object.entries(files)) {
        const body = Buffer.from(f.body, 'utf8');
        m.set(path, { type: f.type, body, gzip: gzipSync(body, { level: 9 }), etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 16)}"` });
      }
      return m;
    });
    return this.assets;
  }

  /** HttpApiServer's `pre`: static files and the live stream; false for everything else. */
  pre = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    if (url.pathname === '/api/v1/events/stream') {
      if (!this.auth.mayRead(req.headers)) throw new HttpApiError(401, 'KBS_E_AUTH_LOGIN_REQUIRED', 'log in to watch the live stream', 'POST /api/v1/auth/login, or set api.http.ui.readWithoutLogin');
      this.stream.attach(res);
      return true;
    }
    if (url.pathname.startsWith('/api/') || url.pathname.startsWith('/cgi-bin/') || url.pathname === '/metrics' || url.pathname === '/healthz' || url.pathname === '/readyz') return false;
    if (!this.o.ui().enabled) return false;
    const assets = await this.load();
    const a = assets.get(url.pathname === '/index.html' ? '/' : url.pathname);
    if (!a) return false;
    const headers: Record<string, string> = { 'content-type': a.type, etag: a.etag, 'cache-control': 'no-cache', vary: 'accept-encoding', ...SECURITY_HEADERS };
    if (req.headers['if-none-match'] === a.etag) {
      res.writeHead(304, headers);
      res.end();
      return true;
    }
    const gz = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
    const body = gz ? a.gzip : a.body;
    res.writeHead(200, { ...headers, ...(gz ? { 'content-encoding': 'gzip' } : {}), 'content-length': String(body.length) });
    res.end(req.method === 'HEAD' ? undefined : body);
    return true;
  };

  routes(): Route[] {
    const str = (b: unknown, k: string): string | undefined => {
      const v = typeof b === 'object' && b !== null ? (b as Record<string, unknown>)[k] : undefined;
      return typeof v === 'string' && v.length <= 512 ? v : undefined;
    };
    return [
      ...this.auth.routes(),
      { method: 'GET', path: '/api/v1/config/schema', handler: () => ({ json: CONFIG_SCHEMA }) },
      {
        method: 'POST',
        path: '/api/v1/pools/test',
        handler: async (r) => {
          const url = str(r.body, 'url');
          const user = str(r.body, 'user');
          if (!url || !user) throw new HttpApiError(400, 'KBS_E_API_BAD_BODY', '"url" and "user" must be strings', 'send {"url": "stratum+tcp://host:port", "user": "worker", "password": "x"}');
          return { json: await probePool({ url, user, password: str(r.body, 'password') }) };
        },
      },
    ];
  }

  close(): void {
    this.stream.close();
  }
}
