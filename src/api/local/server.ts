import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { chmodSync, existsSync, unlinkSync } from 'node:fs';
import type { Logger } from 'pino';
import { KabosuError } from '../../core/errors';

/**
 * The daemon's local control socket: HTTP over a unix socket in the data directory (mode 0600,
 * so only the daemon's user and root reach it). `kabosu status` and other local CLI commands
 * talk to the running daemon through it; remote clients use the HTTP API and :4028 instead.
 */
export type LocalRoute = (req: IncomingMessage, body: unknown) => Promise<unknown> | unknown;

/** Request bodies on the control socket are small commands. */
const MAX_BODY = 64 * 1024;

export class LocalControlServer {
  private server?: Server;

  constructor(
    private readonly socketPath: string,
    private readonly routes: Record<string, LocalRoute>,
    private readonly log: Logger,
  ) {}

  async start(): Promise<void> {
    if (existsSync(this.socketPath)) {
      if (await isAlive(this.socketPath)) {
        throw new KabosuError('KBS_E_APP_ALREADY_RUNNING', `another kabosu daemon is running on ${this.socketPath}`, {
          hint: 'stop it first (or use a different --data-dir)',
        });
      }
      unlinkSync(this.socketPath); // stale socket left by a crash
    }
    const server = createServer((req, res) => void this.handle(req, res));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.socketPath, () => resolve());
    });
    chmodSync(this.socketPath, 0o600);
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    try {
      unlinkSync(this.socketPath);
    } catch {
      /* already gone */
    }
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    const route = this.routes[`${req.method} ${path}`];
    try {
      if (!route) {
        send(res, 404, { code: 'KBS_E_API_NOT_FOUND', error: `no route ${req.method} ${path}` });
        return;
      }
      const body = req.method === 'POST' || req.method === 'PUT' ? await readBody(req) : undefined;
      send(res, 200, await route(req, body));
    } catch (err) {
      this.log.warn({ route: path, err: err instanceof Error ? err.message : String(err) }, 'local control request failed');
      const body = err instanceof KabosuError ? err.toJSON() : { code: 'KBS_E_API_INTERNAL', error: 'internal error' };
      send(res, 500, body);
    }
  }
}

function readBody(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (d: string) => {
      text += d;
      if (text.length > MAX_BODY) {
        req.destroy();
        reject(new KabosuError('KBS_E_API_BAD_BODY', `request body over ${MAX_BODY} bytes`));
      }
    });
    req.on('end', () => {
      if (text.length === 0) return resolve(undefined);
      try {
        resolve(JSON.parse(text));
      } catch {
        reject(new KabosuError('KBS_E_API_BAD_BODY', 'request body is not JSON'));
      }
    });
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function isAlive(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = require('node:http').request({ socketPath, path: '/v1/ping', method: 'GET', timeout: 1000 }, (res: IncomingMessage) => {
      res.resume();
      resolve(true);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
    req.end();
  });
}
